"""Café guests: the host invites by an address they already know, the page answers the same whether or not it
belongs to anyone, the invited leader accepts or declines from their own organisation, and no page lists other
organisations' people."""
from __future__ import annotations

import difflib
import re

import pytest
from sqlalchemy import select

from cxculture.cafes.models import CafeAttendee, CafeInvitation
from cxculture.extensions import db
from cxculture.orgs.service import person_by_email
from tests.cafes.helpers import new_cafe

GUEST = "leader@bank.example.com"


@pytest.fixture
def open_cafe(app, demo, make_organisation, make_person):
    """A planned café of Demo Retail nobody is invited to yet, and two more organisations: Open Shop in the
    benchmark network (a leader and an employee), Closed Shop outside it (a leader)."""
    member = make_organisation("Open Shop", benchmark_opt_in=True)
    make_person(member, "boss@open.example.com", name="Open Boss", permissions=("leader",))
    make_person(member, "staff@open.example.com", name="Open Staff", permissions=("employee",))
    outsider = make_organisation("Closed Shop", benchmark_opt_in=False)
    make_person(outsider, "boss@closed.example.com", name="Closed Boss", permissions=("leader",))
    return new_cafe(demo["demo-retail"], title="Summer café", language="en")


def _guests_url(cafe) -> str:
    return f"/leadership/cafes/{cafe.id}/guests"


def test_the_invite_page_lists_no_other_organisations_people(client, login_as, open_cafe):
    login_as("leader")
    page = client.get(_guests_url(open_cafe)).get_data(as_text=True)
    assert 'type="email"' in page and 'name="email"' in page and "<select" not in page
    for text in ("Open Boss", "boss@open.example.com", "Closed Boss", "Open Staff", "Demo Bank", "@bank.example.com"):
        assert text not in page, text


def _normalised(page: str, address: str) -> str:
    page = page.replace(address, "ADDRESS")
    page = re.sub(r'name="invitation_id" value="\d+"', 'name="invitation_id"', page)
    page = re.sub(r'invitation_id=\d+', 'invitation_id=', page)  # the withdraw link
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]*"', r'\1"', page)  # signed with the time


def test_the_page_answers_the_same_whether_or_not_the_address_belongs_to_anyone(client, login_as, open_cafe):
    login_as("leader")
    addresses = ["boss@open.example.com",  # a leader of an organisation in the network: the only one reached
                 "boss@closed.example.com",  # a leader outside the network
                 "staff@open.example.com",  # not a leader
                 "manager@retail.example.com",  # one of the host's own people
                 "nobody@nowhere.example.com"]  # nobody at all
    answers = set()
    for address in addresses:
        response = client.post(_guests_url(open_cafe), data={"email": address.upper()}, follow_redirects=True)
        page = response.get_data(as_text=True)
        assert response.status_code == 200 and "Invito registrato per" in page and address in page
        answers.add(_normalised(page, address))
        invitation = db.session.scalar(select(CafeInvitation).where(CafeInvitation.email == address))
        assert invitation.status == "pending"
        assert (invitation.person_id is not None) == (address == "boss@open.example.com")
        client.post(f"{_guests_url(open_cafe)}/withdraw", data={"invitation_id": invitation.id, "confirm": "yes"},
                    follow_redirects=True)
    assert len(answers) == 1, "\n".join(difflib.unified_diff(*[a.splitlines() for a in list(answers)[:2]], lineterm=""))
    assert db.session.scalars(select(CafeAttendee).where(CafeAttendee.guest.is_(True))).all() == []


@pytest.mark.parametrize("address, message", [  # Demo Retail's leader reads Italian
    ("", "indirizzo e-mail del dirigente che vuoi invitare."),
    ("   ", "indirizzo e-mail del dirigente che vuoi invitare."),
    ("olivia", "Questo non è un indirizzo e-mail"),
    ("olivia@", "Questo non è un indirizzo e-mail"),
    ("olivia@@example.com", "Questo non è un indirizzo e-mail"),
    ("a@" + "b" * 250 + ".com", "Un indirizzo e-mail ha al massimo 254 caratteri."),
])
def test_a_bad_address_is_refused_and_nothing_is_recorded(client, login_as, open_cafe, address, message):
    login_as("leader")
    response = client.post(_guests_url(open_cafe), data={"email": address})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalars(select(CafeInvitation)).all() == []


