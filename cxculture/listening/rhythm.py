"""Listening in the organisation's working rhythm: what it lends to the areas below it, through their hooks.

Actions (assessments) start from a touchpoint or an outcome's drivers; café agendas (cafes) and team scorecards
(kpis) read what customers tell staff. Those areas cannot import listening (it sits above them), so `register()`,
called by the app's wiring, fills their hooks. Without it they simply show nothing from listening.
"""
from __future__ import annotations

from flask import url_for
from flask_babel import lazy_gettext as _l

from ..assessments.action_sources import ActionSource, register_action_source
from ..extensions import db
from .drivers import OUTCOMES
from .models import Touchpoint


def _touchpoint_words(organisation_id: int, touchpoint_id, language: str) -> str | None:
    touchpoint = db.session.get(Touchpoint, touchpoint_id) if isinstance(touchpoint_id, int) else None
    if touchpoint is None or touchpoint.organisation_id != organisation_id:
        return None
    return f"{touchpoint.stage.name(language)} · {touchpoint.name(language)}"


def _outcome_words(_organisation_id: int, outcome, _language: str) -> str | None:
    return str(OUTCOMES[outcome].label) if outcome in OUTCOMES else None


def register() -> None:
    """Fill the hooks of the areas below listening (idempotent: each hook keeps one entry per name)."""
    register_action_source(ActionSource(
        "touchpoint_id", _l("Touchpoint"), _touchpoint_words,
        lambda touchpoint_id: url_for("listening.list_remarks", touchpoint=touchpoint_id)))
    register_action_source(ActionSource(
        "driver_outcome", _l("Drivers of"), _outcome_words,
        lambda outcome: url_for("listening.show_drivers", outcome=outcome)))
