"""What other areas read of the assessments' results: every figure already suppressed, never a row.

Cafés, KPIs, listening, home pages and the training hook import only this module: the latest closed campaign, a
viewer's results, a dashboard's pillar overview and the organisation summary, the weakest pillars of a person's team,
teams' pillar scores for scorecards, the shown teams' scores the drivers compare, and the benchmark network's pillar
scores per organisation.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from babel.dates import format_date
from flask import g, has_request_context
from flask_babel import gettext as _
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...modules.personalisation import PillarFocus
from ...orgs.models import Person
from ...pillars import PILLAR_LABELS, PILLARS
from ..anonymity import campaign_thresholds
from ..closing import note_results_read
from ..models import FULL, Campaign, FrozenResult
from ..scoring import Tally, pillar_tallies_by_campaign, respondents_by_campaign
from .analysis import analyse
from .figures import CampaignResults, Figure, PillarResult
from .report import PillarOverview, campaign_results, pillar_overview

__all__ = [
    "PillarOverview",
    "PillarTrend",
    "campaign_results",
    "latest_closed_campaign",
    "network_pillar_scores",
    "organisation_results",
    "organisation_summary",
    "pillar_history",
    "pillar_overview",
    "pillar_trend",
    "shown_team_scores",
    "team_snapshots",
    "weakest_pillars_for",
]


def latest_closed_campaign(organisation_id: int) -> Campaign | None:
    """The organisation's closed campaign with the latest closing date, or None when it has none."""
    return db.session.scalar(
        select(Campaign)
        .where(Campaign.organisation_id == organisation_id, Campaign.status == "closed", Campaign.kind == FULL)
        .order_by(Campaign.closes_on.desc(), Campaign.id.desc())
        .limit(1)
    )


def organisation_summary(campaign: Campaign) -> CampaignResults:
    """What every employee sees once the campaign is closed: the organisation's pillar figures, no breakdowns."""
    analysis = analyse(campaign)
    result = CampaignResults(
        campaign.id,
        campaign.title,
        campaign.status,
        campaign.closes_on,
        analysis.threshold,
        "organisation",
        analysis.visible and campaign.status == "closed",
    )
    if result.visible:
        result.focus_label = _("The whole organisation")
        result.respondents = analysis.total
        result.pillars = [PillarResult(p, str(PILLAR_LABELS[p]),
                                       Figure.of(analysis.overall.get(p), analysis.threshold))
                          for p in PILLARS]
    return result


@dataclass(frozen=True)
class _OrganisationViewer:
    """Who reads results through an organisation's integration (its API): the organisation-wide view the
    leadership has on the results pages, and no one's own team."""

    organisation_id: int
    id: None = None
    team_id: None = None

    def can(self, permission: str) -> bool:
        return permission == "leader"


def organisation_results(campaign: Campaign, language: str = "en") -> CampaignResults:
    """A campaign's results exactly as the leadership's results page shows them (every figure suppressed as
    there), for the organisation's integrations; comments are left out."""
    result = campaign_results(campaign, _OrganisationViewer(campaign.organisation_id), language)
    result.comments = []
    return result


# The training hook ----------------------------------------------------------------------------------------


def weakest_pillars_for(person: Person) -> PillarFocus | None:
    """The two lowest pillars of the person's team in the latest closed campaign, else of the organisation.

    Only figures that may be shown are used (the team must be visible in the team tree; the organisation
    total at or above the threshold); never anybody's individual answers.
    """
    # Team reports ask once per team: within a request, the campaign is looked up once.
    latest = g.setdefault("_latest_closed_campaign", {}) if has_request_context() else {}
    if person.organisation_id not in latest:
        latest[person.organisation_id] = latest_closed_campaign(person.organisation_id)
    campaign = latest[person.organisation_id]
    if campaign is None:
        return None
    analysis = analyse(campaign, read=False)  # picks modules, shows nobody a figure: not a read of the results
    if person.team_id is not None and analysis.team_visible(person.team_id):
        tallies, scope = analysis.team_tallies[person.team_id], "team"
    elif analysis.visible:
        tallies, scope = analysis.overall, "organisation"
    else:
        return None
    scored = [(tallies[p].mean, p) for p in PILLARS if p in tallies and tallies[p].mean is not None]
    if not scored:
        return None
    weakest = sorted(scored, key=lambda pair: (pair[0], PILLARS.index(pair[1])))[:2]
    return PillarFocus(tuple(p for _score, p in weakest), scope)


