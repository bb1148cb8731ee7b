"""The login throttle: by client address and by account, a wait that grows, and no lock an attacker controls."""
from datetime import timedelta

import pytest

from cxculture.auth.models import LoginFailure
from cxculture.auth.throttle import DEVICE_COOKIE
from cxculture.extensions import db
from cxculture.util import utcnow
from tests.conftest import DEMO_PASSWORD

ATTACKER = "203.0.113.66"


@pytest.fixture
def app_config():
    """Waits long enough that no test outruns them."""
    return {"LOGIN_DELAY_SECONDS": 60}


def attempt(client, email, password="wrong password", address="127.0.0.1", **kwargs):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address}, **kwargs)


def age_failures(seconds: float) -> None:
    """Move every recorded failure `seconds` into the past, as if the attacker had waited."""
    for failure in db.session.scalars(db.select(LoginFailure)):
        failure.at -= timedelta(seconds=seconds)
    db.session.commit()


def test_one_client_trying_many_accounts_is_held_back(client, demo):
    statuses = [attempt(client, f"guess{n}@bank.example.com").status_code for n in range(40)]
    # An office behind one address has room for typos: ten failures, the last of which starts the wait.
    assert statuses[:9] == [401] * 9
    assert statuses[9:] == [429] * 31
    response = attempt(client, "guess41@bank.example.com")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert b"Too many failed login attempts from this network or for this account." in response.data
    # Even a right password waits: it is not checked while the client is held back.
    assert attempt(client, "employee@bank.example.com", DEMO_PASSWORD).status_code == 429
    # Other clients are not affected.
    assert attempt(client, "employee@bank.example.com", DEMO_PASSWORD, address="198.51.100.7").status_code == 302


@pytest.mark.parametrize("app_config", [{"BEHIND_PROXY": True}])
def test_behind_a_proxy_the_forwarded_address_is_counted(client, demo):
    for n in range(12):
        attempt(client, f"guess{n}@bank.example.com", headers={"X-Forwarded-For": ATTACKER})
    assert attempt(client, "guess@bank.example.com", headers={"X-Forwarded-For": ATTACKER}).status_code == 429
    colleague = attempt(client, "employee@bank.example.com", DEMO_PASSWORD, headers={"X-Forwarded-For": "10.1.2.3"})
    assert colleague.status_code == 302


@pytest.mark.parametrize("app_config", [{"LOGIN_FREE_FAILURES": 2, "LOGIN_DELAY_SECONDS": 60,
                                         "LOGIN_MAX_DELAY_SECONDS": 200}])
def test_the_wait_on_an_account_doubles_up_to_a_cap(client, demo):
    # From many addresses, so that only the account's count matters.
    assert attempt(client, "hr@bank.example.com", address="10.0.0.1").status_code == 401
    waits = []
    for n, elapsed in enumerate((0, 61, 121, 241)):
        age_failures(elapsed)
        response = attempt(client, "hr@bank.example.com", address=f"10.0.1.{n}")
        assert response.status_code == 429
        waits.append(int(response.headers["Retry-After"]))
    assert waits == [60, 120, 200, 200]
    assert b"Wait 4 minutes, then try again." in response.data
    # While it waits, the right password is not even checked; afterwards it works.
    assert attempt(client, "hr@bank.example.com", DEMO_PASSWORD, address="10.0.2.1").status_code == 429
    age_failures(201)
    assert attempt(client, "hr@bank.example.com", DEMO_PASSWORD, address="10.0.2.1").status_code == 302


def test_an_attacker_cannot_keep_a_colleague_out(app, client, demo):
    """The colleague's browser has logged in before: failures from elsewhere do not slow it down."""
    assert attempt(client, "hr@bank.example.com", DEMO_PASSWORD).status_code == 302
    assert client.get_cookie(DEVICE_COOKIE, path="/login") is not None
    client.post("/logout")
    attacker = app.test_client()
    statuses = [attempt(attacker, "hr@bank.example.com", address=ATTACKER).status_code for _ in range(8)]
    assert statuses[-1] == 429
    assert attempt(client, "hr@bank.example.com", DEMO_PASSWORD).status_code == 302
    # A browser that never logged in to the account (or forged its device cookie) waits like the attacker.
    stranger = app.test_client()
    stranger.set_cookie(DEVICE_COOKIE, "forged.cookie", domain="localhost", path="/login")
    assert attempt(stranger, "hr@bank.example.com", DEMO_PASSWORD, address="198.51.100.7").status_code == 429


def test_a_trusted_browser_is_slowed_by_its_own_failures(client, demo):
    assert attempt(client, "hr@bank.example.com", DEMO_PASSWORD).status_code == 302
    client.post("/logout")
    statuses = [attempt(client, "hr@bank.example.com").status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def test_a_device_cookie_vouches_only_for_the_account_it_logged_in_to(app, client, demo):
    attacker = app.test_client()
    assert attempt(attacker, "employee@bank.example.com", DEMO_PASSWORD, address=ATTACKER).status_code == 302
    attacker.post("/logout")
    for _ in range(3):
        attempt(client, "hr@bank.example.com", address="10.9.9.9")
    # The attacker's own login does not make their browser trusted for someone else's account.
    assert attempt(attacker, "hr@bank.example.com", address=ATTACKER).status_code == 429


def test_success_clears_the_accounts_failures_but_not_the_addresss(client, demo):
    for n in range(2):
        attempt(client, f"guess{n}@bank.example.com")
    attempt(client, "hr@bank.example.com")
    assert attempt(client, "hr@bank.example.com", DEMO_PASSWORD).status_code == 302
    remaining = db.session.scalars(db.select(LoginFailure.email).order_by(LoginFailure.email)).all()
    assert remaining == ["guess0@bank.example.com", "guess1@bank.example.com"]


def test_old_failures_are_forgotten_and_pruned(client, demo):
    db.session.add(LoginFailure(email="old@bank.example.com", address="127.0.0.1", at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    attempt(client, "hr@bank.example.com")
    emails = db.session.scalars(db.select(LoginFailure.email)).all()
    assert emails == ["hr@bank.example.com"]


def test_the_wait_is_said_in_italian(client, demo):
    client.post("/language", data={"language": "it", "next": "/login"})
    for n in range(11):
        response = attempt(client, f"guess{n}@bank.example.com")
    assert response.status_code == 429
    assert "Troppi tentativi di accesso non riusciti" in response.get_data(as_text=True)
