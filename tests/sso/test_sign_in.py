"""Signing in end to end against a real OpenID Connect provider on loopback."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cxculture.audit.models import AuditRecord
from cxculture.extensions import db
from cxculture.orgs.models import Person
from cxculture.orgs.service import person_by_email
from cxculture.sso.models import SsoIdentity

from .conftest import configure, sign_in

pytestmark = pytest.mark.slow


def _identities() -> int:
    return db.session.scalar(select(func.count()).select_from(SsoIdentity))


def test_a_known_person_signs_in_by_verified_email_then_by_sub(client, demo, provider):
    bank = demo["demo-bank"]
    configure(bank, provider)
    provider.set_user("u-100", email="Employee@bank.example.com", email_verified=True, name="Someone")
    response, _ = sign_in(client, provider, bank, "u-100")
    assert response.status_code == 302, response.text
    assert client.get("/account").status_code == 200
    person = person_by_email("employee@bank.example.com")
    identity = db.session.scalar(select(SsoIdentity))
    assert identity.person_id == person.id and identity.subject == "u-100" and identity.issuer == provider.url
    # Later the provider's address changes: the stable sub still finds the same person.
    provider.set_user("u-100", email="renamed@elsewhere.example.org", email_verified=False)
    client.post("/logout")
    response, _ = sign_in(client, provider, bank, "u-100")
    assert response.status_code == 302 and client.get("/account").status_code == 200
    assert _identities() == 1
