"""The reward-alignment review: does what a company measures and pays for push people toward customers?

Per reward plan: the share of weight on customer outcomes and customer-centric behaviours against efficiency
and financial KPIs, and every KPI that works against a behaviour the organisation wants. For the whole
period: the behaviours no rewarded KPI stands for, the culture assessment's "rewards" pillar (only when its
figure may be shown), and concrete suggestions.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..pillars import PILLAR_LABELS
from .models import CATEGORIES, CUSTOMER_CATEGORIES, Behaviour, Kpi, KpiBehaviourLink, RewardComponent, RewardPlan

#: Below this share of weight on customers, a plan is flagged.
CUSTOMER_SHARE_GOAL = 50.0
#: A plan putting this much weight (in %) on KPIs that work against customers pulls people away from them.
CONFLICT_WEIGHT_LIMIT = 30.0
#: A rewards-pillar score below this (of 5) says people do not see customers rewarded.
REWARDS_PILLAR_CONCERN = 3.5
WEIGHT_TOTAL = 100.0
WEIGHT_TOLERANCE = 0.01


@dataclass(frozen=True)
class Conflict:
    """A rewarded KPI that works against a behaviour, and why."""

    kpi_id: int
    kpi: str
    weight: float
    behaviour: str
    pillar: str
    rationale: str


@dataclass(frozen=True)
class Alternative:
    """A KPI not in the plan that rewards the behaviour a conflicting KPI works against."""

    kpi: str
    behaviour: str


@dataclass
class PlanAlignment:
    plan_id: int
    title: str
    job_role: str
    period: str
    #: Weight (in %) per category, every category present.
    weights: dict[str, float]
    conflicts: list[Conflict] = field(default_factory=list)
    alternatives: list[Alternative] = field(default_factory=list)
    #: Ids of the behaviours the plan's KPIs support.
    supported: set[int] = field(default_factory=set)
    suggestions: list[str] = field(default_factory=list)

    @property
    def total_weight(self) -> float:
        return sum(self.weights.values())

    @property
    def weights_complete(self) -> bool:
        return abs(self.total_weight - WEIGHT_TOTAL) <= WEIGHT_TOLERANCE

    @property
    def customer_share(self) -> float:
        return sum(self.weights[c] for c in CUSTOMER_CATEGORIES)

    @property
    def other_share(self) -> float:
        return self.total_weight - self.customer_share

    @property
    def conflicting_weight(self) -> float:
        return sum({c.kpi_id: c.weight for c in self.conflicts}.values())

    @property
    def leans_away(self) -> bool:
        """Too little weight on customers, or much of it on KPIs that work against them."""
        return self.customer_share < CUSTOMER_SHARE_GOAL or self.conflicting_weight >= CONFLICT_WEIGHT_LIMIT


@dataclass(frozen=True)
class UnrewardedBehaviour:
    name: str
    pillar: str
    #: KPIs of the catalogue that would stand for it, if any.
    measured_by: tuple[str, ...]


@dataclass(frozen=True)
class RewardsPillar:
    """The culture assessment's rewards pillar, organisation-wide, from the latest closed campaign."""

    campaign: str
    #: False when the organisation's figure is below the anonymity threshold: nothing else is given.
    visible: bool
    score: float | None = None
    favourable: float | None = None
    respondents: int | None = None


@dataclass
class AlignmentReview:
    period: str
    plans: list[PlanAlignment]
    unrewarded: list[UnrewardedBehaviour]
    rewards_pillar: RewardsPillar | None
    suggestions: list[str] = field(default_factory=list)

    @property
    def conflicts(self) -> list[tuple[PlanAlignment, Conflict]]:
        return [(plan, conflict) for plan in self.plans for conflict in plan.conflicts]


def _plans(organisation_id: int, period: str, plan_id: int | None = None) -> list[RewardPlan]:
    query = (select(RewardPlan).where(RewardPlan.organisation_id == organisation_id, RewardPlan.period == period)
             .options(selectinload(RewardPlan.components).joinedload(RewardComponent.kpi),
                      selectinload(RewardPlan.job_role)))
    if plan_id is not None:
        query = query.where(RewardPlan.id == plan_id)
    return list(db.session.scalars(query))


def _links(organisation_id: int) -> list[tuple[KpiBehaviourLink, Kpi, Behaviour]]:
    return list(db.session.execute(
        select(KpiBehaviourLink, Kpi, Behaviour)
        .join(Kpi, KpiBehaviourLink.kpi_id == Kpi.id).join(Behaviour, KpiBehaviourLink.behaviour_id == Behaviour.id)
        .where(Kpi.organisation_id == organisation_id, Kpi.active, Behaviour.active)
        .order_by(Behaviour.pillar, Behaviour.id)).tuples())


def _number(value: float, pattern: str = "#,##0.#") -> str:
    """A figure in the reader's language ("37.5", "37,5"); plain outside a request."""
    try:
        return format_decimal(value, pattern)
    except (RuntimeError, AttributeError):
        return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


def _align_plan(plan: RewardPlan, links, language: str) -> PlanAlignment:
    weights = dict.fromkeys(CATEGORIES, 0.0)
    in_plan = {component.kpi_id: component for component in plan.components}
    for component in plan.components:
        weights[component.kpi.category] += component.weight
    result = PlanAlignment(plan.id, plan.title(language), plan.job_role.name(language), plan.period, weights)
    for link, kpi, behaviour in links:
        if kpi.id in in_plan and link.effect == "supports":
            result.supported.add(behaviour.id)
    for link, kpi, behaviour in links:
        if kpi.id in in_plan and link.effect == "conflicts":
            result.conflicts.append(Conflict(kpi.id, kpi.name(language), in_plan[kpi.id].weight,
                                             behaviour.name(language), behaviour.pillar, link.rationale(language)))
    result.conflicts.sort(key=lambda c: (-c.weight, c.kpi))
    hurt = {c.behaviour for c in result.conflicts}
    for link, kpi, behaviour in links:
        if (link.effect == "supports" and kpi.id not in in_plan and behaviour.name(language) in hurt
                and kpi.category in CUSTOMER_CATEGORIES):
            result.alternatives.append(Alternative(kpi.name(language), behaviour.name(language)))
    result.suggestions = _plan_suggestions(result)
    return result


