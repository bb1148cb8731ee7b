"""Culture self-assessment pages, split by audience: campaigns.py (admins and leaders run campaigns),
answer.py (everyone answers), results.py (results for leaders, managers and everyone), actions.py (action items)."""
from flask import Blueprint

bp = Blueprint("assessments", __name__)

from . import actions, answer, campaigns, results  # noqa: E402,F401  (routes register on bp)
