"""HR's changes to the KPI catalogue: KPIs, behaviours and the links between them, and what the catalogue
pages list. Refused changes raise `Refused` (see changes.py), changing nothing.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..pillars import PILLARS
from ..refusals import Refused, refuse_if
from .changes import finite_number, insert, shown_name, shown_number
from .labels import UNIT_LABELS
from .models import (
    CATEGORIES,
    DIRECTIONS,
    EFFECTS,
    SURVEY_KINDS,
    UNITS,
    Behaviour,
    Kpi,
    KpiBehaviourLink,
    KpiValue,
    RewardComponent,
)

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")
KPI_KEY_LENGTH, BEHAVIOUR_KEY_LENGTH = 40, 60
NAME_LENGTH = {"kpi": 120, "behaviour": 200}
DEFINITION_LENGTH = 1000
RATIONALE_LENGTH = 300
#: The unit a KPI computed from survey answers is reported in.
SURVEY_UNITS = {"nps": "points", "csat": "percent", "ces": "score"}


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
            clean[name] = finite_number(fields.get(name))
        except (TypeError, ValueError):
            errors[name] = _l("Write a number, such as 12.5, or leave it empty.")
    low, high = clean.get("min_value"), clean.get("max_value")
    if low is not None and high is not None and low >= high and "max_value" not in errors:
        errors["max_value"] = _l("The maximum must be greater than the minimum (%(min)s).", min=shown_number(low))
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
                                      kpi=shown_name(other), survey=survey.upper())
    if kpi is not None and not errors and (clean["unit"] != kpi.unit or clean["better"] != kpi.better):
        usage = kpi_usage(kpi)
        if usage.used:
            message = _l("“%(kpi)s” has recorded values or is in reward plans, which would change meaning: its unit "
                         "and better direction stay. Create a new KPI instead.", kpi=shown_name(kpi))
            errors["unit" if clean["unit"] != kpi.unit else "better"] = message
    if kpi is not None and not errors and (low != kpi.min_value or high != kpi.max_value):
        outside = _values_outside(kpi, low, high)
        if outside:
            errors["max_value" if high is not None else "min_value"] = _l(
                "%(count)s recorded values, targets or thresholds of this KPI lie outside the new range: "
                "widen it or change them first.", count=outside["count"])
    refuse_if(errors)
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
    insert(kpi, {"key": _l("Another KPI already has the key “%(key)s”: choose another one.", key=clean["key"])})
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
            "history stays.", kpi=shown_name(kpi), values=usage.values, plans=usage.plans)})
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
    refuse_if(errors)
    return clean


def create_behaviour(organisation_id: int, **fields) -> Behaviour:
    """A new customer-centric behaviour on a pillar."""
    clean = _check_behaviour(organisation_id, fields, None)
    behaviour = Behaviour(organisation_id=organisation_id, active=True, **clean)
    insert(behaviour, {"key": _l("Another behaviour already has the key “%(key)s”: choose another one.",
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
                                        behaviour=shown_name(behaviour))
    clean["effect"] = fields.get("effect")
    if clean["effect"] not in EFFECTS:
        errors["effect"] = _l("Choose whether rewarding the KPI supports the behaviour or works against it.")
    for language in ("en", "it"):
        clean[f"rationale_{language}"] = _check_text(fields, f"rationale_{language}", RATIONALE_LENGTH, errors,
                                                     _l("Say in one line why, in this language."))
    refuse_if(errors)
    return clean


def add_link(kpi: Kpi, **fields) -> KpiBehaviourLink:
    """Link a KPI to a behaviour it supports or works against, with a one-line rationale in both languages."""
    link = KpiBehaviourLink(kpi_id=kpi.id, **_check_link(kpi, fields, None))
    insert(link, {"behaviour_id": _l("This KPI is already linked to “%(behaviour)s”: edit that link instead.",
                                      behaviour=shown_name(db.session.get(Behaviour, link.behaviour_id)))})
    return link


def update_link(link: KpiBehaviourLink, **fields) -> KpiBehaviourLink:
    for name, value in _check_link(link.kpi, fields, link).items():
        setattr(link, name, value)
    db.session.flush()
    return link


def remove_link(link: KpiBehaviourLink) -> None:
    db.session.delete(link)
    db.session.flush()


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
