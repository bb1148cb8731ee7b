"""HR's changes to the KPI catalogue (KPIs, behaviours, the links between them) and to reward plans.

Every function checks all of its input first and raises `Refused` (field name -> message) changing nothing,
or changes the rows and flushes: the request commits once.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..i18n import current_language
from ..orgs.models import JobRole
from ..orgs.operations import InvalidChange
from ..pillars import PILLARS
from .labels import UNIT_LABELS
from .models import (
    CATEGORIES,
    CUSTOMER_CATEGORIES,
    DIRECTIONS,
    EFFECTS,
    SURVEY_KINDS,
    UNITS,
    Behaviour,
    Kpi,
    KpiBehaviourLink,
    KpiValue,
    RewardComponent,
    RewardPlan,
)
from .periods import InvalidPeriod, Period, recent_periods

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")
KPI_KEY_LENGTH, BEHAVIOUR_KEY_LENGTH = 40, 60
NAME_LENGTH = {"kpi": 120, "behaviour": 200}
DEFINITION_LENGTH = 1000
RATIONALE_LENGTH = 300
#: The unit a KPI computed from survey answers is reported in.
SURVEY_UNITS = {"nps": "points", "csat": "percent", "ces": "score"}


class Refused(InvalidChange):
    """A catalogue or plan change that was refused; `errors` maps a form field (or None) to why."""

    def __init__(self, errors: dict):
        ValueError.__init__(self, "; ".join(str(message) for message in errors.values()))
        self.errors = errors


def _refuse_if(errors: dict) -> None:
    if errors:
        raise Refused(errors)


def _insert(row, conflict: dict) -> None:
    """Add and flush a new row; when a concurrent request stored the same one first, refuse with `conflict`.

    The checks above catch a double submit; this catches two submits racing past them (the unique constraint
    answers), inside a savepoint so the rest of the request's work stays.
    """
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except IntegrityError:
        raise Refused(conflict) from None


def _text(value) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()


def _check_key(value, length: int, errors: dict) -> str:
    key = _text(value).lower()
    if not key:
        errors["key"] = _l("Enter a key: lowercase letters, digits, hyphens and underscores, such as “first_call”.")
    elif len(key) > length or not KEY_PATTERN.match(key):
        errors["key"] = _l("A key starts with a letter and holds only lowercase letters, digits, hyphens and "
                           "underscores (at most %(max)s characters), such as “first_call”.", max=length)
    return key


def _check_text(fields: dict, name: str, length: int, errors: dict, missing) -> str:
    value = _text(fields.get(name))
    if not value:
        errors[name] = missing
    elif len(value) > length:
        errors[name] = _l("Keep it to %(max)s characters (now %(count)s).", max=length, count=len(value))
    return value


def _number(value) -> float | None:
    """A finite float, None for None; raises ValueError on anything else."""
    if value is None:
        return None
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _shown(row) -> str:
    """A KPI's, behaviour's or job role's name in the reader's language (English outside a request)."""
    try:
        language = current_language()
    except RuntimeError:
        language = "en"
    return row.name(language)


def _format(value: float) -> str:
    """A number in the reader's language ("7,200" / "7.200"), plain outside a request."""
    try:
        return format_decimal(value, "#,##0.##")
    except (RuntimeError, AttributeError):
        return f"{value:g}"


# KPIs

@dataclass(frozen=True)
class KpiUsage:
    values: int
    plans: int

    @property
    def used(self) -> bool:
        return bool(self.values or self.plans)


def kpi_usage(kpi: Kpi) -> KpiUsage:
    """How many recorded values and reward plans use the KPI (a used KPI is never deleted)."""
    values = db.session.scalar(select(func.count(KpiValue.id)).where(KpiValue.kpi_id == kpi.id))
    plans = db.session.scalar(select(func.count(RewardComponent.id)).where(RewardComponent.kpi_id == kpi.id))
    return KpiUsage(int(values or 0), int(plans or 0))