def _plan_suggestions(plan: PlanAlignment) -> list[str]:
    suggestions = []
    if not plan.weights_complete:
        suggestions.append(str(_l("The weights add up to %(total)s%%, not 100%%: fix them before the plan is used.",
                                  total=_number(plan.total_weight))))
    if plan.customer_share < CUSTOMER_SHARE_GOAL:
        suggestions.append(str(_l(
            "Only %(share)s%% of this plan's weight is on customer outcomes and customer-centric behaviours. "
            "Move weight from efficiency and financial KPIs until customers carry at least half.",
            share=_number(plan.customer_share))))
    seen = set()
    for conflict in plan.conflicts:
        if conflict.kpi_id in seen:
            continue
        seen.add(conflict.kpi_id)
        suggestions.append(str(_l(
            "Stop paying on the %(kpi)s target (%(weight)s%% of the plan): keep it only as a floor the team watches, "
            "so that it stops working against the behaviours flagged above.",
            kpi=conflict.kpi, weight=_number(conflict.weight))))
    by_kpi: dict[str, list[str]] = defaultdict(list)
    for alternative in plan.alternatives:
        by_kpi[alternative.kpi].append(alternative.behaviour)
    for kpi, behaviours in by_kpi.items():
        suggestions.append(str(_l("Reward %(kpi)s instead: it stands for “%(behaviours)s”.",
                                  kpi=kpi, behaviours="”, “".join(behaviours))))
    return suggestions


def rewards_pillar(organisation_id: int) -> RewardsPillar | None:
    """The rewards pillar of the latest closed campaign, or None when there is none; hidden below the threshold."""
    from ..assessments.results.summary import latest_closed_campaign, organisation_summary

    campaign = latest_closed_campaign(organisation_id)
    if campaign is None:
        return None
    summary = organisation_summary(campaign)
    figure = next((p.figure for p in summary.pillars if p.key == "rewards"), None) if summary.visible else None
    if figure is None or figure.hidden:
        return RewardsPillar(campaign.title, visible=False)
    return RewardsPillar(campaign.title, True, figure.score, figure.favourable, figure.respondents)


def alignment_review(organisation_id: int, period: str, language: str = "en") -> AlignmentReview:
    """Every reward plan of the period, how it aligns, and what to change."""
    links = _links(organisation_id)
    plans = [_align_plan(plan, links, language) for plan in _plans(organisation_id, period)]
    plans.sort(key=lambda p: p.title)
    supported = set().union(*(p.supported for p in plans)) if plans else set()
    measured_by: dict[int, list[str]] = defaultdict(list)
    for link, kpi, behaviour in links:
        if link.effect == "supports":
            measured_by[behaviour.id].append(kpi.name(language))
    behaviours = db.session.scalars(select(Behaviour).where(
        Behaviour.organisation_id == organisation_id, Behaviour.active).order_by(Behaviour.pillar, Behaviour.id))
    unrewarded = [UnrewardedBehaviour(b.name(language), b.pillar, tuple(measured_by.get(b.id, ())))
                  for b in behaviours if b.id not in supported]
    review = AlignmentReview(period, plans, unrewarded, rewards_pillar(organisation_id))
    review.suggestions = _review_suggestions(review)
    return review


def _review_suggestions(review: AlignmentReview) -> list[str]:
    suggestions = []
    if not review.plans:
        return [str(_l("No reward plan for %(period)s yet: add one per job role to see how it aligns.",
                       period=review.period))]
    leaning = [plan.job_role for plan in review.plans if plan.leans_away]
    if leaning:
        suggestions.append(str(_l("Start with these plans, which pull people away from customers: %(plans)s.",
                                  plans=", ".join(leaning))))
    measurable = [b for b in review.unrewarded if b.measured_by]
    if measurable:
        suggestions.append(str(_l(
            "%(count)s behaviours have a KPI that could reward them but no plan uses it; for example "
            "%(kpi)s for “%(behaviour)s”.",
            count=len(measurable), kpi=measurable[0].measured_by[0], behaviour=measurable[0].name)))
    unmeasurable = [b for b in review.unrewarded if not b.measured_by]
    if unmeasurable:
        suggestions.append(str(_l(
            "%(count)s behaviours have no KPI at all (such as “%(behaviour)s”): recognise them in one-to-ones, "
            "team meetings and reviews, where a number cannot reach.",
            count=len(unmeasurable), behaviour=unmeasurable[0].name)))
    pillar = review.rewards_pillar
    if pillar and pillar.visible and pillar.score is not None and pillar.score < REWARDS_PILLAR_CONCERN:
        suggestions.append(str(_l(
            "People score the %(pillar)s pillar %(score)s of 5: they do not see customers rewarded yet. Explain "
            "every change to the plans at the next training café and in team meetings.",
            pillar=PILLAR_LABELS["rewards"], score=_number(pillar.score, "0.0"))))
    return suggestions


def plan_alignment(plan: RewardPlan, language: str = "en") -> PlanAlignment:
    """One plan's alignment (for its scorecards)."""
    return _align_plan(plan, _links(plan.organisation_id), language)
