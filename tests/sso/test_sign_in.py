"""Signing in end to end against a real OpenID Connect provider on loopback: matching, linking and creating people,
and every way a sign-in is refused (issuer, signature, replayed code, state, e-mail, organisation, deactivation)."""
from __future__ import annotations

from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import func, select

from cxculture.audit.models import AuditRecord
from cxculture.extensions import db
from cxculture.orgs.models import Person
from cxculture.orgs.service import person_by_email
from cxculture.sso.models import SsoIdentity
from cxculture.sso.service import settings_of

from .conftest import come_back, configure, sign_in, start

pytestmark = pytest.mark.slow


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _logged_in(client) -> bool:
    return client.get("/account").status_code == 200


def test_a_known_person_signs_in_by_verified_email_then_by_sub(client, demo, provider):
    bank = demo["demo-bank"]
    configure(bank, provider)
    provider.set_user("u-100", email="Employee@bank.example.com", email_verified=True, name="Someone")
    response, _ = sign_in(client, provider, bank, "u-100")
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert _logged_in(client)
    person = person_by_email("employee@bank.example.com")
    identity = db.session.scalar(select(SsoIdentity))
    assert (identity.person_id, identity.subject, identity.issuer) == (person.id, "u-100", provider.url)
    assert person.last_login_at is not None and identity.last_login_at is not None
    linked = db.session.scalar(select(AuditRecord).where(AuditRecord.action == "sso.linked"))
    assert linked.target_id == str(person.id) and linked.details["subject"] == "u-100"
    # Later the provider's address changes: the stable sub still finds the same person, and only them.
    provider.set_user("u-100", email="renamed@elsewhere.example.org", email_verified=False)
    client.post("/logout")
    response, _ = sign_in(client, provider, bank, "u-100")
    assert response.status_code == 302 and _logged_in(client)
    assert client.get("/account").text.count("employee@bank.example.com") >= 1
    assert _count(SsoIdentity) == 1


def test_someone_unknown_is_created_as_a_plain_employee_only_when_allowed(client, demo, provider):
    bank = demo["demo-bank"]
    people = _count(Person)
    configure(bank, provider)
    # The provider says they are an administrator in every way it can: nothing of it is granted.
    provider.set_user("u-new", email="new.hire@bank.example.com", email_verified=True, name="New Hire",
                      roles=["admin"], groups=["CX Culture Admins"], permissions=["admin", "hr"])
    response, _ = sign_in(client, provider, bank, "u-new")
    assert response.status_code == 403 and "has no CX Culture account in Demo Bank" in response.text
    assert _count(Person) == people and not _logged_in(client)

    configure(bank, provider, create_people=True)
    response, _ = sign_in(client, provider, bank, "u-new")
    assert response.status_code == 302 and _logged_in(client)
    person = person_by_email("new.hire@bank.example.com")
    assert person.organisation_id == bank.id and person.name == "New Hire"
    assert person.permissions == {"employee"} and person.team_id is None and person.job_role_id is None
    assert person.password_hash is None
    created = db.session.scalar(select(AuditRecord).where(AuditRecord.action == "person.created"))
    assert created.after["permissions"] == ["employee"] and created.details == {"via": "single sign-on"}
    assert client.get("/admin/people").status_code == 403


def test_a_linked_person_keeps_their_permissions_whatever_the_provider_says(client, demo, provider):
    bank = demo["demo-bank"]
    configure(bank, provider)
    provider.set_user("u-mgr", email="manager@bank.example.com", email_verified=True, roles=["admin"])
    before = person_by_email("manager@bank.example.com").permissions
    response, _ = sign_in(client, provider, bank, "u-mgr")
    assert response.status_code == 302
    assert person_by_email("manager@bank.example.com").permissions == before
    assert client.get("/admin/sso").status_code == 403


