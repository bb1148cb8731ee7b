"""Subscriptions: the events on offer, which addresses may receive them, and the administrator's changes.

Flushes only: the caller commits. Every change leaves an audit record (never the secret itself).

Which addresses: `https://` to a host whose every address is public (not private, loopback, link-local,
reserved...), so a subscription cannot make the server call into its own network (SSRF). Plain `http://` and
loopback addresses are allowed only when loopback is (WEBHOOKS_ALLOW_LOOPBACK; by default in debug and testing,
never when ENV_NAME is production):
a receiver on the developer's own machine. The address is checked again at every delivery (its DNS may have
changed), and a delivery never follows a redirect.
"""
from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit import record
from ..extensions import db
from ..refusals import refuse_if
from ..util import utcnow
from .models import WebhookDelivery, WebhookSubscription
from .signing import new_secret

#: Every event an organisation may subscribe to, with how the pages name it.
EVENTS: dict[str, object] = {
    "module.completed": _l("A person completed a training module"),
    "certificate.issued": _l("A person was issued a certificate"),
    "campaign.closed": _l("A culture assessment or pulse campaign closed"),
    "action.overdue": _l("An action item passed its due date and is not done"),
    "remark.closed": _l("A customer remark was closed with what was done"),
    "cafe.held": _l("A training café was held"),
}
#: What the "Send a test event" button sends; no subscription chooses it.
TEST_EVENT = "webhook.test"
#: How long the previous secret still signs after a rotation.
PREVIOUS_SECRET_DAYS = 1
MAX_URL_LENGTH = 500


def loopback_allowed() -> bool:
    """Whether http:// and loopback addresses may receive webhooks (a developer's machine, the tests)."""
    allowed = current_app.config.get("WEBHOOKS_ALLOW_LOOPBACK")
    if allowed is None:
        return bool(current_app.debug or current_app.testing) and current_app.config.get("ENV_NAME") != "production"
    return bool(allowed)


