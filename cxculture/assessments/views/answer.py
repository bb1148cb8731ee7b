"""Assessment pages: answer."""
from . import bp  # noqa: F401
