"""The delivery outbox: a row per event and subscription, written in the event's own transaction (flushes only),
sent after the commit by the job queue (DELIVERY_JOB, also run every minute: retries, and messages lost on the
way to the broker), each row leased before it is sent so a repeated job or two workers send nothing twice.

A delivery is a POST of `{"type", "timestamp", "data"}` signed as Standard Webhooks says (signing.py). A 2xx answer
delivers it; anything else (another status, a redirect, no answer within HTTP_TIMEOUT) is retried after RETRY_AFTER,
then the delivery is marked failed; a receiver that does not answer at all is not tried again in the same round (its
other deliveries wait for the next one, so a dead host does not hold the worker). A subscription whose deliveries
have all failed for AUTO_PAUSE_AFTER is paused and the organisation's administrators are told by e-mail. Delivered
and failed rows keep the event's type and id, the attempts and the last status code, never the body; they are
deleted after KEEP_DAYS by the hourly sweep.
"""
from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ..audit import record
from ..background import lease_due_row, run_after_commit
from ..extensions import db
from ..mail import external_url, queue_mail
from ..orgs.models import Person, PersonPermission
from ..orgs.recipients import recipient_of
from ..util import utcnow
from .models import WebhookDelivery, WebhookSubscription
from .service import TEST_EVENT, address_problem, secrets_in_use
from .signing import signed_headers

log = logging.getLogger(__name__)

#: The job that sends due deliveries (cxculture/jobs registers it).
DELIVERY_JOB = "webhooks.deliver"
#: The wait before each retry; a delivery still failing after the last one is marked failed.
RETRY_AFTER = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
               timedelta(hours=12))
MAX_ATTEMPTS = len(RETRY_AFTER) + 1
#: A subscription whose deliveries have all failed for this long is paused.
AUTO_PAUSE_AFTER = timedelta(days=3)
#: Seconds a receiver may take to answer: a slow one must not hold the worker.
HTTP_TIMEOUT = 5
#: How long a worker holds a row it is sending.
LEASE_SECONDS = 120
#: Delivered and failed rows are kept this long for the delivery log.
KEEP_DAYS = 30
#: The User-Agent of every delivery.
USER_AGENT = "CX-Culture-Webhooks/1"


def queue_event(organisation_id: int, event: str, data: dict) -> list[WebhookDelivery]:
    """A delivery of `event` for each active subscription of the organisation that chose it (flushes only)."""
    subscriptions = [s for s in db.session.scalars(select(WebhookSubscription).where(
        WebhookSubscription.organisation_id == organisation_id, WebhookSubscription.status == "active"))
        if event in (s.events or [])]
    return [_queue(s, event, data) for s in subscriptions]


def queue_test_event(subscription: WebhookSubscription) -> WebhookDelivery:
    """A test event for the subscription (sent even while it is paused, to check the receiver)."""
    return _queue(subscription, TEST_EVENT, {"subscription": {"id": subscription.id}})


def _queue(subscription: WebhookSubscription, event: str, data: dict) -> WebhookDelivery:
    now = utcnow()
    row = WebhookDelivery(message_id=f"msg_{uuid.uuid4().hex}", organisation_id=subscription.organisation_id,
                          subscription_id=subscription.id, event=event, status="pending", attempts=0,
                          created_at=now, next_attempt_at=now,
                          payload={"type": event, "timestamp": now.isoformat(timespec="seconds") + "Z", "data": data})
    db.session.add(row)
    db.session.flush()
    run_after_commit(DELIVERY_JOB)
    return row


