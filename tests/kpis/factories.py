"""Factories for catalogue, plan and review tests: an organisation's KPIs by key and reward plans in one call."""
from __future__ import annotations

from sqlalchemy import select

from cxculture.extensions import db
from cxculture.kpis.models import Behaviour, Kpi, KpiValue, RewardComponent, RewardPlan
from cxculture.orgs.models import JobRole

#: A contact-centre plan leaning on AHT: 60% on customers, AHT conflicting with three behaviours.
AHT_PLAN = (("aht", 40, 300, 420), ("fcr", 30, 75, 60), ("csat", 30, 85, None))
#: A front-line plan leaning on sales: only 30% on customers.
SALES_PLAN = (("sales_per_hour", 70, 500, 300), ("nps", 30, 40, 20))


def kpis(organisation) -> dict[str, Kpi]:
    return {k.key: k for k in db.session.scalars(select(Kpi).where(Kpi.organisation_id == organisation.id))}


def behaviours(organisation) -> dict[str, Behaviour]:
    return {b.key: b for b in db.session.scalars(
        select(Behaviour).where(Behaviour.organisation_id == organisation.id))}


def role(organisation, key: str) -> JobRole:
    return db.session.scalar(select(JobRole).where(JobRole.organisation_id == organisation.id, JobRole.key == key))


def make_plan(organisation, role_key: str = "contact_centre", period: str = "2026-Q3",
              components=AHT_PLAN) -> RewardPlan:
    """A committed plan; `components` are (kpi key, weight, target, threshold)."""
    by_key = kpis(organisation)
    plan = RewardPlan(organisation_id=organisation.id, job_role_id=role(organisation, role_key).id, period=period)
    for position, (key, weight, target, threshold) in enumerate(components):
        plan.components.append(RewardComponent(kpi_id=by_key[key].id, position=position, weight=weight,
                                               target=target, threshold=threshold))
    db.session.add(plan)
    db.session.commit()
    return plan


def add_value(organisation, kpi_key: str, value: float, period: str = "2026-Q3", team=None, person=None) -> KpiValue:
    """A recorded KPI value for a team (the organisation's first when none is given) or a person."""
    from cxculture.orgs.models import Team

    if team is None and person is None:
        team = db.session.scalar(select(Team).where(Team.organisation_id == organisation.id).order_by(Team.id))
        if team is None:
            team = Team(organisation_id=organisation.id, name="Support")
            db.session.add(team)
            db.session.flush()
    row = KpiValue(organisation_id=organisation.id, kpi_id=kpis(organisation)[kpi_key].id, period=period,
                   team_id=team.id if team else None, person_id=person.id if person else None, value=value)
    db.session.add(row)
    db.session.commit()
    return row