# The scorecard hook ---------------------------------------------------------------------------------------


def team_snapshots(campaign: Campaign, team_ids) -> dict[int, dict[str, float] | None]:
    """Each team's pillar scores (its sub-teams included) in the campaign, or None where the team's figure may not
    be shown; one analysis for all the teams."""
    analysis = analyse(campaign)
    snapshots: dict[int, dict[str, float] | None] = {}
    for team_id in team_ids:
        if team_id is None or not analysis.team_visible(team_id):
            snapshots[team_id] = None
            continue
        tallies = analysis.team_tallies[team_id]
        snapshots[team_id] = {p: tallies[p].mean for p in PILLARS if p in tallies and tallies[p].mean is not None}
    return snapshots


# The drivers hook -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShownTeam:
    """A team whose figures may be shown in a campaign, as on the results heatmap (its sub-teams included)."""

    team_id: int
    #: The team's ancestors in the campaign's frozen tree, nearest first.
    ancestors: tuple[int, ...]
    respondents: int
    #: The pillar scores that may be shown (a pillar too few gave a score on is left out).
    scores: dict[str, float]


def shown_team_scores(campaign: Campaign) -> list[ShownTeam]:
    """Every team of the campaign whose figures may be shown, with its pillar scores; a hidden team (too few
    respondents, or one that could be worked out from the others) is not in the list at all."""
    analysis = analyse(campaign)
    if not analysis.visible:
        return []
    shown = []
    for team_id in sorted(analysis.team_n):
        if not analysis.team_visible(team_id):
            continue
        tallies = analysis.team_tallies.get(team_id, {})
        figures = {p: Figure.of(tallies.get(p), analysis.threshold) for p in PILLARS}
        ancestors, node = [], analysis.teams[team_id][0]
        while node is not None and node in analysis.teams and node not in ancestors:
            ancestors.append(node)
            node = analysis.teams[node][0]
        shown.append(ShownTeam(team_id, tuple(ancestors), analysis.team_n[team_id],
                               {p: f.score for p, f in figures.items() if f.score is not None}))
    return shown


# The benchmark hook ---------------------------------------------------------------------------------------


def network_pillar_scores(organisation_ids: Iterable[int] | Select) -> dict[int, dict[str, float]]:
    """{organisation id: {pillar: score}} from each organisation's latest closed campaign, in four queries
    whatever the number of organisations; `organisation_ids` may be a SELECT of ids, kept in SQL.

    An organisation is left out when its latest closed campaign's respondents are fewer than that campaign's
    threshold (its organisation-level figure would be hidden); one with none such is left out too. Scores are
    scoring.py's pillar means (recoded values, higher is more customer-centric). The caller decides what of
    this may be shown across organisations: here nothing is compared.
    """
    ids = organisation_ids if isinstance(organisation_ids, Select) else list(organisation_ids)
    latest: dict[int, int] = {}  # organisation -> its latest closed campaign
    for campaign_id, organisation_id in db.session.execute(
        select(Campaign.id, Campaign.organisation_id)
        .where(Campaign.organisation_id.in_(ids), Campaign.status == "closed", Campaign.kind == FULL)
        .order_by(Campaign.organisation_id, Campaign.closes_on.desc(), Campaign.id.desc())
    ):
        latest.setdefault(organisation_id, campaign_id)
    if not latest:
        return {}
    thresholds = campaign_thresholds(latest.values())
    respondents = respondents_by_campaign(latest.values())
    counted = {campaign_id: organisation_id for organisation_id, campaign_id in latest.items()
               if respondents.get(campaign_id, 0) >= thresholds[campaign_id]}
    scores: dict[int, dict[str, float]] = {organisation_id: {} for organisation_id in counted.values()}
    for campaign_id, by_pillar in _campaign_pillar_scores(counted).items():
        scores[counted[campaign_id]] = by_pillar
    return scores