def body_of(payload: dict) -> str:
    """The exact text sent (and signed)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def retry_after(attempts: int) -> timedelta | None:
    """The wait after the `attempts`-th failed attempt; None when no retry is left."""
    return RETRY_AFTER[attempts - 1] if attempts <= len(RETRY_AFTER) else None


# Delivery ------------------------------------------------------------------------------------------------------

@dataclass
class DeliveryReport:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    paused: int = 0


def _claim(delivery_id: int, now: datetime) -> bool:
    return lease_due_row(WebhookDelivery, delivery_id, now,
                         current_app.config.get("OUTBOX_LEASE_SECONDS", LEASE_SECONDS))


def _post(subscription: WebhookSubscription, delivery: WebhookDelivery, now: datetime) -> tuple[int | None, str | None]:
    """(status code, problem): the code is None when the receiver did not answer; the problem None on a 2xx."""
    problem = address_problem(subscription.url)  # again: the host's DNS may point elsewhere now
    if problem:
        return None, problem[:200]
    body = body_of(delivery.payload)
    # Signed at the moment it is sent (a long round's start may be minutes old: receivers refuse stale stamps).
    headers = signed_headers(delivery.message_id, utcnow(), body, secrets_in_use(subscription, now))
    headers.update({"Content-Type": "application/json", "User-Agent": USER_AGENT})
    with requests.Session() as session:
        session.trust_env = False  # straight to the receiver: no proxy from the environment sees the body
        try:
            response = session.post(subscription.url, data=body.encode(), headers=headers, timeout=HTTP_TIMEOUT,
                                    allow_redirects=False)
        except requests.RequestException as error:
            return None, type(error).__name__
    if 200 <= response.status_code < 300:
        return response.status_code, None
    return response.status_code, f"HTTP {response.status_code}"


def deliver_webhooks(now: datetime | None = None, limit: int = 200) -> DeliveryReport:
    """Send every due delivery of active subscriptions (and test events); commits per delivery."""
    now = now or utcnow()
    report = DeliveryReport()
    due = list(db.session.execute(
        select(WebhookDelivery.id, WebhookDelivery.subscription_id).join(WebhookSubscription)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.next_attempt_at <= now,
               (WebhookSubscription.status == "active") | (WebhookDelivery.event == TEST_EVENT))
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id).limit(limit)))
    unreachable: set[int] = set()  # subscriptions whose receiver did not answer: the rest waits for the next round
    for delivery_id, subscription_id in due:
        if subscription_id in unreachable or not _claim(delivery_id, now):
            continue
        delivery = db.session.get(WebhookDelivery, delivery_id)
        if delivery is None:  # its subscription was deleted meanwhile
            continue
        subscription = delivery.subscription
        status_code, problem = _post(subscription, delivery, now)
        if status_code is None:
            unreachable.add(subscription_id)
        delivery.attempts += 1
        delivery.last_attempt_at, delivery.last_status_code, delivery.last_error = now, status_code, problem
        if problem is None:
            delivery.status, delivery.payload, delivery.next_attempt_at = "delivered", None, None
            subscription.failing_since = None
            report.delivered += 1
        else:
            wait = retry_after(delivery.attempts)
            if wait is None:
                delivery.status, delivery.payload, delivery.next_attempt_at = "failed", None, None
                report.failed += 1
            else:
                delivery.next_attempt_at = now + wait
                report.retrying += 1
            if subscription.failing_since is None:
                subscription.failing_since = now
            elif (subscription.status == "active" and now - subscription.failing_since >= AUTO_PAUSE_AFTER):
                _pause_failing(subscription)
                report.paused += 1
        db.session.commit()
    return report


def _pause_failing(subscription: WebhookSubscription) -> None:
    """Pause a subscription that keeps failing, and tell the organisation's administrators."""
    subscription.status, subscription.paused_reason = "paused", "failing"
    record("webhook.paused", target=("webhook_subscription", subscription.id, subscription.url),
           before={"status": "active"}, after={"status": "paused", "paused_reason": "failing"})
    admins = db.session.scalars(select(Person).join(PersonPermission).where(
        Person.organisation_id == subscription.organisation_id, Person.active.is_(True),
        PersonPermission.name == "admin").order_by(Person.id))
    page = external_url("webhooks.show_subscription", subscription_id=subscription.id)
    for admin in admins:
        queue_mail(recipient_of(admin), "webhook", "webhook_paused", _l("Webhooks paused: %(url)s",
                                                                       url=subscription.url),
                   {"url": subscription.url, "since": subscription.failing_since, "page": page})
    log.warning("webhook subscription %s paused: failing since %s", subscription.id, subscription.failing_since)


def sweep_old_deliveries(now: datetime | None = None) -> int:
    """Delete delivered and failed rows older than KEEP_DAYS (the hourly sweep); returns how many."""
    before = (now or utcnow()) - timedelta(days=KEEP_DAYS)
    return db.session.execute(delete(WebhookDelivery).where(
        WebhookDelivery.status.in_(("delivered", "failed")), WebhookDelivery.created_at < before)
        .execution_options(synchronize_session=False)).rowcount
