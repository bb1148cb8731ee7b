"""What HR's changes to the KPI catalogue (catalogue_changes.py) and to reward plans (plan_changes.py) share.

Every change checks all of its input first and raises `refusals.Refused` (field name -> message) changing nothing,
or changes the rows and flushes: the request commits once.
"""
from __future__ import annotations

import math

from flask_babel import format_decimal
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..i18n import current_language
from ..refusals import Refused


def insert(row, conflict: dict) -> None:
    """Add and flush a new row; when a concurrent request stored the same one first, refuse with `conflict`.

    The checks above catch a double submit; this catches two submits racing past them (the unique constraint
    answers), inside a savepoint so the rest of the request's work stays.
    """
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise Refused(conflict) from None


def finite_number(value) -> float | None:
    """A finite float, None for None; raises ValueError on anything else."""
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def shown_name(row) -> str:
    """A KPI's, behaviour's or job role's name in the reader's language (English outside a request)."""
    try:
        language = current_language()
    except RuntimeError:
        language = "en"
    return row.name(language)


def shown_number(value: float) -> str:
    """A number in the reader's language ("7,200" / "7.200"), plain outside a request."""
    try:
        return format_decimal(value, "#,##0.##")
    except (RuntimeError, AttributeError):
        return f"{value:g}"
