"""What pages, CSV and PDF receive: each group's figures on a pillar or statement, hidden as a whole.

A hidden figure is the `HIDDEN` value with no number at all, not even its number of respondents. A shown group's
figure from fewer scored answers than the threshold (the rest "don't know / not applicable") says only how many
did not know: the score of so few is not shown.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..campaigns import LOW_TURNOUT_PERCENT
from ..scoring import Tally

#: A reliability below this is flagged.
ACCEPTABLE_ALPHA = 0.7
#: A statement answered "don't know / not applicable" by at least this share is flagged: few can judge it.
DONT_KNOW_FLAG_PERCENT = 50


@dataclass(frozen=True)
class Figure:
    """One group's result on one pillar (or item); when hidden, every number is None."""

    hidden: bool
    score: float | None = None
    favourable: float | None = None
    neutral: float | None = None
    unfavourable: float | None = None
    #: The respondents who gave a score (1-5): the n the score is computed from.
    respondents: int | None = None
    small_sample: bool = False
    #: "Don't know / not applicable" answers, and their share of everything answered (scored or not).
    dont_know: int | None = None
    dont_know_percent: float | None = None
    #: The group is shown but too few gave a score (fewer than the threshold): no score, only the don't-know share.
    too_few_scored: bool = False

    @property
    def dont_know_dominates(self) -> bool:
        return self.dont_know_percent is not None and self.dont_know_percent >= DONT_KNOW_FLAG_PERCENT

    @property
    def heat_class(self) -> str:
        """The heatmap cell's colour band."""
        score = self.score
        if score is None:
            return "rs-heat-none"
        return ("rs-heat-1" if score < 2.5 else "rs-heat-2" if score < 3 else "rs-heat-3" if score < 3.5
                else "rs-heat-4" if score < 4 else "rs-heat-5")

    @classmethod
    def of(cls, tally: Tally | None, min_scored: int = 1) -> Figure:
        """The figure of a group that may be shown; `min_scored` respondents must have given a score (the
        threshold) for the score and the distribution to be shown."""
        if tally is None or not (tally.answers or tally.dont_know):
            return HIDDEN
        if tally.respondents < max(min_scored, 1):
            return cls(False, dont_know=tally.dont_know, dont_know_percent=tally.dont_know_percent,
                       too_few_scored=True)
        return cls(False, tally.mean, tally.percent("favourable"), tally.percent("neutral"),
                   tally.percent("unfavourable"), tally.respondents, tally.small_sample, tally.dont_know,
                   tally.dont_know_percent)


HIDDEN = Figure(hidden=True)


@dataclass(frozen=True)
class PillarResult:
    key: str
    label: str
    figure: Figure
    alpha: float | None = None
    alpha_n: int | None = None
    #: Change of the score since the previous closed campaign; None unless both are shown. When the two campaigns'
    #: questionnaires differ, both scores are computed on the statements they share (see `previous_score`).
    change: float | None = None
    #: The previous campaign's score the change is measured from.
    previous_score: float | None = None

    @property
    def alpha_flagged(self) -> bool:
        return self.alpha is None or self.alpha < ACCEPTABLE_ALPHA


@dataclass(frozen=True)
class HeatmapRow:
    key: int | str | None
    label: str
    hidden: bool
    #: Figures in PILLARS order.
    cells: tuple[Figure, ...]
    respondents: int | None = None
    depth: int = 0
    #: The label within its parent's row (a sub-team's own name); `label` is the full path.
    short_label: str = ""

    @property
    def display_label(self) -> str:
        return self.short_label or self.label


@dataclass(frozen=True)
class GapRow:
    pillar: str
    label: str
    leadership: Figure
    others: Figure
    #: Leadership's score minus everyone else's.
    gap: float | None
    widest: bool = False


@dataclass(frozen=True)
class ItemResult:
    key: str
    text: str
    reverse: bool
    figure: Figure


@dataclass(frozen=True)
class PillarItems:
    key: str
    label: str
    items: tuple[ItemResult, ...]


@dataclass(frozen=True)
class QuestionComments:
    key: str
    text: str
    #: In a random order, without their group or date.
    comments: tuple[str, ...]


@dataclass
class CampaignResults:
    campaign_id: int
    title: str
    status: str
    closes_on: date
    threshold: int
    #: "organisation" (leaders, admins and the employee summary) or "teams" (a manager's own teams).
    scope: str
    #: False when even the organisation total is below the threshold: nothing but that is said.
    visible: bool
    #: What the overview describes: the organisation, a filtered team or job role, or a manager's team.
    focus_label: str = ""
    #: ("team" | "job_role", id) when a filter is applied.
    filter: tuple[str, int] | None = None
    #: What a filtered overview is drawn against on the radar (the whole organisation, or a manager's teams
    #: together) and its figures in PILLARS order; empty when there is nothing this viewer may be shown to compare.
    comparison_label: str = ""
    comparison: list[Figure] = field(default_factory=list)
    respondents: int | None = None
    invited: int | None = None
    pillars: list[PillarResult] = field(default_factory=list)
    team_rows: list[HeatmapRow] = field(default_factory=list)
    role_rows: list[HeatmapRow] = field(default_factory=list)
    gaps: list[GapRow] = field(default_factory=list)
    gap_hidden: bool = False
    items: list[PillarItems] = field(default_factory=list)
    comments: list[QuestionComments] = field(default_factory=list)
    #: The organisation's retention deleted this closed campaign's comments (its figures are kept).
    comments_expired: bool = False
    previous_title: str | None = None
    #: When the previous campaign used another questionnaire: how many statements both share (the trend is computed
    #: on those only; 0: nothing to compare). None when both used the same statements.
    shared_statements: int | None = None
    #: The questionnaire offered "don't know / not applicable" (its counts are shown then).
    dont_know_offered: bool = False
    #: Teams a manager may filter on (id, label), or every team for leaders; job roles likewise.
    team_choices: list[tuple[int, str]] = field(default_factory=list)
    role_choices: list[tuple[int, str]] = field(default_factory=list)

    @property
    def focus_visible(self) -> bool:
        return any(not p.figure.hidden for p in self.pillars)

    @property
    def turnout_percent(self) -> int | None:
        if self.respondents is None or not self.invited:
            return None
        return round(100 * self.respondents / self.invited)

    @property
    def turnout_low(self) -> bool:
        percent = self.turnout_percent
        return percent is not None and percent < LOW_TURNOUT_PERCENT

    @property
    def widest_gaps(self) -> list[GapRow]:
        return [row for row in self.gaps if row.widest]

    def scores(self) -> list[float | None]:
        return [None if p.figure.hidden else p.figure.score for p in self.pillars]

    def comparison_scores(self) -> list[float | None]:
        return [None if figure.hidden else figure.score for figure in self.comparison]

