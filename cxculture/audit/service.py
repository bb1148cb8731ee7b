"""Writing the audit trail (`record`), reading it back filtered, and its retention.

`record` flushes only: the caller's transaction commits the record with the change it describes, or rolls both
back. Who acted comes from the request (the logged-in person) or, outside one, is the system (a scheduled job,
or the command being run).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import click
from flask import g, has_request_context
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import and_, delete, distinct, or_, select, update

from ..extensions import db
from ..params import MAX_ID, whole_number
from ..refusals import refuse_if
from ..util import utcnow
from .models import ALLOW_CHANGE, AuditRecord

SYSTEM = "system"

#: Every action the trail records, with how the administration page names it. The privacy area records
#: "person.exported" and "person.erased"; the lead wires those calls.
ACTIONS: dict[str, object] = {
    "organisation.settings": _l("Organisation settings changed"),
    "organisation.retention": _l("Retention settings changed"),
    "person.created": _l("Person created"),
    "person.updated": _l("Person changed (permissions, role, team, manager...)"),
    "person.lms_permissions": _l("Permissions changed by an LMS launch"),
    "person.exported": _l("Personal data exported"),
    "person.erased": _l("Person erased"),
    "team.created": _l("Team created"),
    "team.updated": _l("Team renamed or moved"),
    "team.deleted": _l("Team deleted"),
    "job_role.created": _l("Job role created"),
    "job_role.updated": _l("Job role renamed"),
    "job_role.deleted": _l("Job role deleted"),
    "roster.imported": _l("Roster imported"),
    "kpi.values_imported": _l("KPI values imported"),
    "campaign.opened": _l("Campaign opened"),
    "campaign.closed": _l("Campaign closed"),
    "campaign.reopened": _l("Campaign reopened"),
    "campaign.threshold": _l("Campaign anonymity threshold changed"),
    "pulse.created": _l("Pulse series created"),
    "pulse.paused": _l("Pulse series paused"),
    "pulse.resumed": _l("Pulse series resumed"),
    "pulse.stopped": _l("Pulse series stopped"),
    "lti.registration_saved": _l("LTI registration saved (with its role mappings)"),
    "lti.registration_deleted": _l("LTI registration deleted"),
    "lti.lrs_settings": _l("xAPI (LRS) settings changed"),
    "sso.settings": _l("Single sign-on settings changed"),
    "sso.linked": _l("Provider account linked at a first single sign-on"),
    "webhook.created": _l("Webhook subscription added"),
    "webhook.updated": _l("Webhook subscription's events changed"),
    "webhook.paused": _l("Webhook subscription paused"),
    "webhook.resumed": _l("Webhook subscription resumed"),
    "webhook.deleted": _l("Webhook subscription deleted"),
    "webhook.secret_rotated": _l("Webhook signing secret rotated"),
    "lti.registration_url_created": _l("LTI registration URL made (Dynamic Registration)"),
    "lti.registration_url_withdrawn": _l("LTI registration URL withdrawn"),
    "lti.dynamic_registration": _l("LMS registered itself through a registration URL"),
    "lti.course_sync_requested": _l("Course members asked for from the LMS"),
    "lti.course_synced": _l("Course members brought in from the LMS"),
    "retention.run": _l("Retention run"),
    "scim.token_created": _l("Provisioning (SCIM) token created"),
    "scim.token_revoked": _l("Provisioning (SCIM) token revoked"),
    "scim.settings": _l("Provisioning (SCIM) safety stop changed"),
    "scim.held_applied": _l("Provisioning (SCIM) held changes applied"),
    "scim.held_discarded": _l("Provisioning (SCIM) held changes discarded"),
    "api_token.created": _l("API token created"),
    "api_token.revoked": _l("API token revoked"),
}

#: The longest text kept for a label (the column's size).
_LABEL = 300


def action_label(action: str) -> str:
    """How the administration page names `action` (the key itself for one no longer known)."""
    label = ACTIONS.get(action)
    return str(label) if label is not None else action


def _jsonable(value):
    """`value` as JSON holds it: dates as ISO text, sets as sorted lists, enums as their value."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(_jsonable(v) for v in value)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return float(value)
    return value


def changes(before: dict, after: dict) -> tuple[dict, dict]:
    """Only the fields that differ, as (before, after); both empty when nothing changed."""
    before, after = _jsonable(before), _jsonable(after)
    keys = [key for key in after if before.get(key) != after.get(key)]
    return {key: before.get(key) for key in keys}, {key: after[key] for key in keys}


