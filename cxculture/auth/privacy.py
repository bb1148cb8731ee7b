"""The accounts area's privacy provider: where a person is logged in, and failed logins with their e-mail.

Flushes only: the caller commits.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from ..extensions import db
from ..orgs.models import Person
from ..personal_data import Erasure, Holding, row_dict
from .models import LoginFailure, LoginSession

AREA = "logins"
TITLE = _l("Logins")

HOLDINGS = (
    Holding("login_session", ("person_id", "user_agent"),
            what=_l("Each browser you are logged in with: when, and the browser's name."),
            why=_l("To keep you logged in, and to let you end a session you do not recognise."),
            who_sees=_l("You."),
            on_erase=_l("Removed: every session ends."), kept="sessions"),
    Holding("login_failure", ("email", "address"),
            what=_l("Failed logins: the e-mail address tried, the network address, when."),
            why=_l("To slow down someone guessing passwords."),
            who_sees=_l("Nobody: the app reads them to throttle logins."),
            on_erase=_l("Removed."), kept="login_failures"),
)
NOT_PERSONAL = ()


def export(person: Person) -> dict:
    sessions = db.session.scalars(select(LoginSession).where(LoginSession.person_id == person.id)
                                  .order_by(LoginSession.id))
    failures = db.session.scalars(select(LoginFailure).where(LoginFailure.email == person.email.lower())
                                  .order_by(LoginFailure.id))
    return {
        "sessions": [row_dict(s, ("created_at", "last_seen_at", "user_agent")) for s in sessions],
        "failed_logins": [row_dict(f, ("at", "address")) for f in failures],
    }


def erasure(person: Person) -> list[Erasure]:
    sessions = db.session.scalar(select(func.count(LoginSession.id)).where(LoginSession.person_id == person.id))
    failures = db.session.scalar(select(func.count(LoginFailure.id)).where(LoginFailure.email == person.email.lower()))
    return [Erasure(_l("Login sessions"), sessions), Erasure(_l("Failed logins with their e-mail address"), failures)]


def erase(person: Person, successor: Person | None) -> None:
    db.session.execute(delete(LoginSession).where(LoginSession.person_id == person.id))
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == person.email.lower()))
