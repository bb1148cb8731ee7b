"""Records the login throttle needs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..util import utcnow


class LoginFailure(db.Model):
    """One failed login, kept for the throttling window (stored in the database so every worker sees it)."""

    __tablename__ = "login_failure"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The e-mail address that was tried, lower-cased (it may match no account).
    email: Mapped[str] = mapped_column(String(254), index=True)
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
