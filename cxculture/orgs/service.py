"""Queries and changes on organisations, teams, job roles and people."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from ..extensions import db
from .models import JobRole, Organisation, Person, PersonPermission, Team

#: The job roles every organisation starts with: key, English name, Italian name.
DEFAULT_JOB_ROLES = (
    ("executive", "Executive", "Direzione"),
    ("hr", "HR", "Risorse umane"),
    ("team_lead", "Team lead", "Responsabile di team"),
    ("frontline", "Front line", "Front line"),
    ("contact_centre", "Contact centre", "Contact center"),
    ("back_office", "Back office", "Back office"),
    ("marketing_digital", "Marketing and digital", "Marketing e digitale"),
)


def create_organisation(name: str, slug: str, default_language: str = "en", **settings) -> Organisation:
    """A new organisation with the default job roles."""
    organisation = Organisation(name=name, slug=slug, default_language=default_language, **settings)
    db.session.add(organisation)
    for key, name_en, name_it in DEFAULT_JOB_ROLES:
        db.session.add(JobRole(organisation=organisation, key=key, name_en=name_en, name_it=name_it))
    db.session.flush()
    return organisation


def organisation_by_slug(slug: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.slug == slug))


def direct_reports(manager: Person) -> list[Person]:
    return list(
        db.session.scalars(
            select(Person).where(Person.manager_id == manager.id, Person.active.is_(True)).order_by(Person.name)
        )
    )


@dataclass(frozen=True)
class OrganisationCounts:
    people: int
    active: int
    invited: int
    teams: int
    job_roles: int


def organisation_counts(organisation_id: int) -> OrganisationCounts:
    people, active, invited = db.session.execute(
        select(
            func.count(Person.id),
            func.count(Person.id).filter(Person.active.is_(True)),
            func.count(Person.id).filter(Person.password_hash.is_(None), Person.active.is_(True)),
        ).where(Person.organisation_id == organisation_id)
    ).one()
    teams = db.session.scalar(select(func.count(Team.id)).where(Team.organisation_id == organisation_id))
    roles = db.session.scalar(select(func.count(JobRole.id)).where(JobRole.organisation_id == organisation_id))
    return OrganisationCounts(people, active, invited, teams, roles)


def people_per_job_role(organisation_id: int) -> list[tuple[JobRole | None, int]]:
    """Active people counted by job role (None for people without one), largest first."""
    rows = db.session.execute(
        select(Person.job_role_id, func.count(Person.id))
        .where(Person.organisation_id == organisation_id, Person.active.is_(True))
        .group_by(Person.job_role_id)
        .order_by(func.count(Person.id).desc())
    ).all()
    roles = {r.id: r for r in db.session.scalars(select(JobRole).where(JobRole.organisation_id == organisation_id))}
    return [(roles.get(role_id), count) for role_id, count in rows]


def people_with_permission(organisation_id: int, permission: str) -> list[Person]:
    return list(
        db.session.scalars(
            select(Person)
            .join(PersonPermission)
            .where(Person.organisation_id == organisation_id, PersonPermission.name == permission)
            .order_by(Person.name)
        )
    )


def search_people_query(organisation_id: int, text: str = ""):
    """A select of the organisation's people matching `text` in name or e-mail, by name."""
    query = select(Person).where(Person.organisation_id == organisation_id)
    text = text.strip()
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(or_(func.lower(Person.name).like(pattern), func.lower(Person.email).like(pattern)))
    return query.order_by(Person.name, Person.id)


def person_by_email(email: str) -> Person | None:
    return db.session.scalar(select(Person).where(Person.email == email.strip().lower()))
