"""An organisation's OpenID Connect provider and the provider accounts linked to its people."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..orgs.models import Person
from ..util import utcnow


class SsoSettings(db.Model):
    """How one organisation signs in through its identity provider (Entra ID, Google Workspace, Keycloak...)."""

    __tablename__ = "sso_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: What the sign-in button says: "Sign in with <provider_name>".
    provider_name: Mapped[str] = mapped_column(String(100), default="")
    #: The provider's issuer; its discovery document is <issuer>/.well-known/openid-configuration.
    issuer: Mapped[str] = mapped_column(String(500), default="")
    client_id: Mapped[str] = mapped_column(String(255), default="")
    #: Sent to the provider's token endpoint, so kept as given; pages show only its last four characters.
    client_secret: Mapped[str] = mapped_column(String(500), default="")
    #: The ID-token claim holding the work e-mail address ("email"; "upn" or "preferred_username" on Entra ID).
    email_claim: Mapped[str] = mapped_column(String(100), default="email")
    #: The administrator vouches that the provider only hands out addresses it verified, with or without
    #: `email_verified`; otherwise a first sign-in needs `email_verified: true`.
    emails_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Whether the organisation's people may still log in with a password (administrators always may).
    password_login: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Whether someone the provider vouches for but the app does not know becomes a new employee.
    create_people: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The discovery document as last read (endpoints, keys address, algorithms).
    provider_metadata: Mapped[dict | None] = mapped_column(JSON)
    metadata_fetched_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)


class SsoIdentity(db.Model):
    """A person's account at their organisation's provider: after the first sign-in, `sub` alone finds them."""

    __tablename__ = "sso_identity"
    __table_args__ = (UniqueConstraint("organisation_id", "issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(500))
    #: The provider's `sub`: stable and opaque, never reassigned.
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime)

    person: Mapped[Person] = relationship()
