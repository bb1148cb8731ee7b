"""Helpers for café tests: a planned café, fixture KPI conflicts, organisations with a closed campaign."""
from __future__ import annotations

from datetime import datetime, timedelta

from cxculture.cafes.service import CafePlan, create_cafe, leader_choices
from cxculture.cafes.sources import RewardConflict
from cxculture.extensions import db
from tests.assessments.results_factories import make_campaign, respond_many


def _leader(organisation):
    leaders = leader_choices(organisation.id)
    return next((p for p in leaders if p.email.startswith("leader@")), leaders[0])


def plan(organisation, title="Leadership café", days=7, **changes) -> CafePlan:
    leader = _leader(organisation)
    values = {"title": title, "starts_at": (datetime.now() + timedelta(days=days)).replace(second=0, microsecond=0),
                  "duration_minutes": 90, "location": "Board room", "video_link": "", "facilitator_id": leader.id,
                  "attendee_ids": [p.id for p in leader_choices(organisation.id)], "focus_pillars": [],
                  "language": organisation.default_language}
    values.update(changes)
    return CafePlan(**values)


def new_cafe(organisation, **changes):
    cafe, _created = create_cafe(organisation.id, plan(organisation, **changes), _leader(organisation))
    db.session.commit()
    return cafe


def kpi_conflicts(organisation_id: int, language: str) -> list[RewardConflict]:
    """A fixture provider, as the KPI area will register one."""
    if language == "it":
        return [RewardConflict("Contact center · 2026-T3", "Tempo medio di gestione", 40.0,
                               "Risolvere al primo contatto", "Spinge a chiudere la chiamata prima della soluzione.")]
    return [RewardConflict("Contact centre · 2026-Q3", "Average handling time", 40.0,
                           "Resolve at first contact", "It pushes agents to end calls before the solution.")]


def organisation_with_scores(make_organisation, name, score, respondents=6, opt_in=True, threshold=5, **scores):
    """An organisation with a closed campaign: `respondents` answers scoring `score` (or per-pillar scores)."""
    organisation = make_organisation(name, benchmark_opt_in=opt_in, anonymity_threshold=threshold)
    campaign = make_campaign(organisation, title=f"{name} culture check")
    respond_many(campaign, respondents, default=score, **scores)
    return organisation
