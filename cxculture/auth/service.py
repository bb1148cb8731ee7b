"""Login with throttling, and password changes."""
from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from ..extensions import db
from ..orgs.models import Person
from ..util import utcnow
from .models import LoginFailure
from .passwords import hash_password, needs_rehash, verify_password

# A valid hash to verify against when the account does not exist, so timing does not tell.
_DUMMY_PASSWORD = "not-a-real-password"


@dataclass(frozen=True)
class LoginResult:
    person: Person | None = None
    #: Minutes until another attempt is allowed, when the address is locked.
    locked_minutes: int = 0


def _window_start():
    return utcnow() - timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])


def locked_minutes(email: str) -> int:
    """Minutes left before `email` may try again; 0 when it is not locked."""
    failures = db.session.execute(
        select(func.count(LoginFailure.id), func.min(LoginFailure.at)).where(
            LoginFailure.email == email, LoginFailure.at >= _window_start()
        )
    ).one()
    count, first = failures
    if count < current_app.config["LOGIN_MAX_FAILURES"]:
        return 0
    unlock_at = first + timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    return max(1, math.ceil((unlock_at - utcnow()).total_seconds() / 60))


def authenticate(email: str, password: str) -> LoginResult:
    """Check a login; records failures and refuses an address with too many recent ones."""
    email = email.strip().lower()
    minutes = locked_minutes(email)
    if minutes:
        return LoginResult(locked_minutes=minutes)
    person = db.session.scalar(select(Person).where(Person.email == email))
    stored_hash = person.password_hash if person is not None else None
    ok = verify_password(stored_hash or _dummy_hash(), password) and stored_hash is not None
    if not ok or not person.active:
        db.session.add(LoginFailure(email=email))
        db.session.flush()
        return LoginResult(locked_minutes=locked_minutes(email))
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    if needs_rehash(stored_hash):
        person.password_hash = hash_password(password)
    person.last_login_at = utcnow()
    return LoginResult(person=person)


def _dummy_hash() -> str:
    cache = current_app.extensions.setdefault("cxculture_dummy_hash", {})
    if "hash" not in cache:
        cache["hash"] = hash_password(_DUMMY_PASSWORD)
    return cache["hash"]


def set_password(person: Person, password: str) -> None:
    """Store a new password and end every existing session of the person."""
    person.password_hash = hash_password(password)
    person.session_token = secrets.token_hex(16)


def load_person(session_id: str) -> Person | None:
    """Flask-Login's user loader: the id is "<person id>.<session token>"."""
    person_id, _, token = session_id.partition(".")
    if not person_id.isdigit():
        return None
    person = db.session.get(Person, int(person_id))
    if person is None or not person.active or not secrets.compare_digest(person.session_token, token):
        return None
    return person
