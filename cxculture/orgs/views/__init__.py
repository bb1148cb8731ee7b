"""Administration of the organisation: settings, teams, job roles, people, roster and invitations."""
from flask import Blueprint

bp = Blueprint("orgs", __name__)

from . import people, roster, trail  # noqa: E402,F401  (routes register on bp)
