"""How long an organisation keeps each kind of personal data: defaults, bounds, and changing them.

The nightly retention job (cxculture/jobs/retention.py) reads `retention_of` and deletes what is older. Flushes
only: the request commits.
"""
from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..audit import changes, record
from ..extensions import db
from ..params import whole_number
from ..refusals import refuse_if
from ..util import utcnow
from .models import Organisation, RetentionSettings


@dataclass(frozen=True)
class RetentionPolicy:
    """An organisation's retention periods (the defaults when it has saved none)."""

    survey_comment_months: int = 24
    kpi_value_years: int = 5
    deactivated_person_months: int = 12
    delivered_outbox_days: int = 90
    audit_record_months: int = 36


@dataclass(frozen=True)
class Bounds:
    """What a retention period may be: whole numbers of `unit` from `minimum` to `maximum`."""

    minimum: int
    maximum: int
    unit: str  # "days", "months" or "years"


#: Short enough to matter, long enough that nobody loses what they still need by a slip of the keyboard.
BOUNDS = {
    "survey_comment_months": Bounds(1, 120, "months"),
    "kpi_value_years": Bounds(1, 20, "years"),
    "deactivated_person_months": Bounds(1, 120, "months"),
    "delivered_outbox_days": Bounds(1, 3650, "days"),
    "audit_record_months": Bounds(6, 120, "months"),
}
DEFAULTS = RetentionPolicy()



def _problem(bounds: Bounds) -> str:
    """Why a value is refused for a period with these bounds."""
    if bounds.unit == "days":
        return _("Enter a whole number of days from %(min)s to %(max)s.", min=bounds.minimum, max=bounds.maximum)
    if bounds.unit == "years":
        return _("Enter a whole number of years from %(min)s to %(max)s.", min=bounds.minimum, max=bounds.maximum)
    return _("Enter a whole number of months from %(min)s to %(max)s.", min=bounds.minimum, max=bounds.maximum)


def retention_of(organisation_id: int) -> RetentionPolicy:
    """The organisation's retention periods: its saved settings, else the defaults (one query)."""
    row = db.session.get(RetentionSettings, organisation_id)
    if row is None:
        return DEFAULTS
    return RetentionPolicy(**{f.name: getattr(row, f.name) for f in fields(RetentionPolicy)})


def retention_of_all(organisation_ids) -> dict[int, RetentionPolicy]:
    """`retention_of` for many organisations, in one query."""
    ids = list(organisation_ids)
    rows = {row.organisation_id: row for row in db.session.scalars(
        select(RetentionSettings).where(RetentionSettings.organisation_id.in_(ids)))}
    return {organisation_id: RetentionPolicy(**{f.name: getattr(rows[organisation_id], f.name)
                                                for f in fields(RetentionPolicy)})
            if organisation_id in rows else DEFAULTS for organisation_id in ids}


def checked_retention(values: dict[str, object]) -> dict[str, int]:
    """Each period of `values` as a whole number within its bounds; Refused naming each field that is not."""
    checked: dict[str, int] = {}
    errors: dict[str | None, object] = {}
    for name, bounds in BOUNDS.items():
        raw = values.get(name)
        number = whole_number(None if raw is None else str(raw), bounds.minimum, bounds.maximum)
        if number is None:
            errors[name] = _problem(bounds)
        else:
            checked[name] = number
    refuse_if(errors)
    return checked


def shortened(organisation_id: int, checked: dict[str, int]) -> dict[str, tuple[int, int]]:
    """The periods `checked` makes shorter than the organisation's: name -> (now, new). Shortening deletes data
    at the next nightly run, which cannot be undone: the page asks first."""
    now = asdict(retention_of(organisation_id))
    return {name: (now[name], number) for name, number in checked.items() if number < now[name]}


def update_retention(organisation: Organisation, values: dict[str, object]) -> RetentionPolicy:
    """Save the organisation's retention periods from `values` (text or numbers, one per field of
    RetentionPolicy); Refused naming each field that is not a whole number within its bounds, nothing changed.
    Records the change in the audit trail."""
    checked = checked_retention(values)
    before = asdict(retention_of(organisation.id))
    row = db.session.get(RetentionSettings, organisation.id)
    if row is None:
        row = RetentionSettings(organisation_id=organisation.id)
        db.session.add(row)
    for name, number in checked.items():
        setattr(row, name, number)
    row.updated_at = utcnow()
    db.session.flush()
    old, new = changes(before, checked)
    if new:
        record("organisation.retention", target=organisation, before=old, after=new)
    return retention_of(organisation.id)


def months_before(moment: datetime, months: int) -> datetime:
    """The same time `months` calendar months earlier (the 31st becomes the month's last day)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class Cutoffs:
    """What is older than these is due for deletion, under one organisation's policy at one moment."""

    #: Campaigns closed before this lose their comments.
    campaign_closed: datetime
    #: KPI values of quarters ended before this, and scorecard files made before it.
    kpi_value: datetime
    #: People deactivated before this.
    deactivated: datetime
    #: Outbox rows delivered before this.
    delivered: datetime
    #: Audit records written before this.
    audit_record: datetime
    #: Customer remarks closed before this (listening): CLOSED_REMARK_MONTHS, not yet an organisation's setting.
    closed_remark: datetime


#: How long a closed customer remark is kept (the privacy page's "listening" period says the same).
CLOSED_REMARK_MONTHS = 36


def cutoffs(policy: RetentionPolicy, now: datetime) -> Cutoffs:
    return Cutoffs(
        campaign_closed=months_before(now, policy.survey_comment_months),
        kpi_value=months_before(now, 12 * policy.kpi_value_years),
        deactivated=months_before(now, policy.deactivated_person_months),
        delivered=now - timedelta(days=policy.delivered_outbox_days),
        audit_record=months_before(now, policy.audit_record_months),
        closed_remark=months_before(now, CLOSED_REMARK_MONTHS),
    )