def _check_kpi(organisation_id: int, fields: dict, kpi: Kpi | None) -> dict:
    """The checked values of a KPI form; raises Refused naming every wrong field."""
    errors: dict = {}
    clean: dict = {}
    if kpi is None:
        clean["key"] = _check_key(fields.get("key"), KPI_KEY_LENGTH, errors)
        if "key" not in errors and db.session.scalar(select(Kpi.id).where(
                Kpi.organisation_id == organisation_id, Kpi.key == clean["key"])):
            errors["key"] = _l("Another KPI already has the key “%(key)s”: choose another one.", key=clean["key"])
    for language in ("en", "it"):
        clean[f"name_{language}"] = _check_text(fields, f"name_{language}", NAME_LENGTH["kpi"], errors,
                                                _l("Enter the KPI's name in this language."))
        clean[f"definition_{language}"] = _check_text(
            fields, f"definition_{language}", DEFINITION_LENGTH, errors,
            _l("Write what the KPI measures and how, in this language."))
    for name, choices, message in (
            ("category", CATEGORIES, _l("Choose a category from the list.")),
            ("unit", UNITS, _l("Choose a unit from the list.")),
            ("better", DIRECTIONS, _l("Choose whether higher or lower values are better."))):
        clean[name] = fields.get(name)
        if clean[name] not in choices:
            errors[name] = message
    for name in ("min_value", "max_value"):
        try:
            clean[name] = _number(fields.get(name))
        except (TypeError, ValueError):
            errors[name] = _l("Write a number, such as 12.5, or leave it empty.")
    low, high = clean.get("min_value"), clean.get("max_value")
    if low is not None and high is not None and low >= high and "max_value" not in errors:
        errors["max_value"] = _l("The maximum must be greater than the minimum (%(min)s).", min=_format(low))
    survey = fields.get("survey") or None
    clean["survey"] = survey
    if survey is not None:
        if survey not in SURVEY_KINDS:
            errors["survey"] = _l("Choose a survey from the list, or none.")
        elif clean.get("unit") in UNITS and clean["unit"] != SURVEY_UNITS[survey]:
            errors["survey"] = _l("%(survey)s values are computed in “%(unit)s”: choose that unit, or no survey.",
                                  survey=survey.upper(), unit=UNIT_LABELS[SURVEY_UNITS[survey]])
        else:
            other = db.session.scalar(select(Kpi).where(
                Kpi.organisation_id == organisation_id, Kpi.survey == survey,
                Kpi.id != (kpi.id if kpi else -1)))
            if other is not None:
                errors["survey"] = _l("“%(kpi)s” already takes its values from %(survey)s answers.",
                                      kpi=_shown(other), survey=survey.upper())
    if kpi is not None and not errors and (clean["unit"] != kpi.unit or clean["better"] != kpi.better):
        usage = kpi_usage(kpi)
        if usage.used:
            message = _l("“%(kpi)s” has recorded values or is in reward plans, which would change meaning: its unit "
                         "and better direction stay. Create a new KPI instead.", kpi=_shown(kpi))
            errors["unit" if clean["unit"] != kpi.unit else "better"] = message
    if kpi is not None and not errors and (low != kpi.min_value or high != kpi.max_value):
        outside = _values_outside(kpi, low, high)
        if outside:
            errors["max_value" if high is not None else "min_value"] = _l(
                "%(count)s recorded values, targets or thresholds of this KPI lie outside the new range: "
                "widen it or change them first.", count=outside["count"])
    _refuse_if(errors)
    return clean


def _values_outside(kpi: Kpi, low: float | None, high: float | None) -> dict:
    """How many values, targets and thresholds of the KPI a new range would leave outside it."""

    def outside(column):
        condition = None
        if low is not None:
            condition = column < low
        if high is not None:
            condition = column > high if condition is None else condition | (column > high)
        return condition

    if low is None and high is None:
        return {}
    count = db.session.scalar(select(func.count(KpiValue.id)).where(KpiValue.kpi_id == kpi.id,
                                                                    outside(KpiValue.value)))
    count += db.session.scalar(select(func.count(RewardComponent.id)).where(
        RewardComponent.kpi_id == kpi.id,
        outside(RewardComponent.target) | (RewardComponent.threshold.is_not(None)
                                           & outside(RewardComponent.threshold))))
    return {"count": count} if count else {}


