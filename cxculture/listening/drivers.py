"""What drives the results: which culture pillars go with an outcome customers feel, across teams.

One row per team: the team's six pillar scores in the organisation's latest closed culture campaign (only teams
whose figures may be shown, read from the assessment area's suppressed figures) and the team's value of the
outcome (NPS, CSAT or CES from the KPI area) in the quarter nearest the campaign's close. The outcome is fitted on
the six pillars by least squares and R² is shared among them by its exact Shapley decomposition (also called
LMG): each pillar's share is its extra R² averaged over every order in which the pillars could enter, so the
shares add up to R² and two pillars saying the same thing split what they explain. Six pillars make 64 subsets:
plain Python, no numerical library.

Fewer than MIN_TEAMS usable teams give no shares at all (a few teams can reorder them): the organisation's
pillar scores and outcome are shown instead. Reads only; writes nothing.
"""
from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..assessments.models import Campaign
from ..assessments.results.summary import latest_closed_campaign, organisation_summary, shown_team_scores
from ..extensions import db
from ..kpis.formulas import SMALL_SAMPLE
from ..kpis.models import Kpi, KpiValue
from ..kpis.periods import Period
from ..orgs.models import Person, Team
from ..pillars import PILLAR_LABELS, PILLARS

#: Below this many teams no importance is computed: the organisation's figures are shown instead.
MIN_TEAMS = 25
#: A column whose spread (standard deviation) is below this is taken as constant: it explains nothing.
_FLAT = 1e-9
#: In the fit, a pillar whose part not already said by the others is below this share of its own spread adds
#: nothing new (it is collinear with them).
_COLLINEAR = 1e-10


@dataclass(frozen=True)
class OutcomeValues:
    """An outcome's value per team for one period, and what it is (name, unit, which way is better)."""

    name: str
    unit: str
    better: str
    period: str
    #: team id -> (value, how many answers it comes from, when known).
    by_team: dict[int, tuple[float, int | None]]


@dataclass(frozen=True)
class Outcome:
    """Something a leader can ask the drivers of. `load(organisation_id, campaign, language)` returns its values
    per team, or None when the organisation has none; a KPI survey today, eNPS (a pulse) can add its own loader."""

    key: str
    label: object
    load: Callable[[int, Campaign, str], OutcomeValues | None]


@dataclass(frozen=True)
class PillarDriver:
    """One pillar's part in explaining the outcome."""

    pillar: str
    label: str
    #: The pillar's Shapley share of R² (0..R²), and the same as a percentage of R².
    raw: float
    relative: float
    #: The organisation's score on the pillar (1-5), None when it may not be shown.
    score: float | None
    #: Whether a higher pillar score goes with a better outcome across teams (the sign of their correlation).
    positive: bool
    focus: bool = False


@dataclass
class DriverAnalysis:
    """The drivers of one outcome, or why there are none and the organisation's figures instead."""

    outcome: str
    campaign_title: str | None = None
    outcome_name: str = ""
    unit: str = ""
    period: str | None = None
    #: "no-campaign", "no-outcome", "few-teams", "flat-outcome", or None when the shares were computed.
    fallback: str | None = None
    teams: int = 0
    respondents: int = 0
    #: Of those teams, how many have an outcome from fewer customer answers than formulas.SMALL_SAMPLE.
    small_sample_teams: int = 0
    r_squared: float | None = None
    pillars: list[PillarDriver] = field(default_factory=list)
    #: The organisation's pillar scores (None where hidden) and its outcome, for the fallback and the context.
    organisation_scores: dict[str, float | None] = field(default_factory=dict)
    organisation_outcome: float | None = None

    @property
    def focus(self) -> list[PillarDriver]:
        return [driver for driver in self.pillars if driver.focus]


# The arithmetic --------------------------------------------------------------------------------------------------


def _standardised(column: Sequence[float]) -> list[float]:
    """The column as z-scores; all zeros when it does not vary (it then explains nothing)."""
    mean = math.fsum(column) / len(column)
    spread = math.sqrt(math.fsum((v - mean) ** 2 for v in column) / len(column))
    if spread < _FLAT:
        return [0.0] * len(column)
    return [(v - mean) / spread for v in column]


