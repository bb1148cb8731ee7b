"""With CSRF protection on, as in production: the admin forms carry a token and a post without one is refused."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.orgs.models import Person, Team
from tests.conftest import DEMO_PASSWORD

from .test_admin_pages import person_form


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def token(page) -> str:
    """The CSRF token in a page (a response or a piece of HTML)."""
    html = page if isinstance(page, str) else page.get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


@pytest.fixture
def admin(client, demo):
    login_page = client.get("/login")
    response = client.post("/login", data={"email": "admin@retail.example.com", "password": DEMO_PASSWORD,
                                           "csrf_token": token(login_page)})
    assert response.status_code == 302


def people() -> int:
    return db.session.scalar(select(func.count(Person.id)))


def test_new_person_without_token_is_refused_and_with_it_accepted(client, admin):
    before = people()
    assert client.post("/admin/people/new", data=person_form()).status_code == 400
    assert people() == before
    form_page = client.get("/admin/people/new")
    assert client.post("/admin/people/new", data=person_form(csrf_token=token(form_page))).status_code == 302
    assert people() == before + 1


def test_delete_forms_carry_a_token(client, admin, demo):
    empty = Team(organisation=demo["demo-retail"], name="Vuota")
    db.session.add(empty)
    db.session.commit()
    empty_id = empty.id
    assert client.post(f"/admin/teams/{empty_id}/delete").status_code == 400
    assert db.session.get(Team, empty_id) is not None
    page = client.get(f"/admin/teams/{empty_id}/delete").get_data(as_text=True)  # the page that asks first
    delete_form = re.search(rf'<form method="post" action="/admin/teams/{empty_id}/delete".*?</form>', page, re.S)
    response = client.post(f"/admin/teams/{empty_id}/delete",
                           data={"csrf_token": token(delete_form.group(0)), "confirm": "yes"})
    assert response.status_code == 302
    assert db.session.get(Team, empty_id) is None

