"""Culture scores from anonymous answers, aggregated in SQL.

Scores use the recoded value (higher is always more customer-centric). A pillar's score is the mean of its
items' scores; favourable = 4-5, neutral = 3, unfavourable = 1-2. Reliability is Cronbach's alpha per pillar.
A "don't know / not applicable" answer (no score) is counted apart (`dont_know`) and left out of every score,
mean, distribution and respondent count; reliability uses the respondents who scored every statement of the
pillar.
Nothing here decides what may be shown: every caller passes results through suppression.py.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from ..extensions import db
from .answers import Answer, Response

#: Metrics from fewer answers than this carry a small-sample warning.
SMALL_SAMPLE = 30


@dataclass
class Tally:
    """Sums that add up exactly when groups are combined (a department = its teams + its own people).

    `respondents` and `answers` count scored answers only (1-5); `dont_know` the "don't know / not applicable"
    answers, which no other number includes. Kept figures from before don't know existed have six numbers.
    """

    respondents: int = 0
    answers: int = 0
    score_sum: int = 0
    favourable: int = 0
    neutral: int = 0
    unfavourable: int = 0
    dont_know: int = 0

    def add(self, other: Tally) -> None:
        for name in ("respondents", "answers", "score_sum", "favourable", "neutral", "unfavourable", "dont_know"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def mean(self) -> float | None:
        return self.score_sum / self.answers if self.answers else None

    def percent(self, part: str) -> float | None:
        return 100 * getattr(self, part) / self.answers if self.answers else None

    @property
    def small_sample(self) -> bool:
        return self.respondents < SMALL_SAMPLE

    @property
    def dont_know_percent(self) -> float | None:
        """Share of "don't know / not applicable" among everything answered on the statement(s)."""
        given = self.answers + self.dont_know
        return 100 * self.dont_know / given if given else None


def _tally_columns():
    return (
        # A response whose answers here are all "don't know" gave no score: it is not one of the respondents.
        func.count(func.distinct(case((Answer.score.is_not(None), Answer.response_id)))),
        func.count(Answer.score),
        func.sum(Answer.score),
        func.sum(case((Answer.score >= 4, 1), else_=0)),
        func.sum(case((Answer.score == 3, 1), else_=0)),
        func.sum(case((Answer.score <= 2, 1), else_=0)),
        func.sum(case((Answer.score.is_(None), 1), else_=0)),
    )


def _tally(row) -> Tally:
    return Tally(*(int(value or 0) for value in row))


def pillar_tallies(campaign_id: int, group_by=None, where: Iterable = ()) -> dict[tuple, Tally]:
    """{(group value, pillar): Tally} in one query; group_by is a Response column (team_id, job_role_id,
    leadership) or None for the whole campaign (group value None)."""
    return _pillar_tallies(group_by, (Response.campaign_id == campaign_id, *where))


def pillar_tallies_by_campaign(campaign_ids: Iterable[int]) -> dict[tuple, Tally]:
    """{(campaign id, pillar): Tally} of many campaigns' whole respondents, in one query."""
    return _pillar_tallies(Response.campaign_id, (Response.campaign_id.in_(list(campaign_ids)),))


def _pillar_tallies(group_column, where: tuple) -> dict[tuple, Tally]:
    columns = [group_column] if group_column is not None else []
    query = (
        select(*columns, Answer.pillar, *_tally_columns())
        .join(Response, Response.id == Answer.response_id)
        .where(*where)
        .group_by(*columns, Answer.pillar)
    )
    result = {}
    for row in db.session.execute(query):
        if group_column is not None:
            group, pillar, *numbers = row
        else:
            group, (pillar, *numbers) = None, row
        result[(group, pillar)] = _tally(numbers)
    return result


def respondent_counts(campaign_id: int, group_by) -> dict:
    """Respondents per group value (e.g. per team_id), in one query."""
    return dict(db.session.execute(
        select(group_by, func.count(Response.id)).where(Response.campaign_id == campaign_id).group_by(group_by)
    ).all())


def respondents_by_campaign(campaign_ids: Iterable[int]) -> dict[int, int]:
    """{campaign id: respondents} of many campaigns, in one query (campaigns without any are left out)."""
    return dict(db.session.execute(
        select(Response.campaign_id, func.count(Response.id))
        .where(Response.campaign_id.in_(list(campaign_ids))).group_by(Response.campaign_id)
    ).all())


