"""Voice of the customer from staff: what a customer told an employee, or what they saw go wrong, at a touchpoint.

Anyone of the organisation logs a remark in under a minute (touchpoint, channel, the customer's words, how the
customer felt, an optional idea); customers' personal data is masked out of the texts before they are stored
(masking.py). The remark goes to the touchpoint's owner team: its managers acknowledge it and close it with what
was done, and the person who logged it reads the outcome in "My remarks" and by e-mail.

Who sees what: leaders and administrators every remark of the organisation; a manager those of the touchpoints
their teams own (`manager_team_ids`: their team with its sub-teams and their direct reports' teams); everyone
their own. Services refuse with `Refused` and change nothing then; they flush, and the request commits once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_babel.speaklater import LazyString
from sqlalchemy import Select, case, false, func, select
from sqlalchemy.orm import joinedload, selectinload

from .. import events
from ..assessments.results.access import manager_team_ids
from ..extensions import db
from ..mail import queue_mail
from ..orgs.models import Person
from ..orgs.recipients import recipient_of
from ..refusals import Refused
from ..util import utcnow
from .journey import OPEN_STATUSES
from .masking import mask_personal_data
from .models import JourneyStage, Remark, Touchpoint

CHANNELS = ("in_person", "phone", "email", "chat", "social", "other")
CHANNEL_LABELS = {"in_person": _l("In person"), "phone": _l("Phone"), "email": _l("E-mail"), "chat": _l("Chat"),
                  "social": _l("Social media"), "other": _l("Other")}
#: How the customer felt, from worst to best.
FEELINGS = ("angry", "unhappy", "neutral", "pleased", "delighted")
#: "Neutral" has a context: elsewhere it is a column of answers (plural in Italian), here how one customer felt.
FEELING_LABELS = {"angry": _l("Angry"), "unhappy": _l("Unhappy"),
                  "neutral": LazyString(lambda: pgettext("how the customer felt", "Neutral")),
                  "pleased": _l("Pleased"), "delighted": _l("Delighted")}
STATUSES = ("new", "acknowledged", "closed")
#: A remark is feminine in Italian ("segnalazione"): its own context, apart from the catalogue's other "New".
STATUS_LABELS = {"new": LazyString(lambda: pgettext("a remark's status", "New")), "acknowledged": _l("Acknowledged"),
                 "closed": _l("Closed")}
#: The lists' filters.
FILTERS = ("open", "closed", "all")
MAX_WORDS_LENGTH = 2000
MAX_IDEA_LENGTH = 1000
MAX_OUTCOME_LENGTH = 2000

REMARK_REFUSALS = {
    ("touchpoint_id", "unknown"): _l("Choose where it happened: a touchpoint of your organisation's journey."),
    ("channel", "unknown"): _l("Choose how the customer got in touch."),
    ("customer_words", "missing"): _l("Write what the customer told you, or what you saw go wrong."),
    ("customer_words", "too-long"): _l("Keep it under %(max)s characters.", max=MAX_WORDS_LENGTH),
    ("feeling", "unknown"): _l("Choose how the customer felt."),
    ("idea", "too-long"): _l("Keep it under %(max)s characters.", max=MAX_IDEA_LENGTH),
    ("outcome", "missing"): _l("Write what was done, so the person who logged it knows."),
    ("outcome", "too-long"): _l("Keep it under %(max)s characters.", max=MAX_OUTCOME_LENGTH),
    ("status", "closed"): _l("This remark is already closed."),
}


def _refused(problems: dict[str, str]) -> Refused:
    return Refused({name: REMARK_REFUSALS[(name, code)] for name, code in problems.items()}, codes=problems)


@dataclass(frozen=True)
class RemarkEntry:
    """What an employee typed."""

    touchpoint_id: int | None
    channel: str
    customer_words: str
    feeling: str
    idea: str = ""


def log_remark(person: Person, entry: RemarkEntry, *, language: str = "en",
               submission_key: str | None = None) -> tuple[Remark, bool]:
    """Store a remark, its texts masked (placeholders in `language`); returns (remark, created). The same
    submission_key twice returns the remark the first submit stored, with created=False."""
    if submission_key:
        existing = db.session.scalar(select(Remark).where(Remark.organisation_id == person.organisation_id,
                                                          Remark.submission_key == submission_key))
        if existing is not None:
            return existing, False
    problems: dict[str, str] = {}
    touchpoint = db.session.get(Touchpoint, entry.touchpoint_id) if entry.touchpoint_id is not None else None
    if touchpoint is None or touchpoint.organisation_id != person.organisation_id:
        problems["touchpoint_id"] = "unknown"
    if entry.channel not in CHANNELS:
        problems["channel"] = "unknown"
    words, idea = (entry.customer_words or "").strip(), (entry.idea or "").strip()
    if not words:
        problems["customer_words"] = "missing"
    elif len(words) > MAX_WORDS_LENGTH:
        problems["customer_words"] = "too-long"
    if entry.feeling not in FEELINGS:
        problems["feeling"] = "unknown"
    if len(idea) > MAX_IDEA_LENGTH:
        problems["idea"] = "too-long"
    if problems:
        raise _refused(problems)
    remark = Remark(organisation_id=person.organisation_id, touchpoint=touchpoint, channel=entry.channel,
                    customer_words=mask_personal_data(words, language), feeling=entry.feeling,
                    idea=mask_personal_data(idea, language) or None, status="new", logged_by_id=person.id,
                    logged_at=utcnow(), submission_key=submission_key or None)
    db.session.add(remark)
    db.session.flush()
    return remark, True


# Who sees and answers what --------------------------------------------------------------------------------------

def sees_all(person: Person) -> bool:
    return person.can("leader") or person.can("admin")


def answers_remarks(person: Person) -> bool:
    """Whether the person has an inbox: leaders, administrators and managers."""
    return sees_all(person) or person.can("manager")


def _owned_touchpoints(person: Person):
    """A SELECT of the ids of the touchpoints whose owner team is one of the manager's teams."""
    teams = manager_team_ids(person) if person.can("manager") else set()
    return select(Touchpoint.id).where(Touchpoint.organisation_id == person.organisation_id,
                                       Touchpoint.owner_team_id.in_(teams))


