"""The retention of KPI values: deleted some years after their quarter ended. Flushes only: the job commits."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select

from ..extensions import db
from .models import KpiValue
from .periods import Period


def expire_kpi_values(organisation_id: int, ended_before: datetime, *, apply: bool) -> int:
    """The organisation's KPI values of quarters that ended before `ended_before`: counted, and deleted when
    `apply`. One query (periods written "2026-Q3" sort as their quarters do)."""
    first_kept = str(Period.containing(ended_before.date()))
    due = (KpiValue.organisation_id == organisation_id, KpiValue.period < first_kept)
    if not apply:
        return db.session.scalar(select(func.count(KpiValue.id)).where(*due))
    return db.session.execute(delete(KpiValue).where(*due).execution_options(synchronize_session=False)).rowcount
