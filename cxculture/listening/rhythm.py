"""Listening in the organisation's working rhythm: what it lends to the areas below it, through their hooks.

Actions (assessments) start from a touchpoint or an outcome's drivers; café agendas (cafes) and team scorecards
(kpis) read what customers tell staff. Those areas cannot import listening (it sits above them), so `register()`,
called by the app's wiring, fills their hooks. Without it they simply show nothing from listening.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..assessments.action_sources import ActionSource, register_action_source
from ..cafes.agenda import DraftedItem, register_agenda_section
from ..cafes.prompts import prompts_for
from ..extensions import db
from ..kpis.periods import Period
from ..kpis.scorecards import CustomerRemarks, register_remark_counter
from .drivers import MIN_TEAMS, OUTCOMES, drivers_of
from .journey import OPEN_STATUSES, remark_counts
from .models import Remark, Touchpoint
from .remarks import most_open, team_remark_counts
from .themes.lexicon import themes
from .themes.reading import read


def _touchpoint_words(organisation_id: int, touchpoint_id, language: str) -> str | None:
    touchpoint = db.session.get(Touchpoint, touchpoint_id) if isinstance(touchpoint_id, int) else None
    if touchpoint is None or touchpoint.organisation_id != organisation_id:
        return None
    return f"{touchpoint.stage.name(language)} · {touchpoint.name(language)}"


def _outcome_words(_organisation_id: int, outcome, _language: str) -> str | None:
    return str(OUTCOMES[outcome].label) if outcome in OUTCOMES else None


def _theme_words(_organisation_id: int, key, language: str) -> str | None:
    return next((theme.label(language) for theme in themes() if theme.key == key), None)


def register() -> None:
    """Fill the hooks of the areas below listening (idempotent: each hook keeps one entry per name)."""
    register_action_source(ActionSource(
        "touchpoint_id", _l("Touchpoint"), _touchpoint_words,
        lambda touchpoint_id: url_for("listening.list_remarks", touchpoint=touchpoint_id)))
    register_action_source(ActionSource(
        "theme_key", _l("Comment theme"), _theme_words,
        lambda key: url_for("listening.show_themes", _anchor=f"theme-{key}")))
    register_action_source(ActionSource(
        "driver_outcome", _l("Drivers of"), _outcome_words,
        lambda outcome: url_for("listening.show_drivers", outcome=outcome)))
    register_agenda_section("customer_voice", customer_voice_section)
    register_agenda_section("drivers", drivers_section)
    register_remark_counter(count_team_remarks)


# Café agendas ----------------------------------------------------------------------------------------------------


def customer_voice_section(cafe, language: str) -> list[DraftedItem]:
    """"What customers tell staff": the touchpoints and the themes with the most open remarks, how many, and the
    oldest's age."""
    today = date.today()
    busiest = most_open(cafe.organisation_id)
    points = {t.id: t for t in db.session.scalars(select(Touchpoint).where(
        Touchpoint.id.in_([row.touchpoint_id for row in busiest])).options(
        selectinload(Touchpoint.stage), selectinload(Touchpoint.owner_team)))}
    rows = [{"touchpoint": points[row.touchpoint_id].name(language),
             "stage": points[row.touchpoint_id].stage.name(language),
             "owner": points[row.touchpoint_id].owner_team.name if points[row.touchpoint_id].owner_team else "",
             "open": row.open, "oldest_days": max((today - row.oldest.date()).days, 0)} for row in busiest]
    snapshot = {"touchpoints": rows, "themes": open_themes(cafe.organisation_id, language, today),
                "open": sum(remark_counts(cafe.organisation_id).values())}
    return [DraftedItem("customer_voice", "customer_voice", _("What customers tell staff"),
                        prompts_for("customer_voice", language), snapshot)]


def open_themes(organisation_id: int, language: str, today: date, limit: int = 5) -> list[dict]:
    """The themes the open remarks' words speak of most (a remark may speak of several), with the oldest's age."""
    counts: dict[str, int] = {}
    oldest: dict[str, date] = {}
    for words, logged_at in db.session.execute(select(Remark.customer_words, Remark.logged_at).where(
            Remark.organisation_id == organisation_id, Remark.status.in_(OPEN_STATUSES))):
        for key in read(words, language).themes:
            counts[key] = counts.get(key, 0) + 1
            oldest[key] = min(oldest.get(key, logged_at.date()), logged_at.date())
    labels = {theme.key: theme.label(language) for theme in themes()}
    order = list(labels)
    ranked = sorted(counts, key=lambda key: (-counts[key], oldest[key], order.index(key)))[:limit]
    return [{"key": key, "theme": labels.get(key, key), "open": counts[key],
             "oldest_days": max((today - oldest[key]).days, 0)} for key in ranked]


def drivers_section(cafe, language: str) -> list[DraftedItem]:
    """"What drives our outcomes": for each outcome, the pillars to focus on, or why the analysis has none."""
    outcomes = []
    for key in OUTCOMES:
        analysis = drivers_of(cafe.organisation_id, key, language)
        outcomes.append({
            "key": key, "fallback": analysis.fallback, "teams": analysis.teams,
            "focus": [{"pillar": d.pillar, "relative": round(d.relative, 1),
                       "score": None if d.score is None else round(d.score, 2)} for d in analysis.focus]})
    return [DraftedItem("drivers", "drivers", _("What drives our outcomes"), prompts_for("drivers", language),
                        {"outcomes": outcomes, "min_teams": MIN_TEAMS})]


# Team scorecards -------------------------------------------------------------------------------------------------


def count_team_remarks(organisation_id: int, team_ids: set[int], period: Period) -> CustomerRemarks:
    """The remarks at the touchpoints the teams own: closed in the quarter (its first to its last day), open now."""
    start = datetime.combine(period.start, time.min)
    end = datetime.combine(period.end + timedelta(days=1), time.min)
    return CustomerRemarks(*team_remark_counts(organisation_id, team_ids, start, end))
