"""Changes an administrator makes to their organisation, each checked against that organisation first.

Every function validates everything before it touches a row, so a refused change leaves the session as it
was; it raises `Refused` with a message per form field. Nothing here commits: the request does.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..audit import changes, record
from ..auth.invitations import mail_invitation
from ..auth.login_sessions import end_sessions_of
from ..extensions import db
from ..i18n import current_language
from ..refusals import Refused, refuse_if
from ..util import utcnow
from .models import MIN_ANONYMITY_THRESHOLD, JobRole, Organisation, Permission, Person, Team
from .service import person_by_email
from .teams import MAX_DEPTH, MAX_TEAM_NAME_LENGTH, PATH_SEPARATOR

MAX_ANONYMITY_THRESHOLD = 50
LANGUAGES = ("en", "it")
JOB_ROLE_KEY = re.compile(r"^[a-z0-9_]+$")


# Organisation settings ---------------------------------------------------------------------------------------

def threshold_problem(threshold: int | None) -> str | None:
    """Why `threshold` cannot be the anonymity threshold, or None when it can."""
    if threshold is None:
        return _("Enter the anonymity threshold as a whole number.")
    if threshold < MIN_ANONYMITY_THRESHOLD:
        return _(
            "The anonymity threshold cannot be below %(min)s: smaller groups could identify who answered.",
            min=MIN_ANONYMITY_THRESHOLD,
        )
    if threshold > MAX_ANONYMITY_THRESHOLD:
        return _("The anonymity threshold cannot be above %(max)s.", max=MAX_ANONYMITY_THRESHOLD)
    return None


def update_organisation_settings(
    organisation: Organisation, *, name: str, default_language: str, anonymity_threshold: int, benchmark_opt_in: bool
) -> Organisation:
    """Change the organisation's name, default language, anonymity threshold and benchmark opt-in."""
    errors: dict[str | None, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Enter the organisation's name.")
    if default_language not in LANGUAGES:
        errors["default_language"] = _("Choose English or Italian.")
    problem = threshold_problem(anonymity_threshold)
    if problem:
        errors["anonymity_threshold"] = problem
    refuse_if(errors)
    before = _organisation_values(organisation)
    organisation.name = name
    organisation.default_language = default_language
    organisation.anonymity_threshold = anonymity_threshold
    organisation.benchmark_opt_in = bool(benchmark_opt_in)
    db.session.flush()
    old, new = changes(before, _organisation_values(organisation))
    if new:
        record("organisation.settings", target=organisation, before=old, after=new)
    return organisation


def _organisation_values(organisation: Organisation) -> dict:
    return {"name": organisation.name, "default_language": organisation.default_language,
            "anonymity_threshold": organisation.anonymity_threshold,
            "benchmark_opt_in": bool(organisation.benchmark_opt_in)}


# Teams -------------------------------------------------------------------------------------------------------

def _team_parents(organisation_id: int) -> dict[int, int | None]:
    """Every team of the organisation: id -> parent id, in one query."""
    rows = db.session.execute(select(Team.id, Team.parent_id).where(Team.organisation_id == organisation_id))
    return dict(rows.all())


def _depth(parents: dict[int, int | None], team_id: int | None) -> int:
    """How many levels a team sits at (a root team is 1; None is 0)."""
    depth, seen = 0, set()
    while team_id is not None and team_id not in seen:
        seen.add(team_id)
        depth += 1
        team_id = parents.get(team_id)
    return depth


def _subtree_ids(parents: dict[int, int | None], root_id: int) -> set[int]:
    """`root_id` and all the teams below it."""
    children: dict[int | None, list[int]] = {}
    for team_id, parent_id in parents.items():
        children.setdefault(parent_id, []).append(team_id)
    found, todo = set(), [root_id]
    while todo:
        team_id = todo.pop()
        if team_id not in found:
            found.add(team_id)
            todo.extend(children.get(team_id, ()))
    return found


def team_and_sub_teams(team: Team) -> set[int]:
    """The ids of `team` and every team below it: none of them can become its parent."""
    return _subtree_ids(_team_parents(team.organisation_id), team.id)


def _subtree_height(parents: dict[int, int | None], root_id: int) -> int:
    """Levels from `root_id` down to its deepest sub-team (1 for a team without sub-teams)."""
    root_depth = _depth(parents, root_id)
    return max(_depth(parents, t) for t in _subtree_ids(parents, root_id)) - root_depth + 1


def _check_team(organisation_id: int, name: str, parent_id: int | None, team: Team | None) -> tuple[str, Team | None]:
    """The cleaned name and the parent of a team about to be created or changed; raises Refused."""
    errors: dict[str | None, str] = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Enter the team's name.")
    elif PATH_SEPARATOR in name:
        errors["name"] = _('A team name cannot contain "%(sep)s": it separates levels in team paths.',
                           sep=PATH_SEPARATOR)
    elif len(name) > MAX_TEAM_NAME_LENGTH:
        errors["name"] = _("Use at most %(n)s characters.", n=MAX_TEAM_NAME_LENGTH)

    parent = None
    parents = _team_parents(organisation_id)
    if parent_id is not None:
        parent = db.session.get(Team, parent_id)
        if parent is None or parent.organisation_id != organisation_id:
            errors["parent_id"] = _("Choose one of your organisation's teams.")
            parent = None
        elif team is not None and parent.id in _subtree_ids(parents, team.id):
            errors["parent_id"] = _("A team cannot be moved under itself or one of its own sub-teams.")
    if "parent_id" not in errors:
        height = _subtree_height(parents, team.id) if team is not None and team.id is not None else 1
        if _depth(parents, parent_id) + height > MAX_DEPTH:
            errors["parent_id"] = _("Teams nest at most %(n)s levels deep; choose a higher parent.", n=MAX_DEPTH)

    if "name" not in errors and "parent_id" not in errors:
        same_place = select(Team.id).where(
            Team.organisation_id == organisation_id,
            # SQL UNIQUE treats NULL parents as all different, so top-level names are only checked here
            # (SQLAlchemy renders `== None` as IS NULL).
            Team.parent_id == parent_id,
            func.lower(Team.name) == name.lower(),
        )
        if team is not None:
            same_place = same_place.where(Team.id != team.id)
        if db.session.scalar(same_place.limit(1)) is not None:
            errors["name"] = _("There is already a team called %(name)s in that place.", name=name)
    refuse_if(errors)
    return name, parent


def create_team(organisation: Organisation, name: str, parent_id: int | None = None) -> Team:
    """A new team, at the top or under `parent_id`."""
    name, parent = _check_team(organisation.id, name, parent_id, None)
    team = Team(organisation=organisation, name=name, parent=parent)
    db.session.add(team)
    db.session.flush()
    record("team.created", target=team, after={"name": team.name, "parent": parent.path if parent else None})
    return team


def update_team(team: Team, name: str, parent_id: int | None) -> Team:
    """Rename `team` and/or move it (with its sub-teams) under another parent, or to the top."""
    name, parent = _check_team(team.organisation_id, name, parent_id, team)
    before = {"name": team.name, "path": team.path}
    team.name = name
    team.parent = parent
    db.session.flush()
    old, new = changes(before, {"name": team.name, "path": team.path})
    if new:
        record("team.updated", target=team, before=old, after=new)
    return team


def delete_team(team: Team) -> None:
    """Delete a team that has no people and no sub-teams."""
    people = db.session.scalar(select(func.count(Person.id)).where(Person.team_id == team.id))
    sub_teams = db.session.scalar(select(func.count(Team.id)).where(Team.parent_id == team.id))
    reasons = []
    if people:
        reasons.append(ngettext("%(team)s still has %(num)s person: move them to another team first.",
                                "%(team)s still has %(num)s people: move them to another team first.",
                                people, team=team.name))
    if sub_teams:
        reasons.append(ngettext("%(team)s still has %(num)s sub-team: move or delete it first.",
                                "%(team)s still has %(num)s sub-teams: move or delete them first.",
                                sub_teams, team=team.name))
    refuse_if({None: " ".join(reasons)} if reasons else {})
    record("team.deleted", target=team, before={"path": team.path})
    db.session.delete(team)
    db.session.flush()


# Job roles ---------------------------------------------------------------------------------------------------

def _check_role_names(name_en: str, name_it: str) -> tuple[str, str, dict[str | None, str]]:
    errors: dict[str | None, str] = {}
    name_en, name_it = (name_en or "").strip(), (name_it or "").strip()
    for field, value in (("name_en", name_en), ("name_it", name_it)):
        if not value:
            errors[field] = _("Enter the name.")
        elif len(value) > 120:
            errors[field] = _("Use at most 120 characters.")
    return name_en, name_it, errors


def create_job_role(organisation: Organisation, key: str, name_en: str, name_it: str) -> JobRole:
    """A new job role; its `key` is fixed from now on."""
    name_en, name_it, errors = _check_role_names(name_en, name_it)
    key = (key or "").strip()
    if not JOB_ROLE_KEY.match(key) or len(key) > 64:
        errors["key"] = _("Use only lower-case letters, digits and underscores (at most 64), like front_line.")
    elif db.session.scalar(
        select(JobRole.id).where(JobRole.organisation_id == organisation.id, JobRole.key == key)
    ) is not None:
        errors["key"] = _("Another job role already has the key %(key)s.", key=key)
    refuse_if(errors)
    role = JobRole(organisation=organisation, key=key, name_en=name_en, name_it=name_it)
    db.session.add(role)
    db.session.flush()
    record("job_role.created", target=role, after={"key": key, "name_en": name_en, "name_it": name_it})
    return role


def rename_job_role(role: JobRole, name_en: str, name_it: str) -> JobRole:
    """Change a job role's English and Italian names (the key never changes)."""
    name_en, name_it, errors = _check_role_names(name_en, name_it)
    refuse_if(errors)
    old, new = changes({"name_en": role.name_en, "name_it": role.name_it}, {"name_en": name_en, "name_it": name_it})
    role.name_en, role.name_it = name_en, name_it
    db.session.flush()
    if new:
        record("job_role.updated", target=role, before=old, after=new)
    return role


def delete_job_role(role: JobRole) -> None:
    """Delete a job role nobody has (deactivated people included)."""
    people = db.session.scalar(select(func.count(Person.id)).where(Person.job_role_id == role.id))
    if people:
        raise Refused({None: ngettext(
            "%(role)s is still the job role of %(num)s person: give them another role first.",
            "%(role)s is still the job role of %(num)s people: give them another role first.",
            people, role=role.name(current_language()),
        )})
    record("job_role.deleted", target=role, before={"key": role.key, "name_en": role.name_en, "name_it": role.name_it})
    db.session.delete(role)
    db.session.flush()


# People ------------------------------------------------------------------------------------------------------

@dataclass
class PersonDetails:
    """What the administrator enters about a person."""

    email: str
    name: str
    #: None follows the organisation's default.
    language: str | None = None
    job_role_id: int | None = None
    team_id: int | None = None
    manager_id: int | None = None
    permissions: tuple[str, ...] = ("employee",)
    active: bool = True


def _manager_chain_reaches(organisation_id: int, person_id: int, manager_id: int) -> bool:
    """Whether making `manager_id` the manager of `person_id` would close a loop of managers."""
    managers = dict(
        db.session.execute(select(Person.id, Person.manager_id).where(Person.organisation_id == organisation_id)).all()
    )
    seen = set()
    current: int | None = manager_id
    while current is not None and current not in seen:
        if current == person_id:
            return True
        seen.add(current)
        current = managers.get(current)
    return False


def email_taken(email: str):
    """The refusal of an address some person already has, in this organisation or another: the same words
    either way, naming no person and no organisation (an address is unique in the whole installation)."""
    return _l("%(email)s cannot be used: the address is already taken. Check it, or use another address.",
              email=email)


def _write_person(person: Person, values: dict) -> None:
    """Write in a savepoint: an address another request took meanwhile is the same refusal, not a 500."""
    try:
        with db.session.begin_nested():
            _apply(person, values)
            db.session.add(person)
            db.session.flush()
    except IntegrityError:
        raise Refused({"email": email_taken(values["email"])}) from None


def _check_person(organisation: Organisation, details: PersonDetails, person: Person | None,
                  acting: Person | None) -> dict:
    """The validated values for a person's columns; raises Refused naming each bad field."""
    errors: dict[str | None, str] = {}
    # The administrator cannot lock themselves out: only another administrator can.
    editing_self = acting is not None and person is not None and acting.id == person.id
    email = (details.email or "").strip().lower()
    name = (details.name or "").strip()
    if not email or "@" not in email or len(email) > 254:
        errors["email"] = _("Enter a valid e-mail address, like name@example.com.")
    else:
        other = person_by_email(email)
        if other is not None and (person is None or other.id != person.id):
            errors["email"] = email_taken(email)
    if not name:
        errors["name"] = _("Enter the person's name.")
    elif len(name) > 200:
        errors["name"] = _("Use at most 200 characters.")
    language = details.language or None
    if language is not None and language not in LANGUAGES:
        errors["language"] = _("Choose English, Italian or the organisation's default.")

    def in_organisation(model, object_id):
        obj = db.session.get(model, object_id)
        return obj if obj is not None and obj.organisation_id == organisation.id else None

    if details.job_role_id is not None and in_organisation(JobRole, details.job_role_id) is None:
        errors["job_role_id"] = _("Choose one of your organisation's job roles.")
    if details.team_id is not None and in_organisation(Team, details.team_id) is None:
        errors["team_id"] = _("Choose one of your organisation's teams.")
    if details.manager_id is not None:
        manager = in_organisation(Person, details.manager_id)
        # A manager who has since left may stay until someone is chosen instead; a new choice must be active.
        unchanged = person is not None and person.manager_id == details.manager_id
        if person is not None and details.manager_id == person.id:
            errors["manager_id"] = _("A person cannot be their own manager.")
        elif manager is None or not (manager.active or unchanged):
            errors["manager_id"] = _("Choose an active person of your organisation as manager.")
        elif person is not None and _manager_chain_reaches(organisation.id, person.id, manager.id):
            errors["manager_id"] = _(
                "%(manager)s reports, directly or not, to %(name)s: this would make a loop of managers.",
                manager=manager.name, name=person.name,
            )

    permissions = tuple(dict.fromkeys(details.permissions or ()))
    if not permissions:
        errors["permissions"] = _("Choose at least one permission.")
    elif any(p not in Permission.values() for p in permissions):
        errors["permissions"] = _("Choose permissions from the list.")
    elif editing_self and acting.can(Permission.ADMIN) and Permission.ADMIN.value not in permissions:
        errors["permissions"] = _("You cannot remove your own administrator permission; ask another administrator.")
    if editing_self and not details.active:
        errors["active"] = _("You cannot deactivate yourself; ask another administrator.")
    refuse_if(errors)
    return {
        "email": email, "name": name, "language": language, "job_role_id": details.job_role_id,
        "team_id": details.team_id, "manager_id": details.manager_id, "active": bool(details.active),
        "permissions": permissions,
    }


def _apply(person: Person, values: dict) -> None:
    values = dict(values)
    permissions = values.pop("permissions")
    for column, value in values.items():
        setattr(person, column, value)
    person.permissions = permissions
    if not person.active and person.deactivated_at is None:
        person.deactivated_at = utcnow()
    elif person.active:
        person.deactivated_at = None


def audited_values(person: Person) -> dict:
    """What the audit trail records of a person's details: who they are, what they may do, where they sit."""
    return {"email": person.email, "name": person.name, "permissions": sorted(person.permissions),
            "job_role": person.job_role.key if person.job_role else None,
            "team": person.team.path if person.team else None,
            "manager": person.manager.email if person.manager else None,
            "language": person.language, "active": person.active}


def create_person(organisation: Organisation, details: PersonDetails) -> Person:
    """A new person, invited: they have no password until they follow their invitation link, which is e-mailed to
    them (once the caller commits) and shown to the administrator."""
    values = _check_person(organisation, details, None, None)
    person = Person(organisation_id=organisation.id)
    _write_person(person, values)
    if person.active:
        mail_invitation(person)
    record("person.created", target=person, after=audited_values(person))
    return person


def update_person(person: Person, details: PersonDetails, acting: Person) -> Person:
    """Change a person's details; `acting` (the administrator) may not lock themselves out. Deactivating a person
    ends every session they have."""
    values = _check_person(person.organisation, details, person, acting)
    deactivating = person.active and not values["active"]
    before = audited_values(person)
    _write_person(person, values)
    db.session.refresh(person, ["job_role", "team", "manager"])
    old, new = changes(before, audited_values(person))
    if new:
        record("person.updated", target=person, before=old, after=new)
    if deactivating:
        end_sessions_of(person)
        db.session.flush()
    return person
