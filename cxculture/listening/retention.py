"""Retention of customer remarks: closed ones go once the retention period has passed since they were closed
(open ones stay: the owner team still has to answer them). The nightly retention run calls this."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select

from ..extensions import db
from .models import Remark


def expire_remarks(organisation_id: int, closed_before: datetime, *, apply: bool) -> int:
    """How many of the organisation's remarks were closed before `closed_before`; deleted when `apply` (flushes
    only)."""
    due = (Remark.organisation_id == organisation_id, Remark.status == "closed", Remark.closed_at < closed_before)
    count = db.session.scalar(select(func.count(Remark.id)).where(*due))
    if apply and count:
        db.session.execute(delete(Remark).where(*due).execution_options(synchronize_session=False))
    return count
