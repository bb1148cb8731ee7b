"""Scorecards: per person and quarter, the KPIs of their reward plan against target, with trend, the behaviours
each KPI stands for, training progress, their team's culture snapshot and the alignment notes of their plan.

Scorecards are built set-based: one person or a whole team costs the same fixed number of queries (people,
plans, values of both quarters, behaviour links, training plans, the latest culture campaign, team paths), plus
one alignment review per distinct reward plan (at most one per job role). What comes out are dataclasses of
primitives: templates, PDFs and worker processes never touch the ORM.
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

from babel.numbers import format_decimal
from flask import g, has_app_context
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from ..extensions import db
from ..formatting import format_percent
from ..i18n import person_language
from ..orgs.models import Person, Team
from ..orgs.service import team_members_query, team_paths
from ..pillars import PILLARS
from ..refusals import Refused
from .alignment import plan_alignment
from .models import Behaviour, Kpi, KpiBehaviourLink, KpiValue, RewardComponent, RewardPlan
from .periods import Period

#: A line's status against its plan component.
MET, BELOW_TARGET, BELOW_THRESHOLD, NO_VALUE = "met", "below_target", "below_threshold", "no_value"
STATUSES = (MET, BELOW_TARGET, BELOW_THRESHOLD, NO_VALUE)
#: A line's trend against the previous quarter.
BETTER, WORSE, SAME, NEW = "better", "worse", "same", "new"
#: Values closer than this count as equal.
EPSILON = 1e-9
#: Below this many survey answers a value is flagged as a small sample (DESIGN.md: 30).
SMALL_SAMPLE = 30
#: The KPI a scorecard computes from the person's training record rather than reading a stored value: its share
#: of required modules completed then, so that it always agrees with the scorecard's training figures.
TRAINING_KPI = "training_completion"


# What pages, PDFs and the bulk run receive -------------------------------------------------------------------

@dataclass(frozen=True)
class KpiLine:
    """One KPI on a scorecard; weight, target and threshold are None for a KPI measured outside the plan."""

    kpi_id: int
    key: str
    name: str
    unit: str
    better: str
    category: str
    value: float | None
    previous: float | None
    weight: float | None = None
    target: float | None = None
    threshold: float | None = None
    #: Survey answers behind the value (NPS, CSAT, CES), when known.
    answers: int | None = None
    #: Names of the behaviours the KPI supports.
    behaviours: tuple[str, ...] = ()

    @property
    def status(self) -> str | None:
        """MET, BELOW_TARGET, BELOW_THRESHOLD or NO_VALUE; None without a target."""
        if self.target is None:
            return None
        return line_status(self.value, self.target, self.threshold, self.better)

    @property
    def trend(self) -> str | None:
        return line_trend(self.value, self.previous, self.better)

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def small_sample(self) -> bool:
        return self.answers is not None and self.answers < SMALL_SAMPLE


@dataclass(frozen=True)
class TrainingProgress:
    required_done: int
    required_total: int
    overdue: int
    #: The day the counts were taken on when the period is over (its last day); None while it runs (today).
    as_of: date | None = None

    @property
    def percent(self) -> int:
        return round(100 * self.required_done / self.required_total) if self.required_total else 0


@dataclass(frozen=True)
class CultureSnapshot:
    """The person's team in the latest closed culture campaign; no scores when the team's figure is hidden."""

    campaign: str
    team: str
    visible: bool
    #: (pillar key, score 1-5) in PILLARS order, only when visible.
    pillars: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class AlignmentNote:
    kpi: str
    behaviour: str
    rationale: str


@dataclass
class Scorecard:
    person_id: int
    name: str
    email: str
    organisation: str
    #: The language the person reads in ("en" or "it").
    language: str
    team_id: int | None
    team: str
    job_role: str
    period: str
    previous_period: str
    #: The reward plan's title, or None when the person's job role has no plan for the period.
    plan: str | None
    lines: list[KpiLine] = field(default_factory=list)
    #: KPIs with a value for the person but no component in their plan.
    also_measured: list[KpiLine] = field(default_factory=list)
    training: TrainingProgress | None = None
    culture: CultureSnapshot | None = None
    conflicts: list[AlignmentNote] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(line.status == status for line in self.lines)

    @property
    def met(self) -> int:
        return self.count(MET)

    @property
    def weight_met(self) -> float:
        """Share of the plan's weight (in %) on KPIs that met their target."""
        return sum(line.weight or 0 for line in self.lines if line.status == MET)