def _subset_r_squared(mask: int, corr: list[list[float]], target: list[float]) -> float:
    """R² of the outcome on the columns in `mask`, from their correlations: Gram-Schmidt in the correlation
    metric; a column the previous ones already span (collinear, or constant) is skipped."""
    basis: list[dict[int, float]] = []
    explained = 0.0
    for j in range(len(target)):
        if not mask >> j & 1:
            continue
        coefs = {j: 1.0}
        for q in basis:
            overlap = math.fsum(c * corr[j][k] for k, c in q.items())
            for k, c in q.items():
                coefs[k] = coefs.get(k, 0.0) - overlap * c
        norm2 = math.fsum(a * b * corr[i][k] for i, a in coefs.items() for k, b in coefs.items())
        if norm2 < _COLLINEAR:
            continue
        norm = math.sqrt(norm2)
        q = {k: c / norm for k, c in coefs.items()}
        basis.append(q)
        explained += math.fsum(c * target[k] for k, c in q.items()) ** 2
    return min(max(explained, 0.0), 1.0)


def shapley_r_squared(rows: Sequence[Sequence[float]], outcome: Sequence[float]) -> tuple[float, list[float]]:
    """R² of the least-squares fit of `outcome` on the columns of `rows`, and each column's exact Shapley share of
    it (they add up to R²). A constant or fully collinear column gets only what it adds; a constant outcome
    raises ValueError (there is nothing to explain)."""
    n, p = len(rows), len(rows[0]) if rows else 0
    if n < 2 or len(outcome) != n:
        raise ValueError("need at least two rows, one outcome each")
    y = _standardised(outcome)
    if not any(y):
        raise ValueError("the outcome does not vary")
    columns = [_standardised([row[j] for row in rows]) for j in range(p)]
    corr = [[math.fsum(a * b for a, b in zip(columns[i], columns[k], strict=True)) / n for k in range(p)]
            for i in range(p)]
    target = [math.fsum(a * b for a, b in zip(columns[j], y, strict=True)) / n for j in range(p)]
    r2 = [_subset_r_squared(mask, corr, target) for mask in range(1 << p)]
    # A subset of s columns not holding j weighs s! (p - s - 1)! / p!: the orders in which exactly it precedes j.
    weight = [math.factorial(s) * math.factorial(p - s - 1) / math.factorial(p) for s in range(p)]
    shares = []
    for j in range(p):
        bit = 1 << j
        shares.append(math.fsum(weight[mask.bit_count()] * (r2[mask | bit] - r2[mask])
                                for mask in range(1 << p) if not mask & bit))
    return r2[-1], shares


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Pearson's r; 0 when either does not vary."""
    a, b = _standardised(xs), _standardised(ys)
    return math.fsum(x * y for x, y in zip(a, b, strict=True)) / len(a)


def focus_pillars(drivers: Sequence[PillarDriver], r_squared: float) -> set[str]:
    """The pillars to work on first: more important than average (a share above R²/6, the share each would have
    if all mattered alike), scoring below the median of the organisation's six pillar scores (a relative weakness,
    so an organisation scoring well everywhere still learns where its next step is), and going with a better
    outcome (a pillar that goes with a worse one is no lever)."""
    scores = [d.score for d in drivers if d.score is not None]
    if not scores or r_squared <= 0:
        return set()
    median = statistics.median(scores)
    return {d.pillar for d in drivers
            if d.raw > r_squared / len(drivers) and d.score is not None and d.score < median and d.positive}


# The data ------------------------------------------------------------------------------------------------------


def _period_index(period: str) -> int:
    found = Period.parse(period)
    return found.year * 4 + found.quarter


def _kpi_outcome(survey: str, organisation_id: int, campaign: Campaign, language: str) -> OutcomeValues | None:
    """The organisation's KPI computed by the survey's standard formula, per team, in the quarter with values
    nearest the campaign's close (the later of two as near). A team's own value is used; a team without one gets
    its people's values, weighted by their survey answers when all are known (the same as pooling the answers)."""
    kpi = db.session.scalar(select(Kpi).where(Kpi.organisation_id == organisation_id, Kpi.survey == survey,
                                              Kpi.active.is_(True)).order_by(Kpi.id).limit(1))
    if kpi is None:
        return None
    periods = set(db.session.scalars(select(KpiValue.period).where(KpiValue.kpi_id == kpi.id).distinct()))
    if not periods:
        return None
    closing = _period_index(str(Period.containing(campaign.closes_on)))
    period = min(periods, key=lambda p: (abs(_period_index(p) - closing), -_period_index(p)))
    by_team: dict[int, tuple[float, int | None]] = {}
    for team_id, weighted, answers, mean, counted, with_answers in db.session.execute(
        select(Person.team_id, func.sum(KpiValue.value * KpiValue.answers), func.sum(KpiValue.answers),
               func.avg(KpiValue.value), func.count(KpiValue.id), func.count(KpiValue.answers))
        .join(Person, Person.id == KpiValue.person_id)
        .where(KpiValue.kpi_id == kpi.id, KpiValue.period == period, Person.team_id.is_not(None))
        .group_by(Person.team_id)
    ):
        if with_answers == counted and answers:
            by_team[team_id] = (weighted / answers, answers)
        else:
            by_team[team_id] = (mean, None)
    for team_id, value, answers in db.session.execute(
        select(KpiValue.team_id, KpiValue.value, KpiValue.answers)
        .where(KpiValue.kpi_id == kpi.id, KpiValue.period == period, KpiValue.team_id.is_not(None))
    ):
        by_team[team_id] = (value, answers)
    return OutcomeValues(kpi.name(language), kpi.unit, kpi.better, period, by_team)