def test_a_token_from_another_issuer_is_refused(client, demo, provider):
    bank = demo["demo-bank"]
    settings = configure(bank, provider)
    # The provider's token endpoint, reached by another name: it signs its tokens as issuer http://localhost:<port>.
    settings.provider_metadata = {**settings.provider_metadata,
                                  "token_endpoint": f"http://localhost:{provider.port}/oauth2/token"}
    db.session.commit()
    provider.set_user("u-101", email="employee@bank.example.com", email_verified=True)
    response, _ = sign_in(client, provider, bank, "u-101")
    assert response.status_code == 403
    assert f"issued by http://localhost:{provider.port}, not by {provider.url}" in response.text
    assert not _logged_in(client) and _count(SsoIdentity) == 0


def test_a_token_signed_by_another_key_is_refused(client, demo, provider, other_provider):
    bank = demo["demo-bank"]
    settings = configure(bank, provider)
    # The sign-in and the token come from another provider (its own key); the keys checked are the configured one's.
    settings.provider_metadata = {
        **settings.provider_metadata,
        "authorization_endpoint": f"{other_provider.url}/oauth2/authorize",
        "token_endpoint": f"{other_provider.url}/oauth2/token"}
    db.session.commit()
    other_provider.set_user("u-102", email="employee@bank.example.com", email_verified=True)
    response, _ = sign_in(client, other_provider, bank, "u-102")
    assert response.status_code == 403 and "does not carry a valid signature" in response.text
    assert not _logged_in(client) and _count(SsoIdentity) == 0


def test_a_replayed_code_or_callback_is_refused(client, app, demo, provider):
    bank = demo["demo-bank"]
    configure(bank, provider)
    provider.set_user("u-103", email="employee@bank.example.com", email_verified=True)
    response, location = sign_in(client, provider, bank, "u-103")
    assert response.status_code == 302
    client.post("/logout")
    # The same answer again: the sign-in it belonged to is used up.
    again = come_back(client, location)
    assert again.status_code == 400 and "already been used" in again.text and not _logged_in(client)
    # The old code inside a new sign-in (its state): the provider refuses a code it has already exchanged.
    other = app.test_client()
    state = parse_qs(urlsplit(start(other, bank)).query)["state"][0]
    code = parse_qs(urlsplit(location).query)["code"][0]
    replay = other.get(f"/sso/{bank.slug}/callback?" + urlencode({"code": code, "state": state}))
    assert replay.status_code == 403 and "refused the sign-in code (invalid_grant)" in replay.text
    assert other.get("/account").status_code == 302


def test_an_answer_for_another_state_is_refused(client, demo, provider):
    bank = demo["demo-bank"]
    configure(bank, provider)
    provider.set_user("u-104", email="employee@bank.example.com", email_verified=True)
    location = provider.approve(start(client, bank), "u-104")
    query = parse_qs(urlsplit(location).query)
    forged = come_back(client, f"/sso/{bank.slug}/callback?" + urlencode({"code": query["code"][0],
                                                                          "state": "someone-elses-state"}))
    assert forged.status_code == 400 and "does not belong to this sign-in" in forged.text
    assert not _logged_in(client) and _count(SsoIdentity) == 0


def test_a_callback_without_a_sign_in_started_in_this_browser_is_refused(client, demo, provider):
    bank = demo["demo-bank"]
    configure(bank, provider)
    response = client.get(f"/sso/{bank.slug}/callback?code=abc&state=xyz")
    assert response.status_code == 400 and "not started in this browser" in response.text


def test_a_token_without_the_email_claim_is_refused(client, demo, provider):
    bank = demo["demo-bank"]
    configure(bank, provider, create_people=True)
    people = _count(Person)
    provider.set_user("u-105", name="No Address")
    response, _ = sign_in(client, provider, bank, "u-105")
    assert response.status_code == 403 and "did not send your e-mail address (claim email)" in response.text
    assert _count(Person) == people and _count(SsoIdentity) == 0
    # The administrator names the claim the provider does send.
    provider.set_user("u-105", upn="employee@bank.example.com")
    configure(bank, provider, email_claim="upn", emails_verified=True)
    response, _ = sign_in(client, provider, bank, "u-105")
    assert response.status_code == 302 and _count(SsoIdentity) == 1


