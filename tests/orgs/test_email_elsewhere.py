"""An administrator never learns that an e-mail address belongs to another organisation: an address is unique in
the whole installation, so it is refused, but with the same words as an address of their own organisation, naming
no person and no organisation; a race on the unique constraint is the same refusal, not a 500."""
from __future__ import annotations

import io

import pytest

from cxculture.extensions import db
from cxculture.orgs.models import Person
from tests.orgs.conftest import field_error, people_snapshot, text

NEW_PERSON = {"name": "Anna Neri", "language": "", "permissions": ["employee"]}


def _refusal_of(client, url: str, email: str) -> tuple[int, str]:
    response = client.post(url, data={**NEW_PERSON, "email": email})
    return response.status_code, field_error(response, "email").replace(email, "<address>")


@pytest.mark.parametrize("url", ["/admin/people/new", "/admin/people/{employee}/edit"])
def test_an_address_of_another_organisation_is_refused_like_one_of_ours(client, admin, retail, url):
    employee = db.session.scalar(db.select(Person.id).where(Person.email == "employee@retail.example.com"))
    url = url.format(employee=employee)
    before = people_snapshot()
    ours = _refusal_of(client, url, "hr@retail.example.com")
    theirs = _refusal_of(client, url, "hr@bank.example.com")
    assert theirs == ours
    status, message = theirs
    assert status == 400 and message.startswith("<address> cannot be used")
    for hint in ("another person", "another account", "organisation", "Bank", "HR Demo"):
        assert hint not in message
    assert people_snapshot() == before


def test_the_roster_import_refuses_it_with_the_same_words(client, admin, retail):
    content = b"email,name\nhr@bank.example.com,Anna Neri\n"
    response = client.post("/admin/roster/import", data={"file": (io.BytesIO(content), "roster.csv")},
                           follow_redirects=True)
    page = text(response)
    assert "hr@bank.example.com cannot be used: the address is already taken. Check it, or use another address." in page
    assert "another account" not in page and "Demo Bank" not in page


def test_an_address_taken_meanwhile_is_the_same_refusal_not_an_error(client, admin, retail, monkeypatch):
    """Two requests pass the check at once: the unique constraint answers, and the person sees a refusal."""
    from cxculture.orgs import operations

    monkeypatch.setattr(operations, "person_by_email", lambda email: None)
    before = people_snapshot()
    status, message = _refusal_of(client, "/admin/people/new", "hr@bank.example.com")
    assert status == 400 and message.startswith("<address> cannot be used")
    assert people_snapshot() == before