#: The outcomes a leader can pick, in the order offered. eNPS (from pulses) joins with a loader of its own.
OUTCOMES: dict[str, Outcome] = {
    "nps": Outcome("nps", _l("Net Promoter Score (NPS)"), partial(_kpi_outcome, "nps")),
    "csat": Outcome("csat", _l("Customer satisfaction (CSAT)"), partial(_kpi_outcome, "csat")),
    "ces": Outcome("ces", _l("Customer Effort Score (CES)"), partial(_kpi_outcome, "ces")),
}


def _outermost(values: dict[int, tuple[float, int | None]], organisation_id: int) -> list[tuple[float, int | None]]:
    """The values of the teams with no value above them (a department's value covers its teams)."""
    parents = dict(db.session.execute(select(Team.id, Team.parent_id).where(Team.organisation_id == organisation_id))
                   .all())
    kept = []
    for team_id, value in values.items():
        node, covered, seen = parents.get(team_id), False, set()
        while node is not None and node not in seen and not covered:
            seen.add(node)
            covered = node in values
            node = parents.get(node)
        if team_id in parents and not covered:
            kept.append(value)
    return kept


def _pooled(values: Sequence[tuple[float, int | None]]) -> float | None:
    """Values brought together: weighted by their answers when all are known, else a plain mean."""
    if not values:
        return None
    if all(answers for _value, answers in values):
        return math.fsum(v * a for v, a in values) / sum(a for _v, a in values)
    return statistics.fmean(v for v, _answers in values)


def drivers_of(organisation_id: int, outcome: str, language: str = "en") -> DriverAnalysis:
    """Which pillars go with the outcome across the organisation's teams (see the module's docstring)."""
    result = DriverAnalysis(outcome)
    campaign = latest_closed_campaign(organisation_id)
    if campaign is None:
        result.fallback = "no-campaign"
        return result
    result.campaign_title = campaign.title
    summary = organisation_summary(campaign)
    result.organisation_scores = {p.key: p.figure.score for p in summary.pillars} if summary.visible else {}
    values = OUTCOMES[outcome].load(organisation_id, campaign, language)
    if values is None:
        result.fallback = "no-outcome"
        return result
    result.outcome_name, result.unit, result.period = values.name, values.unit, values.period
    result.organisation_outcome = _pooled(_outermost(values.by_team, organisation_id))
    # One row per team with a value and all six shown scores; a department is left out when one of its teams is
    # in, so nobody's answers count twice.
    usable = [t for t in shown_team_scores(campaign) if t.team_id in values.by_team and len(t.scores) == len(PILLARS)]
    above = {ancestor for t in usable for ancestor in t.ancestors}
    rows = [t for t in usable if t.team_id not in above]
    result.teams, result.respondents = len(rows), sum(t.respondents for t in rows)
    result.small_sample_teams = sum(1 for t in rows if (values.by_team[t.team_id][1] or SMALL_SAMPLE) < SMALL_SAMPLE)
    if len(rows) < MIN_TEAMS:
        result.fallback = "few-teams"
        return result
    outcome_column = [values.by_team[t.team_id][0] for t in rows]
    matrix = [[t.scores[p] for p in PILLARS] for t in rows]
    try:
        r_squared, shares = shapley_r_squared(matrix, outcome_column)
    except ValueError:
        result.fallback = "flat-outcome"
        return result
    better = 1 if values.better == "higher" else -1
    drivers = [
        PillarDriver(p, str(PILLAR_LABELS[p]), share, 100 * share / r_squared if r_squared > 0 else 0.0,
                     result.organisation_scores.get(p), better * correlation([row[i] for row in matrix],
                                                                           outcome_column) > 0)
        for i, (p, share) in enumerate(zip(PILLARS, shares, strict=True))
    ]
    chosen = focus_pillars(drivers, r_squared)
    result.r_squared = r_squared
    result.pillars = sorted(
        (PillarDriver(d.pillar, d.label, d.raw, d.relative, d.score, d.positive, d.pillar in chosen) for d in drivers),
        key=lambda d: (-d.raw, PILLARS.index(d.pillar)),
    )
    return result
