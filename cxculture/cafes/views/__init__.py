"""Training café pages, under /leadership/cafes: plan.py (planning and guests), agenda.py (the agenda and what
the café records), pdf.py (pre-read brief and summary). Hosts are the organisation's leaders; an invited guest
opens the café page and the brief only (see cafes/access.py)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask_babel import format_date

bp = Blueprint("cafes", __name__, url_prefix="/leadership/cafes")


@bp.app_template_filter("iso_date")
def format_iso_date(value: str | None) -> str:
    """A date stored as ISO text in a snapshot, in the reader's language."""
    return "" if not value else format_date(date.fromisoformat(value), "medium")


from . import agenda, pdf, plan  # noqa: E402,F401  (routes register on bp)
