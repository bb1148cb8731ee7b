"""An organisation's training settings (one row per organisation, the defaults until an administrator saves)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..extensions import db
from ..refusals import Refused
from .models import DEFAULT_KEY_AFTER_FAILURES, TrainingSettings

#: The most failed attempts an organisation may ask for before the key is shown.
MAX_KEY_AFTER_FAILURES = 20


def key_after_failures(organisation_id: int) -> int:
    """Failed final quizzes in a module after which a learner sees the full answer key; 0 = never."""
    settings = db.session.get(TrainingSettings, organisation_id)
    return DEFAULT_KEY_AFTER_FAILURES if settings is None else settings.key_after_failures


def save_key_after_failures(organisation_id: int, value: int | None) -> None:
    """Store the organisation's setting; refuses anything but a whole number from 0 to 20. Flushes only."""
    if value is None or isinstance(value, bool) or not 0 <= value <= MAX_KEY_AFTER_FAILURES:
        raise Refused({"key_after_failures": _l("Enter a whole number from 0 (never) to %(max)s.",
                                                max=MAX_KEY_AFTER_FAILURES)})
    settings = db.session.get(TrainingSettings, organisation_id)
    if settings is None:
        settings = TrainingSettings(organisation_id=organisation_id)
        db.session.add(settings)
    settings.key_after_failures = value
    db.session.flush()
