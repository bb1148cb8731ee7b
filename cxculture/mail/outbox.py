"""The mail outbox: a row per message, written in the caller's transaction (flushes only), sent after the commit
by the job queue (DELIVERY_JOB, also run every minute for retries and lost job messages), each row leased before it
is sent so a repeated job or two workers send nothing twice.

What is kept once a message has gone: a sent row keeps its kind, address, subject and time, never the message
(an invitation carries a sign-in link); it is deleted after SENT_KEEP_DAYS. A row of a kind in
RECIPIENTLESS_KINDS (a campaign reminder, which goes only to people who have not answered) is deleted as soon as
it is sent or refused, and also when it could not be sent within REMINDER_TTL: no row says for longer than that
who had not answered.
"""
from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from ..background import lease_due_row, run_after_commit
from ..extensions import db
from ..util import utcnow
from .compose import Attachment, Recipient, compose
from .models import MailMessage, MailOccasion
from .preferences import opted_out
from .send import Rejected, deliver

log = logging.getLogger(__name__)

#: The job that sends due messages (cxculture/jobs registers it).
DELIVERY_JOB = "mail.deliver"
#: Kinds whose rows are deleted once sent: they would tell who has not answered a campaign.
RECIPIENTLESS_KINDS = frozenset({"reminder"})
#: A reminder not sent within this long is dropped: the next round's reminder (if any) supersedes it.
REMINDER_TTL = timedelta(hours=24)
SENT_KEEP_DAYS = 30
#: How long a worker holds a row it is sending.
LEASE_SECONDS = 120
FIRST_RETRY_SECONDS = 60
MAX_RETRY_SECONDS = 6 * 3600
#: A message still failing after this many attempts (about two days with the backoff) is given up.
MAX_ATTEMPTS = 16


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS))


def queue_mail(recipient: Recipient, kind: str, template: str, subject, context: dict | None = None,
               attachments: tuple[Attachment, ...] = (), optional_topic: str | None = None) -> MailMessage | None:
    """Compose a message for `recipient` and add it to the outbox (flushes only; sent after the commit).

    With `optional_topic`, nothing is queued (None) when the person turned that topic off on their account page.
    """
    rows = queue_mails([(recipient, context or {})], kind, template, subject, attachments, optional_topic)
    return rows[0] if rows else None


def queue_mails(batch: Iterable[tuple[Recipient, dict]], kind: str, template: str, subject,
                attachments: tuple[Attachment, ...] = (), optional_topic: str | None = None) -> list[MailMessage]:
    """`queue_mail` for many (recipient, context) pairs: one query for the opt-outs, one flush."""
    batch = list(batch)
    skip = opted_out((r.person_id for r, _ in batch if r.person_id is not None), optional_topic) \
        if optional_topic is not None else set()
    now = utcnow()
    rows = []
    for recipient, context in batch:
        if recipient.person_id in skip:
            continue
        message = compose(recipient, template, subject, context, attachments, optional_topic)
        rows.append(MailMessage(
            organisation_id=recipient.organisation_id, person_id=recipient.person_id, kind=kind,
            recipient=recipient.email, subject=str(message["Subject"])[:300], message=message.as_string(),
            status="pending", attempts=0, created_at=now, next_attempt_at=now))
    if rows:
        db.session.add_all(rows)
        db.session.flush()
        run_after_commit(DELIVERY_JOB)
    return rows


def claim_occasion(organisation_id: int, kind: str, key: str) -> bool:
    """Record that a scheduled round mails about (kind, key); False when a round already has (or another one is
    doing it right now: the unique row waits for that transaction and then refuses). Flushes in a savepoint; the
    claim holds only if the caller's transaction, with the messages it queues, commits."""
    try:
        with db.session.begin_nested():
            db.session.add(MailOccasion(organisation_id=organisation_id, kind=kind, key=key, created_at=utcnow()))
    except IntegrityError:
        return False
    return True


def occasions_claimed(kind: str, keys) -> set[str]:
    """Of `keys`, those already claimed for `kind` (one query): a round skips them without trying."""
    keys = set(keys)
    if not keys:
        return set()
    return set(db.session.scalars(select(MailOccasion.key).where(MailOccasion.kind == kind,
                                                                 MailOccasion.key.in_(keys))))


# Delivery ------------------------------------------------------------------------------------------------------

@dataclass
class DeliveryReport:
    sent: int = 0
    rejected: int = 0
    retrying: int = 0
    dropped: int = 0


def _claim(row_id: int, now: datetime) -> bool:
    return lease_due_row(MailMessage, row_id, now, LEASE_SECONDS)


def _finish(row: MailMessage, status: str, error: str | None) -> None:
    if row.kind in RECIPIENTLESS_KINDS:
        db.session.delete(row)
        return
    row.status, row.last_error, row.message = status, error, None
    if status == "sent":
        row.sent_at = utcnow()


def deliver_mail(now: datetime | None = None, limit: int = 200) -> DeliveryReport:
    """Send every due message; commits per message. Reminders past REMINDER_TTL are dropped first."""
    now = now or utcnow()
    report = DeliveryReport()
    report.dropped = db.session.execute(delete(MailMessage).where(
        MailMessage.kind.in_(RECIPIENTLESS_KINDS), MailMessage.created_at < now - REMINDER_TTL)).rowcount
    db.session.commit()
    due = list(db.session.scalars(select(MailMessage.id).where(
        MailMessage.status == "pending", MailMessage.next_attempt_at <= now).order_by(MailMessage.id).limit(limit)))
    for row_id in due:
        if not _claim(row_id, now):
            continue
        row = db.session.get(MailMessage, row_id)
        row.attempts += 1
        try:
            deliver(row.message or "", row.recipient, row.id)
        except Rejected as error:
            _finish(row, "rejected", str(error)[:500])
            report.rejected += 1
        except Exception as error:  # the server is down or said "try later": kept, and tried again
            detail = f"{type(error).__name__}: {error}"[:500]
            if row.attempts >= MAX_ATTEMPTS:
                _finish(row, "rejected", detail)
                report.rejected += 1
            else:
                row.last_error, row.next_attempt_at = detail, now + backoff(row.attempts)
                report.retrying += 1
        else:
            _finish(row, "sent", None)
            report.sent += 1
        db.session.commit()
    return report


def sweep_sent_mail() -> int:
    """Delete sent and refused rows older than SENT_KEEP_DAYS; flushes only. Returns how many."""
    return db.session.execute(delete(MailMessage).where(
        MailMessage.status != "pending", MailMessage.created_at < utcnow() - timedelta(days=SENT_KEEP_DAYS))).rowcount


@dataclass(frozen=True)
class DeliveryTrouble:
    """An organisation's e-mails that are not getting through."""

    #: Still waiting after a failed try.
    retrying: int
    #: Refused for good by the mail server since the date asked about.
    rejected: int


def delivery_trouble(organisation_id: int, since: datetime) -> DeliveryTrouble:
    """The organisation's mails retrying after a failure, and those refused since `since`, in one query."""
    retrying, rejected = db.session.execute(
        select(func.count(MailMessage.id).filter(MailMessage.status == "pending", MailMessage.last_error.is_not(None)),
               func.count(MailMessage.id).filter(MailMessage.status == "rejected", MailMessage.created_at >= since))
        .where(MailMessage.organisation_id == organisation_id)
    ).one()
    return DeliveryTrouble(retrying, rejected)