def may_answer(person: Person, remark: Remark) -> bool:
    """Leaders and administrators answer every remark of their organisation; managers those of their teams'
    touchpoints."""
    if remark.organisation_id != person.organisation_id:
        return False
    return sees_all(person) or (person.can("manager") and remark.touchpoint.owner_team_id is not None
                                and remark.touchpoint.owner_team_id in manager_team_ids(person))


def may_read(person: Person, remark: Remark) -> bool:
    return remark.organisation_id == person.organisation_id and (
        remark.logged_by_id == person.id or may_answer(person, remark))


def _answered_by(query: Select, person: Person, show: str = "all") -> Select:
    """`query` (of Remark) kept to the remarks the person answers, open, closed or all."""
    query = query.join(Touchpoint, Touchpoint.id == Remark.touchpoint_id).where(
        Remark.organisation_id == person.organisation_id)
    if not sees_all(person):
        query = query.where(Remark.touchpoint_id.in_(_owned_touchpoints(person)) if person.can("manager")
                            else false())
    if show == "open":
        query = query.where(Remark.status.in_(OPEN_STATUSES))
    elif show == "closed":
        query = query.where(Remark.status == "closed")
    return query


def inbox_query(person: Person, show: str = "open", touchpoint_id: int | None = None,
                stage_id: int | None = None) -> Select:
    """The remarks the person answers: open ones oldest first, closed ones latest closed first."""
    query = _answered_by(select(Remark), person, show)
    if touchpoint_id is not None:
        query = query.where(Remark.touchpoint_id == touchpoint_id)
    if stage_id is not None:
        query = query.where(Touchpoint.stage_id == stage_id)
    order = (Remark.closed_at.desc(), Remark.id.desc()) if show == "closed" else (Remark.logged_at, Remark.id)
    return query.options(joinedload(Remark.touchpoint).joinedload(Touchpoint.stage),
                         joinedload(Remark.touchpoint).joinedload(Touchpoint.owner_team),
                         joinedload(Remark.logged_by)).order_by(*order)


