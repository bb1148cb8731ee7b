"""Changing a password and accepting an invitation."""
import pytest
from sqlalchemy import event

from cxculture.auth.invitations import invitation_token
from cxculture.auth.passwords import verify_password
from cxculture.extensions import db
from cxculture.orgs.service import person_by_email
from tests.conftest import DEMO_PASSWORD, login

NEW_PASSWORD = "a long new passphrase"


def change(client, current=DEMO_PASSWORD, new=NEW_PASSWORD, confirm=None):
    return client.post(
        "/account/password",
        data={"current_password": current, "password": new, "confirm": confirm if confirm is not None else new},
    )


def test_change_password_ends_other_sessions(app, client, demo):
    other = app.test_client()
    login(other, "employee@bank.example.com")
    login(client, "employee@bank.example.com")
    assert change(client).status_code == 302
    assert verify_password(person_by_email("employee@bank.example.com").password_hash, NEW_PASSWORD)
    assert client.get("/home/employee").status_code == 200  # this session goes on
    assert other.get("/home/employee").status_code == 302  # the other one is over


def test_change_password_refuses_wrong_current_password(client, demo):
    login(client, "employee@bank.example.com")
    response = change(client, current="not-it")
    assert b"This is not your current password." in response.data
    assert verify_password(person_by_email("employee@bank.example.com").password_hash, DEMO_PASSWORD)


def test_change_password_refuses_short_or_mismatched(client, demo):
    login(client, "employee@bank.example.com")
    assert b"at least 10 characters" in change(client, new="short").data
    assert b"not the same" in change(client, confirm="something else entirely").data
    assert verify_password(person_by_email("employee@bank.example.com").password_hash, DEMO_PASSWORD)


def test_invitation_sets_password_once(app, client, demo, make_person):
    person = make_person(demo["demo-bank"], "invited@bank.example.com", name="Ivy Invited", password=None)
    token = invitation_token(person)
    page = client.get(f"/invitation/{token}")
    assert page.status_code == 200 and b"Ivy Invited" in page.data
    response = client.post(f"/invitation/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get("/home/employee").status_code == 200  # logged in
    client.post("/logout")
    again = client.get(f"/invitation/{token}")
    assert again.status_code == 410 and b"already been used" in again.data
    login(client, "invited@bank.example.com", NEW_PASSWORD)


def test_tampered_invitation_is_refused(client, demo, make_person):
    person = make_person(demo["demo-bank"], "invited@bank.example.com", password=None)
    payload, signature = invitation_token(person).rsplit(".", 1)
    forged = ("A" if signature[0] != "A" else "B") + signature[1:]  # the first character is all signature bits
    response = client.get(f"/invitation/{payload}.{forged}")
    assert response.status_code == 410 and b"not valid" in response.data


def test_expired_invitation_is_refused(app, client, demo, make_person):
    person = make_person(demo["demo-bank"], "invited@bank.example.com", password=None)
    token = invitation_token(person)
    app.config["INVITATION_DAYS"] = -1
    response = client.get(f"/invitation/{token}")
    assert response.status_code == 410 and b"expired" in response.data


COMMON = b"it is a common password, or made of common words"
ABOUT_YOU = b"it contains your name, your e-mail address or your organisation&#39;s name"


@pytest.mark.parametrize("weak, why", [
    ("password1234", COMMON),
    ("qwertyuiop123", COMMON),
    ("1234567890", COMMON),
    ("forzajuve1897", COMMON),
    ("settembre2024", COMMON),
    ("ciaobella123", COMMON),
    ("employee2026!", ABOUT_YOU),
    ("DemoBank!2026", ABOUT_YOU),
    ("bank.example.com", ABOUT_YOU),
])
def test_change_password_refuses_common_and_guessable_passwords(client, demo, weak, why):
    login(client, "employee@bank.example.com")
    response = change(client, new=weak)
    assert response.status_code == 400
    assert b"This password is too easy to guess" in response.data and why in response.data
    assert verify_password(person_by_email("employee@bank.example.com").password_hash, DEMO_PASSWORD)


def test_a_weak_password_is_refused_in_italian(client, demo):
    login(client, "employee@bank.example.com")
    client.post("/language", data={"language": "it", "next": "/"})
    response = change(client, new="forzainter2024")
    assert response.status_code == 400
    assert "Questa password è troppo facile da indovinare" in response.get_data(as_text=True)


def test_invitation_refuses_a_guessable_password_and_stays_valid(client, demo, make_person):
    person = make_person(demo["demo-bank"], "giulia.bianchi@bank.example.com", name="Giulia Bianchi", password=None)
    token = invitation_token(person)
    guessable = "GiuliaBianchi1990"
    response = client.post(f"/invitation/{token}", data={"password": guessable, "confirm": guessable})
    assert response.status_code == 400 and ABOUT_YOU in response.data
    assert person_by_email("giulia.bianchi@bank.example.com").invited
    assert client.get("/home/employee").status_code == 302  # not logged in
    assert client.get(f"/invitation/{token}").status_code == 200
    accepted = client.post(f"/invitation/{token}", data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert accepted.status_code == 302


def test_the_demo_password_would_be_accepted(app, demo):
    from cxculture.auth.passwords import password_problem

    with app.test_request_context():
        assert password_problem(DEMO_PASSWORD, ("Employee Demo Bank", "employee@bank.example.com", "Demo Bank")) is None


def _hash_with(time_cost: int, memory_kib: int, parallelism: int) -> str:
    from argon2 import PasswordHasher, Type

    hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID)
    return hasher.hash(DEMO_PASSWORD)


@pytest.mark.parametrize(("old", "why"), [
    ((3, 2048, 4), "stronger than configured (the old 64 MiB, t=3, p=4 shape): lowered"),
    ((1, 512, 1), "weaker than configured: raised"),
])
def test_a_login_rehashes_a_password_made_with_other_parameters(app, client, demo, old, why):
    person = person_by_email("employee@bank.example.com")
    person.password_hash = _hash_with(*old)
    db.session.commit()

    login(client, "employee@bank.example.com")

    stored = person_by_email("employee@bank.example.com").password_hash
    config = app.config
    assert f"m={config['ARGON2_MEMORY_COST']},t={config['ARGON2_TIME_COST']},p={config['ARGON2_PARALLELISM']}" in stored
    assert verify_password(stored, DEMO_PASSWORD)


def test_a_login_rehashes_before_it_writes_anything(app, client, demo, monkeypatch):
    """On SQLite the first write takes the database's write lock until the commit: argon2 must not run under it."""
    from cxculture.auth import service

    person = person_by_email("employee@bank.example.com")
    person.password_hash = _hash_with(1, 512, 1)
    db.session.commit()
    statements: list[str] = []
    writes_before_hashing: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement.lstrip().split()[0].upper())

    def hash_and_look(password):
        writes_before_hashing.extend(s for s in statements if s in ("INSERT", "UPDATE", "DELETE"))
        return original(password)

    original = service.hash_password
    monkeypatch.setattr(service, "hash_password", hash_and_look)
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        login(client, "employee@bank.example.com")
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert writes_before_hashing == []
    assert "DELETE" in statements  # the throttle's failures were forgotten, after the hashing