@dataclass
class Moments:
    """A group's sums for statement tallies and reliability; they add up exactly when groups are combined."""

    #: item key -> (pillar, Tally, sum of squared scores)
    items: dict[str, list] = field(default_factory=dict)
    #: pillar -> [respondents, sum of pillar totals, sum of squared pillar totals] (a total: one respondent's
    #: scores on the pillar's statements added up)
    totals: dict[str, list] = field(default_factory=dict)

    def add(self, other: Moments) -> None:
        for key, (pillar, tally, squares) in other.items.items():
            mine = self.items.setdefault(key, [pillar, Tally(), 0])
            mine[1].add(tally)
            mine[2] += squares
        for pillar, numbers in other.totals.items():
            mine = self.totals.setdefault(pillar, [0, 0, 0])
            for i, value in enumerate(numbers):
                mine[i] += value

    def item_tallies(self) -> dict[str, Tally]:
        return {key: tally for key, (_pillar, tally, _squares) in self.items.items()}

    def reliability(self) -> dict[str, Reliability]:
        """Cronbach's alpha per pillar: k/(k-1) * (1 - sum of item variances / variance of the pillar total)."""
        item_variance: dict[str, float] = {}
        item_count: dict[str, int] = {}
        for pillar, tally, squares in self.items.values():
            if tally.answers:
                mean = tally.score_sum / tally.answers
                item_variance[pillar] = item_variance.get(pillar, 0.0) + squares / tally.answers - mean ** 2
                item_count[pillar] = item_count.get(pillar, 0) + 1
        result = {}
        for pillar, (n, total, squares) in self.totals.items():
            if not n or pillar not in item_count:
                continue
            k = item_count[pillar]
            total_variance = squares / n - (total / n) ** 2
            alpha = None
            if k > 1 and n > 1 and total_variance > 1e-12:
                alpha = k / (k - 1) * (1 - item_variance[pillar] / total_variance)
            result[pillar] = Reliability(alpha, int(n), k)
        return result

    def as_data(self) -> dict:
        return {"items": {k: [p, tally_list(t), s] for k, (p, t, s) in self.items.items()}, "totals": self.totals}

    @classmethod
    def from_data(cls, data: dict) -> Moments:
        return cls({k: [p, Tally(*t), s] for k, (p, t, s) in data["items"].items()},
                   {k: list(v) for k, v in data["totals"].items()})


def tally_list(tally: Tally) -> list[int]:
    return [tally.respondents, tally.answers, tally.score_sum, tally.favourable, tally.neutral, tally.unfavourable,
            tally.dont_know]


def moments(campaign_id: int, group_by=None, where: Iterable = ()) -> dict[object, Moments]:
    """{group value: Moments} in two queries; group_by is a Response column or None (group value None)."""
    where = (Response.campaign_id == campaign_id, *where)
    columns = [group_by] if group_by is not None else []
    result: dict[object, Moments] = {}
    for row in db.session.execute(
        select(*columns, Answer.pillar, Answer.item_key, *_tally_columns(), func.sum(Answer.score * Answer.score))
        .join(Response, Response.id == Answer.response_id).where(*where)
        .group_by(*columns, Answer.pillar, Answer.item_key)
    ):
        group, (pillar, key, *numbers) = (row[0], row[1:]) if columns else (None, row)
        result.setdefault(group, Moments()).items[key] = [pillar, _tally(numbers[:-1]), int(numbers[-1] or 0)]
    # A pillar total needs every statement of the pillar scored: respondents with a "don't know" in it are left
    # out of its reliability (complete cases).
    totals = (
        select(*[c.label("grp") for c in columns], Answer.pillar.label("pillar"),
               func.sum(Answer.score).label("total"))
        .join(Response, Response.id == Answer.response_id).where(*where)
        .group_by(*columns, Answer.response_id, Answer.pillar)
        .having(func.count(Answer.score) == func.count(Answer.id))
        .subquery()
    )
    total_columns = [totals.c.grp] if columns else []
    for row in db.session.execute(
        select(*total_columns, totals.c.pillar, func.count(), func.sum(totals.c.total),
               func.sum(totals.c.total * totals.c.total)).group_by(*total_columns, totals.c.pillar)
    ):
        group, (pillar, n, total, squares) = (row[0], row[1:]) if columns else (None, row)
        result.setdefault(group, Moments()).totals[pillar] = [int(n), int(total or 0), int(squares or 0)]
    return result


def item_tallies(campaign_id: int, where: Iterable = ()) -> dict[str, Tally]:
    query = (
        select(Answer.item_key, *_tally_columns())
        .join(Response, Response.id == Answer.response_id)
        .where(Response.campaign_id == campaign_id, *where)
        .group_by(Answer.item_key)
    )
    return {key: _tally(numbers) for key, *numbers in db.session.execute(query)}


@dataclass(frozen=True)
class Reliability:
    alpha: float | None
    n: int
    items: int

    @property
    def acceptable(self) -> bool:
        return self.alpha is not None and self.alpha >= 0.7


def cronbach_alpha(campaign_id: int, where: Iterable = ()) -> dict[str, Reliability]:
    """Cronbach's alpha per pillar of the campaign's responses matching `where`."""
    found = moments(campaign_id, where=where).get(None)
    return found.reliability() if found else {}
