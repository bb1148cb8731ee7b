"""Demo KPI data: reward plans per job role, people's KPI values and teams' survey answers for two quarters.

Demo Retail's contact-centre plan leans on average handling time, so the alignment review has something to
say; Demo Bank rebalanced its plan in the second quarter. Values are drawn from a seeded generator: the same
on every machine.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from sqlalchemy import select

from ..extensions import db
from ..orgs.models import JobRole, Organisation, Person, Team
from ..orgs.teams import teams_by_path
from .catalogue import ensure_catalogue
from .formulas import compute
from .models import Kpi, KpiValue, RewardComponent, RewardPlan

PERIODS = ("2026-Q2", "2026-Q3")

#: (KPI key, weight %, target, threshold) per job role.
_LEANS_ON_AHT = (("aht", 35, 300, 360), ("contacts_per_hour", 15, 9, 7), ("csat", 25, 85, 75),
                 ("fcr", 15, 75, 65), ("schedule_adherence", 10, 92, 85))
_REBALANCED = (("fcr", 30, 78, 68), ("csat", 25, 86, 76), ("ces", 15, 5.5, 4.8), ("quality_review", 20, 85, 75),
               ("aht", 10, 330, 420))
_PLANS = {
    "frontline": (("nps", 30, 40, 25), ("sales_per_hour", 30, 650, 500), ("upsell_rate", 20, 18, 12),
                  ("feedback_passed_on", 10, 6, 2), ("training_completion", 10, 100, 80)),
    "team_lead": (("fcr", 25, 75, 65), ("csat", 20, 85, 75), ("repeat_contact", 15, 8, 12),
                  ("journey_fixes", 15, 3, 1), ("training_completion", 10, 100, 80), ("cost_to_serve", 15, 40, 48)),
    "back_office": (("complaint_resolution", 35, 48, 72), ("repeat_contact", 20, 8, 12),
                    ("cost_to_serve", 25, 38, 45), ("quality_review", 20, 85, 75)),
    "executive": (("nps", 30, 40, 25), ("churn", 25, 8, 10), ("cost_to_serve", 20, 40, 46),
                  ("journey_fixes", 15, 6, 2), ("training_completion", 10, 100, 90)),
    "marketing_digital": (("ces", 30, 5.5, 4.8), ("nps", 20, 40, 25), ("upsell_rate", 30, 18, 12),
                          ("journey_fixes", 20, 4, 1)),
    "hr": (("training_completion", 70, 95, 80), ("feedback_passed_on", 30, 6, 2)),
}
#: Per organisation and period, the contact centre's plan.
_CONTACT_CENTRE = {("demo-retail", "2026-Q2"): _LEANS_ON_AHT, ("demo-retail", "2026-Q3"): _LEANS_ON_AHT,
                   ("demo-bank", "2026-Q2"): _LEANS_ON_AHT, ("demo-bank", "2026-Q3"): _REBALANCED}
#: Teams whose customers answer NPS, CSAT and CES surveys, with how many answers a quarter (one is small).
_SURVEYED_TEAMS = {
    "demo-retail": {"Vendite/Milano Store": 180, "Vendite/Roma Store": 140, "Vendite/Torino Store": 24,
                    "Servizio clienti/Contact center": 420},
    "demo-bank": {"Branches/London Bridge": 160, "Branches/Manchester": 110, "Customer Care/Contact Centre": 380},
}


@dataclass
class DemoKpisReport:
    loaded: list[str] = field(default_factory=list)
    plans: int = 0
    values: int = 0


def load_demo_kpis(organisations: list[Organisation]) -> DemoKpisReport:
    """Plans and values for each demo organisation that has no reward plan yet (a second run changes nothing)."""
    report = DemoKpisReport()
    for organisation in organisations:
        if db.session.scalar(select(RewardPlan.id).where(RewardPlan.organisation_id == organisation.id).limit(1)):
            continue
        ensure_catalogue(organisation)
        rng = random.Random(f"kpis-{organisation.slug}")
        kpis = {k.key: k for k in db.session.scalars(select(Kpi).where(Kpi.organisation_id == organisation.id))}
        roles = {
            r.key: r for r in db.session.scalars(select(JobRole).where(JobRole.organisation_id == organisation.id))
        }
        for period in PERIODS:
            plans = _add_plans(organisation, period, kpis, roles)
            report.plans += len(plans)
            report.values += _add_people_values(organisation, period, plans, rng)
            report.values += _add_team_surveys(organisation, period, kpis, rng)
        report.loaded.append(organisation.slug)
    db.session.flush()
    return report


def _add_plans(
    organisation: Organisation, period: str, kpis: dict[str, Kpi], roles: dict[str, JobRole]
) -> dict[int, RewardPlan]:
    specs = {**_PLANS, "contact_centre": _CONTACT_CENTRE[(organisation.slug, period)]}
    plans = {}
    for role_key, components in specs.items():
        role = roles.get(role_key)
        if role is None:
            continue
        plan = RewardPlan(
            organisation_id=organisation.id,
            job_role_id=role.id,
            period=period,
            components=[
                RewardComponent(kpi=kpis[key], weight=weight, target=target, threshold=threshold, position=position)
                for position, (key, weight, target, threshold) in enumerate(components)
            ],
        )
        db.session.add(plan)
        plans[role.id] = plan
    db.session.flush()
    return plans


def _draw(rng: random.Random, kpi: Kpi, target: float, threshold: float, period: str) -> float:
    """A value around the target: most people near it, some past it, a few below the threshold."""
    spread = abs(target - threshold) * 1.4 or 1
    improvement = 0.15 * spread if period == PERIODS[1] else 0.0
    value = rng.gauss(target - 0.2 * spread * (1 if kpi.better == "higher" else -1), spread / 1.5)
    value += improvement if kpi.better == "higher" else -improvement
    low = kpi.min_value if kpi.min_value is not None else value
    high = kpi.max_value if kpi.max_value is not None else value
    value = min(max(value, low), high)
    return round(value) if kpi.unit in ("count", "seconds") else round(value, 1)


def _add_people_values(
    organisation: Organisation, period: str, plans: dict[int, RewardPlan], rng: random.Random
) -> int:
    people = db.session.scalars(
        select(Person).where(Person.organisation_id == organisation.id, Person.active).order_by(Person.id)
    )
    count = 0
    for person in people:
        plan = plans.get(person.job_role_id)
        if plan is None:
            continue
        for component in plan.components:
            value = _draw(rng, component.kpi, component.target, component.threshold, period)
            db.session.add(
                KpiValue(
                    organisation_id=organisation.id,
                    kpi_id=component.kpi_id,
                    period=period,
                    person_id=person.id,
                    value=value,
                )
            )
            count += 1
    return count


def _distribution(rng: random.Random, scale: range, answers: int, lean: float) -> dict[int, int]:
    """`answers` survey answers on the scale, leaning toward its top by `lean` (0..1)."""
    weights = [(1 + i) ** (1 + 3 * lean) for i in range(len(scale))]
    counts = dict.fromkeys(scale, 0)
    for score in rng.choices(list(scale), weights=weights, k=answers):
        counts[score] += 1
    return {score: n for score, n in counts.items() if n}


def _add_team_surveys(organisation: Organisation, period: str, kpis: dict[str, Kpi], rng: random.Random) -> int:
    from .formulas import SCALES

    teams: dict[str, Team] = teams_by_path(organisation.id)
    count = 0
    for path, answers in _SURVEYED_TEAMS.get(organisation.slug, {}).items():
        team = teams.get(path)
        if team is None:
            continue
        for survey in ("nps", "csat", "ces"):
            lean = 0.55 + (0.05 if period == PERIODS[1] else 0) + rng.uniform(-0.1, 0.1)
            distribution = _distribution(rng, SCALES[survey], answers, lean)
            result = compute(survey, distribution)
            db.session.add(
                KpiValue(
                    organisation_id=organisation.id,
                    kpi_id=kpis[survey].id,
                    period=period,
                    team_id=team.id,
                    value=result.value,
                    answers=result.answers,
                    distribution={str(score): n for score, n in sorted(distribution.items())},
                )
            )
            count += 1
    return count
