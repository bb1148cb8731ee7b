"""The single sign-on settings form refuses a post without its CSRF token."""
import re

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.sso.models import SsoSettings
from tests.conftest import DEMO_PASSWORD


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def _token(client, url: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get(url).text).group(1)


def test_settings_without_a_token_change_nothing(client, demo):
    client.post("/login", data={"email": "admin@bank.example.com", "password": DEMO_PASSWORD,
                                "csrf_token": _token(client, "/login")})
    assert client.get("/admin/sso").status_code == 200
    data = {"provider_name": "Evil", "issuer": "https://evil.example.com", "client_id": "x",
            "client_secret": "y", "email_claim": "email", "password_login": "y"}
    response = client.post("/admin/sso", data=data)
    assert response.status_code == 400 and "This form has expired" in response.text
    assert db.session.scalar(select(func.count()).select_from(SsoSettings)) == 0
    # With its token the same form is saved (switched off, so the provider is not read).
    response = client.post("/admin/sso", data={**data, "csrf_token": _token(client, "/admin/sso")})
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(SsoSettings)) == 1
