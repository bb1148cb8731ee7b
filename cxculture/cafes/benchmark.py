"""The anonymous benchmark network: where an organisation stands, per pillar, among the opted-in organisations.

Only organisations that opted in count, each with its latest closed campaign, and only when that campaign's
respondents reach the campaign's anonymity threshold: the assessment area decides that and computes the scores
(results.summary.network_pillar_scores); this module keeps only the network's rules. A pillar is compared only
when at least MIN_ORGANISATIONS organisations have a score on it.

What may be published, thinking like an attacker. Every participant knows its own score, can read the
benchmark as often as it likes, before and after another organisation joins or leaves, and can even move its
own score (a new campaign) to probe the others. The earlier design published the exact median and
interpolated quartiles of as few as three organisations: with three, the median *is* one organisation's score
and the quartiles are half-sums with the participant's own, so one organisation recovered the other two; with
five, the median and (nearest-rank) quartiles are still organisations' own scores, and any mean or count can be
differenced across two readings to isolate the organisation that joined or left.

So the network's figures are made of coarse values only. Every organisation's score is first rounded to the
nearest STEP (0.5 on the 1-5 scale), and the published lower quartile, median and upper quartile are order
statistics (nearest rank, never an average) of those rounded values. Rounding is monotone, so an order statistic
of rounded values is the rounded order statistic, and every published figure is a function of the multiset of
rounded scores alone: whatever an attacker reads, before or after a join or a leave, and whatever its own score
is, it learns at most which STEP-wide cell each other organisation's score lies in (at least 0.25 wide at the ends
of the scale, 0.5 elsewhere), never the score within 0.1. No mean, no count, no spread, no name is published.
Where the organisation stands is worked out from its own rounded score against those published figures only,
so it says nothing that the figures do not already say.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from sqlalchemy import select

from ..assessments.results.summary import network_pillar_scores
from ..extensions import db
from ..orgs.models import Organisation
from ..pillars import PILLARS

#: Fewer organisations than this with a score on a pillar and that pillar is not compared.
MIN_ORGANISATIONS = 5

#: Every organisation's score is rounded to this step before any network figure is taken from it.
STEP = 0.5

#: Where an organisation stands against the network's middle half (its rounded score below the lower quartile,
#: between the quartiles, above the upper quartile).
BEHIND, IN_LINE, AHEAD = "behind", "in_line", "ahead"


def coarse(score: float) -> float:
    """The score rounded half up to the nearest STEP (3.24 -> 3.0, 3.25 -> 3.5)."""
    return math.floor(score / STEP + 0.5) * STEP


def order_statistic(ordered: list[float], fraction: float) -> float:
    """The nearest-rank value at `fraction` of sorted values: always one of them, never a mean of two."""
    if not ordered:
        raise ValueError("order statistic of no values")
    return ordered[max(math.ceil(fraction * len(ordered)) - 1, 0)]


@dataclass(frozen=True)
class PillarBenchmark:
    pillar: str
    #: The network's lower quartile, median and upper quartile, multiples of STEP.
    q1: float
    median: float
    q3: float
    #: The organisation's own score, when it may be shown; None otherwise.
    own: float | None = None

    @property
    def position(self) -> str | None:
        if self.own is None:
            return None
        own = coarse(self.own)
        if own < self.q1:
            return BEHIND
        if own > self.q3:
            return AHEAD
        return IN_LINE


@dataclass
class Benchmark:
    #: "ok"; "not-opted-in" (the organisation does not share, so it does not compare); "not-enough" (fewer
    #: than MIN_ORGANISATIONS organisations in the network have results that may be shown).
    status: str
    pillars: list[PillarBenchmark] = field(default_factory=list)
    #: Whether the organisation's own latest closed campaign counts (has one, at or above its threshold).
    own_included: bool = False

    def as_snapshot(self) -> dict:
        """Primitive JSON for an agenda item's snapshot (what every page and PDF shows)."""
        return {"status": self.status, "own_included": self.own_included, "step": STEP,
                "min_organisations": MIN_ORGANISATIONS,
                "pillars": [{"pillar": p.pillar, "q1": p.q1, "median": p.median, "q3": p.q3, "own": p.own,
                             "position": p.position} for p in self.pillars]}


def network_figures(scores: list[float]) -> tuple[float, float, float]:
    """Lower quartile, median and upper quartile of the rounded scores (see the module's docstring)."""
    ordered = sorted(coarse(score) for score in scores)
    return order_statistic(ordered, 0.25), order_statistic(ordered, 0.5), order_statistic(ordered, 0.75)


def network_scores() -> dict[int, dict[str, float]]:
    """{organisation id: {pillar: score}} of every opted-in organisation whose latest closed campaign reaches its
    threshold, as the assessment area gives them (a fixed number of queries whatever the number of
    organisations). Never shown: only network_figures of them are."""
    opted_in = select(Organisation.id).where(Organisation.benchmark_opt_in.is_(True))
    return network_pillar_scores(opted_in)


def organisation_benchmark(organisation_id: int) -> Benchmark:
    """Per pillar, the network's rounded quartiles and median and where the organisation stands."""
    opted_in = db.session.scalar(select(Organisation.benchmark_opt_in).where(Organisation.id == organisation_id))
    if not opted_in:
        return Benchmark("not-opted-in")
    scores = network_scores()
    own = scores.get(organisation_id, {})
    pillars = []
    for pillar in PILLARS:
        values = [by_pillar[pillar] for by_pillar in scores.values() if pillar in by_pillar]
        if len(values) < MIN_ORGANISATIONS:
            continue
        pillars.append(PillarBenchmark(pillar, *network_figures(values), own.get(pillar)))
    if not pillars:
        return Benchmark("not-enough", own_included=organisation_id in scores)
    return Benchmark("ok", pillars, own_included=organisation_id in scores)
