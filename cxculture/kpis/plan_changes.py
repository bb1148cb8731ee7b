"""HR's changes to reward plans: a job role's plan for a quarter and its components (KPI, weight, target,
threshold), and what the plan pages list. Refused changes raise `Refused` (see changes.py), changing nothing.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from ..extensions import db
from ..orgs.models import JobRole, Person
from ..refusals import refuse_if
from .changes import finite_number, insert, shown_name, shown_number
from .models import CATEGORIES, CUSTOMER_CATEGORIES, Kpi, RewardComponent, RewardPlan
from .periods import InvalidPeriod, Period, recent_periods


def plan_periods_with_plans(organisation_id: int) -> list[Period]:
    """The quarters the organisation has reward plans for, newest first."""
    periods = set()
    for text in db.session.scalars(select(RewardPlan.period).where(
            RewardPlan.organisation_id == organisation_id).distinct()):
        try:
            periods.add(Period.parse(text))
        except InvalidPeriod:
            continue
    return sorted(periods, reverse=True)


def plan_periods(organisation_id: int) -> list[Period]:
    """The quarters a picker offers: the next one, the recent ones, and every one that has plans; newest first."""
    periods = set(recent_periods())
    periods.add(max(periods).next())
    periods.update(plan_periods_with_plans(organisation_id))
    return sorted(periods, reverse=True)


@dataclass(frozen=True)
class PlanRow:
    """A job role and its plan for a period (None when it has none yet)."""

    job_role_id: int
    job_role: str
    plan_id: int | None
    components: int
    total_weight: float
    customer_weight: float
    #: Whether the job role has a plan in an earlier quarter (that a new plan can copy).
    has_previous: bool = False

    @property
    def complete(self) -> bool:
        return self.plan_id is not None and abs(self.total_weight - 100) <= 0.01


def plan_rows(organisation_id: int, period: str, language: str) -> list[PlanRow]:
    """Every job role of the organisation with its plan for the period: component count and weights, in SQL."""
    totals = (select(RewardComponent.plan_id.label("plan_id"),
                     func.count(RewardComponent.id).label("components"),
                     func.sum(RewardComponent.weight).label("total"),
                     func.sum(case((Kpi.category.in_(CUSTOMER_CATEGORIES), RewardComponent.weight), else_=0))
                     .label("customer"))
              .join(Kpi, RewardComponent.kpi_id == Kpi.id).group_by(RewardComponent.plan_id).subquery())
    rows = db.session.execute(
        select(JobRole, RewardPlan.id, totals.c.components, totals.c.total, totals.c.customer)
        .outerjoin(RewardPlan, (RewardPlan.job_role_id == JobRole.id) & (RewardPlan.period == period)
                   & (RewardPlan.organisation_id == organisation_id))
        .outerjoin(totals, totals.c.plan_id == RewardPlan.id)
        .where(JobRole.organisation_id == organisation_id)).all()
    earlier = set(db.session.scalars(select(RewardPlan.job_role_id).where(
        RewardPlan.organisation_id == organisation_id, RewardPlan.period < period).distinct()))
    result = [PlanRow(role.id, role.name(language), plan_id, int(count or 0), float(total or 0),
                      float(customer or 0), role.id in earlier) for role, plan_id, count, total, customer in rows]
    return sorted(result, key=lambda row: row.job_role.casefold())


def previous_plan(organisation_id: int, job_role_id: int, period: str) -> RewardPlan | None:
    """The job role's latest plan before the period."""
    return db.session.scalar(select(RewardPlan).where(
        RewardPlan.organisation_id == organisation_id, RewardPlan.job_role_id == job_role_id,
        RewardPlan.period < period).order_by(RewardPlan.period.desc()).limit(1))


def create_plan(organisation_id: int, *, job_role_id, period: str, copy_previous: bool = False) -> RewardPlan:
    """A job role's plan for a quarter, empty or with the components of the role's previous plan."""
    errors: dict = {}
    role = db.session.get(JobRole, job_role_id) if isinstance(job_role_id, int) else None
    if role is None or role.organisation_id != organisation_id:
        errors["job_role_id"] = _l("Choose a job role from the list.")
    try:
        period = str(Period.parse(period))
    except InvalidPeriod:
        errors["period"] = _l("Choose a quarter from the list, written like 2026-Q3.")
    source = None
    if not errors:
        existing = db.session.scalar(select(RewardPlan.id).where(
            RewardPlan.organisation_id == organisation_id, RewardPlan.job_role_id == role.id,
            RewardPlan.period == period))
        if existing is not None:
            errors["job_role_id"] = _l("%(role)s already has a plan for %(period)s: open it from the list.",
                                       role=shown_name(role), period=period)
        elif copy_previous:
            source = previous_plan(organisation_id, role.id, period)
            if source is None:
                errors["copy_previous"] = _l("%(role)s has no plan before %(period)s to copy: leave this unticked.",
                                             role=shown_name(role), period=period)
    refuse_if(errors)
    plan = RewardPlan(organisation_id=organisation_id, job_role_id=role.id, period=period)
    if source is not None:
        for component in source.components:
            if component.kpi.active:
                plan.components.append(RewardComponent(
                    kpi_id=component.kpi_id, position=component.position, weight=component.weight,
                    target=component.target, threshold=component.threshold))
    insert(plan, {"job_role_id": _l("%(role)s already has a plan for %(period)s: open it from the list.",
                                     role=shown_name(role), period=period)})
    return plan


def people_on_plan(plan: RewardPlan) -> int:
    """How many active people have the plan's job role (their scorecards show it)."""
    return db.session.scalar(select(func.count()).select_from(Person).where(
        Person.organisation_id == plan.organisation_id, Person.job_role_id == plan.job_role_id,
        Person.active.is_(True))) or 0


