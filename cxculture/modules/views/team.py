"""Training pages for team."""
from . import bp  # noqa: F401
