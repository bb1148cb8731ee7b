"""Server-side login sessions: the session cookie carries a random id, the database says whether it still counts.

Ending a session deletes its row, so logging out, changing the password, deactivation or "log out everywhere"
take effect on every worker and host at the next request, whatever cookies were copied before. A session also
ends after LOGIN_SESSION_IDLE_MINUTES without a request and LOGIN_SESSION_MAX_HOURS after it began.

This module is the sessions' whole interface; the rows could move to a shared cache without the callers
changing. Flushes only: the caller commits.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, g, request, session
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, or_, select

from ..extensions import db
from ..orgs.models import Person
from ..util import utcnow
from .models import LoginSession

#: last_seen_at is written at most this often, so reading a page does not write every time.
TOUCH_SECONDS = 60
_USER_AGENT_LENGTH = 200


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _limits() -> tuple[datetime, datetime]:
    """(idle cutoff, absolute cutoff): a session last seen before the first or begun before the second is over."""
    now = utcnow()
    config = current_app.config
    return (now - timedelta(minutes=config["LOGIN_SESSION_IDLE_MINUTES"]),
            now - timedelta(hours=config["LOGIN_SESSION_MAX_HOURS"]))


def _expired():
    idle, absolute = _limits()
    return or_(LoginSession.last_seen_at < idle, LoginSession.created_at < absolute)


def start_session(person: Person, user_agent: str = "") -> str:
    """A new session for `person`; returns its id (for the cookie) and sets it as the person's login id.
    Expired sessions are pruned on the way."""
    db.session.execute(delete(LoginSession).where(_expired()))
    session_id = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(LoginSession(person_id=person.id, token_hash=_hash(session_id), created_at=now,
                                last_seen_at=now, user_agent=(user_agent or "")[:_USER_AGENT_LENGTH]))
    db.session.flush()
    person.login_session_id = session_id
    return session_id


def log_in(person: Person) -> None:
    """Log this browser in as `person` on a brand-new session (so no one can plant a session id before login),
    keeping the language chosen before logging in."""
    language = session.get("language")
    session.clear()
    if language and not person.language:
        person.language = language
    start_session(person, request.user_agent.string)
    login_user(person)
    session.permanent = True


def log_out() -> None:
    """End this browser's session, here and on the server."""
    if current_user.is_authenticated:
        end_session(current_user.get_id())
    logout_user()
    session.clear()


def person_for_session(session_id: str) -> Person | None:
    """The active person whose unexpired session this is (Flask-Login's user loader); None otherwise."""
    if not session_id:
        return None
    idle, absolute = _limits()
    row = db.session.execute(
        select(LoginSession, Person).join(Person, Person.id == LoginSession.person_id).where(
            LoginSession.token_hash == _hash(session_id), LoginSession.last_seen_at >= idle,
            LoginSession.created_at >= absolute, Person.active.is_(True))
    ).first()
    if row is None:
        return None
    login_session, person = row
    person.login_session_id = session_id
    g.cxculture_login_session = login_session
    return person


def touch_current_session() -> bool:
    """Note that the current session was just used, when it was last noted a while ago; True when it wrote."""
    login_session = g.get("cxculture_login_session")
    now = utcnow()
    if login_session is None or (now - login_session.last_seen_at).total_seconds() < TOUCH_SECONDS:
        return False
    login_session.last_seen_at = now
    db.session.flush()
    return True


def end_session(session_id: str | None) -> None:
    """End one session (logging out)."""
    if session_id:
        db.session.execute(delete(LoginSession).where(LoginSession.token_hash == _hash(session_id)))


def end_sessions_of(person: Person, keep: str | None = None) -> int:
    """End every session of `person`, except `keep` when given; returns how many ended."""
    statement = delete(LoginSession).where(LoginSession.person_id == person.id)
    if keep:
        statement = statement.where(LoginSession.token_hash != _hash(keep))
    return db.session.execute(statement).rowcount


def sweep_expired_sessions() -> int:
    """Delete every session past its idle or absolute limit (the job queue runs it); returns how many."""
    return db.session.execute(delete(LoginSession).where(_expired())).rowcount


def end_session_of(person: Person, row_id: int) -> bool:
    """End one of `person`'s sessions by its row id (the account page's list); False when it is not theirs."""
    result = db.session.execute(
        delete(LoginSession).where(LoginSession.id == row_id, LoginSession.person_id == person.id))
    return result.rowcount > 0


@dataclass(frozen=True)
class SessionInfo:
    """One session as the account page lists it."""

    id: int
    created_at: datetime
    last_seen_at: datetime
    browser: str | None
    system: str | None
    #: The session of the browser looking at the list.
    current: bool


def sessions_of(person: Person) -> list[SessionInfo]:
    """`person`'s unexpired sessions, the most recently used first. One query."""
    idle, absolute = _limits()
    current = _hash(person.login_session_id) if person.login_session_id else None
    rows = db.session.scalars(
        select(LoginSession).where(LoginSession.person_id == person.id, LoginSession.last_seen_at >= idle,
                                   LoginSession.created_at >= absolute)
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.id.desc())
    )
    return [SessionInfo(row.id, row.created_at, row.last_seen_at, *describe_user_agent(row.user_agent),
                        current=row.token_hash == current) for row in rows]


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Chromium/", "Chromium"), ("Safari/", "Safari"))
_SYSTEMS = (("iPhone", "iOS"), ("iPad", "iPadOS"), ("Android", "Android"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def describe_user_agent(user_agent: str) -> tuple[str | None, str | None]:
    """(browser, operating system) named from a User-Agent, each None when not recognised."""
    browser = next((name for token, name in _BROWSERS if token in user_agent), None)
    system = next((name for token, name in _SYSTEMS if token in user_agent), None)
    return browser, system
