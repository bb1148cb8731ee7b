"""The administrator's single sign-on page: saving (with the provider's discovery document read), the secret kept
out of sight, the connection test, bad input, permissions and CSRF."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from cxculture.audit.models import AuditRecord
from cxculture.extensions import db
from cxculture.sso.models import SsoSettings
from cxculture.sso.service import settings_of

from .conftest import CLIENT_ID, CLIENT_SECRET, _free_port

pytestmark = pytest.mark.slow


def _good(provider, **changes) -> dict:
    return {"enabled": "y", "provider_name": "Acme ID", "issuer": provider.url, "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET, "email_claim": "email", "password_login": "y", **changes}


def _settings_rows() -> int:
    return db.session.scalar(select(func.count()).select_from(SsoSettings))


def test_an_administrator_sets_up_the_provider(client, login_as, provider):
    admin = login_as("admin", org="bank")
    page = client.get("/admin/sso")
    assert page.status_code == 200
    assert "http://localhost/sso/demo-bank/callback" in page.text and "http://localhost/sso/demo-bank" in page.text
    pasted = provider.url + "/.well-known/openid-configuration"  # the discovery URL itself: the issuer is read off
    response = client.post("/admin/sso", data=_good(provider, issuer=pasted))
    assert response.status_code == 302
    settings = settings_of(admin.organisation_id)
    assert settings.enabled and settings.issuer == provider.url and settings.client_secret == CLIENT_SECRET
    assert settings.provider_metadata["token_endpoint"] == f"{provider.url}/oauth2/token"
    assert settings.password_login and not settings.create_people and not settings.emails_verified
    page = client.get("/admin/sso")
    assert CLIENT_SECRET not in page.text and "…ider" in page.text  # only the last four characters
    trail = db.session.scalar(select(AuditRecord).where(AuditRecord.action == "sso.settings"))
    assert trail.organisation_id == admin.organisation_id and trail.after["client_secret"] == "(changed)"
    assert CLIENT_SECRET not in str(trail.after) and trail.after["issuer"] == provider.url
    # A blank secret keeps the stored one; the change is in the trail.
    assert client.post("/admin/sso", data=_good(provider, client_secret="", create_people="y")).status_code == 302
    settings = settings_of(admin.organisation_id)
    assert settings.client_secret == CLIENT_SECRET and settings.create_people
    latest = db.session.scalars(select(AuditRecord).where(AuditRecord.action == "sso.settings")
                                .order_by(AuditRecord.id.desc())).first()
    assert latest.before == {"create_people": False} and latest.after == {"create_people": True}


def test_the_connection_test_reports_what_it_finds_and_stores_nothing(client, login_as, provider):
    login_as("admin", org="bank")
    ok = client.post("/admin/sso", data=_good(provider, test="y"))
    assert ok.status_code == 200
    assert f"Discovery document read: the issuer is {provider.url}." in ok.text
    assert "1 signing key published" in ok.text and "Problem" not in ok.text
    assert _settings_rows() == 0
    closed = f"http://127.0.0.1:{_free_port()}"
    down = client.post("/admin/sso", data=_good(provider, issuer=closed, test="y"))
    assert f"could not reach {closed}/.well-known/openid-configuration" in down.text and "Problem" in down.text
    not_oidc = client.post("/admin/sso", data=_good(provider, issuer=provider.url + "/jwks", test="y"))
    assert "answered with status 404 instead of the discovery document" in not_oidc.text
    assert _settings_rows() == 0


@pytest.mark.parametrize("field, value, message", [
    ("provider_name", "", "Give the provider the name people know it by"),
    ("provider_name", "x" * 101, "Field cannot be longer than 100 characters"),
    ("issuer", "", "Enter the provider&#39;s issuer to switch single sign-on on"),
    ("issuer", "login.example.com", "Enter the issuer as a full address starting with https://"),
    ("issuer", "javascript:alert(1)", "Enter the issuer as a full address starting with https://"),
    ("client_id", "", "Enter the client id the provider gave you"),
    ("client_secret", "", "Enter the client secret the provider gave you"),
    ("email_claim", "e mail", "Enter the name of one claim"),
    ("email_claim", "", "Enter the name of one claim"),
    ("enabled", "", "Keep password login while single sign-on is off"),
])
def test_bad_settings_name_the_field_and_store_nothing(client, login_as, provider, field, value, message):
    login_as("admin", org="bank")
    data = _good(provider, **{field: value})
    if field == "enabled":
        data.pop("enabled")
        data.pop("password_login")
    response = client.post("/admin/sso", data={k: v for k, v in data.items() if v != "" or k == field})
    assert response.status_code == 400 and message in response.text
    assert re.search(r'id="(\w+)-error"', response.text)
    assert _settings_rows() == 0
    assert db.session.scalar(select(func.count()).select_from(AuditRecord).where(
        AuditRecord.action == "sso.settings")) == 0


def test_a_provider_that_cannot_be_read_is_not_switched_on(client, login_as, provider):
    login_as("admin", org="bank")
    closed = f"http://127.0.0.1:{_free_port()}"
    response = client.post("/admin/sso", data=_good(provider, issuer=closed))
    assert response.status_code == 400 and 'id="issuer-error"' in response.text
    assert "CX Culture could not reach" in response.text and _settings_rows() == 0


def test_plain_http_issuers_are_refused_in_production(app, client, login_as, provider):
    login_as("admin", org="bank")
    app.config["ENV_NAME"] = "production"
    response = client.post("/admin/sso", data=_good(provider))
    assert response.status_code == 400 and "starting with https://" in response.text and _settings_rows() == 0


@pytest.mark.parametrize("account", ["leader", "hr", "manager", "employee"])
def test_only_administrators_reach_the_settings(client, login_as, provider, account):
    login_as(account, org="bank")
    assert client.get("/admin/sso").status_code == 403
    assert client.post("/admin/sso", data=_good(provider)).status_code == 403
    assert _settings_rows() == 0


def test_an_administrator_sees_and_changes_only_their_organisation(client, login_as, demo, provider):
    from .conftest import configure

    configure(demo["demo-retail"], provider, provider_name="Retail Secret IdP")
    login_as("admin", org="bank")
    page = client.get("/admin/sso")
    assert "Retail Secret IdP" not in page.text and "demo-retail" not in page.text
    client.post("/admin/sso", data=_good(provider, provider_name="Bank IdP"))
    assert settings_of(demo["demo-retail"].id).provider_name == "Retail Secret IdP"
    assert settings_of(demo["demo-bank"].id).provider_name == "Bank IdP"
