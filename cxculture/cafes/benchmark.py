"""The anonymous benchmark network: an organisation's pillar scores against the other opted-in organisations.

Only organisations that opted in count, each with its latest closed campaign, and only when that campaign's
respondents reach the campaign's anonymity threshold (the organisation-level figure would be hidden
otherwise): the assessment area decides that and computes the scores (results.summary.network_pillar_scores),
and this module keeps only the network's rules. A pillar is compared only when at least MIN_ORGANISATIONS such
organisations have a score on it. What comes out is the median and quartiles of the network and where the
organisation stands: never a name, never another organisation's single figure, never a count of respondents.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ..assessments.results.summary import network_pillar_scores
from ..extensions import db
from ..orgs.models import Organisation
from ..pillars import PILLARS

#: Fewer organisations than this and no comparison is shown.
MIN_ORGANISATIONS = 3

#: Where an organisation stands, by quartile band.
BELOW_Q1, Q1_TO_MEDIAN, MEDIAN_TO_Q3, ABOVE_Q3 = "below_q1", "q1_to_median", "median_to_q3", "above_q3"


@dataclass(frozen=True)
class PillarBenchmark:
    pillar: str
    q1: float
    median: float
    q3: float
    #: The organisation's own score, when it may be shown; None otherwise.
    own: float | None = None

    @property
    def position(self) -> str | None:
        if self.own is None:
            return None
        if self.own < self.q1:
            return BELOW_Q1
        if self.own < self.median:
            return Q1_TO_MEDIAN
        if self.own <= self.q3:
            return MEDIAN_TO_Q3
        return ABOVE_Q3


@dataclass
class Benchmark:
    #: "ok"; "not-opted-in" (the organisation does not share, so it does not compare); "not-enough" (fewer
    #: than MIN_ORGANISATIONS organisations in the network have results that may be shown).
    status: str
    pillars: list[PillarBenchmark] = field(default_factory=list)
    #: Whether the organisation's own latest closed campaign counts (has one, at or above its threshold).
    own_included: bool = False

    def as_snapshot(self) -> dict:
        """Primitive JSON for an agenda item's snapshot."""
        return {"status": self.status, "own_included": self.own_included,
                "pillars": [{"pillar": p.pillar, "q1": p.q1, "median": p.median, "q3": p.q3, "own": p.own,
                             "position": p.position} for p in self.pillars]}


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """Q1, median and Q3 by linear interpolation between the sorted values (the "inclusive" method)."""
    ordered = sorted(values)
    if not ordered:
        raise ValueError("quartiles of no values")

    def at(fraction: float) -> float:
        position = fraction * (len(ordered) - 1)
        low = int(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return at(0.25), at(0.5), at(0.75)


def network_scores() -> dict[int, dict[str, float]]:
    """{organisation id: {pillar: score}} of every opted-in organisation whose latest closed campaign reaches its
    threshold, as the assessment area gives them (a fixed number of queries whatever the number of
    organisations)."""
    opted_in = select(Organisation.id).where(Organisation.benchmark_opt_in.is_(True))
    return network_pillar_scores(opted_in)


def organisation_benchmark(organisation_id: int) -> Benchmark:
    """Per pillar, the network's median and quartiles and where the organisation stands."""
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
        q1, median, q3 = quartiles(values)
        pillars.append(PillarBenchmark(pillar, q1, median, q3, own.get(pillar)))
    if not pillars:
        return Benchmark("not-enough", own_included=organisation_id in scores)
    return Benchmark("ok", pillars, own_included=organisation_id in scores)