def create_kpi(organisation_id: int, **fields) -> Kpi:
    """A new KPI of the organisation's catalogue (fields as in KpiForm)."""
    clean = _check_kpi(organisation_id, fields, None)
    kpi = Kpi(organisation_id=organisation_id, active=True, **clean)
    _insert(kpi, {"key": _l("Another KPI already has the key “%(key)s”: choose another one.", key=clean["key"])})
    return kpi


def update_kpi(kpi: Kpi, **fields) -> Kpi:
    """Change a KPI; its key stays (CSV files use it)."""
    clean = _check_kpi(kpi.organisation_id, fields, kpi)
    for name, value in clean.items():
        setattr(kpi, name, value)
    db.session.flush()
    return kpi


def set_kpi_active(kpi: Kpi, active: bool) -> Kpi:
    """Deactivate (leaves pickers and the review, keeps its history) or reactivate a KPI."""
    kpi.active = active
    db.session.flush()
    return kpi


def delete_kpi(kpi: Kpi) -> None:
    """Delete a KPI nobody used yet; a KPI with values or in a plan is refused (deactivate it instead)."""
    usage = kpi_usage(kpi)
    if usage.used:
        raise Refused({None: _l(
            "“%(kpi)s” cannot be deleted: it has %(values)s recorded values and is in %(plans)s reward plans, "
            "whose history would be lost. Deactivate it instead: it leaves the lists and the review, and its "
            "history stays.", kpi=_shown(kpi), values=usage.values, plans=usage.plans)})
    db.session.delete(kpi)
    db.session.flush()


# Behaviours

def _check_behaviour(organisation_id: int, fields: dict, behaviour: Behaviour | None) -> dict:
    errors: dict = {}
    clean: dict = {}
    if behaviour is None:
        clean["key"] = _check_key(fields.get("key"), BEHAVIOUR_KEY_LENGTH, errors)
        if "key" not in errors and db.session.scalar(select(Behaviour.id).where(
                Behaviour.organisation_id == organisation_id, Behaviour.key == clean["key"])):
            errors["key"] = _l("Another behaviour already has the key “%(key)s”: choose another one.",
                               key=clean["key"])
    for language in ("en", "it"):
        clean[f"name_{language}"] = _check_text(fields, f"name_{language}", NAME_LENGTH["behaviour"], errors,
                                                _l("Describe the behaviour in this language."))
    clean["pillar"] = fields.get("pillar")
    if clean["pillar"] not in PILLARS:
        errors["pillar"] = _l("Choose one of the six pillars.")
    _refuse_if(errors)
    return clean


def create_behaviour(organisation_id: int, **fields) -> Behaviour:
    """A new customer-centric behaviour on a pillar."""
    clean = _check_behaviour(organisation_id, fields, None)
    behaviour = Behaviour(organisation_id=organisation_id, active=True, **clean)
    _insert(behaviour, {"key": _l("Another behaviour already has the key “%(key)s”: choose another one.",
                                  key=clean["key"])})
    return behaviour


def update_behaviour(behaviour: Behaviour, **fields) -> Behaviour:
    clean = _check_behaviour(behaviour.organisation_id, fields, behaviour)
    for name, value in clean.items():
        setattr(behaviour, name, value)
    db.session.flush()
    return behaviour


def set_behaviour_active(behaviour: Behaviour, active: bool) -> Behaviour:
    behaviour.active = active
    db.session.flush()
    return behaviour


# Links

