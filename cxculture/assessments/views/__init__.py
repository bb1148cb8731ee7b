"""Culture self-assessment pages, split by audience: campaigns.py (admins and leaders run campaigns),
answer.py (everyone answers), results.py (results for leaders, managers and everyone), actions.py (action items)."""
from flask import Blueprint, g

from ...extensions import db
from ..closing import record_results_read

bp = Blueprint("assessments", __name__)


@bp.after_app_request
def commit_results_read(response):
    """Any page that showed figures of a closed campaign's results (closing.note_results_read) marks them read,
    in a transaction of its own: the view has committed (or meant to discard) whatever else it did."""
    campaign_ids = g.pop("results_read", None)
    if campaign_ids:
        db.session.rollback()
        record_results_read(campaign_ids)
        db.session.commit()
    return response

from . import actions, answer, campaigns, pulses, results  # noqa: E402,F401  (routes register on bp)
