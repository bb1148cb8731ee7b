"""Server-side sessions: logout, password change, deactivation and "log out everywhere" end them for good."""
from datetime import timedelta

import pytest

from cxculture.auth.models import LoginSession
from cxculture.extensions import db
from cxculture.orgs.service import person_by_email
from cxculture.util import utcnow
from tests.conftest import DEMO_PASSWORD, login
from tests.orgs.test_admin_pages import person_form

COOKIE = "cxculture_session"
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
          "Version/18.1 Mobile/15E148 Safari/604.1")


def copy_of_cookie(app, client):
    """Another browser holding a copy of `client`'s session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie(COOKIE, client.get_cookie(COOKIE).value, domain="localhost")
    return thief


def sessions_of(email):
    person = person_by_email(email)
    return db.session.scalars(db.select(LoginSession).where(LoginSession.person_id == person.id)).all()


def test_a_cookie_copied_before_logout_no_longer_works(app, client, demo):
    login(client, "employee@bank.example.com")
    thief = copy_of_cookie(app, client)
    assert thief.get("/home/employee").status_code == 200  # the copy works while the session lasts
    client.post("/logout")
    assert thief.get("/home/employee").status_code == 302
    assert sessions_of("employee@bank.example.com") == []


def test_a_password_change_ends_every_other_session_and_renews_this_one(app, client, demo):
    login(client, "employee@bank.example.com")
    other = app.test_client()
    login(other, "employee@bank.example.com")
    thief = copy_of_cookie(app, client)
    response = client.post("/account/password", data={
        "current_password": DEMO_PASSWORD, "password": "a long new passphrase", "confirm": "a long new passphrase"})
    assert response.status_code == 302
    assert client.get("/home/employee").status_code == 200
    assert other.get("/home/employee").status_code == 302
    assert thief.get("/home/employee").status_code == 302  # this browser's old session id is over too
    assert len(sessions_of("employee@bank.example.com")) == 1


def test_deactivation_ends_every_session_for_good(app, client, demo):
    employee = app.test_client()
    login(employee, "employee@retail.example.com")
    login(client, "admin@retail.example.com")
    person = person_by_email("employee@retail.example.com")
    fields = {"email": person.email, "name": person.name, "language": "", "manager_id": "",
              "job_role_id": str(person.job_role_id or ""), "team_id": str(person.team_id or "")}
    assert client.post(f"/admin/people/{person.id}/edit", data=person_form(**fields, active=None)).status_code == 302
    assert sessions_of("employee@retail.example.com") == []
    assert employee.get("/home/employee").status_code == 302
    # Taking them back does not bring an old session back to life.
    assert client.post(f"/admin/people/{person.id}/edit", data=person_form(**fields)).status_code == 302
    assert employee.get("/home/employee").status_code == 302


def test_the_account_page_lists_the_sessions_and_logs_out_everywhere(app, client, demo):
    phone = app.test_client()
    login(phone, "employee@bank.example.com")
    phone.get("/home/employee", headers={"User-Agent": IPHONE})
    client.post("/login", data={"email": "employee@bank.example.com", "password": DEMO_PASSWORD},
                headers={"User-Agent": FIREFOX})
    other_person = app.test_client()
    login(other_person, "hr@bank.example.com")
    page = client.get("/account").get_data(as_text=True)
    assert "Where you are logged in" in page and "Firefox on Windows" in page and "This browser" in page
    assert page.count('action="/account/sessions/') == 2  # the two sessions
    assert 'href="/account/sessions/end-all"' in page  # "log out everywhere" asks first
    question = client.get("/account/sessions/end-all").get_data(as_text=True)
    assert "2 sessions end, this one included" in question
    response = client.post("/account/sessions/end-all", data={"confirm": "yes"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/home/employee").status_code == 302
    assert phone.get("/home/employee").status_code == 302
    assert other_person.get("/home/employee").status_code == 200  # someone else's sessions are theirs


def test_ending_one_session_from_the_list(app, client, demo):
    other = app.test_client()
    login(other, "employee@bank.example.com")
    login(client, "employee@bank.example.com")
    other_id = min(s.id for s in sessions_of("employee@bank.example.com"))  # logged in first
    assert f"/account/sessions/{other_id}/end" in client.get("/account").get_data(as_text=True)
    assert client.post(f"/account/sessions/{other_id}/end").status_code == 302
    assert other.get("/home/employee").status_code == 302
    assert client.get("/home/employee").status_code == 200


def test_ending_this_browsers_session_from_the_list_logs_out(client, demo):
    login(client, "employee@bank.example.com")
    (mine,) = sessions_of("employee@bank.example.com")
    response = client.post(f"/account/sessions/{mine.id}/end")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert client.get("/home/employee").status_code == 302


def test_nobody_can_end_someone_elses_session(app, client, demo):
    other = app.test_client()
    login(other, "hr@bank.example.com")
    (theirs,) = sessions_of("hr@bank.example.com")
    login(client, "employee@bank.example.com")
    assert client.post(f"/account/sessions/{theirs.id}/end").status_code == 404
    assert other.get("/home/employee").status_code == 200


def test_the_account_page_needs_a_login(client, demo):
    assert client.get("/account").headers["Location"].startswith("/login")
    assert client.post("/account/sessions/end-all", data={"confirm": "yes"}).status_code == 302


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_log_out_everywhere_needs_the_csrf_token(app, client, demo):
    from cxculture.auth.login_sessions import start_session

    with client.session_transaction() as session:
        session["_user_id"] = start_session(person_by_email("employee@bank.example.com"))
        db.session.commit()
    assert client.post("/account/sessions/end-all", data={"confirm": "yes"}).status_code == 400
    assert client.get("/home/employee").status_code == 200


@pytest.mark.parametrize("column, hours", [("last_seen_at", 2.1), ("created_at", 12.1)])
def test_sessions_expire_when_idle_and_when_old(client, demo, column, hours):
    login(client, "employee@bank.example.com")
    (row,) = sessions_of("employee@bank.example.com")
    setattr(row, column, getattr(row, column) - timedelta(hours=hours))
    db.session.commit()
    assert client.get("/home/employee").status_code == 302


def test_using_a_session_keeps_it_alive(client, demo):
    login(client, "employee@bank.example.com")
    (row,) = sessions_of("employee@bank.example.com")
    row.last_seen_at = utcnow() - timedelta(minutes=100)
    db.session.commit()
    assert client.get("/home/employee").status_code == 200
    (row,) = sessions_of("employee@bank.example.com")
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)


def test_two_people_are_never_equal_whatever_their_login_sessions(demo):
    """Flask-Login's UserMixin compares get_id(), None for anyone not logged in: people compare by identity."""
    from cxculture.orgs.service import person_by_email

    employee, manager = person_by_email("employee@bank.example.com"), person_by_email("manager@bank.example.com")
    assert employee != manager and employee not in (manager,) and len({employee, manager}) == 2
    assert employee == person_by_email("employee@bank.example.com")
