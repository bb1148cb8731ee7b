"""Assessment pages: results."""
from . import bp  # noqa: F401