def delete_plan(plan: RewardPlan) -> None:
    db.session.delete(plan)
    db.session.flush()


def _check_component(plan: RewardPlan, fields: dict, component: RewardComponent | None) -> dict:
    errors: dict = {}
    clean: dict = {}
    if component is None:
        kpi_id = fields.get("kpi_id")
        kpi = db.session.get(Kpi, kpi_id) if isinstance(kpi_id, int) else None
        if kpi is None or kpi.organisation_id != plan.organisation_id or not kpi.active:
            errors["kpi_id"] = _l("Choose an active KPI from the list.")
            kpi = None
        elif any(c.kpi_id == kpi.id for c in plan.components):
            errors["kpi_id"] = _l("%(kpi)s is already in this plan: edit its row instead.", kpi=shown_name(kpi))
        else:
            clean["kpi_id"] = kpi.id
    else:
        kpi = component.kpi
    try:
        weight = finite_number(fields.get("weight"))
    except (TypeError, ValueError):
        weight = None
        errors["weight"] = _l("Write the weight as a percentage, such as 25.")
    else:
        if weight is None:
            errors["weight"] = _l("Enter the weight: the percentage of the bonus this KPI decides.")
        elif not 0 < weight <= 100:
            errors["weight"] = _l("The weight is a percentage of the bonus: more than 0 and at most 100.")
    clean["weight"] = weight
    for name in ("target", "threshold"):
        try:
            clean[name] = finite_number(fields.get(name))
        except (TypeError, ValueError):
            errors[name] = _l("Write a number, such as 12.5.")
    if "target" not in errors and clean["target"] is None:
        errors["target"] = _l("Enter the target: the value that pays the component in full.")
    if kpi is not None:
        for name in ("target", "threshold"):
            value = clean.get(name)
            if name not in errors and value is not None and not kpi.in_range(value):
                errors[name] = _range_message(kpi, name)
        target, threshold = clean.get("target"), clean.get("threshold")
        if not {"target", "threshold"} & set(errors) and target is not None and threshold is not None:
            if kpi.better == "higher" and threshold > target:
                errors["threshold"] = _l("Higher is better for %(kpi)s, so the threshold (where the component "
                                         "starts paying) must be at most the target, %(target)s.",
                                         kpi=shown_name(kpi), target=shown_number(target))
            elif kpi.better == "lower" and threshold < target:
                errors["threshold"] = _l("Lower is better for %(kpi)s, so the threshold (where the component "
                                         "starts paying) must be at least the target, %(target)s.",
                                         kpi=shown_name(kpi), target=shown_number(target))
    refuse_if(errors)
    return clean


def _range_message(kpi: Kpi, name: str):
    what = _l("The target") if name == "target" else _l("The threshold")
    if kpi.min_value is not None and kpi.max_value is not None:
        return _l("%(what)s must lie in the valid range of %(kpi)s, from %(min)s to %(max)s.", what=what,
                  kpi=shown_name(kpi), min=shown_number(kpi.min_value), max=shown_number(kpi.max_value))
    if kpi.min_value is not None:
        return _l("%(what)s must be at least %(min)s for %(kpi)s.", what=what, kpi=shown_name(kpi),
                  min=shown_number(kpi.min_value))
    return _l("%(what)s must be at most %(max)s for %(kpi)s.", what=what, kpi=shown_name(kpi),
              max=shown_number(kpi.max_value))


def add_component(plan: RewardPlan, **fields) -> RewardComponent:
    """Add a KPI to a plan with its weight, target and optional threshold, at the end of the list.

    A plan whose weights do not add up to 100 yet is kept as a draft: the plan page and the review flag it.
    """
    clean = _check_component(plan, fields, None)
    position = max((c.position for c in plan.components), default=-1) + 1
    component = RewardComponent(plan_id=plan.id, position=position, **clean)
    insert(component, {"kpi_id": _l("%(kpi)s is already in this plan: edit its row instead.",
                                     kpi=shown_name(db.session.get(Kpi, clean["kpi_id"])))})
    db.session.expire(plan, ["components"])
    return component


def update_component(component: RewardComponent, **fields) -> RewardComponent:
    for name, value in _check_component(component.plan, fields, component).items():
        setattr(component, name, value)
    db.session.flush()
    return component


def remove_component(component: RewardComponent) -> None:
    plan = component.plan
    plan.components.remove(component)
    db.session.flush()


def move_component(component: RewardComponent, step: int) -> None:
    """Move a component one place up (-1) or down (+1) in its plan; at either end nothing changes."""
    components = sorted(component.plan.components, key=lambda c: (c.position, c.id))
    index = components.index(component)
    other = index + (1 if step > 0 else -1)
    if 0 <= other < len(components):
        components[index], components[other] = components[other], components[index]
    for position, item in enumerate(components):
        item.position = position
    db.session.flush()


def weight_total(plan: RewardPlan) -> float:
    return sum(c.weight for c in plan.components)


# What the plan pages offer

def active_kpis(organisation_id: int) -> list[Kpi]:
    """What a plan can add: the organisation's active KPIs, by category then key."""
    kpis = db.session.scalars(select(Kpi).where(Kpi.organisation_id == organisation_id, Kpi.active))
    return sorted(kpis, key=lambda k: (CATEGORIES.index(k.category), k.key))


def job_roles(organisation_id: int) -> list[JobRole]:
    return list(db.session.scalars(select(JobRole).where(JobRole.organisation_id == organisation_id)
                                   .order_by(JobRole.id)))
