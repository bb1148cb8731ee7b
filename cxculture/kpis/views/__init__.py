"""KPI pages, split by audience and task: HR's catalogue, reward plans, alignment review and KPI values under
/hr/, and the scorecards people, managers and HR read."""
from flask import Blueprint

bp = Blueprint("kpis", __name__)

# Each module registers its routes on bp when imported.
from . import catalogue, plans, review, scorecards, values  # noqa: E402,F401