def address_problem(url: str) -> str | None:
    """Why `url` may not receive webhooks (a sentence for the form), or None when it may."""
    parts = urlsplit(url)
    loopback_ok = loopback_allowed()
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return str(_l("Enter a full address that starts with https://, for example https://hooks.example.com/cx."))
    if parts.username or parts.password:
        return str(_l("Leave the user name and password out of the address: every delivery is signed instead."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return str(_l("The port in the address must be a number from 1 to 65535."))
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (ValueError, OSError):
        return str(_l("The host %(host)s could not be found: check the address.", host=parts.hostname))
    addresses = {ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos}
    loopback = all(address.is_loopback for address in addresses)
    if loopback and loopback_ok:
        return None
    if not all(address.is_global and not address.is_multicast for address in addresses):
        return str(_l("%(host)s is a private or local address: webhooks go only to addresses on the public "
                      "internet.", host=parts.hostname))
    if parts.scheme != "https":
        return str(_l("Use an https:// address: webhooks are sent only over an encrypted connection."))
    return None


@dataclass
class SubscriptionData:
    url: str
    description: str
    events: list[str]


def _problems(data: SubscriptionData, *, check_url: bool) -> dict:
    problems: dict[str | None, object] = {}
    if check_url:
        if not data.url:
            problems["url"] = _l("Enter the address to send the events to.")
        elif len(data.url) > MAX_URL_LENGTH:
            problems["url"] = _l("Enter an address of at most %(num)s characters.", num=MAX_URL_LENGTH)
        elif problem := address_problem(data.url):
            problems["url"] = problem
    if not data.events:
        problems["events"] = _l("Choose at least one event to send.")
    elif unknown := [e for e in data.events if e not in EVENTS]:
        problems["events"] = _l("Unknown event: %(name)s.", name=", ".join(unknown))
    if len(data.description) > 200:
        problems["description"] = _l("Enter a description of at most 200 characters.")
    return problems


def subscriptions_of(organisation_id: int) -> list[WebhookSubscription]:
    return list(db.session.scalars(select(WebhookSubscription).where(
        WebhookSubscription.organisation_id == organisation_id).order_by(WebhookSubscription.id)))


def create_subscription(organisation_id: int, data: SubscriptionData) -> tuple[WebhookSubscription, str]:
    """A new active subscription and its secret (the one time it is shown)."""
    problems = _problems(data, check_url=True)
    if not problems and db.session.scalar(select(WebhookSubscription.id).where(
            WebhookSubscription.organisation_id == organisation_id, WebhookSubscription.url == data.url)):
        problems["url"] = _l("This address already receives your webhooks: change its events on its page.")
    refuse_if(problems)
    secret = new_secret()
    subscription = WebhookSubscription(organisation_id=organisation_id, url=data.url, description=data.description,
                                       events=sorted(data.events), secret=secret, status="active",
                                       created_at=utcnow())
    db.session.add(subscription)
    db.session.flush()
    record("webhook.created", target=_target(subscription), after=_audited(subscription))
    return subscription, secret


def update_subscription(subscription: WebhookSubscription, data: SubscriptionData) -> None:
    """Change what a subscription is sent and its description (its address stays: add a new one instead)."""
    refuse_if(_problems(data, check_url=False))
    before = _audited(subscription)
    subscription.description, subscription.events = data.description, sorted(data.events)
    db.session.flush()
    record("webhook.updated", target=_target(subscription), before=before, after=_audited(subscription))


def pause_subscription(subscription: WebhookSubscription, reason: str = "admin") -> None:
    """Stop sending: new events are not queued; what was queued waits until it is resumed."""
    if subscription.status == "paused":
        return
    before = _audited(subscription)
    subscription.status, subscription.paused_reason = "paused", reason
    db.session.flush()
    record("webhook.paused", target=_target(subscription), before=before, after=_audited(subscription))


def resume_subscription(subscription: WebhookSubscription) -> int:
    """Send again; whatever waited is due now. Returns how many deliveries were waiting."""
    if subscription.status == "active":
        return 0
    before = _audited(subscription)
    subscription.status, subscription.paused_reason, subscription.failing_since = "active", None, None
    waiting = list(db.session.scalars(select(WebhookDelivery).where(
        WebhookDelivery.subscription_id == subscription.id, WebhookDelivery.status == "pending")))
    for delivery in waiting:
        delivery.next_attempt_at = utcnow()
    db.session.flush()
    record("webhook.resumed", target=_target(subscription), before=before, after=_audited(subscription))
    return len(waiting)


def delete_subscription(subscription: WebhookSubscription) -> None:
    """Delete the subscription with its queue and delivery log."""
    record("webhook.deleted", target=_target(subscription), before=_audited(subscription))
    db.session.execute(WebhookDelivery.__table__.delete().where(
        WebhookDelivery.subscription_id == subscription.id))
    db.session.delete(subscription)
    db.session.flush()


def rotate_secret(subscription: WebhookSubscription, now: datetime | None = None) -> str:
    """A new secret (returned: the one time it is shown); the previous one also signs for a day."""
    now = now or utcnow()
    subscription.previous_secret, subscription.secret = subscription.secret, new_secret()
    subscription.previous_secret_until = now + timedelta(days=PREVIOUS_SECRET_DAYS)
    db.session.flush()
    record("webhook.secret_rotated", target=_target(subscription),
           after={"previous_secret_until": subscription.previous_secret_until})
    return subscription.secret


def secrets_in_use(subscription: WebhookSubscription, now: datetime) -> list[str]:
    """The secrets a message is signed with now: the current one, and the previous one during its day."""
    in_use = [subscription.secret]
    if subscription.previous_secret and subscription.previous_secret_until and now < subscription.previous_secret_until:
        in_use.append(subscription.previous_secret)
    return in_use


def _target(subscription: WebhookSubscription) -> tuple:
    return "webhook_subscription", subscription.id, subscription.url


def _audited(subscription: WebhookSubscription) -> dict:
    return {"url": subscription.url, "description": subscription.description, "events": list(subscription.events),
            "status": subscription.status, "paused_reason": subscription.paused_reason}


# The delivery log -------------------------------------------------------------------------------------------------

#: Lines of a subscription's delivery log on its page.
LOG_LINES = 50


def delivery_log(subscription: WebhookSubscription, limit: int = LOG_LINES) -> list[WebhookDelivery]:
    """The subscription's latest deliveries, newest first."""
    return list(db.session.scalars(select(WebhookDelivery).where(
        WebhookDelivery.subscription_id == subscription.id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()).limit(limit)))


def delivery_counts(organisation_id: int) -> dict[int, dict[str, int]]:
    """Per subscription of the organisation, its deliveries by status (one query)."""
    counts: dict[int, dict[str, int]] = {}
    for subscription_id, status, n in db.session.execute(
            select(WebhookDelivery.subscription_id, WebhookDelivery.status, func.count())
            .where(WebhookDelivery.organisation_id == organisation_id)
            .group_by(WebhookDelivery.subscription_id, WebhookDelivery.status)):
        counts.setdefault(subscription_id, {})[status] = n
    return counts


def event_label(event: str) -> str:
    if event == TEST_EVENT:
        return str(_l("Test event"))
    label = EVENTS.get(event)
    return str(label) if label is not None else event


def failing_subscriptions(organisation_id: int) -> list[WebhookSubscription]:
    """Subscriptions the delivery paused because every delivery failed (not those an administrator paused)."""
    return list(db.session.scalars(select(WebhookSubscription).where(
        WebhookSubscription.organisation_id == organisation_id, WebhookSubscription.status == "paused",
        WebhookSubscription.paused_reason == "failing").order_by(WebhookSubscription.id)))
