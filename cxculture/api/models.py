"""An organisation's API tokens: made by an administrator, stored as a digest, limited by scopes and an expiry."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..orgs.models import Organisation
from ..util import utcnow


class ApiToken(db.Model):
    """A secret another system presents as `Authorization: Bearer cxapi_...` to read or write one organisation's
    data through /api/v1. Who made or revoked it is in the audit trail, not here: the token holds no one's data."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: What the administrator calls it ("Power BI", "HR system").
    name: Mapped[str] = mapped_column(String(120))
    #: SHA-256 of the plain token (secret_tokens.digest); the plain token is shown once and never stored.
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    #: Prefix and last four characters, so that people tell tokens apart (secret_tokens.hint).
    token_hint: Mapped[str] = mapped_column(String(20))
    #: The scopes granted, such as ["people:read", "kpis:write"] (api.scopes.SCOPES).
    scopes: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    #: Set at most once a minute by the requests it authenticates.
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime)

    organisation: Mapped[Organisation] = relationship()

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at
