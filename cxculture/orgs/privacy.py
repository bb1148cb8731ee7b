"""The organisation area's privacy provider: a person's profile, permissions and who they manage; roster files.

Erasing a person keeps their row as a tombstone (no name, e-mail, password or language of theirs, `erased_at`
set) so that the rows aggregates are made of keep pointing somewhere; the people they managed go to the successor.
Flushes only: the caller commits.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ..extensions import db
from ..personal_data import Erasure, Holding, json_ready
from ..util import utcnow
from .models import Person, PersonPermission, RosterImport

AREA = "profile"
TITLE = _l("Profile and permissions")

HOLDINGS = (
    Holding("person", ("id", "email", "name", "password_hash", "language", "manager_id", "last_login_at"),
            what=_l("Name, e-mail address, language, team, job role, manager, when the account was created and "
                    "last used; a hash of the password, never the password."),
            why=_l("To log you in, pick your training path and KPIs, and show your manager your team's progress."),
            who_sees=_l("You and the administrators; your manager and HR see your name, team and job role."),
            on_erase=_l("Name, e-mail, password and language are removed; an anonymous placeholder stays so that "
                        "team figures do not change."),
            kept="account"),
    Holding("person_permission", ("person_id",),
            what=_l("What you may do in the app (employee, manager, leader, HR, administrator)."),
            why=_l("To show each person only what their permissions allow."),
            who_sees=_l("You and the administrators."),
            on_erase=_l("Removed."), kept="account"),
    Holding("roster_import", ("uploaded_by_id", "content"),
            what=_l("Roster files an administrator uploaded: the names and e-mail addresses they list."),
            why=_l("To preview an import before it is applied, and to show what it changed."),
            who_sees=_l("The administrators."),
            on_erase=_l("Files that list the person are emptied; the counts of the import stay."),
            kept="imports"),
)
NOT_PERSONAL = ()


def _tombstone_email(person: Person) -> str:
    return f"erased-{person.id}@erased.invalid"


def export(person: Person) -> dict:
    """The person's profile and permissions (the people they manage are counted, not named: that is their data)."""
    managed = db.session.scalar(select(func.count(Person.id)).where(Person.manager_id == person.id))
    return {
        "profile": {
            "id": person.id, "name": person.name, "email": person.email, "language": person.language,
            "organisation": person.organisation.name,
            "team": person.team.path if person.team else None,
            "job_role": person.job_role.key if person.job_role else None,
            "manager": person.manager.name if person.manager else None,
            "active": person.active, "created_at": json_ready(person.created_at),
            "last_login_at": json_ready(person.last_login_at),
        },
        "permissions": [{"permission": row.name, "granted_by": row.granted_by} for row in person.permission_rows],
        "people_managed": managed,
    }


def _reports_query(person: Person):
    return select(func.count(Person.id)).where(Person.manager_id == person.id, Person.erased_at.is_(None))


def _uploads_listing(person: Person) -> list[RosterImport]:
    needle = person.email.lower().encode()
    rows = db.session.scalars(select(RosterImport).where(RosterImport.organisation_id == person.organisation_id))
    return [row for row in rows if row.content and needle in row.content.lower()]


def erasure(person: Person) -> list[Erasure]:
    return [
        Erasure(_l("Name, e-mail address, password and language"), 1),
        Erasure(_l("Permissions"), len(person.permission_rows)),
        Erasure(_l("People they manage (they go to the person who takes over)"),
                db.session.scalar(_reports_query(person)), needs_successor=True),
        Erasure(_l("Roster files that list them (emptied)"), len(_uploads_listing(person))),
    ]


def erase(person: Person, successor: Person | None) -> None:
    """Hand the people they manage to `successor`, empty roster files that list them, and make the row a tombstone."""
    db.session.execute(update(Person).where(Person.manager_id == person.id, Person.id != person.id)
                       .values(manager_id=successor.id if successor else None)
                       .execution_options(synchronize_session="fetch"))
    for upload in _uploads_listing(person):
        upload.content = b""
    db.session.execute(PersonPermission.__table__.delete().where(PersonPermission.person_id == person.id))
    db.session.expire(person, ["permission_rows"])
    person.name = f"Erased person #{person.id}"
    person.email = _tombstone_email(person)
    person.password_hash = None
    person.language = None
    person.last_login_at = None
    person.erased_at = utcnow()
    db.session.flush()
