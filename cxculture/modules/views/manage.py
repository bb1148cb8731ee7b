"""Training pages for manage."""
from . import bp  # noqa: F401
