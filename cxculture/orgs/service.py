"""Queries and changes on organisations, teams, job roles and people."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from .models import JobRole, Organisation, Person, Team
from .signals import organisation_created
from .teams import teams_by_path

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
    organisation_created.send(organisation)
    return organisation


def organisation_by_slug(slug: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.slug == slug))


def direct_reports(manager: Person) -> list[Person]:
    return list(
        db.session.scalars(
            select(Person).where(Person.manager_id == manager.id, Person.active.is_(True)).order_by(Person.name)
        )
    )


def team_members_query(manager: Person):
    """A select of the people a manager is responsible for, by name: active people of the manager's organisation
    who report to them directly or belong to the manager's own team (not its sub-teams); never the manager."""
    scope = Person.manager_id == manager.id
    if manager.team_id is not None:
        scope = or_(scope, Person.team_id == manager.team_id)
    return (
        select(Person)
        .where(Person.organisation_id == manager.organisation_id, Person.active.is_(True), Person.id != manager.id,
               scope)
        .order_by(Person.name, Person.id)
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


# What the administration pages show ---------------------------------------------------------------------------

def team_paths(organisation_id: int) -> dict[int, str]:
    """Every team's path by its id ("Sales/Milano Store"), from one query."""
    return {team.id: path for path, team in teams_by_path(organisation_id).items()}


def people_per_team(organisation_id: int) -> dict[int, int]:
    """How many people (deactivated ones included) each team has, by team id; teams with none are absent."""
    return dict(
        db.session.execute(
            select(Person.team_id, func.count(Person.id))
            .where(Person.organisation_id == organisation_id, Person.team_id.is_not(None))
            .group_by(Person.team_id)
        ).all()
    )


@dataclass
class TeamNode:
    """A team in the tree shown to administrators."""

    id: int
    name: str
    path: str
    people: int
    children: list[TeamNode]


def team_tree(organisation_id: int) -> list[TeamNode]:
    """The organisation's top-level teams with their sub-teams nested, each with its people count (two queries)."""
    teams = list(db.session.scalars(select(Team).where(Team.organisation_id == organisation_id).order_by(Team.name)))
    counts = people_per_team(organisation_id)
    paths: dict[int, str] = {}
    by_id = {t.id: t for t in teams}

    def path(team: Team) -> str:
        if team.id not in paths:
            parent = by_id.get(team.parent_id)
            paths[team.id] = f"{path(parent)}/{team.name}" if parent is not None else team.name
        return paths[team.id]

    nodes = {t.id: TeamNode(t.id, t.name, path(t), counts.get(t.id, 0), []) for t in teams}
    roots = []
    for team in teams:  # already by name, so children come out sorted too
        node = nodes[team.id]
        parent = nodes.get(team.parent_id)
        (parent.children if parent is not None else roots).append(node)
    return roots


def team_with_subteams(organisation_id: int, team_id: int) -> set[int] | None:
    """The ids of a team and every team below it; None when the organisation has no such team (one query)."""
    children: dict[int | None, list[int]] = {}
    for id_, parent_id in db.session.execute(
        select(Team.id, Team.parent_id).where(Team.organisation_id == organisation_id)
    ):
        children.setdefault(parent_id, []).append(id_)
    if not any(team_id in ids for ids in children.values()):
        return None
    found, waiting = set(), [team_id]
    while waiting:
        current = waiting.pop()
        found.add(current)
        waiting.extend(children.get(current, ()))
    return found


def job_roles_with_counts(organisation_id: int) -> list[tuple[JobRole, int]]:
    """The organisation's job roles with how many people (deactivated ones included) hold each, by English name."""
    people = (
        select(Person.job_role_id, func.count(Person.id).label("people"))
        .where(Person.organisation_id == organisation_id)
        .group_by(Person.job_role_id)
        .subquery()
    )
    rows = db.session.execute(
        select(JobRole, func.coalesce(people.c.people, 0))
        .outerjoin(people, people.c.job_role_id == JobRole.id)
        .where(JobRole.organisation_id == organisation_id)
        .order_by(JobRole.name_en, JobRole.id)
    ).all()
    return [(role, count) for role, count in rows]


def job_roles_of(organisation_id: int) -> list[JobRole]:
    return list(
        db.session.scalars(select(JobRole).where(JobRole.organisation_id == organisation_id).order_by(JobRole.name_en))
    )


def active_people(organisation_id: int) -> list[Person]:
    """The organisation's active people by name (for choosing a manager)."""
    return list(
        db.session.scalars(
            select(Person)
            .where(Person.organisation_id == organisation_id, Person.active.is_(True), Person.erased_at.is_(None))
            .order_by(Person.name, Person.id)
        )
    )


def people_page_query(organisation_id: int, text: str = ""):
    """`search_people_query` with what the people list shows loaded up front (job role, manager, permissions)."""
    return search_people_query(organisation_id, text).options(
        selectinload(Person.job_role), selectinload(Person.manager)
    )