def _actor() -> tuple[int | None, str, int | None]:
    """(person id, label, organisation id) of who is acting now: the logged-in person, a system signed in with a
    token (the view names it in `g.audit_actor`), the command being run, or the system."""
    if has_request_context() and g.get("audit_actor"):
        return None, str(g.audit_actor)[:_LABEL], None
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user.id, f"{current_user.name} <{current_user.email}>"[:_LABEL], current_user.organisation_id
    context = click.get_current_context(silent=True)
    if context is not None:
        return None, f"{SYSTEM}: {context.command_path}"[:_LABEL], None
    return None, SYSTEM, None


def _target(target) -> tuple[str | None, str | None, str | None, int | None]:
    """(type, id, label, organisation id) of what was acted on: a model row, or a (type, id, label) tuple."""
    if target is None:
        return None, None, None, None
    if isinstance(target, tuple):
        kind, key, label = target
        return kind, None if key is None else str(key), None if label is None else str(label)[:_LABEL], None
    label = next((getattr(target, name) for name in ("name", "title", "name_en", "slug", "email")
                  if isinstance(getattr(target, name, None), str)), None)
    organisation_id = getattr(target, "organisation_id", None)
    if target.__tablename__ == "organisation":
        organisation_id = target.id
    return target.__tablename__, str(target.id), label and label[:_LABEL], organisation_id


def record(action: str, *, target=None, before: dict | None = None, after: dict | None = None,
           details: dict | None = None, organisation_id: int | None = None) -> AuditRecord:
    """Add a record of `action` to the current transaction (flushes only: it is committed with the change).

    The organisation is `organisation_id`, else the target's, else the acting person's. Never pass survey answers
    or anything that ties a person to them.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to audit.service.ACTIONS")
    actor_id, actor_label, actor_organisation = _actor()
    kind, key, label, target_organisation = _target(target)
    row = AuditRecord(
        organisation_id=organisation_id or target_organisation or actor_organisation,
        at=utcnow(), actor_id=actor_id, actor_label=actor_label, action=action,
        target_type=kind, target_id=key, target_label=label,
        before=_jsonable(before) if before else None, after=_jsonable(after) if after else None,
        details=_jsonable(details) if details else None,
    )
    db.session.add(row)
    db.session.flush()
    return row


# --- reading ----------------------------------------------------------------------------------------------------

#: The earliest and latest dates a filter accepts (anything else is a typing mistake).
EARLIEST, LATEST = date(2000, 1, 1), date(2999, 12, 31)


@dataclass(frozen=True)
class AuditFilter:
    """What the administrator narrowed the trail to; None means any."""

    action: str | None = None
    #: A person's id, or SYSTEM.
    actor: int | str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def as_args(self) -> dict[str, str]:
        """The filter as the page's query string (for pagination and the CSV link)."""
        args = {"action": self.action, "person": None if self.actor is None else str(self.actor),
                "date_from": self.date_from and self.date_from.isoformat(),
                "date_to": self.date_to and self.date_to.isoformat()}
        return {key: value for key, value in args.items() if value}


def _parse_date(text: str) -> date | None:
    try:
        value = date.fromisoformat(text)
    except ValueError:
        return None
    return value if EARLIEST <= value <= LATEST and len(text) == 10 else None


def parse_filter(args) -> AuditFilter:
    """The filter from a query string (`action`, `person`, `date_from`, `date_to`); Refused naming each bad
    field."""
    errors: dict[str | None, str] = {}
    action = (args.get("action") or "").strip() or None
    if action is not None and action not in ACTIONS:
        errors["action"] = _("Choose an action from the list.")
    actor_text = (args.get("person") or "").strip()
    actor: int | str | None = None
    if actor_text == SYSTEM:
        actor = SYSTEM
    elif actor_text:
        actor = whole_number(actor_text, 1, MAX_ID)
        if actor is None:
            errors["person"] = _("Choose a person from the list.")
    dates = {}
    for field in ("date_from", "date_to"):
        text = (args.get(field) or "").strip()
        dates[field] = _parse_date(text) if text else None
        if text and dates[field] is None:
            errors[field] = _("Enter a date as YYYY-MM-DD, between %(first)s and %(last)s.",
                              first=EARLIEST.isoformat(), last=LATEST.isoformat())
    if dates["date_from"] and dates["date_to"] and dates["date_from"] > dates["date_to"]:
        errors["date_to"] = _("The end date cannot be before the start date.")
    refuse_if(errors)
    return AuditFilter(action, actor, dates["date_from"], dates["date_to"])


