"""Reward plans and KPI values for scorecard tests (until the demo KPI data lands)."""
from __future__ import annotations

from sqlalchemy import select

from cxculture.extensions import db
from cxculture.kpis.models import Kpi, KpiValue, RewardComponent, RewardPlan
from cxculture.orgs.models import JobRole, Organisation, Person, Team


def kpi(organisation: Organisation, key: str) -> Kpi:
    found = db.session.scalar(select(Kpi).where(Kpi.organisation_id == organisation.id, Kpi.key == key))
    assert found is not None, f"no KPI {key!r} in {organisation.slug}"
    return found


def make_plan(organisation: Organisation, job_role_key: str, period: str, components) -> RewardPlan:
    """A plan for the job role; components are (kpi key, weight, target, threshold)."""
    role = db.session.scalar(select(JobRole).where(JobRole.organisation_id == organisation.id,
                                                   JobRole.key == job_role_key))
    plan = RewardPlan(organisation_id=organisation.id, job_role_id=role.id, period=period)
    for position, (key, weight, target, threshold) in enumerate(components):
        plan.components.append(RewardComponent(kpi=kpi(organisation, key), position=position, weight=weight,
                                               target=target, threshold=threshold))
    db.session.add(plan)
    db.session.flush()
    return plan


def set_value(organisation: Organisation, key: str, period: str, value: float, person: Person | None = None,
              team: Team | None = None, answers: int | None = None) -> KpiValue:
    row = KpiValue(organisation_id=organisation.id, kpi_id=kpi(organisation, key).id, period=period, value=value,
                   person_id=person.id if person else None, team_id=team.id if team else None, answers=answers)
    db.session.add(row)
    db.session.flush()
    return row


def person(email: str) -> Person:
    return db.session.scalar(select(Person).where(Person.email == email))


#: The contact-centre plan the scorecard tests use: two customer KPIs, one efficiency KPI that is lower-better.
CONTACT_CENTRE_PLAN = (("csat", 40, 85, 75), ("fcr", 30, 75, 65), ("aht", 30, 300, 360))


def contact_centre_scorecard_data(organisation: Organisation, who: Person, period: str = "2026-Q2",
                                  previous: str = "2026-Q1") -> RewardPlan:
    """A plan for the person's job role and values in both quarters: CSAT met and better, FCR below threshold and
    worse, AHT (lower is better) below target but better; NPS measured outside the plan; CSAT from 24 answers."""
    plan = make_plan(organisation, who.job_role.key, period, CONTACT_CENTRE_PLAN)
    set_value(organisation, "csat", period, 88.0, person=who, answers=24)
    set_value(organisation, "csat", previous, 82.0, person=who)
    set_value(organisation, "fcr", period, 61.5, person=who)
    set_value(organisation, "fcr", previous, 70.0, person=who)
    set_value(organisation, "aht", period, 330.0, person=who)
    set_value(organisation, "aht", previous, 345.0, person=who)
    set_value(organisation, "nps", period, 35.0, person=who)
    db.session.commit()
    return plan


def shrink_team(who: Person, keep: int = 1) -> None:
    """Leave in `who`'s team only them, their manager and `keep` colleagues; the others move to a new team of
    their own with no manager. A test that makes a PDF per person of a team then makes three, not ten (each
    takes a third of a second of CPU)."""
    from cxculture.orgs.service import team_paths
    from cxculture.orgs.teams import ensure_team_path

    colleagues = db.session.scalars(select(Person).where(
        Person.team_id == who.team_id, Person.id != who.id, Person.id != who.manager_id).order_by(Person.id)).all()
    elsewhere = ensure_team_path(who.organisation, f"{team_paths(who.organisation_id)[who.team_id]} (others)")
    for colleague in colleagues[keep:]:
        colleague.team, colleague.manager_id = elsewhere, None
    db.session.commit()
