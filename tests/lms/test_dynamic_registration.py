"""LTI Dynamic Registration against a real platform (lti1p3platform with Moodle's OpenID configuration and
registration endpoint) over HTTP on loopback: the admin page makes the URL, the platform opens it, the tool
registers, and the platform then launches through the new registration. And every refusal."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import func, select

from cxculture.audit.models import AuditRecord
from cxculture.extensions import db
from cxculture.lms.models import LtiIdentity, LtiRegistration, LtiRegistrationUrl
from cxculture.util import utcnow
from tests.conftest import DEMO_PASSWORD

from .conftest import launch
from .platform import Platform

pytestmark = pytest.mark.slow


@pytest.fixture
def moodle():
    """A platform of its own for each test: dynamic registration gives it a new client id."""
    server = Platform(client_id="not-yet").start()
    yield server
    server.stop()


def _registrations() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(LtiRegistration))


def _make_url(client, tool_url) -> str:
    """The administrator makes a URL on the LMS page; it is served by the tool on loopback."""
    page = client.post("/admin/lms/registration-urls")
    assert page.status_code == 200 and "shown only now" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    url = re.search(r'id="new-registration-url"[^>]*value="([^"]+)"', page.text).group(1)
    return tool_url + urlsplit(url).path


def _open(moodle, url) -> requests.Response:
    """What Moodle does with the pasted URL: opens it with its configuration and a registration token."""
    return requests.get(moodle.open_registration_url(url), timeout=20)


def test_a_pasted_url_registers_the_platform_which_then_launches(client, login_as, trained, moodle, tool_url):
    admin = login_as("admin", org="bank")
    url = _make_url(client, tool_url)
    row = db.session.scalar(select(LtiRegistrationUrl))
    assert url.rsplit("/", 1)[1] not in (row.token_digest, row.token_hint)  # only the digest is kept
    assert row.organisation_id == admin.organisation_id

    answer = _open(moodle, url)
    assert answer.status_code == 200, answer.text
    assert "org.imsglobal.lti.close" in answer.text and "Registration done, you can close this window" in answer.text
    assert f"frame-ancestors 'self' {moodle.url}" in answer.headers["Content-Security-Policy"]
    registration = db.session.scalar(select(LtiRegistration))
    assert (registration.organisation_id, registration.issuer, registration.client_id) == (
        admin.organisation_id, moodle.url, moodle.client_id)
    assert registration.deployment_ids == ["dyn-deployment-7"] and registration.auth_token_url == f"{moodle.url}/token"
    assert {(m.kind, m.role, m.permission) for m in registration.role_mappings} == {
        ("context", "Learner", "employee"), ("context", "Instructor", "employee")}
    sent = moodle.tool_config
    assert sent["client_name"] == "CX Culture" and sent["jwks_uri"] == f"{tool_url}/lti/demo-bank/jwks.json"
    assert sent["initiate_login_uri"] == f"{tool_url}/lti/login" and sent["redirect_uris"] == [f"{tool_url}/lti/launch"]
    assert "contextmembership.readonly" in sent["scope"] and "lti-ags/scope/score" in sent["scope"]
    tool = sent["https://purl.imsglobal.org/spec/lti-tool-configuration"]
    assert tool["domain"] == urlsplit(tool_url).netloc and tool["target_link_uri"] == f"{tool_url}/lti/launch"
    assert {m["type"] for m in tool["messages"]} == {"LtiResourceLinkRequest", "LtiDeepLinkingRequest"}
    db.session.refresh(row)
    assert row.used_at is not None and row.registration_id == registration.id
    actions = set(db.session.scalars(select(AuditRecord.action)))
    assert {"lti.registration_url_created", "lti.dynamic_registration"} <= actions

    # The platform launches through what it was given.
    _, response, _ = launch(moodle, user_id="moodle-dyn-1", name="Dina Dynamic")
    assert response.status_code == 302, response.text
    identity = db.session.scalar(select(LtiIdentity).where(LtiIdentity.subject == "moodle-dyn-1"))
    assert identity.organisation_id == admin.organisation_id

    # The URL works once.
    again = _open(moodle, url)
    assert again.status_code == 410 and "already used" in again.text and _registrations() == 1
    assert "Used by Moodle" in client.get("/admin/lms").text


def test_expired_withdrawn_and_unknown_urls_are_refused(client, login_as, trained, moodle, tool_url):
    login_as("admin", org="bank")
    url = _make_url(client, tool_url)
    row = db.session.scalar(select(LtiRegistrationUrl))
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = _open(moodle, url)
    assert expired.status_code == 410 and "has expired" in expired.text
    second = _make_url(client, tool_url)
    newest = db.session.scalar(select(LtiRegistrationUrl).order_by(LtiRegistrationUrl.id.desc()))
    assert client.post(f"/admin/lms/registration-urls/{newest.id}/withdraw").status_code == 302
    assert _open(moodle, second).status_code == 410
    unknown = _open(moodle, tool_url + "/lti/register/cxltireg_not-a-real-one")
    assert unknown.status_code == 404 and "not valid" in unknown.text
    assert _registrations() == 0 and moodle.tool_config is None


def test_a_platform_error_or_a_foreign_issuer_registers_nothing_and_the_url_still_works(
        client, login_as, trained, moodle, tool_url):
    login_as("admin", org="bank")
    url = _make_url(client, tool_url)
    moodle.registration_error = (400, {"error": "invalid_client_metadata", "error_description": "no thanks"})
    refused = _open(moodle, url)
    assert refused.status_code == 502 and "The LMS refused the registration" in refused.text
    assert "no thanks" in refused.text and _registrations() == 0
    assert f"frame-ancestors 'self' {moodle.url}" in refused.headers["Content-Security-Policy"]

    moodle.registration_error = None
    moodle.openid_overrides = {"issuer": "http://moodle.elsewhere.example"}
    mismatch = _open(moodle, url)
    assert mismatch.status_code == 400 and "issuer on another host" in mismatch.text
    assert _registrations() == 0 and moodle.tool_config is None

    not_from_lms = requests.get(url, timeout=10)
    assert not_from_lms.status_code == 400 and "Open this URL from your LMS" in not_from_lms.text

    moodle.openid_overrides = {}
    assert _open(moodle, url).status_code == 200 and _registrations() == 1
    db.session.expire_all()
    assert db.session.scalar(select(LtiRegistrationUrl)).used_at is not None


def test_urls_belong_to_their_organisation_and_administrators_only(client, login_as, trained, moodle, tool_url):
    login_as("admin", org="bank")
    url = _make_url(client, tool_url)
    row = db.session.scalar(select(LtiRegistrationUrl))
    client.post("/logout")
    retail_admin = login_as("admin", org="retail")
    assert row.token_hint not in client.get("/admin/lms").text
    assert client.post(f"/admin/lms/registration-urls/{row.id}/withdraw").status_code == 404
    # Whoever is signed in where the LMS opens it, the URL registers its own organisation.
    assert _open(moodle, url).status_code == 200
    registration = db.session.scalar(select(LtiRegistration))
    assert registration.organisation_id == row.organisation_id != retail_admin.organisation_id
    client.post("/logout")
    login_as("leader", org="bank")
    assert client.post("/admin/lms/registration-urls").status_code == 403
    assert db.session.scalar(select(func.count()).select_from(LtiRegistrationUrl)) == 1


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"SERVER_NAME": None, "WTF_CSRF_ENABLED": True}

    def test_forms_without_the_token_change_nothing(self, client, trained):
        page = client.get("/login").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/login", data={"email": "admin@bank.example.com", "password": DEMO_PASSWORD, "csrf_token": token})
        assert client.post("/admin/lms/registration-urls").status_code == 400
        assert db.session.scalar(select(func.count()).select_from(LtiRegistrationUrl)) == 0
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/admin/lms").text).group(1)
        assert client.post("/admin/lms/registration-urls", data={"csrf_token": token}).status_code == 200
        url = db.session.scalar(select(LtiRegistrationUrl))
        assert client.post(f"/admin/lms/registration-urls/{url.id}/withdraw").status_code == 400
        db.session.refresh(url)
        assert url.used_at is None


def test_cli_makes_a_registration_url_that_registers(runner, trained, moodle, tool_url):
    result = runner.invoke(args=["cx", "lti", "registration-url", "--org", "demo-bank"])
    assert result.exit_code == 0 and "/lti/register/cxltireg_" in result.output
    url = tool_url + urlsplit(result.output.splitlines()[0]).path
    assert _open(moodle, url).status_code == 200
    assert db.session.scalar(select(LtiRegistration)).organisation_id == trained["demo-bank"].id