def own_remarks(person: Person) -> list[Remark]:
    """What the person logged: open ones first (oldest first), then closed ones, latest closed first."""
    return list(db.session.scalars(
        select(Remark).where(Remark.organisation_id == person.organisation_id, Remark.logged_by_id == person.id)
        .options(joinedload(Remark.touchpoint).joinedload(Touchpoint.stage))
        .order_by(case((Remark.status == "closed", 1), else_=0), Remark.closed_at.desc(), Remark.logged_at,
                  Remark.id)))


@dataclass(frozen=True)
class Count:
    """Open and closed remarks of a touchpoint or stage, among those the person answers."""

    id: int
    name: str
    open: int
    closed: int


def counts_by_touchpoint(person: Person, language: str) -> list[tuple[Count, list[Count]]]:
    """(stage, its touchpoints) in journey order, with open and closed remark counts, among the remarks the person
    answers; stages and touchpoints without any are left out. Three queries: the GROUP BY, the stages and their
    touchpoints."""
    rows = db.session.execute(_answered_by(
        select(Touchpoint.stage_id, Touchpoint.id, func.sum(case((Remark.status.in_(OPEN_STATUSES), 1), else_=0)),
               func.sum(case((Remark.status == "closed", 1), else_=0))).select_from(Remark), person)
        .group_by(Touchpoint.stage_id, Touchpoint.id)).all()
    figures = {touchpoint_id: (int(o), int(c)) for _stage, touchpoint_id, o, c in rows}
    stage_ids = {stage_id for stage_id, *_ in rows}
    stages = db.session.scalars(select(JourneyStage).where(JourneyStage.id.in_(stage_ids))
                                .options(selectinload(JourneyStage.touchpoints))
                                .order_by(JourneyStage.position, JourneyStage.id)).all()
    result = []
    for stage in stages:
        points = [Count(t.id, t.name(language), *figures[t.id]) for t in stage.touchpoints if t.id in figures]
        result.append((Count(stage.id, stage.name(language), sum(p.open for p in points),
                             sum(p.closed for p in points)), points))
    return result


# Following up ---------------------------------------------------------------------------------------------------

def acknowledge(remark: Remark, by: Person) -> bool:
    """Mark a new remark as seen by the owner team; False (nothing changes) when it was not new."""
    if remark.status != "new":
        return False
    remark.status, remark.acknowledged_by_id, remark.acknowledged_at = "acknowledged", by.id, utcnow()
    db.session.flush()
    return True


def close_remark(remark: Remark, by: Person, outcome: str, *, language: str = "en") -> None:
    """Close a remark with what was done (masked like the remark) and tell the person who logged it by e-mail."""
    outcome = (outcome or "").strip()
    problems: dict[str, str] = {}
    if remark.status == "closed":
        problems["status"] = "closed"
    elif not outcome:
        problems["outcome"] = "missing"
    elif len(outcome) > MAX_OUTCOME_LENGTH:
        problems["outcome"] = "too-long"
    if problems:
        raise _refused(problems)
    now = utcnow()
    if remark.acknowledged_at is None:
        remark.acknowledged_by_id, remark.acknowledged_at = by.id, now
    remark.status, remark.outcome = "closed", mask_personal_data(outcome, language)
    remark.closed_by_id, remark.closed_at = by.id, now
    db.session.flush()
    _mail_outcome(remark)
    events.remark_closed.send(remark)