@dataclass(frozen=True)
class TeamKpiSummary:
    """One KPI across the people of a team pack."""

    kpi_id: int
    name: str
    unit: str
    better: str
    #: How many people have the KPI on their plan, and how many of them have a value.
    people: int
    with_value: int
    met: int
    mean: float | None
    median: float | None
    #: The team's own value for the period (a KpiValue of the team), if any.
    team_value: float | None = None


@dataclass
class TeamPack:
    title: str
    period: str
    language: str
    scorecards: list[Scorecard]
    kpis: list[TeamKpiSummary]
    #: The team's own KPI values that no member's plan has: (name, unit, value).
    team_only: list[tuple[str, str, float]] = field(default_factory=list)
    culture: CultureSnapshot | None = None
    #: The alignment notes once per reward plan of the team: (plan title, conflicts, suggestions).
    plans: list[tuple[str, list[AlignmentNote], list[str]]] = field(default_factory=list)


# Status and trend ----------------------------------------------------------------------------------------------

def _at_least(value: float, level: float, better: str) -> bool:
    """Whether `value` reaches `level` in the KPI's good direction."""
    return value >= level - EPSILON if better == "higher" else value <= level + EPSILON


def line_status(value: float | None, target: float, threshold: float | None, better: str) -> str:
    if value is None:
        return NO_VALUE
    if _at_least(value, target, better):
        return MET
    if threshold is not None and not _at_least(value, threshold, better):
        return BELOW_THRESHOLD
    return BELOW_TARGET


def line_trend(value: float | None, previous: float | None, better: str) -> str | None:
    if value is None:
        return None
    if previous is None:
        return NEW
    if abs(value - previous) <= EPSILON:
        return SAME
    improved = value > previous if better == "higher" else value < previous
    return BETTER if improved else WORSE


# Building scorecards ------------------------------------------------------------------------------------------

def parse_period(text: str | None) -> Period:
    """The quarter written like 2026-Q3; refuses anything else."""
    try:
        return Period.parse(text or "")
    except ValueError:
        raise Refused({"period": _l("“%(period)s” is not a quarter: write it like %(example)s.",
                                    period=(text or "")[:40], example="2026-Q3")}, "period") from None


_PEOPLE_OPTIONS = (joinedload(Person.job_role), joinedload(Person.organisation), lazyload(Person.permission_rows))


