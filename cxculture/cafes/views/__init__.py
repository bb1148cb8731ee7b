"""Training café pages, under /leadership/cafes: plan.py (planning and guests), agenda.py (the agenda and what
the café records), pdf.py (pre-read brief and summary). Hosts are the organisation's leaders; an invited guest
opens the café page and the brief only (see cafes/access.py)."""
from flask import Blueprint

bp = Blueprint("cafes", __name__, url_prefix="/leadership/cafes")

from . import agenda, pdf, plan  # noqa: E402,F401  (routes register on bp)
