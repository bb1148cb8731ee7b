"""Durable outboxes: xAPI statements and grade passbacks are written in the event's own transaction and
delivered afterwards by the job queue (DELIVERY_JOB, asked for after that commit and run every minute for the
retries; or `cx xapi flush`), with retries and backoff. Delivery is idempotent: each row is leased before it is
sent, so a job message that is repeated, or runs on two workers at once, sends nothing twice.

A statement whose time could point at an anonymous answer (the culture assessment's "completed": DAY_ONLY_EVENTS)
keeps nothing finer than the day in its row: it is created, due, leased, retried and sent at midnight UTC
boundaries, and waits for the next day to be sent, so neither its row nor the LRS's own stored time follows the
submit. Its id is a random UUID and the outbox is read by (day, id): no column orders it within its day.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

import requests
from flask import current_app
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.grade import Grade
from pylti1p3.service_connector import ServiceConnector
from sqlalchemy import delete, func, select, update

from ..background import run_after_commit
from ..extensions import db
from ..util import utcnow
from .models import GradeLink, GradePassback, LrsSettings, LtiRegistration, XapiStatement

log = logging.getLogger(__name__)

#: Seconds an HTTP call to an LRS or a platform may take: a slow LRS must not hold the worker.
HTTP_TIMEOUT = 5
#: Backoff: 30 s, 1 min, 2 min, ... up to 6 hours; nothing is ever dropped.
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 6 * 3600
#: How long a worker holds a row it is delivering, so two workers never send it at once (by default: the
#: configuration's OUTBOX_LEASE_SECONDS, CXCULTURE_OUTBOX_LEASE_SECONDS in the environment).
LEASE_SECONDS = 120
#: The job that delivers both outboxes (cxculture/jobs registers it).
DELIVERY_JOB = "lms.deliver_outbox"


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(FIRST_RETRY_SECONDS * 2 ** max(attempts - 1, 0), MAX_RETRY_SECONDS))


#: Events whose outbox row and delivery keep only the day (see the module's docstring).
DAY_ONLY_EVENTS = frozenset({"assessment-completed"})


def start_of_day(moment: datetime) -> datetime:
    return datetime.combine(moment.date(), time())


def day_boundary_after(moment: datetime) -> datetime:
    """The first midnight (UTC) at or after `moment`."""
    day = start_of_day(moment)
    return day if day == moment else day + timedelta(days=1)


def enqueue_statement(organisation_id: int, event_name: str, statement: dict) -> XapiStatement:
    """Add a statement to the outbox in the current transaction (never commits)."""
    now = utcnow()
    created = due = now
    if event_name in DAY_ONLY_EVENTS:
        created, due = start_of_day(now), day_boundary_after(now + timedelta(microseconds=1))
    row = XapiStatement(id=statement["id"], organisation_id=organisation_id, event=event_name, statement=statement,
                        status="pending", attempts=0, created_at=created, next_attempt_at=due)
    db.session.add(row)
    run_after_commit(DELIVERY_JOB)
    return row


def enqueue_passback(link: GradeLink, attempt) -> GradePassback:
    row = GradePassback(organisation_id=link.organisation_id, grade_link_id=link.id, attempt_id=attempt.id,
                        score=float(attempt.score), score_maximum=100.0, scored_at=attempt.submitted_at or utcnow(),
                        status="pending", attempts=0, next_attempt_at=utcnow())
    db.session.add(row)
    run_after_commit(DELIVERY_JOB)
    return row


# Delivery ------------------------------------------------------------------------------------------------------

@dataclass
class DeliveryReport:
    sent: int = 0
    rejected: int = 0
    retrying: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.rejected += other.rejected
        self.retrying += other.retrying
        self.errors += other.errors


def _claim(model, row_id, now: datetime, day_only: bool = False) -> bool:
    """Take the row for the lease (a day-only row: until the next midnight after that); False when another
    worker has it."""
    lease = now + timedelta(seconds=current_app.config.get("OUTBOX_LEASE_SECONDS", LEASE_SECONDS))
    result = db.session.execute(
        update(model).where(model.id == row_id, model.status == "pending", model.next_attempt_at <= now)
        .values(next_attempt_at=day_boundary_after(lease) if day_only else lease)
        .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def _put_statement(settings: LrsSettings, row: XapiStatement) -> tuple[str, str | None]:
    """("sent" | "rejected" | "retry", error)."""
    try:
        response = requests.put(
            f"{settings.endpoint}/statements", params={"statementId": row.id}, json=row.statement,
            auth=(settings.key, settings.secret), timeout=HTTP_TIMEOUT,
            headers={"X-Experience-API-Version": "1.0.3"})
    except requests.RequestException as error:
        return "retry", f"{type(error).__name__}: {error}"[:500]
    if response.status_code in (200, 204):
        return "sent", None
    if response.status_code in (400, 409):  # a conflicting id or a statement the LRS will never take
        return "rejected", f"HTTP {response.status_code}: {response.text[:300]}"
    return "retry", f"HTTP {response.status_code}: {response.text[:300]}"


def deliver_statements(now: datetime | None = None, limit: int = 200) -> DeliveryReport:
    """Send every due statement of organisations whose LRS is switched on; commits per statement."""
    now = now or utcnow()
    report = DeliveryReport()
    settings_by_org = {s.organisation_id: s for s in db.session.scalars(select(LrsSettings).where(LrsSettings.enabled))}
    if not settings_by_org:
        return report
    due = list(db.session.execute(
        select(XapiStatement.id, XapiStatement.organisation_id, XapiStatement.event)
        .where(XapiStatement.status == "pending", XapiStatement.next_attempt_at <= now,
               XapiStatement.organisation_id.in_(settings_by_org))
        .order_by(XapiStatement.created_at, XapiStatement.id).limit(limit)))
    unreachable: set[int] = set()  # organisations whose LRS did not answer: the rest waits for the next round
    for statement_id, organisation_id, event_name in due:
        day_only = event_name in DAY_ONLY_EVENTS
        if organisation_id in unreachable or not _claim(XapiStatement, statement_id, now, day_only):
            continue
        row = db.session.get(XapiStatement, statement_id)
        outcome, error = _put_statement(settings_by_org[row.organisation_id], row)
        if outcome == "retry" and error and not error.startswith("HTTP"):
            unreachable.add(organisation_id)
        row.attempts += 1
        row.last_error = error
        if outcome == "sent":
            row.status, row.sent_at = "sent", utcnow()
            report.sent += 1
        elif outcome == "rejected":
            row.status = "rejected"
            report.rejected += 1
        else:
            row.next_attempt_at = now + backoff(row.attempts)
            report.retrying += 1
            report.errors.append(error or "")
        if day_only:  # the day it was handled, and a retry at a midnight: never the time of the submit
            row.sent_at = start_of_day(row.sent_at) if row.sent_at else None
            row.next_attempt_at = (day_boundary_after(row.next_attempt_at) if outcome == "retry"
                                   else start_of_day(now))
        db.session.commit()
    return report


class TokenPerRoundConnector(ServiceConnector):
    """Asks the platform for a fresh access token for each delivery round (no token outlives the call)."""

    def _get_cached_access_token(self, scope_key: str):
        return None

    def _cache_access_token(self, scope_key: str, access_token: str, expires_in: float) -> None:
        pass


def _send_grade(row: GradePassback) -> None:
    from .tool import TimeoutSession, pylti_registration

    link = row.grade_link
    registration = pylti_registration(db.session.get(LtiRegistration, link.registration_id))
    service = AssignmentsGradesService(TokenPerRoundConnector(registration, TimeoutSession()), link.endpoint)
    grade = (Grade().set_score_given(row.score).set_score_maximum(row.score_maximum)
             .set_activity_progress("Completed").set_grading_progress("FullyGraded").set_user_id(link.subject)
             .set_timestamp(row.scored_at.isoformat(timespec="milliseconds") + "Z"))
    service.put_grade(grade)


def deliver_grades(now: datetime | None = None, limit: int = 100) -> DeliveryReport:
    """Send every due score to its line item; a failure is kept and retried later."""
    now = now or utcnow()
    report = DeliveryReport()
    due = list(db.session.scalars(select(GradePassback.id).where(GradePassback.status == "pending",
                                                                 GradePassback.next_attempt_at <= now)
                                  .order_by(GradePassback.id).limit(limit)))
    for passback_id in due:
        if not _claim(GradePassback, passback_id, now):
            continue
        row = db.session.get(GradePassback, passback_id)
        row.attempts += 1
        try:
            _send_grade(row)
        except Exception as error:
            row.last_error = f"{type(error).__name__}: {error}"[:500]
            row.next_attempt_at = now + backoff(row.attempts)
            report.retrying += 1
            report.errors.append(row.last_error)
        else:
            row.status, row.sent_at, row.last_error = "sent", utcnow(), None
            report.sent += 1
        db.session.commit()
    return report


def deliver_all(now: datetime | None = None) -> DeliveryReport:
    report = deliver_statements(now)
    report.add(deliver_grades(now))
    return report


# Status for the admin page ---------------------------------------------------------------------------------------

@dataclass
class OutboxStatus:
    pending: int
    sent: int
    rejected: int
    oldest_pending: datetime | None
    last_error: str | None


def outbox_status(organisation_id: int) -> OutboxStatus:
    counts = dict(db.session.execute(select(XapiStatement.status, func.count()).where(
        XapiStatement.organisation_id == organisation_id).group_by(XapiStatement.status)).all())
    oldest, = db.session.execute(select(func.min(XapiStatement.created_at)).where(
        XapiStatement.organisation_id == organisation_id, XapiStatement.status == "pending")).one()
    last_error = db.session.scalar(select(XapiStatement.last_error).where(
        XapiStatement.organisation_id == organisation_id, XapiStatement.status == "pending",
        XapiStatement.last_error.is_not(None)).order_by(XapiStatement.created_at.desc()).limit(1))
    return OutboxStatus(counts.get("pending", 0), counts.get("sent", 0), counts.get("rejected", 0), oldest, last_error)


def retry_now(organisation_id: int) -> int:
    """Make every waiting statement of the organisation due now (after the LRS is back or fixed)."""
    result = db.session.execute(update(XapiStatement).where(
        XapiStatement.organisation_id == organisation_id, XapiStatement.status == "pending")
        .values(next_attempt_at=utcnow()).execution_options(synchronize_session=False))
    run_after_commit(DELIVERY_JOB)
    return result.rowcount



def expire_delivered(organisation_id: int, sent_before: datetime, *, apply: bool) -> dict[str, int]:
    """The organisation's xAPI statements and grade passbacks delivered before `sent_before`: counted, and deleted
    when `apply` (an organisation's retention; rows still to send, or refused, stay). Flushes only."""
    counts = {}
    for name, model in (("xapi_statement", XapiStatement), ("grade_passback", GradePassback)):
        due = (model.organisation_id == organisation_id, model.status == "sent", model.sent_at < sent_before)
        if apply:
            counts[name] = db.session.execute(delete(model).where(*due)
                                              .execution_options(synchronize_session=False)).rowcount
        else:
            counts[name] = db.session.scalar(select(func.count()).select_from(model).where(*due))
    return counts
