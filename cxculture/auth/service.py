"""Logging in (throttled), setting passwords, and what a person can do with their own sessions.

Flushes only: the caller commits.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app
from sqlalchemy import select

from ..extensions import db
from ..orgs.models import Person
from ..refusals import Refused
from ..util import utcnow
from . import login_sessions, throttle
from .passwords import hash_password, needs_rehash, password_problem, verify_password

# A valid hash to verify against when the account does not exist, so timing does not tell.
_DUMMY_PASSWORD = "not-a-real-password"


@dataclass(frozen=True)
class LoginResult:
    person: Person | None = None
    #: Seconds before another attempt will be checked, when the throttle holds this one back.
    retry_after: int = 0
    #: Why a right password still does not log this person in (their organisation signs in elsewhere), or "".
    refused: str = ""


_PASSWORD_RULE_KEY = "cxculture.auth.password_login_rule"


def set_password_login_rule(app: Flask, rule: Callable[[Person], str | None] | None) -> None:
    """Who may not log in with a password: `rule(person)` says why, or None. The single sign-on area lends it
    (through the wiring: auth knows no area above it)."""
    app.extensions[_PASSWORD_RULE_KEY] = rule


def password_login_refusal(person: Person) -> str | None:
    """Why `person` may not use a password here (the rule lent by `set_password_login_rule`), or None."""
    rule = current_app.extensions.get(_PASSWORD_RULE_KEY)
    return rule(person) if rule else None


def authenticate(email: str, password: str, address: str = "", device: throttle.Device | None = None) -> LoginResult:
    """Check a login from the client at `address` (with the device its cookie names, if any). A failure is
    recorded; while the throttle says wait, the password is not even checked. Nothing is written until the
    password has been checked (and rehashed when its parameters are not the configured ones). A right password
    of someone whose organisation turned password login off is refused with the reason (`refused`), told only
    to whoever knows the password."""
    email = email.strip().lower()
    person = db.session.scalar(select(Person).where(Person.email == email))
    attempt = throttle.Attempt(email=email, address=address or "",
                               device=device.trusted_for(person.id if person else None) if device else None)
    wait = throttle.retry_after(attempt)
    if wait:
        return LoginResult(retry_after=wait)
    stored_hash = person.password_hash if person is not None else None
    ok = verify_password(stored_hash or _dummy_hash(), password) and stored_hash is not None
    if not ok or not person.active:
        throttle.record_failure(attempt)
        return LoginResult(retry_after=throttle.retry_after(attempt))
    refusal = password_login_refusal(person)
    if refusal:
        throttle.forget_failures(attempt)
        return LoginResult(refused=refusal)
    # Rehash (to the configured argon2 parameters) before the first write: on SQLite a write takes the database's
    # one write lock until the request commits, and argon2 is the slowest step of a login.
    new_hash = hash_password(password) if needs_rehash(stored_hash) else None
    throttle.forget_failures(attempt)
    if new_hash is not None:
        person.password_hash = new_hash
    person.last_login_at = utcnow()
    return LoginResult(person=person)


def _dummy_hash() -> str:
    cache = current_app.extensions.setdefault("cxculture_dummy_hash", {})
    if "hash" not in cache:
        cache["hash"] = hash_password(_DUMMY_PASSWORD)
    return cache["hash"]


def set_password(person: Person, password: str) -> None:
    """Store a new password and end every session of the person (the caller starts a new one for this browser).
    Refuses a short, common or guessable password: Refused({"password": why})."""
    problem = password_problem(password, (person.name, person.email, person.organisation.name))
    if problem:
        raise Refused({"password": problem}, codes={"password": "weak"})
    person.password_hash = hash_password(password)
    login_sessions.end_sessions_of(person)


def load_person(session_id: str) -> Person | None:
    """Flask-Login's user loader: the person of an unexpired server-side session, None when it has ended."""
    return login_sessions.person_for_session(session_id)
