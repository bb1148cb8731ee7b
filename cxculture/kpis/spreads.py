"""How people's values of each KPI spread in a quarter, against the targets of their reward plans.

One query whatever the number of people or KPIs: each person's value with the target and threshold of their job
role's plan for the quarter, when the plan has the KPI. A person is on target as their scorecard judges it
(`line_status`), so the share here and the scorecards agree; training completion is left out, as a scorecard takes
it from the training records rather than from the stored values. Plain data out: pages draw it.
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..orgs.models import Person
from .models import Kpi, KpiValue, RewardComponent, RewardPlan
from .scorecards import MET, TRAINING_KPI, line_status


@dataclass(frozen=True)
class ValueSpread:
    """One KPI in one quarter: every person's value, the distinct targets of the plans that have it, and how many
    of the people on such a plan met their own plan's target."""

    kpi_id: int
    key: str
    name: str
    unit: str
    better: str
    #: People's values, lowest first.
    values: tuple[float, ...]
    #: The distinct targets of the plans that have the KPI for the quarter, lowest first.
    targets: tuple[float, ...]
    #: People whose plan has the KPI (with a value), and how many of them met its target.
    with_target: int
    on_target: int

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def share_on_target(self) -> float | None:
        return 100 * self.on_target / self.with_target if self.with_target else None


def value_spreads(organisation_id: int, period: str, language: str, kpi_id: int | None = None) -> list[ValueSpread]:
    """Per KPI with at least one person's value in `period` (only `kpi_id` when given), by the KPI's name."""
    query = (
        select(Kpi, KpiValue.value, RewardComponent.target, RewardComponent.threshold)
        .select_from(KpiValue)
        .join(Kpi, Kpi.id == KpiValue.kpi_id)
        .join(Person, Person.id == KpiValue.person_id)
        .outerjoin(RewardPlan, (RewardPlan.organisation_id == Person.organisation_id)
                   & (RewardPlan.job_role_id == Person.job_role_id) & (RewardPlan.period == period))
        .outerjoin(RewardComponent, (RewardComponent.plan_id == RewardPlan.id)
                   & (RewardComponent.kpi_id == KpiValue.kpi_id))
        .where(KpiValue.organisation_id == organisation_id, KpiValue.period == period, Person.active.is_(True),
               Kpi.key != TRAINING_KPI)
    )
    if kpi_id:
        query = query.where(KpiValue.kpi_id == kpi_id)
    kpis: dict[int, Kpi] = {}
    values: dict[int, list[float]] = defaultdict(list)
    targets: dict[int, set[float]] = defaultdict(set)
    judged: dict[int, list[bool]] = defaultdict(list)
    for kpi, value, target, threshold in db.session.execute(query).tuples():
        kpis[kpi.id] = kpi
        values[kpi.id].append(value)
        if target is not None:
            targets[kpi.id].add(target)
            judged[kpi.id].append(line_status(value, target, threshold, kpi.better) == MET)
    spreads = [
        ValueSpread(kpi.id, kpi.key, kpi.name(language), kpi.unit, kpi.better, tuple(sorted(values[kpi.id])),
                    tuple(sorted(targets[kpi.id])), len(judged[kpi.id]), sum(judged[kpi.id]))
        for kpi in kpis.values()
    ]
    return sorted(spreads, key=lambda spread: spread.name.casefold())
