"""The administrators' pages: add, change, pause, rotate, delete; bad input, permissions, tenancy and CSRF."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from cxculture.audit import AuditRecord
from cxculture.extensions import db
from cxculture.webhooks.models import WebhookDelivery, WebhookSubscription

GOOD = {"url": "http://127.0.0.1:8765/hook", "description": "HR system",
        "events": ["module.completed", "certificate.issued"]}


def _count(model=WebhookSubscription) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _audited(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditRecord).where(AuditRecord.action == action))


def test_admin_adds_a_subscription_and_sees_its_secret_once(client, login_as):
    admin = login_as("admin", org="bank")
    assert client.get("/admin/webhooks").status_code == 200
    response = client.post("/admin/webhooks/new", data=GOOD)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'>(whsec_[A-Za-z0-9+/=]+)</textarea>', response.text).group(1)
    subscription = db.session.scalar(select(WebhookSubscription))
    assert subscription.organisation_id == admin.organisation_id and subscription.secret == secret
    assert subscription.events == ["certificate.issued", "module.completed"] and subscription.status == "active"
    assert _audited("webhook.created") == 1
    record = db.session.scalar(select(AuditRecord).where(AuditRecord.action == "webhook.created"))
    assert secret not in str(record.after)
    for page in ("/admin/webhooks", f"/admin/webhooks/{subscription.id}"):
        shown = client.get(page)
        assert shown.status_code == 200 and GOOD["url"] in shown.text and secret not in shown.text


@pytest.mark.parametrize("changes, field, message", [
    ({"url": ""}, "url", "Enter the address to send the events to"),
    ({"url": "hooks.example.com/cx"}, "url", "Enter a full address that starts with https://"),
    ({"url": "ftp://127.0.0.1/hook"}, "url", "Enter a full address that starts with https://"),
    ({"url": "https://user:pw@127.0.0.1/hook"}, "url", "Leave the user name and password out"),
    ({"url": "https://no-such-host.invalid/hook"}, "url", "could not be found"),
    ({"url": "https://10.1.2.3/hook"}, "url", "private or local address"),
    ({"url": "https://8.8.8.8:99999/hook"}, "url", "The port in the address must be a number"),
    ({"url": "https://" + "a" * 500 + ".com/"}, "url", "at most 500 characters"),
    ({"events": []}, "events", "Choose at least one event"),
    ({"events": ["survey.answered"]}, "events", "Unknown event: survey.answered"),
    ({"description": "x" * 201}, "description", "at most 200 characters"),
])
def test_bad_subscriptions_name_the_field_and_store_nothing(client, login_as, changes, field, message):
    login_as("admin", org="bank")
    response = client.post("/admin/webhooks/new", data={**GOOD, **changes})
    assert response.status_code == 400 and message in response.text
    assert f'id="{field}-error"' in response.text
    assert _count() == 0 and _audited("webhook.created") == 0


@pytest.mark.parametrize("app_config", [{"WEBHOOKS_ALLOW_LOOPBACK": False}])
@pytest.mark.parametrize("url, message", [
    ("http://127.0.0.1:8765/hook", "private or local address"),
    ("https://localhost/hook", "private or local address"),
    ("https://[::1]/hook", "private or local address"),
    ("https://169.254.169.254/latest/meta-data", "private or local address"),
    ("https://192.168.0.10/hook", "private or local address"),
    ("https://[::ffff:127.0.0.1]/hook", "private or local address"),
    ("https://2130706433/hook", "private or local address"),  # 127.0.0.1 written as one number
    ("https://0.0.0.0/hook", "private or local address"),
    ("http://8.8.8.8/hook", "Use an https:// address"),
])
def test_in_production_loopback_private_and_plain_http_addresses_are_refused(client, login_as, app_config, url,
                                                                              message):
    login_as("admin", org="bank")
    response = client.post("/admin/webhooks/new", data={**GOOD, "url": url})
    assert response.status_code == 400 and message in response.text
    assert _count() == 0


def test_the_same_address_cannot_be_subscribed_twice(client, login_as):
    login_as("admin", org="bank")
    client.post("/admin/webhooks/new", data=GOOD)
    again = client.post("/admin/webhooks/new", data=GOOD)
    assert again.status_code == 400 and "already receives your webhooks" in again.text and _count() == 1


def test_admin_changes_events_pauses_resumes_and_deletes(client, login_as):
    login_as("admin", org="bank")
    client.post("/admin/webhooks/new", data=GOOD)
    subscription = db.session.scalar(select(WebhookSubscription))
    page = f"/admin/webhooks/{subscription.id}"
    refused = client.post(page, data={"description": "HR", "events": []})
    assert refused.status_code == 400 and "Choose at least one event" in refused.text
    assert client.post(page, data={"description": "HR", "events": ["campaign.closed"]}).status_code == 302
    db.session.refresh(subscription)
    assert subscription.events == ["campaign.closed"] and subscription.description == "HR"
    assert subscription.url == GOOD["url"]
    assert client.post(f"{page}/pause").status_code == 302
    db.session.refresh(subscription)
    assert (subscription.status, subscription.paused_reason) == ("paused", "admin")
    assert client.post(f"{page}/resume").status_code == 302
    db.session.refresh(subscription)
    assert subscription.status == "active"
    not_confirmed = client.post(f"{page}/delete")
    assert not_confirmed.status_code == 400 and _count() == 1
    assert client.get(f"{page}/delete").status_code == 200
    assert client.post(f"{page}/delete", data={"confirm": "yes"}).status_code == 302
    assert _count() == 0
    assert [_audited(a) for a in ("webhook.updated", "webhook.paused", "webhook.resumed", "webhook.deleted")] == \
        [1, 1, 1, 1]


def test_rotating_asks_first_then_shows_the_new_secret_once(client, login_as):
    login_as("admin", org="bank")
    client.post("/admin/webhooks/new", data=GOOD)
    subscription = db.session.scalar(select(WebhookSubscription))
    first = subscription.secret
    page = f"/admin/webhooks/{subscription.id}/rotate"
    assert client.get(page).status_code == 200
    assert client.post(page).status_code == 400  # not confirmed: nothing changes
    db.session.refresh(subscription)
    assert subscription.secret == first
    response = client.post(page, data={"confirm": "yes"})
    db.session.refresh(subscription)
    assert response.status_code == 200 and subscription.secret in response.text and first not in response.text
    assert subscription.previous_secret == first and subscription.previous_secret_until is not None
    assert _audited("webhook.secret_rotated") == 1


def test_the_test_button_queues_a_test_event(client, login_as):
    login_as("admin", org="bank")
    client.post("/admin/webhooks/new", data=GOOD)
    subscription = db.session.scalar(select(WebhookSubscription))
    assert client.post(f"/admin/webhooks/{subscription.id}/test").status_code == 302
    delivery = db.session.scalar(select(WebhookDelivery))
    assert delivery.event == "webhook.test" and delivery.status == "pending"
    log = client.get(f"/admin/webhooks/{subscription.id}")
    assert delivery.message_id in log.text and "Waiting" in log.text


@pytest.mark.parametrize("account", ["leader", "hr", "manager", "employee"])
def test_only_administrators_reach_the_webhook_pages(client, login_as, demo, subscribe, account):
    subscription, _ = subscribe(demo["demo-bank"], GOOD["url"])
    login_as(account, org="bank")
    assert client.get("/admin/webhooks").status_code == 403
    assert client.post("/admin/webhooks/new", data={**GOOD, "url": "http://127.0.0.1:9/other"}).status_code == 403
    for suffix in ("", "/pause", "/test", "/delete", "/rotate"):
        assert client.post(f"/admin/webhooks/{subscription.id}{suffix}", data={"confirm": "yes"}).status_code == 403
    assert _count() == 1 and _count(WebhookDelivery) == 0
    db.session.refresh(subscription)
    assert subscription.status == "active"


def test_an_administrator_of_another_organisation_sees_and_changes_nothing(client, login_as, demo, subscribe):
    subscription, secret = subscribe(demo["demo-retail"], GOOD["url"], description="Retail's own HR system")
    login_as("admin", org="bank")
    listing = client.get("/admin/webhooks")
    assert GOOD["url"] not in listing.text and "Retail's own HR system" not in listing.text
    assert client.get(f"/admin/webhooks/{subscription.id}").status_code == 404
    for suffix in ("", "/pause", "/resume", "/test", "/delete", "/rotate"):
        response = client.post(f"/admin/webhooks/{subscription.id}{suffix}",
                               data={"confirm": "yes", "events": ["campaign.closed"]})
        assert response.status_code == 404, suffix
    db.session.refresh(subscription)
    assert (subscription.status, subscription.secret, subscription.events) == ("active", secret, ["module.completed"])
    assert _count(WebhookDelivery) == 0


class TestCsrf:
    @pytest.fixture
    def app_config(self):
        return {"WTF_CSRF_ENABLED": True}

    def test_forms_without_a_token_change_nothing(self, client, demo, subscribe):
        subscription, _ = subscribe(demo["demo-bank"], GOOD["url"])
        login_as_with_token(client)
        assert client.post("/admin/webhooks/new", data={**GOOD, "url": "http://127.0.0.1:9/x"}).status_code == 400
        for suffix in ("/pause", "/test", "/delete"):
            assert client.post(f"/admin/webhooks/{subscription.id}{suffix}",
                               data={"confirm": "yes"}).status_code == 400
        assert _count() == 1 and _count(WebhookDelivery) == 0
        page = client.get(f"/admin/webhooks/{subscription.id}").text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        assert client.post(f"/admin/webhooks/{subscription.id}/test", data={"csrf_token": token}).status_code == 302
        assert _count(WebhookDelivery) == 1


def login_as_with_token(client) -> None:
    """Log in as the bank's administrator through the login form, token included."""
    from tests.conftest import DEMO_PASSWORD

    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"email": "admin@bank.example.com", "password": DEMO_PASSWORD,
                                       "csrf_token": token}).status_code == 302
