"""Managers add modules to the plans of the people in their team, with an optional due date."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..orgs.models import Person
from ..orgs.service import team_members_query
from ..refusals import Refused
from .models import Assignment, Module

#: Why an assignment is refused, by code: the field of the assignment form it is about, and the message.
#: "unknown-person" (an id that is no person of the manager's organisation) carries no message: the view
#: answers 404, never confirming or denying another organisation's people.
ASSIGNMENT_REFUSALS = {
    "no-people": ("people", _l("Choose at least one person.")),
    "unknown-person": ("people", _l("Choose people from the list.")),
    "unknown-module": ("module_id", _l("This module is no longer in the library. Choose another one.")),
    "retired": ("module_id", _l("This module is no longer in the library. Choose another one.")),
    "past-due-date": ("due_date", _l("The due date is in the past. Choose today or a later day.")),
}


def _refused(code: str) -> Refused:
    field_name, message = ASSIGNMENT_REFUSALS[code]
    return Refused({field_name: message}, code)


@dataclass
class AssignResult:
    module: Module
    created: list[Person] = field(default_factory=list)
    #: People who already had the module assigned: their due date was changed instead.
    updated: list[Person] = field(default_factory=list)


def assignable_modules() -> list[Module]:
    """Every module of the library a manager may assign (not retired), versions loaded, by slug."""
    return list(db.session.scalars(
        select(Module).where(Module.retired_at.is_(None)).options(selectinload(Module.versions)).order_by(Module.slug)
    ))


def assign_module(manager: Person, person_ids: Collection[int], module_id: int | None, due_date: date | None,
                  today: date) -> AssignResult:
    """Assign a module to people of the manager's team; assigning it again changes the due date, never doubles it.

    Checks everything before writing anything: one refused person refuses the whole request.
    """
    if not person_ids:
        raise _refused("no-people")
    wanted = set(person_ids)
    known = set(db.session.scalars(
        select(Person.id).where(Person.id.in_(wanted), Person.organisation_id == manager.organisation_id)))
    if known != wanted:
        raise _refused("unknown-person")
    members = {p.id: p for p in db.session.scalars(team_members_query(manager).where(Person.id.in_(wanted)))}
    if len(members) != len(wanted):
        outside = db.session.scalars(select(Person.name).where(Person.id.in_(wanted - set(members)))
                                     .order_by(Person.name)).all()
        raise Refused({"people": ngettext(
            "%(names)s is not in your team: you can assign modules only to the people you manage.",
            "%(names)s are not in your team: you can assign modules only to the people you manage.",
            len(outside), names=", ".join(outside))}, "not-in-team", names=list(outside))
    module = db.session.get(Module, module_id) if module_id is not None else None
    if module is None:
        raise _refused("unknown-module")
    if module.retired_at is not None:
        raise _refused("retired")
    if due_date is not None and due_date < today:
        raise _refused("past-due-date")

    existing = {a.person_id: a for a in db.session.scalars(
        select(Assignment).where(Assignment.module_id == module.id, Assignment.person_id.in_(wanted)))}
    result = AssignResult(module)
    for person in sorted(members.values(), key=lambda p: (p.name, p.id)):
        assignment = existing.get(person.id)
        if assignment is None:
            assignment = _create(manager, person, module, due_date)
            if assignment is not None:
                result.created.append(person)
                continue
            assignment = _existing(person, module)
        assignment.due_date = due_date
        result.updated.append(person)
    db.session.flush()
    return result


def _create(manager: Person, person: Person, module: Module, due_date: date | None) -> Assignment | None:
    """A new assignment; None when another request created it a moment ago (the caller updates that one)."""
    assignment = Assignment(organisation_id=person.organisation_id, person_id=person.id, module_id=module.id,
                            assigned_by_id=manager.id, due_date=due_date)
    try:
        with db.session.begin_nested():
            db.session.add(assignment)
    except IntegrityError:
        return None
    return assignment


def _existing(person: Person, module: Module) -> Assignment:
    return db.session.scalar(
        select(Assignment).where(Assignment.person_id == person.id, Assignment.module_id == module.id))


def team_assignments(manager: Person) -> list[Assignment]:
    """The assignments of everyone in the manager's team, by person then newest first, with what the page shows."""
    members = team_members_query(manager).with_only_columns(Person.id).order_by(None)
    return list(db.session.scalars(
        select(Assignment).join(Assignment.person)
        .where(Assignment.organisation_id == manager.organisation_id, Assignment.person_id.in_(members))
        .options(selectinload(Assignment.person), selectinload(Assignment.assigned_by),
                 selectinload(Assignment.module).selectinload(Module.versions))
        .order_by(Person.name, Person.id, Assignment.created_at.desc())
    ))


def remove_assignment(manager: Person, assignment: Assignment) -> bool:
    """Take an assignment off a team member's plan (progress made stays); False when the person is not in the
    manager's team."""
    in_team = db.session.scalar(
        team_members_query(manager).with_only_columns(Person.id).where(Person.id == assignment.person_id))
    if in_team is None:
        return False
    db.session.delete(assignment)
    db.session.flush()
    return True
