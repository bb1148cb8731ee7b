"""Training pages for learner."""
from . import bp  # noqa: F401