def test_an_unverified_address_links_nobody_unless_the_administrator_vouches_for_the_provider(client, demo,
                                                                                              provider):
    bank = demo["demo-bank"]
    configure(bank, provider)
    provider.set_user("u-106", email="employee@bank.example.com", email_verified=False)
    response, _ = sign_in(client, provider, bank, "u-106")
    assert response.status_code == 403 and "has not verified your address employee@bank.example.com" in response.text
    assert _count(SsoIdentity) == 0 and not _logged_in(client)
    # Vouching for the provider covers addresses it sends without saying, never one it says it has not verified.
    configure(bank, provider, emails_verified=True)
    response, _ = sign_in(client, provider, bank, "u-106")
    assert response.status_code == 403 and "has not verified your address" in response.text
    provider.set_user("u-106", email="employee@bank.example.com")
    response, _ = sign_in(client, provider, bank, "u-106")
    assert response.status_code == 302 and _logged_in(client)


def test_an_account_of_another_organisation_is_never_matched(client, demo, provider):
    bank, retail = demo["demo-bank"], demo["demo-retail"]
    configure(bank, provider, create_people=True)
    configure(retail, provider)
    people = _count(Person)
    # Linked in Demo Retail by its sub...
    provider.set_user("u-107", email="employee@retail.example.com", email_verified=True)
    response, _ = sign_in(client, provider, retail, "u-107")
    assert response.status_code == 302
    client.post("/logout")
    # ... the same provider account signing in to Demo Bank matches nobody there, and is not created either.
    response, _ = sign_in(client, provider, bank, "u-107")
    assert response.status_code == 403
    assert "employee@retail.example.com cannot sign in to Demo Bank" in response.text
    assert "Retail" not in response.text
    assert not _logged_in(client) and _count(Person) == people
    assert db.session.scalar(select(func.count(SsoIdentity.id)).where(SsoIdentity.organisation_id == bank.id)) == 0


def test_a_deactivated_person_is_refused(client, demo, provider):
    bank = demo["demo-bank"]
    configure(bank, provider)
    provider.set_user("u-108", email="hr@bank.example.com", email_verified=True)
    assert sign_in(client, provider, bank, "u-108")[0].status_code == 302
    client.post("/logout")
    person = person_by_email("hr@bank.example.com")
    person.active = False
    db.session.commit()
    response, _ = sign_in(client, provider, bank, "u-108")
    assert response.status_code == 403 and "has been deactivated" in response.text and not _logged_in(client)
    # Nor is an unlinked deactivated person linked.
    leaver = person_by_email("leader@bank.example.com")
    leaver.active = False
    db.session.commit()
    provider.set_user("u-109", email="leader@bank.example.com", email_verified=True)
    response, _ = sign_in(client, provider, bank, "u-109")
    assert response.status_code == 403 and "has been deactivated" in response.text
    assert _count(SsoIdentity) == 1


def test_the_provider_saying_no_logs_nobody_in(client, demo, provider):
    bank = demo["demo-bank"]
    configure(bank, provider)
    import requests

    denied = requests.post(start(client, bank), data={"action": "deny"}, allow_redirects=False, timeout=10)
    response = come_back(client, denied.headers["Location"])
    assert response.status_code == 403 and "Acme ID did not sign you in: access_denied" in response.text


def test_the_sign_in_page_exists_only_where_single_sign_on_is_on(client, demo, provider):
    bank = demo["demo-bank"]
    assert client.get(f"/sso/{bank.slug}").status_code == 404
    assert client.get(f"/sso/{bank.slug}/login").status_code == 404
    assert client.get("/sso/no-such-organisation").status_code == 404
    configure(bank, provider)
    page = client.get(f"/sso/{bank.slug}")
    assert page.status_code == 200 and "Sign in with Acme ID" in page.text and "Sign in to Demo Bank" in page.text
    configure(bank, provider, enabled=False)
    assert client.get(f"/sso/{bank.slug}").status_code == 404


