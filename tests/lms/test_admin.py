"""Registrations from the admin pages and the CLI, the tool's keys and JWKS, framing and cookies."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.lms.keys import RETIRED_KEY_DAYS, active_key, jwks
from cxculture.lms.models import LtiRegistration, ToolKey
from tests.conftest import DEMO_PASSWORD, session_cookie

GOOD = {
    "name": "Moodle – HR academy", "issuer": "https://moodle.example.com", "client_id": "abc123",
    "deployment_ids": "1\n2, 2", "auth_login_url": "https://moodle.example.com/mod/lti/auth.php",
    "auth_token_url": "https://moodle.example.com/mod/lti/token.php",
    "key_set_url": "https://moodle.example.com/mod/lti/certs.php",
}


def _registrations() -> int:
    return db.session.scalar(select(func.count()).select_from(LtiRegistration))


def test_admin_registers_edits_and_removes_a_platform(client, login_as):
    admin = login_as("admin", org="bank")
    overview = client.get("/admin/lms")
    assert overview.status_code == 200 and "Tool configuration" in overview.text
    assert "http://localhost/lti/login" in overview.text and "/lti/demo-bank/jwks.json" in overview.text
    response = client.post("/admin/lms/platforms/new", data=GOOD)
    assert response.status_code == 302
    registration = db.session.scalar(select(LtiRegistration))
    assert registration.organisation_id == admin.organisation_id and registration.deployment_ids == ["1", "2"]
    edit = client.post(f"/admin/lms/platforms/{registration.id}", data={**GOOD, "deployment_ids": "7"})
    assert edit.status_code == 302
    db.session.refresh(registration)
    assert registration.deployment_ids == ["7"]
    assert client.post(f"/admin/lms/platforms/{registration.id}/delete", data={"confirm": "yes"}).status_code == 302
    assert _registrations() == 0


@pytest.mark.parametrize("field, value, message", [
    ("name", "", "Give the platform a name"),
    ("issuer", "moodle.example.com", "The issuer is the platform"),
    ("client_id", "", "Enter the client id"),
    ("deployment_ids", " \n ", "at least one deployment id"),
    ("auth_login_url", "javascript:alert(1)", "Enter a full address"),
    ("key_set_url", "", "Enter a full address"),
])
def test_bad_registrations_name_the_field_and_store_nothing(client, login_as, field, value, message):
    login_as("admin", org="bank")
    response = client.post("/admin/lms/platforms/new", data={**GOOD, field: value})
    assert response.status_code == 400 and message in response.text
    assert f'id="{field}-error"' in response.text
    assert _registrations() == 0


def test_the_same_platform_cannot_be_registered_twice(client, login_as):
    login_as("admin", org="bank")
    client.post("/admin/lms/platforms/new", data=GOOD)
    again = client.post("/admin/lms/platforms/new", data=GOOD)
    assert "already registered" in again.text and _registrations() == 1


def test_only_administrators_reach_the_lms_pages(client, login_as):
    login_as("leader", org="bank")
    assert client.get("/admin/lms").status_code == 403
    assert client.post("/admin/lms/platforms/new", data=GOOD).status_code == 403
    assert _registrations() == 0


def test_keys_rotate_and_the_old_key_stays_published(client, login_as, demo):
    login_as("admin", org="bank")
    organisation = demo["demo-bank"]
    first = active_key(organisation.id).kid
    db.session.commit()
    assert client.post("/admin/lms/keys/rotate", data={"confirm": "yes"}).status_code == 302
    key_set = client.get("/lti/demo-bank/jwks.json").get_json()
    kids = [k["kid"] for k in key_set["keys"]]
    assert len(kids) == 2 and first in kids and kids[0] != first
    assert all(k["alg"] == "RS256" and k["use"] == "sig" and "d" not in k for k in key_set["keys"])
    old = db.session.scalar(select(ToolKey).where(ToolKey.kid == first))
    from datetime import timedelta

    old.retired_at -= timedelta(days=RETIRED_KEY_DAYS + 1)
    db.session.commit()
    assert [k["kid"] for k in jwks(organisation.id)["keys"]] == [kids[0]]
    assert client.get("/lti/nobody/jwks.json").status_code == 404


def test_frame_ancestors_lists_registered_platforms_only(app, client, login_as):
    from cxculture.lms import forget_origins

    login_as("admin", org="bank")
    forget_origins()
    assert _frame_ancestors(client.get("/admin/lms")) == "frame-ancestors 'self'"
    client.post("/admin/lms/platforms/new", data=GOOD)
    forget_origins()
    assert _frame_ancestors(client.get("/admin/lms")) == "frame-ancestors 'self' https://moodle.example.com"


def _frame_ancestors(response) -> str:
    """The frame-ancestors directive of the page's Content-Security-Policy (the rest is cxculture/security.py's)."""
    directives = [d.strip() for d in response.headers["Content-Security-Policy"].split(";")]
    return next(d for d in directives if d.startswith("frame-ancestors"))


def test_session_cookie_is_third_party_ready_only_over_https(client, demo):
    plain = client.post("/login", data={"email": "employee@bank.example.com", "password": DEMO_PASSWORD})
    assert "SameSite=Lax" in session_cookie(plain)
    client.post("/logout")
    secure = client.post("/login", data={"email": "employee@bank.example.com", "password": DEMO_PASSWORD},
                         base_url="https://localhost")
    assert "SameSite=None" in session_cookie(secure) and "Secure" in session_cookie(secure)


def test_lrs_settings_page_keeps_the_secret_and_shows_the_outbox(client, login_as):
    login_as("admin", org="bank")
    data = {"enabled": "y", "endpoint": "https://lrs.example.com/xAPI/", "key": "key", "secret": "s3cret",
            "actor_mode": "pseudonymous"}
    assert client.post("/admin/lms/xapi", data=data).status_code == 302
    assert client.post("/admin/lms/xapi", data={**data, "secret": ""}).status_code == 302
    page = client.get("/admin/lms/xapi")
    assert "s3cret" not in page.text and "delivered" in page.text
    from cxculture.lms.models import LrsSettings

    settings = db.session.scalar(select(LrsSettings))
    assert settings.secret == "s3cret" and settings.endpoint == "https://lrs.example.com/xAPI"


def test_cli_registers_lists_rotates_and_removes(runner, demo):
    args = ["cx", "lti", "add", "--org", "demo-bank", "--name", "Canvas", "--issuer", "https://canvas.instructure.com",
            "--client-id", "10000000000001", "--deployment-id", "1:abc", "--login-url",
            "https://sso.canvaslms.com/api/lti/authorize_redirect", "--token-url",
            "https://sso.canvaslms.com/login/oauth2/token", "--jwks-url", "https://sso.canvaslms.com/api/lti/security/jwks"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0 and "Registered Canvas" in result.output
    again = runner.invoke(args=args)
    assert again.exit_code == 1 and "already registered" in again.output
    listing = runner.invoke(args=["cx", "lti", "list", "--org", "demo-bank"])
    assert "https://canvas.instructure.com" in listing.output
    config = runner.invoke(args=["cx", "lti", "config", "--org", "demo-bank"])
    assert "Initiate login URL: http://127.0.0.1:5000/lti/login" in config.output
    assert runner.invoke(args=["cx", "lti", "rotate-key", "--org", "demo-bank"]).exit_code == 0
    registration_id = db.session.scalar(select(LtiRegistration.id))
    wrong_org = runner.invoke(args=["cx", "lti", "remove", "--org", "demo-retail", str(registration_id)])
    assert wrong_org.exit_code != 0 and _registrations() == 1
    assert runner.invoke(args=["cx", "lti", "remove", "--org", "demo-bank", str(registration_id)]).exit_code == 0
    assert _registrations() == 0
    flush = runner.invoke(args=["cx", "xapi", "flush"])
    assert flush.exit_code == 0 and "Sent 0" in flush.output
