"""Logging in and out, throttling, sessions and cookies."""
import pytest

from cxculture.extensions import db
from cxculture.orgs.service import person_by_email
from tests.conftest import DEMO_PASSWORD, login, session_cookie


def test_login_lands_on_the_persons_home(client, demo):
    response = client.post("/login", data={"email": "Manager@Bank.example.com ", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/").headers["Location"] == "/home/manager"  # the most senior of their dashboards
    page = client.get("/home/manager").get_data(as_text=True)
    assert "Manager Demo Bank" in page and "Demo Bank" in page


@pytest.mark.parametrize(
    "email, password",
    [
        ("employee@bank.example.com", "wrong-password"),
        ("nobody@bank.example.com", DEMO_PASSWORD),
        ("", DEMO_PASSWORD),
    ],
)
def test_bad_login_is_refused_with_a_message(client, demo, email, password):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code in (400, 401)
    assert b"Log in" in response.data
    assert client.get("/home/employee").status_code == 302  # still anonymous


def test_wrong_password_says_so(client, demo):
    response = client.post("/login", data={"email": "employee@bank.example.com", "password": "nope"})
    assert response.status_code == 401
    assert b"Wrong e-mail or password." in response.data


def test_inactive_person_cannot_log_in(client, demo):
    person = person_by_email("employee@bank.example.com")
    person.active = False
    db.session.commit()
    response = client.post("/login", data={"email": "employee@bank.example.com", "password": DEMO_PASSWORD})
    assert response.status_code == 401


def test_invited_person_without_password_cannot_log_in(client, demo, make_person):
    make_person(demo["demo-bank"], "new@bank.example.com", password=None)
    response = client.post("/login", data={"email": "new@bank.example.com", "password": ""})
    assert response.status_code in (400, 401)
    assert client.get("/home/employee").status_code == 302


def test_login_starts_a_new_session(client, demo):
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    login(client, "employee@bank.example.com")
    with client.session_transaction() as session:
        assert "planted" not in session
        # The id names a server-side session, not the person.
        assert session["_user_id"] and str(person_by_email("employee@bank.example.com").id) != session["_user_id"]


def test_session_cookie_flags(client, demo):
    response = client.post("/login", data={"email": "employee@bank.example.com", "password": DEMO_PASSWORD})
    cookie = session_cookie(response)
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_over_https(client, demo):
    response = client.post(
        "/login",
        data={"email": "employee@bank.example.com", "password": DEMO_PASSWORD},
        base_url="https://localhost",
    )
    assert "Secure" in session_cookie(response)


def test_logout_needs_post_and_ends_the_session(client, demo):
    login(client, "employee@bank.example.com")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/home/employee").status_code == 302


def test_next_parameter_only_follows_local_paths(client, demo):
    response = client.post(
        "/login?next=https://evil.example.com/", data={"email": "employee@bank.example.com", "password": DEMO_PASSWORD}
    )
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post(
        "/login?next=/home/employee", data={"email": "employee@bank.example.com", "password": DEMO_PASSWORD}
    )
    assert response.headers["Location"] == "/home/employee"


def test_anonymous_is_sent_to_login(client, demo):
    response = client.get("/home/employee")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_passwords_are_argon2id(demo):
    assert person_by_email("employee@bank.example.com").password_hash.startswith("$argon2id$")