def records_query(organisation_id: int, chosen: AuditFilter = AuditFilter()):
    """A select of the organisation's records that match `chosen`, newest first."""
    query = select(AuditRecord).where(AuditRecord.organisation_id == organisation_id)
    if chosen.action:
        query = query.where(AuditRecord.action == chosen.action)
    if chosen.actor == SYSTEM:
        query = query.where(AuditRecord.actor_id.is_(None), or_(AuditRecord.actor_label == SYSTEM,
                                                                AuditRecord.actor_label.like(f"{SYSTEM}: %")))
    elif chosen.actor is not None:
        query = query.where(AuditRecord.actor_id == chosen.actor)
    if chosen.date_from:
        query = query.where(AuditRecord.at >= datetime.combine(chosen.date_from, time.min))
    if chosen.date_to:
        query = query.where(AuditRecord.at < datetime.combine(chosen.date_to + timedelta(days=1), time.min))
    return query.order_by(AuditRecord.at.desc(), AuditRecord.id.desc())


def actors_of(organisation_id: int) -> list[tuple[int, str]]:
    """(person id, label) of everyone who appears as acting in the organisation's trail, by label (one query)."""
    rows = db.session.execute(
        select(distinct(AuditRecord.actor_id), AuditRecord.actor_label)
        .where(AuditRecord.organisation_id == organisation_id, AuditRecord.actor_id.is_not(None))
    ).all()
    latest: dict[int, str] = {}
    for actor_id, label in rows:
        latest.setdefault(actor_id, label)
    return sorted(latest.items(), key=lambda item: item[1].lower())


CSV_COLUMNS = ("at_utc", "who", "action", "target_type", "target_id", "target", "before", "after", "details")


def csv_rows(organisation_id: int, chosen: AuditFilter) -> list[list[str]]:
    """The matching records as CSV rows (CSV_COLUMNS); JSON for the before, after and details cells."""
    import json

    def js(value) -> str:
        return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)

    return [
        [row.at.isoformat(sep=" ", timespec="seconds"), row.actor_label, row.action, row.target_type or "",
         row.target_id or "", row.target_label or "", js(row.before), js(row.after), js(row.details)]
        for row in db.session.scalars(records_query(organisation_id, chosen))
    ]


# --- retention and erasure ----------------------------------------------------------------------------------------

def _due(organisation_id: int, before: datetime):
    return and_(AuditRecord.organisation_id == organisation_id, AuditRecord.at < before)


def expire_records(organisation_id: int, before: datetime, *, apply: bool) -> int:
    """The organisation's records older than `before`: counted, and deleted when `apply` (the trail's retention)."""
    if not apply:
        from sqlalchemy import func

        return db.session.scalar(select(func.count(AuditRecord.id)).where(_due(organisation_id, before)))
    return db.session.execute(delete(AuditRecord).where(_due(organisation_id, before))
                              .execution_options(**{ALLOW_CHANGE: True, "synchronize_session": False})).rowcount


def forget_person(person_id: int, label: str) -> int:
    """For the privacy area's erasure of a person: what they did and what was done to them stays recorded, but
    `label` replaces who they were (as the one acting, as the target, and their name and e-mail in before/after).
    Returns how many records changed."""
    changed = db.session.execute(update(AuditRecord).where(AuditRecord.actor_id == person_id)
                                 .values(actor_id=None, actor_label=label[:_LABEL])
                                 .execution_options(**{ALLOW_CHANGE: True, "synchronize_session": False})).rowcount
    about = db.session.execute(select(AuditRecord.id, AuditRecord.before, AuditRecord.after).where(
        AuditRecord.target_type == "person", AuditRecord.target_id == str(person_id))).all()

    def scrub(values):
        return values and {key: (label if key in ("name", "email") else value) for key, value in values.items()}

    if about:  # one executemany, by primary key
        db.session.execute(update(AuditRecord).execution_options(**{ALLOW_CHANGE: True}), [
            {"id": record_id, "target_label": label[:_LABEL], "before": scrub(before), "after": scrub(after)}
            for record_id, before, after in about])
    return changed + len(about)