def test_the_invited_leader_accepts_from_their_own_organisation(client, login_as, open_cafe):
    login_as("leader")
    client.post(_guests_url(open_cafe), data={"email": GUEST})
    client.post("/logout")

    login_as("leader", org="bank")
    cafes_page = client.get("/leadership/cafes/").get_data(as_text=True)
    assert "Summer café" in cafes_page and f"/leadership/cafes/{open_cafe.id}/invitation/accept" in cafes_page
    assert client.get(f"/leadership/cafes/{open_cafe.id}").status_code == 404  # not a guest until they accept
    home = client.get("/home/leader").get_data(as_text=True)
    assert "waiting for your answer" in home or "attesa della tua risposta" in home

    response = client.post(f"/leadership/cafes/{open_cafe.id}/invitation/accept")
    assert response.status_code == 302 and response.location.endswith(f"/leadership/cafes/{open_cafe.id}")
    assert client.get(f"/leadership/cafes/{open_cafe.id}").status_code == 200
    guest = person_by_email(GUEST)
    assert db.session.scalar(select(CafeAttendee.guest).where(CafeAttendee.cafe_id == open_cafe.id,
                                                              CafeAttendee.person_id == guest.id)) is True
    assert "/invitation/accept" not in client.get("/leadership/cafes/").get_data(as_text=True)
    assert client.post(f"/leadership/cafes/{open_cafe.id}/invitation/accept").status_code == 404  # answered
    client.post("/logout")

    login_as("leader")
    page = client.get(_guests_url(open_cafe)).get_data(as_text=True)
    assert re.search(re.escape(guest.name) + r".*badge-ok", page, re.S)


def test_the_invited_leader_declines(client, login_as, open_cafe):
    login_as("leader")
    client.post(_guests_url(open_cafe), data={"email": GUEST})
    client.post("/logout")
    login_as("leader", org="bank")
    assert client.post(f"/leadership/cafes/{open_cafe.id}/invitation/decline").status_code == 302
    assert "/invitation/" not in client.get("/leadership/cafes/").get_data(as_text=True)
    assert client.get(f"/leadership/cafes/{open_cafe.id}").status_code == 404
    invitation = db.session.scalar(select(CafeInvitation))
    assert invitation.status == "declined" and invitation.answered_at is not None
    assert db.session.scalars(select(CafeAttendee).where(CafeAttendee.guest.is_(True))).all() == []


@pytest.mark.parametrize("account", ["retail-leader", "bank-manager", "open-staff", "closed-boss"])
def test_nobody_else_can_answer_an_invitation(client, login_as, open_cafe, account):
    login_as("leader")
    for address in (GUEST, "staff@open.example.com", "boss@closed.example.com"):
        client.post(_guests_url(open_cafe), data={"email": address})
    client.post("/logout")
    if account == "retail-leader":
        login_as("leader")
    elif account == "bank-manager":
        login_as("manager", org="bank")
    else:
        from tests.conftest import login

        login(client, "staff@open.example.com" if account == "open-staff" else "boss@closed.example.com")
    response = client.post(f"/leadership/cafes/{open_cafe.id}/invitation/accept")
    assert response.status_code in (403, 404)
    assert "/invitation/" not in client.get("/leadership/cafes/").get_data(as_text=True)
    assert db.session.scalars(select(CafeAttendee).where(CafeAttendee.guest.is_(True))).all() == []
    assert {i.status for i in db.session.scalars(select(CafeInvitation))} == {"pending"}


def test_withdrawing_an_accepted_invitation_takes_the_guest_off(client, login_as, cafe):
    login_as("leader", org="bank")
    assert client.get(f"/leadership/cafes/{cafe.id}").status_code == 200
    client.post("/logout")
    login_as("leader")
    invitation = db.session.scalar(select(CafeInvitation).where(CafeInvitation.cafe_id == cafe.id))
    client.post(f"/leadership/cafes/{cafe.id}/guests/withdraw", data={"invitation_id": invitation.id, "confirm": "yes"})
    assert not any(a.guest for a in cafe.attendees)
    client.post("/logout")
    login_as("leader", org="bank")
    assert client.get(f"/leadership/cafes/{cafe.id}").status_code == 404