def _mail_outcome(remark: Remark) -> None:
    """The outcome to the person who logged the remark, in their language (not to whoever closed their own)."""
    person = remark.logged_by
    if person is None or not person.is_active or person.id == remark.closed_by_id:
        return
    recipient = recipient_of(person)
    queue_mail(recipient, "remark", "remark_outcome", _l("What was done about the remark you logged"),
               {"touchpoint": remark.touchpoint.name(recipient.language), "customer_words": remark.customer_words,
                "outcome": remark.outcome, "logged_at": remark.logged_at})


# The CSV export ---------------------------------------------------------------------------------------------------

CSV_HEADER = ("id", "logged_at", "stage", "touchpoint", "owner_team", "channel", "feeling", "customer_words",
              "idea", "status", "acknowledged_at", "closed_at", "outcome")


def csv_rows(organisation_id: int, language: str) -> list[list[str]]:
    """Every remark of the organisation, oldest first, for leaders and administrators; without who logged it (the
    export is about customers, and would otherwise be a list of who said what)."""
    remarks = db.session.scalars(
        select(Remark).where(Remark.organisation_id == organisation_id)
        .options(joinedload(Remark.touchpoint).joinedload(Touchpoint.stage),
                 joinedload(Remark.touchpoint).joinedload(Touchpoint.owner_team))
        .order_by(Remark.logged_at, Remark.id))

    def when(value: datetime | None) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else ""

    return [[str(r.id), when(r.logged_at), r.touchpoint.stage.name(language), r.touchpoint.name(language),
             r.touchpoint.owner_team.path if r.touchpoint.owner_team else "", r.channel, r.feeling,
             r.customer_words, r.idea or "", r.status, when(r.acknowledged_at), when(r.closed_at), r.outcome or ""]
            for r in remarks]


def open_count(person: Person) -> int:
    """How many open remarks wait in the person's inbox (for the dashboards)."""
    return db.session.scalar(_answered_by(select(func.count(Remark.id)), person, "open"))


# The working rhythm: café agendas and team scorecards ----------------------------------------------------------


@dataclass(frozen=True)
class OpenAtTouchpoint:
    """A touchpoint's open remarks: how many, and since when the oldest waits."""

    touchpoint_id: int
    open: int
    oldest: datetime


def most_open(organisation_id: int, limit: int = 5) -> list[OpenAtTouchpoint]:
    """The organisation's touchpoints with the most open remarks (ties: the longest waiting first), one GROUP BY."""
    count, oldest = func.count(Remark.id), func.min(Remark.logged_at)
    rows = db.session.execute(
        select(Remark.touchpoint_id, count, oldest)
        .where(Remark.organisation_id == organisation_id, Remark.status.in_(OPEN_STATUSES))
        .group_by(Remark.touchpoint_id).order_by(count.desc(), oldest, Remark.touchpoint_id).limit(limit)).all()
    return [OpenAtTouchpoint(touchpoint_id, int(open_), oldest_) for touchpoint_id, open_, oldest_ in rows]


def team_remark_counts(organisation_id: int, team_ids, start: datetime, end: datetime) -> tuple[int, int]:
    """Of the remarks at touchpoints owned by `team_ids`: how many were closed in [start, end), and how many are
    open now. Counts per team, never per person (a count per person would invite padding). One query."""
    closed_in = (Remark.status == "closed") & (Remark.closed_at >= start) & (Remark.closed_at < end)
    closed, open_ = db.session.execute(
        select(func.coalesce(func.sum(case((closed_in, 1), else_=0)), 0),
               func.coalesce(func.sum(case((Remark.status.in_(OPEN_STATUSES), 1), else_=0)), 0))
        .join(Touchpoint, Touchpoint.id == Remark.touchpoint_id)
        .where(Remark.organisation_id == organisation_id, Touchpoint.owner_team_id.in_(team_ids))).one()
    return int(closed), int(open_)