def scorecards_for(people_query: Select, period: str | Period, language: str | None = None,
                   today: date | None = None) -> list[Scorecard]:
    """The scorecards of the people `people_query` (a select of Person, one organisation) finds, in its order.

    `language` None writes each scorecard in its person's own language.
    """
    from ..assessments.results.summary import latest_closed_campaign, team_snapshots
    from ..modules.reports import load_plans

    period = parse_period(str(period))
    previous = period.previous()
    people = list(db.session.scalars(people_query.options(*_PEOPLE_OPTIONS)).unique())
    if not people:
        return []
    organisation_id = people[0].organisation_id
    if any(p.organisation_id != organisation_id for p in people):
        raise ValueError("the people of a scorecard run belong to one organisation")
    ids = people_query.with_only_columns(Person.id).order_by(None)
    today = today or date.today()

    plans = {plan.job_role_id: plan for plan in db.session.scalars(
        select(RewardPlan).where(RewardPlan.organisation_id == organisation_id, RewardPlan.period == str(period))
        .options(selectinload(RewardPlan.components).joinedload(RewardComponent.kpi),
                 joinedload(RewardPlan.job_role)))}

    values: dict[tuple[int, str], dict[int, KpiValue]] = defaultdict(dict)
    kpis: dict[int, Kpi] = {}
    for value, kpi in db.session.execute(
        select(KpiValue, Kpi).join(Kpi, KpiValue.kpi_id == Kpi.id)
        .where(KpiValue.organisation_id == organisation_id, KpiValue.person_id.in_(ids),
               KpiValue.period.in_((str(period), str(previous))))
        .options(lazyload("*"))
    ).tuples():
        values[(value.person_id, value.period)][value.kpi_id] = value
        kpis[kpi.id] = kpi

    supports: dict[int, list[Behaviour]] = defaultdict(list)
    for kpi_id, behaviour in db.session.execute(
        select(KpiBehaviourLink.kpi_id, Behaviour)
        .join(Behaviour, KpiBehaviourLink.behaviour_id == Behaviour.id)
        .where(Behaviour.organisation_id == organisation_id, Behaviour.active, KpiBehaviourLink.effect == "supports")
        .order_by(Behaviour.pillar, Behaviour.id)
    ).tuples():
        supports[kpi_id].append(behaviour)

    training = {plan.person.id: plan for plan in load_plans(people, ids)}
    paths = team_paths(organisation_id)
    campaign = latest_closed_campaign(organisation_id)
    snapshots = team_snapshots(campaign, {p.team_id for p in people}) if campaign is not None else {}

    alignments: dict[tuple[int, str], tuple[list[AlignmentNote], list[str]]] = {}
    result = []
    for person in people:
        lang = language or person_language(person)
        plan = plans.get(person.job_role_id)
        now = values.get((person.id, str(period)), {})
        before = values.get((person.id, str(previous)), {})

        own_plan = training.get(person.id)
        progress = _training_progress(own_plan, period.end, today)
        progress_before = _training_progress(own_plan, previous.end, today)

        def line(kpi: Kpi, component: RewardComponent | None = None, now=now, before=before, lang=lang,
                 progress=progress, progress_before=progress_before) -> KpiLine:
            one = _kpi_line(kpi, component, now.get(kpi.id), before.get(kpi.id), lang, supports)
            if kpi.key == TRAINING_KPI and progress is not None:
                one = replace(one, value=float(progress.percent), answers=None,
                              previous=float(progress_before.percent) if progress_before else one.previous)
            return one

        lines = [line(c.kpi, c) for c in plan.components] if plan else []
        in_plan = {c.kpi_id for c in plan.components} if plan else set()
        also = sorted((line(kpis[kpi_id]) for kpi_id in now if kpi_id not in in_plan),
                      key=lambda one: one.name.casefold())
        card = Scorecard(
            person.id,
            person.name,
            person.email,
            person.organisation.name,
            lang,
            person.team_id,
            paths.get(person.team_id, ""),
            person.job_role.name(lang) if person.job_role else "",
            str(period),
            str(previous),
            plan.title(lang) if plan else None,
            lines,
            also,
        )
        if plan is not None:
            if (plan.id, lang) not in alignments:
                review = _in_language(plan_alignment, plan, lang)
                alignments[(plan.id, lang)] = (
                    [AlignmentNote(c.kpi, c.behaviour, c.rationale) for c in review.conflicts],
                    review.suggestions,
                )
            card.conflicts, card.suggestions = alignments[(plan.id, lang)]
        card.training = progress
        if campaign is not None and person.team_id is not None:
            card.culture = _snapshot(campaign.title, paths.get(person.team_id, ""), snapshots.get(person.team_id))
        result.append(card)
    return result


def _training_progress(plan, end: date, today: date) -> TrainingProgress | None:
    """The person's required modules completed by `end` (today while the period runs), against the required
    modules of their path; None without a path. The training KPI and the training figures both come from it."""
    if plan is None or not plan.entries:
        return None
    as_of = min(end, today)
    required = plan.required
    done = sum(1 for e in required if e.progress is not None and e.progress.completed_at is not None
               and e.progress.completed_at.date() <= as_of)
    return TrainingProgress(done, len(required), sum(e.overdue(today) for e in required),
                            as_of if as_of < today else None)


def _in_language(function, plan: RewardPlan, language: str):
    """Call the alignment review with its sentences in `language` (it words them in the current locale)."""
    if has_app_context():
        g.scorecards_language = language  # force_locale switches nothing while g is empty (outside a request)
    with force_locale(language):
        return function(plan, language)


def _snapshot(campaign: str, team: str, scores: dict[str, float] | None) -> CultureSnapshot:
    if scores is None:
        return CultureSnapshot(campaign, team, False)
    return CultureSnapshot(campaign, team, True, tuple((p, scores[p]) for p in PILLARS if p in scores))


def scorecard(person: Person, period: str | Period, language: str | None = None) -> Scorecard:
    """One person's scorecard (in `language`, else their own)."""
    cards = scorecards_for(select(Person).where(Person.id == person.id), period, language)
    return cards[0]


# Who may see whose scorecard ------------------------------------------------------------------------------------


def may_view(viewer: Person, person: Person) -> bool:
    """Self, HR of the organisation, and the manager responsible for the person (same rule as team training)."""
    if viewer.organisation_id != person.organisation_id:
        return False
    if viewer.id == person.id or viewer.can("hr"):
        return True
    if not viewer.can("manager"):
        return False
    reach = team_members_query(viewer).with_only_columns(Person.id).where(Person.id == person.id)
    return db.session.scalar(reach) is not None


