"""Administrators' token pages: created with a name, scopes and an expiry, shown once, stored as a digest,
listed by hint, revoked after confirmation; each change in the audit trail; only for the organisation's admins."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cxculture.api.models import ApiToken
from cxculture.audit.models import AuditRecord
from cxculture.extensions import db
from cxculture.secret_tokens import digest
from cxculture.util import utcnow
from tests.api.conftest import bearer


def _create(client, **data):
    form = {"name": "Power BI", "scopes": ["people:read", "kpis:read"], "days": "90", **data}
    return client.post("/admin/api/tokens/new", data=form)


def test_admin_creates_a_token_shown_once_and_stored_as_a_digest(client, login_as):
    login_as("admin")
    response = _create(client)
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    plain = re.search(r'value="(cxapi_[A-Za-z0-9_-]{43})"', response.get_data(as_text=True)).group(1)
    token = db.session.scalar(select(ApiToken))
    assert token.token_digest == digest(plain) and plain not in str(vars(token))
    assert token.scopes == ["people:read", "kpis:read"] and token.name == "Power BI"
    assert timedelta(days=89, hours=23) < token.expires_at - utcnow() <= timedelta(days=90)
    listing = client.get("/admin/api").get_data(as_text=True)
    assert token.token_hint in listing and plain not in listing and "Power BI" in listing
    record = db.session.scalar(select(AuditRecord).where(AuditRecord.action == "api_token.created"))
    assert record.after["hint"] == token.token_hint and plain not in str(record.after)
    assert client.get("/api/v1/people", headers=bearer(plain)).status_code == 200


@pytest.mark.parametrize("data, field, message", [
    ({"name": ""}, "name", "Name the token"),
    ({"scopes": []}, "scopes", "Choose at least one"),
    ({"scopes": ["people:delete"]}, "scopes", "Choose from the list"),
    ({"days": "366"}, "days", "from 1 to 365 days"),
    ({"days": "0"}, "days", "from 1 to 365 days"),
    ({"days": "soon"}, "days", ""),
])
def test_bad_input_is_refused_by_field_and_creates_nothing(client, retail, login_as, data, field, message):
    login_as("admin")
    response = _create(client, **data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert db.session.scalar(select(func.count(ApiToken.id))) == 0


def test_the_default_expiry_is_ninety_days(client, login_as):
    login_as("admin")
    assert 'value="90"' in client.get("/admin/api/tokens/new").get_data(as_text=True)


def test_revoking_asks_first_then_stops_the_token(client, retail, login_as, make_token, demo):
    login_as("admin")
    plain = make_token(demo["demo-retail"])
    token = db.session.scalar(select(ApiToken))
    url = f"/admin/api/tokens/{token.id}/revoke"
    page = client.get(url)
    assert page.status_code == 200 and token.token_hint in page.get_data(as_text=True)
    assert client.post(url, data={}).status_code == 400  # not confirmed: nothing done
    assert client.get("/api/v1/people", headers=bearer(plain)).status_code == 200
    assert client.post(url, data={"confirm": "yes"}).status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None
    assert client.get("/api/v1/people", headers=bearer(plain)).status_code == 401
    assert db.session.scalar(select(func.count(AuditRecord.id)).where(AuditRecord.action == "api_token.revoked")) == 1
    assert "Revoked on" in client.get("/admin/api").get_data(as_text=True)


@pytest.mark.parametrize("account", ["leader", "hr", "manager", "employee"])
def test_only_administrators_manage_tokens(client, login_as, make_token, demo, account):
    make_token(demo["demo-retail"])
    token = db.session.scalar(select(ApiToken))
    login_as(account)
    assert client.get("/admin/api").status_code == 403
    assert client.post("/admin/api/tokens/new", data={"name": "x", "scopes": ["people:read"], "days": "9"}
                       ).status_code == 403
    assert client.post(f"/admin/api/tokens/{token.id}/revoke", data={"confirm": "yes"}).status_code == 403
    assert db.session.scalar(select(func.count(ApiToken.id))) == 1


def test_an_admin_of_another_organisation_neither_sees_nor_revokes_a_token(client, login_as, make_token, demo):
    make_token(demo["demo-retail"], name="Retail BI")
    token = db.session.scalar(select(ApiToken))
    login_as("admin", org="bank")
    assert "Retail BI" not in client.get("/admin/api").get_data(as_text=True)
    assert client.get(f"/admin/api/tokens/{token.id}/revoke").status_code == 404
    assert client.post(f"/admin/api/tokens/{token.id}/revoke", data={"confirm": "yes"}).status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


class TestWithCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_the_form_without_its_csrf_token_is_refused(self, client, demo):
        page = client.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/login", data={"email": "admin@retail.example.com", "password": "cx-culture-demo",
                                    "csrf_token": csrf})
        response = _create(client)
        assert response.status_code == 400
        assert db.session.scalar(select(func.count(ApiToken.id))) == 0

    def test_the_api_needs_no_csrf_token(self, client, demo, make_token):
        token = make_token(demo["demo-retail"], scopes=["kpis:write"])
        response = client.post("/api/v1/kpi-values", headers=bearer(token), json={"values": [
            {"period": "2025-Q1", "kpi": "fcr", "team": "Vendite", "value": 70}]})
        assert response.status_code == 200, response.get_json()
