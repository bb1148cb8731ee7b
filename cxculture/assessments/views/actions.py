"""Assessment pages: actions."""
from . import bp  # noqa: F401