def team_people_query(manager: Person) -> Select:
    """The people whose scorecards a manager reads: those they are responsible for."""
    return team_members_query(manager)


def organisation_people_query(organisation_id: int, team_ids: Iterable[int] | None = None) -> Select:
    """Active people of the organisation by name, optionally only those of `team_ids`."""
    query = select(Person).where(Person.organisation_id == organisation_id, Person.active.is_(True))
    if team_ids is not None:
        query = query.where(Person.team_id.in_(list(team_ids)))
    return query.order_by(Person.name, Person.id)


def team_in_organisation(organisation_id: int, team_id: int | None) -> Team | None:
    if team_id is None:
        return None
    team = db.session.get(Team, team_id)
    return team if team is not None and team.organisation_id == organisation_id else None


# Counts for HR's dashboard -------------------------------------------------------------------------------------


@dataclass
class ScorecardCounts:
    """A team's scorecards of one quarter, counted (team None: people without a team)."""

    team_id: int | None
    #: Active people whose job role has a reward plan for the quarter.
    people: int = 0
    #: Their plans' KPI lines, how many have a value, and how many of those met their target.
    lines: int = 0
    with_value: int = 0
    met: int = 0

    def add(self, status: str) -> None:
        self.lines += 1
        self.with_value += status != NO_VALUE
        self.met += status == MET


def scorecard_counts(organisation_id: int, period: str | Period) -> list[ScorecardCounts]:
    """The quarter's scorecards counted per team, in one query whatever the number of people: each plan line of
    each active person with its value (if any), judged by `line_status` as the scorecard judges it."""
    period = str(period)
    counts: dict[int | None, ScorecardCounts] = {}
    people: dict[int | None, set[int]] = defaultdict(set)
    for person_id, team_id, better, target, threshold, value in db.session.execute(
        select(Person.id, Person.team_id, Kpi.better, RewardComponent.target, RewardComponent.threshold,
               KpiValue.value)
        .join(RewardPlan, (RewardPlan.organisation_id == Person.organisation_id)
              & (RewardPlan.job_role_id == Person.job_role_id) & (RewardPlan.period == period))
        .join(RewardComponent, RewardComponent.plan_id == RewardPlan.id)
        .join(Kpi, Kpi.id == RewardComponent.kpi_id)
        .outerjoin(KpiValue, (KpiValue.person_id == Person.id) & (KpiValue.kpi_id == RewardComponent.kpi_id)
                   & (KpiValue.period == period))
        .where(Person.organisation_id == organisation_id, Person.active.is_(True))
    ):
        counts.setdefault(team_id, ScorecardCounts(team_id)).add(line_status(value, target, threshold, better))
        people[team_id].add(person_id)
    for team_id, found in counts.items():
        found.people = len(people[team_id])
    return list(counts.values())


# Team packs --------------------------------------------------------------------------------------------------


def team_pack(
    title: str,
    cards: Sequence[Scorecard],
    organisation_id: int,
    period: str | Period,
    language: str,
    team_id: int | None = None,
) -> TeamPack:
    """The team summary over `cards`: per KPI of their plans the mean, median and how many met target, and the
    team's own KPI values (a KpiValue of `team_id`) for the period."""
    period = str(parse_period(str(period)))
    by_kpi: dict[int, list[KpiLine]] = defaultdict(list)
    for card in cards:
        for line in card.lines:
            by_kpi[line.kpi_id].append(line)
    team_values: dict[int, tuple[Kpi, float]] = {}
    if team_id is not None:
        for value, kpi in db.session.execute(
            select(KpiValue, Kpi)
            .join(Kpi, KpiValue.kpi_id == Kpi.id)
            .where(KpiValue.organisation_id == organisation_id, KpiValue.team_id == team_id, KpiValue.period == period)
            .options(lazyload("*"))
        ).tuples():
            team_values[kpi.id] = (kpi, value.value)
    summaries = []
    for kpi_id, lines in by_kpi.items():
        numbers = [line.value for line in lines if line.value is not None]
        first = lines[0]
        own = team_values.get(kpi_id)
        summaries.append(
            TeamKpiSummary(
                kpi_id,
                own[0].name(language) if own else first.name,
                first.unit,
                first.better,
                len(lines),
                len(numbers),
                sum(line.status == MET for line in lines),
                statistics.fmean(numbers) if numbers else None,
                statistics.median(numbers) if numbers else None,
                own[1] if own else None,
            )
        )
    summaries.sort(key=lambda s: (-s.people, s.name.casefold()))
    team_only = sorted(
        ((kpi.name(language), kpi.unit, value) for kpi_id, (kpi, value) in team_values.items() if kpi_id not in by_kpi),
        key=lambda row: row[0].casefold(),
    )
    cultures = {card.culture for card in cards if card.culture is not None and card.team_id == team_id}
    plans: dict[str, tuple[str, list[AlignmentNote], list[str]]] = {}
    for card in cards:
        if card.plan and card.plan not in plans and (card.conflicts or card.suggestions):
            plans[card.plan] = (card.plan, card.conflicts, card.suggestions)
    return TeamPack(
        title,
        period,
        language,
        list(cards),
        summaries,
        team_only,
        next(iter(cultures)) if len(cultures) == 1 else None,
        sorted(plans.values(), key=lambda plan: plan[0].casefold()),
    )


