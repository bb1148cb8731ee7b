"""HR's KPI pages (the catalogue, reward plans, the alignment review and KPI values) are added here."""
from . import bp  # noqa: F401