def test_sign_in_requests_use_pkce_state_and_nonce(client, demo, provider):
    configure(demo["demo-bank"], provider)
    query = parse_qs(urlsplit(start(client, demo["demo-bank"])).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert query["redirect_uri"] == ["http://localhost/sso/demo-bank/callback"]
    assert query["scope"] == ["openid email profile"]


def test_password_login_can_be_turned_off_but_administrators_keep_it(client, demo, provider):
    from tests.conftest import DEMO_PASSWORD

    bank = demo["demo-bank"]
    configure(bank, provider, password_login=False)
    refused = client.post("/login", data={"email": "employee@bank.example.com", "password": DEMO_PASSWORD})
    assert refused.status_code == 403 and "signs you in with Acme ID, not with a password" in refused.text
    assert "/sso/demo-bank" in refused.text and not _logged_in(client)
    wrong = client.post("/login", data={"email": "employee@bank.example.com", "password": "not-the-password"})
    assert wrong.status_code == 401 and "Acme ID" not in wrong.text  # only a right password learns why
    admin = client.post("/login", data={"email": "admin@bank.example.com", "password": DEMO_PASSWORD})
    assert admin.status_code == 302 and _logged_in(client)
    client.post("/logout")
    # Another organisation's people are not concerned.
    assert client.post("/login", data={"email": "employee@retail.example.com",
                                       "password": DEMO_PASSWORD}).status_code == 302
    assert settings_of(bank.id).password_login is False


def test_with_password_login_off_an_invitation_sets_no_password(client, demo, provider, make_person):
    from cxculture.auth.invitations import invitation_token

    bank = demo["demo-bank"]
    configure(bank, provider, password_login=False)
    invited = make_person(bank, "invited@bank.example.com", password=None)
    response = client.post(f"/invitation/{invitation_token(invited)}",
                           data={"password": "a-long-enough-passphrase-42", "confirm": "a-long-enough-passphrase-42"})
    assert response.status_code == 403 and "signs you in with Acme ID" in response.text
    assert person_by_email("invited@bank.example.com").password_hash is None and not _logged_in(client)
    # An administrator invited to such an organisation sets theirs (their way back in).
    admin = make_person(bank, "second.admin@bank.example.com", password=None, permissions=("admin", "employee"))
    assert client.get(f"/invitation/{invitation_token(admin)}").status_code == 200


def test_a_token_for_another_nonce_is_refused(client, demo, provider):
    bank = demo["demo-bank"]
    configure(bank, provider)
    provider.set_user("u-110", email="employee@bank.example.com", email_verified=True)
    location = provider.approve(start(client, bank), "u-110")
    with client.session_transaction() as browser:  # as if the token had been obtained for another sign-in
        browser["sso_sign_in"] = {**browser["sso_sign_in"], "nonce": "another-nonce"}
    response = come_back(client, location)
    assert response.status_code == 403 and "(claim nonce)" in response.text
    assert not _logged_in(client) and _count(SsoIdentity) == 0


def test_an_expired_token_is_refused(client, demo, short_lived_provider, monkeypatch):
    from cxculture.sso import service

    monkeypatch.setattr(service, "LEEWAY", 0)
    bank = demo["demo-bank"]
    configure(bank, short_lived_provider)
    short_lived_provider.set_user("u-111", email="employee@bank.example.com", email_verified=True)
    location = short_lived_provider.approve(start(client, bank), "u-111")
    # The token is issued during the callback and checked at once: wait out its one-second lifetime in between.
    monkeypatch.setattr(service.jwt, "decode", _decoding_later(service.jwt.decode))
    response = come_back(client, location)
    assert response.status_code == 403 and "has expired" in response.text and not _logged_in(client)


def _decoding_later(decode):
    """jwt.decode, then a pause past the token's expiry before its claims are checked."""
    import time

    def later(*args, **kwargs):
        token = decode(*args, **kwargs)
        time.sleep(max(0.0, token.claims["exp"] + 1.1 - time.time()))
        return token

    return later


def test_a_sign_in_left_too_long_is_refused(client, demo, provider):
    bank = demo["demo-bank"]
    configure(bank, provider)
    provider.set_user("u-112", email="employee@bank.example.com", email_verified=True)
    location = provider.approve(start(client, bank), "u-112")
    with client.session_transaction() as browser:  # left for the provider eleven minutes ago
        browser["sso_sign_in"] = {**browser["sso_sign_in"], "at": browser["sso_sign_in"]["at"] - 660}
    response = come_back(client, location)
    assert response.status_code == 400 and "took too long" in response.text and not _logged_in(client)
