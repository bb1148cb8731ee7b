"""The single sign-on link is personal data: a person's export lists it, erasing them removes it."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.orgs.service import person_by_email
from cxculture.privacy.service import erase_person, erasure_plan, export_data
from cxculture.sso.models import SsoIdentity

from .conftest import configure, sign_in

pytestmark = pytest.mark.slow


def test_the_link_is_exported_and_erased(client, demo, provider):
    bank = demo["demo-bank"]
    configure(bank, provider)
    provider.set_user("u-priv", email="employee@bank.example.com", email_verified=True)
    assert sign_in(client, provider, bank, "u-priv")[0].status_code == 302
    person = person_by_email("employee@bank.example.com")
    exported = export_data(person)["sso"]["provider_accounts"]
    assert len(exported) == 1 and exported[0]["subject"] == "u-priv" and exported[0]["issuer"] == provider.url
    lines = [line for _, lines in erasure_plan(person).areas for line in lines]
    assert any("identity provider" in str(line.text) and line.count == 1 for line in lines)
    erase_person(person, person_by_email("admin@bank.example.com"))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(SsoIdentity)) == 0
    # The provider account now matches nobody: the erased address is gone, so it is refused, not re-linked.
    client.post("/logout")
    response, _ = sign_in(client, provider, bank, "u-priv")
    assert response.status_code == 403 and client.get("/account").status_code == 302