def _check_link(kpi: Kpi, fields: dict, link: KpiBehaviourLink | None) -> dict:
    errors: dict = {}
    clean: dict = {}
    behaviour_id = fields.get("behaviour_id")
    behaviour = db.session.get(Behaviour, behaviour_id) if isinstance(behaviour_id, int) else None
    if behaviour is None or behaviour.organisation_id != kpi.organisation_id:
        errors["behaviour_id"] = _l("Choose a behaviour from the list.")
    else:
        clean["behaviour_id"] = behaviour.id
        other = db.session.scalar(select(KpiBehaviourLink.id).where(
            KpiBehaviourLink.kpi_id == kpi.id, KpiBehaviourLink.behaviour_id == behaviour.id))
        if other is not None and (link is None or other != link.id):
            errors["behaviour_id"] = _l("This KPI is already linked to “%(behaviour)s”: edit that link instead.",
                                        behaviour=_shown(behaviour))
    clean["effect"] = fields.get("effect")
    if clean["effect"] not in EFFECTS:
        errors["effect"] = _l("Choose whether rewarding the KPI supports the behaviour or works against it.")
    for language in ("en", "it"):
        clean[f"rationale_{language}"] = _check_text(fields, f"rationale_{language}", RATIONALE_LENGTH, errors,
                                                     _l("Say in one line why, in this language."))
    _refuse_if(errors)
    return clean


def add_link(kpi: Kpi, **fields) -> KpiBehaviourLink:
    """Link a KPI to a behaviour it supports or works against, with a one-line rationale in both languages."""
    link = KpiBehaviourLink(kpi_id=kpi.id, **_check_link(kpi, fields, None))
    _insert(link, {"behaviour_id": _l("This KPI is already linked to “%(behaviour)s”: edit that link instead.",
                                      behaviour=_shown(db.session.get(Behaviour, link.behaviour_id)))})
    return link


def update_link(link: KpiBehaviourLink, **fields) -> KpiBehaviourLink:
    for name, value in _check_link(link.kpi, fields, link).items():
        setattr(link, name, value)
    db.session.flush()
    return link


def remove_link(link: KpiBehaviourLink) -> None:
    db.session.delete(link)
    db.session.flush()


# Reward plans

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
                                       role=_shown(role), period=period)
        elif copy_previous:
            source = previous_plan(organisation_id, role.id, period)
            if source is None:
                errors["copy_previous"] = _l("%(role)s has no plan before %(period)s to copy: leave this unticked.",
                                             role=_shown(role), period=period)
    _refuse_if(errors)
    plan = RewardPlan(organisation_id=organisation_id, job_role_id=role.id, period=period)
    if source is not None:
        for component in source.components:
            if component.kpi.active:
                plan.components.append(RewardComponent(
                    kpi_id=component.kpi_id, position=component.position, weight=component.weight,
                    target=component.target, threshold=component.threshold))
    _insert(plan, {"job_role_id": _l("%(role)s already has a plan for %(period)s: open it from the list.",
                                     role=_shown(role), period=period)})
    return plan


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
            errors["kpi_id"] = _l("%(kpi)s is already in this plan: edit its row instead.", kpi=_shown(kpi))
        else:
            clean["kpi_id"] = kpi.id
    else:
        kpi = component.kpi
    try:
        weight = _number(fields.get("weight"))
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
            clean[name] = _number(fields.get(name))
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
                                         kpi=_shown(kpi), target=_format(target))
            elif kpi.better == "lower" and threshold < target:
                errors["threshold"] = _l("Lower is better for %(kpi)s, so the threshold (where the component "
                                         "starts paying) must be at least the target, %(target)s.",
                                         kpi=_shown(kpi), target=_format(target))
    _refuse_if(errors)
    return clean


def _range_message(kpi: Kpi, name: str):
    what = _l("The target") if name == "target" else _l("The threshold")
    if kpi.min_value is not None and kpi.max_value is not None:
        return _l("%(what)s must lie in the valid range of %(kpi)s, from %(min)s to %(max)s.", what=what,
                  kpi=_shown(kpi), min=_format(kpi.min_value), max=_format(kpi.max_value))
    if kpi.min_value is not None:
        return _l("%(what)s must be at least %(min)s for %(kpi)s.", what=what, kpi=_shown(kpi),
                  min=_format(kpi.min_value))
    return _l("%(what)s must be at most %(max)s for %(kpi)s.", what=what, kpi=_shown(kpi),
              max=_format(kpi.max_value))


