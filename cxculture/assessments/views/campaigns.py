"""Assessment pages: campaigns."""
from . import bp  # noqa: F401