@dataclass(frozen=True)
class GridColumn:
    """One KPI of a status grid."""

    kpi_id: int
    name: str


@dataclass(frozen=True)
class GridRow:
    """One person of a status grid: a cell per column, None where the KPI is not on the person's plan."""

    person_id: int
    name: str
    job_role: str
    has_plan: bool
    cells: tuple[KpiLine | None, ...]


@dataclass(frozen=True)
class StatusGrid:
    """People × KPIs of their plans, so that a manager sees at a glance who is off target where."""

    columns: tuple[GridColumn, ...]
    rows: tuple[GridRow, ...]


def status_grid(cards: Sequence[Scorecard]) -> StatusGrid:
    """The plan lines of `cards` as a grid: a column per KPI on anyone's plan (the most shared first, as in the
    team pack's summary), a row per person in the order of `cards`."""
    shared: dict[int, list[KpiLine]] = defaultdict(list)
    for card in cards:
        for line in card.lines:
            shared[line.kpi_id].append(line)
    order = sorted(shared.values(), key=lambda lines: (-len(lines), lines[0].name.casefold()))
    columns = tuple(GridColumn(lines[0].kpi_id, lines[0].name) for lines in order)
    rows = []
    for card in cards:
        by_kpi = {line.kpi_id: line for line in card.lines}
        rows.append(GridRow(card.person_id, card.name, card.job_role, card.plan is not None,
                            tuple(by_kpi.get(column.kpi_id) for column in columns)))
    return StatusGrid(columns, tuple(rows))


# Formatting ---------------------------------------------------------------------------------------------------


def format_value(value: float | None, unit: str, locale: str = "en") -> str:
    """A KPI value as people read it: "72%", "312 s", "€ 4.20", "+35"; "—" for none."""
    if value is None:
        return "—"
    whole = abs(value - round(value)) < 0.05
    if unit == "percent":
        return format_percent(value, 0 if whole else 1, locale=locale)
    number = format_decimal(value, "#,##0" if whole else "#,##0.0", locale=locale)
    if unit == "euro":
        return f"€ {format_decimal(value, '#,##0.00', locale=locale)}"
    suffix = {"seconds": " s", "minutes": " min", "hours": " h", "days": " d"}.get(unit, "")
    return number + suffix


def format_change(value: float | None, unit: str, locale: str = "en", points: str = "pts") -> str:
    """A change between quarters: "+15 s", "−8.5 pts" (a change of a percentage is in points)."""
    if value is None:
        return "—"
    if abs(value) <= EPSILON:
        return "±0"
    text = format_value(abs(value), "points" if unit == "percent" else unit, locale)
    if unit == "percent":
        text = f"{text} {points}"
    return ("+" if value > 0 else "−") + text


def _kpi_line(kpi: Kpi, component: RewardComponent | None, value: KpiValue | None, earlier: KpiValue | None,
              lang: str, supports: dict[int, list[Behaviour]]) -> KpiLine:
    """One KPI's line on a scorecard: this period's value against the plan's target, and the one before."""
    return KpiLine(
        kpi.id, kpi.key, kpi.name(lang), kpi.unit, kpi.better, kpi.category,
        value.value if value else None, earlier.value if earlier else None,
        component.weight if component else None, component.target if component else None,
        component.threshold if component else None, value.answers if value else None,
        tuple(b.name(lang) for b in supports.get(kpi.id, ())))