def add_component(plan: RewardPlan, **fields) -> RewardComponent:
    """Add a KPI to a plan with its weight, target and optional threshold, at the end of the list.

    A plan whose weights do not add up to 100 yet is kept as a draft: the plan page and the review flag it.
    """
    clean = _check_component(plan, fields, None)
    position = max((c.position for c in plan.components), default=-1) + 1
    component = RewardComponent(plan_id=plan.id, position=position, **clean)
    _insert(component, {"kpi_id": _l("%(kpi)s is already in this plan: edit its row instead.",
                                     kpi=_shown(db.session.get(Kpi, clean["kpi_id"])))})
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



# What the catalogue pages list

def kpis_by_category(organisation_id: int) -> dict[str, list[Kpi]]:
    """The organisation's KPIs per category (in CATEGORIES order), active first, then by key."""
    groups: dict[str, list[Kpi]] = {category: [] for category in CATEGORIES}
    for kpi in db.session.scalars(select(Kpi).where(Kpi.organisation_id == organisation_id)
                                  .order_by(Kpi.active.desc(), Kpi.key)):
        groups[kpi.category].append(kpi)
    return groups


def link_counts(organisation_id: int) -> dict[int, dict[str, int]]:
    """Per KPI id, how many behaviours it supports and works against."""
    counts: dict[int, dict[str, int]] = {}
    for kpi_id, effect, count in db.session.execute(
            select(KpiBehaviourLink.kpi_id, KpiBehaviourLink.effect, func.count(KpiBehaviourLink.id))
            .join(Kpi, KpiBehaviourLink.kpi_id == Kpi.id).where(Kpi.organisation_id == organisation_id)
            .group_by(KpiBehaviourLink.kpi_id, KpiBehaviourLink.effect)):
        counts.setdefault(kpi_id, {"supports": 0, "conflicts": 0})[effect] = int(count)
    return counts


def behaviours_by_pillar(organisation_id: int, active_only: bool = False) -> dict[str, list[Behaviour]]:
    """The organisation's behaviours per pillar (in PILLARS order), active first."""
    groups: dict[str, list[Behaviour]] = {pillar: [] for pillar in PILLARS}
    query = select(Behaviour).where(Behaviour.organisation_id == organisation_id)
    if active_only:
        query = query.where(Behaviour.active)
    for behaviour in db.session.scalars(query.order_by(Behaviour.active.desc(), Behaviour.id)):
        groups.setdefault(behaviour.pillar, []).append(behaviour)
    return groups


def behaviour_link_counts(organisation_id: int) -> dict[int, dict[str, int]]:
    """Per behaviour id, how many KPIs support it and work against it."""
    counts: dict[int, dict[str, int]] = {}
    for behaviour_id, effect, count in db.session.execute(
            select(KpiBehaviourLink.behaviour_id, KpiBehaviourLink.effect, func.count(KpiBehaviourLink.id))
            .join(Behaviour, KpiBehaviourLink.behaviour_id == Behaviour.id)
            .where(Behaviour.organisation_id == organisation_id)
            .group_by(KpiBehaviourLink.behaviour_id, KpiBehaviourLink.effect)):
        counts.setdefault(behaviour_id, {"supports": 0, "conflicts": 0})[effect] = int(count)
    return counts


def kpi_links(kpi: Kpi) -> list[KpiBehaviourLink]:
    """A KPI's links with their behaviours: conflicts first, then by pillar."""
    links = list(db.session.scalars(select(KpiBehaviourLink).join(Behaviour)
                                    .where(KpiBehaviourLink.kpi_id == kpi.id)
                                    .options(selectinload(KpiBehaviourLink.behaviour))))
    return sorted(links, key=lambda link: (link.effect != "conflicts", PILLARS.index(link.behaviour.pillar)
                                           if link.behaviour.pillar in PILLARS else 99, link.behaviour.id))


def active_kpis(organisation_id: int) -> list[Kpi]:
    """What a plan can add: the organisation's active KPIs, by category then key."""
    kpis = db.session.scalars(select(Kpi).where(Kpi.organisation_id == organisation_id, Kpi.active))
    return sorted(kpis, key=lambda k: (CATEGORIES.index(k.category), k.key))


def job_roles(organisation_id: int) -> list[JobRole]:
    return list(db.session.scalars(select(JobRole).where(JobRole.organisation_id == organisation_id)
                                   .order_by(JobRole.id)))