def _campaign_pillar_scores(campaign_ids: Iterable[int]) -> dict[int, dict[str, float]]:
    """{campaign id: {pillar: score}} of closed campaigns, the whole organisation's (two queries at most). The
    caller has checked that each campaign's figure may be shown."""
    ids = list(campaign_ids)
    scores: dict[int, dict[str, float]] = {campaign_id: {} for campaign_id in ids}
    if not ids:
        return scores
    # Closed campaigns keep their figures (closing.py); one closed before that is added up from its answers.
    tallies: dict[tuple, Tally] = {}
    for campaign_id, data in db.session.execute(
        select(FrozenResult.campaign_id, FrozenResult.data)
        .where(FrozenResult.campaign_id.in_(ids), FrozenResult.focus == "analysis")
    ):
        tallies.update({(campaign_id, pillar): Tally(*numbers) for pillar, numbers in data["overall"].items()})
    note_results_read(ids)
    not_kept = set(ids) - {campaign_id for campaign_id, _pillar in tallies}
    if not_kept:
        tallies.update(pillar_tallies_by_campaign(not_kept))
    for (campaign_id, pillar), tally in tallies.items():
        if tally.mean is not None:
            scores[campaign_id][pillar] = tally.mean
    return scores


@dataclass(frozen=True)
class PillarTrend:
    """The organisation's pillar scores over its last closed campaigns, ready to draw: a point per campaign
    (its closing month, oldest first) and per pillar its key, label and a score per point (None: too few
    answered)."""

    points: tuple[str, ...]
    pillars: tuple[tuple[str, str, tuple[float | None, ...]], ...]


def pillar_trend(organisation_id: int, language: str, until: Campaign | None = None) -> PillarTrend | None:
    """`pillar_history` as a trend to draw in `language`; None with fewer than two campaigns to draw."""
    history = pillar_history(organisation_id, until=until)
    if sum(scores is not None for _, scores in history) < 2:
        return None
    points = tuple(format_date(campaign.closes_on, "MMM yyyy", locale=language) for campaign, _ in history)
    return PillarTrend(points, tuple(
        (pillar, str(PILLAR_LABELS[pillar]), tuple(scores.get(pillar) if scores else None for _, scores in history))
        for pillar in PILLARS))


def pillar_history(organisation_id: int, until: Campaign | None = None, limit: int = 6
                   ) -> list[tuple[Campaign, dict[str, float] | None]]:
    """The organisation's closed campaigns on the same questionnaire as `until` (or as its latest), oldest first,
    at most `limit` of them ending with `until`, each with its whole-organisation pillar scores, or None where
    too few answered for them to be shown. A fixed number of queries whatever the number of campaigns."""
    query = (select(Campaign).options(selectinload(Campaign.instrument))
             .where(Campaign.organisation_id == organisation_id, Campaign.status == "closed",
                    Campaign.kind == FULL))
    if until is not None:
        query = query.where(Campaign.closes_on <= until.closes_on)
    campaigns = list(db.session.scalars(query.order_by(Campaign.closes_on.desc(), Campaign.id.desc())))
    if not campaigns:
        return []
    key = (until or campaigns[0]).instrument.key
    campaigns = [c for c in campaigns if c.instrument.key == key][:limit][::-1]
    ids = [c.id for c in campaigns]
    thresholds, respondents = campaign_thresholds(ids), respondents_by_campaign(ids)
    shown = [c.id for c in campaigns if respondents.get(c.id, 0) >= thresholds[c.id]]
    scores = _campaign_pillar_scores(shown)
    return [(c, scores.get(c.id)) for c in campaigns]
