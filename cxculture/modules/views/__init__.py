"""Training pages, split by audience: learner.py (people taking modules), team.py (managers and leaders),
manage.py (administrators: paths and the library)."""
from flask import Blueprint

bp = Blueprint("modules", __name__)

from . import learner, manage, team  # noqa: E402,F401  (routes register on bp)
