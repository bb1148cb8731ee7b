"""Records shared by every worker and host: failed logins (for the throttle) and login sessions."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..util import utcnow


class LoginFailure(db.Model):
    """One failed login, kept for the throttling window (stored in the database so every worker sees it)."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The e-mail address that was tried, lower-cased (it may match no account).
    email: Mapped[str] = mapped_column(String(254), index=True)
    #: The client's address (behind a proxy, the one it forwarded), which limits spraying many accounts.
    address: Mapped[str] = mapped_column(String(64), index=True, default="")
    #: The device id of a browser that had logged in to this account before; None for any other browser.
    device: Mapped[str | None] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)


class LoginSession(db.Model):
    """A logged-in browser; deleting the row ends the session on every worker at its next request."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the random id kept in the session cookie; the id itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: Updated at most once a minute, for the idle limit and the account page.
    last_seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: The browser's User-Agent (cut short), to tell sessions apart on the account page.
    user_agent: Mapped[str] = mapped_column(String(200), default="")
