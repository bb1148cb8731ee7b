"""LTI 1.3 registrations, the tool's keys, launches and nonces; xAPI settings and the delivery outboxes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..orgs.models import Organisation, Person
from ..util import utcnow


class LtiRegistration(db.Model):
    """A platform (Moodle, Canvas, Open edX) that may launch the tool for one organisation."""

    __tablename__ = "lti_registration"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: A name for people: "Moodle (HR academy)".
    name: Mapped[str] = mapped_column(String(120))
    #: The platform's `iss`, e.g. "https://moodle.example.com".
    issuer: Mapped[str] = mapped_column(String(255))
    #: The client id the platform gave the tool; every id_token must hold it in `aud`.
    client_id: Mapped[str] = mapped_column(String(255))
    #: The deployment ids the platform may send (one per line in forms).
    deployment_ids: Mapped[list] = mapped_column(JSON, default=list)
    auth_login_url: Mapped[str] = mapped_column(String(500))
    auth_token_url: Mapped[str] = mapped_column(String(500))
    key_set_url: Mapped[str] = mapped_column(String(500))
    #: The platform's JWKS as last fetched; refreshed once when a token names an unknown key.
    key_set: Mapped[dict | None] = mapped_column(JSON)
    key_set_fetched_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: The administrator vouches that this platform's e-mail addresses are verified (people cannot edit their
    #: own): a first launch may then link to the existing account with that address, unless it holds admin, hr
    #: or leader. Off: the person signs in once to link.
    emails_verified: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    role_mappings: Mapped[list[LtiRoleMapping]] = relationship(
        back_populates="registration", cascade="all, delete-orphan", order_by="LtiRoleMapping.id"
    )

    @property
    def origin(self) -> str:
        """scheme://host[:port] of the platform, for CSP frame-ancestors."""
        from urllib.parse import urlsplit

        parts = urlsplit(self.issuer if "://" in self.issuer else self.auth_login_url)
        return f"{parts.scheme}://{parts.netloc}"


class LtiRoleMapping(db.Model):
    """One line of a registration's role table: a platform role of a kind grants an app permission."""

    __tablename__ = "lti_role_mapping"
    __table_args__ = (UniqueConstraint("registration_id", "kind", "role", "permission"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("lti_registration.id", ondelete="CASCADE"), index=True)
    #: "context" (a role in the course launched from) or "institution" (an institution or system role).
    kind: Mapped[str] = mapped_column(String(12))
    #: A short role name ("Instructor") matching that role of the kind, or a full role URI matched exactly.
    role: Mapped[str] = mapped_column(String(255))
    #: The app permission the role grants (never admin, hr or leader for a context role).
    permission: Mapped[str] = mapped_column(String(20))

    registration: Mapped[LtiRegistration] = relationship(back_populates="role_mappings")


class LtiPendingLink(db.Model):
    """A launch waiting for its person to sign in once: the platform user (issuer + sub) named the e-mail of an
    existing account, which is linked only when that account's owner signs in from the same browser."""

    __tablename__ = "lti_pending_link"

    #: SHA-256 of the random token kept in the launching browser's session; the token itself is never stored.
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("lti_registration.id", ondelete="CASCADE"), index=True)
    #: The account the launch's e-mail names: the only one that can complete the link.
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    #: The pylti1p3 launch id, kept for a deep-linking launch completed after the sign-in.
    launch_id: Mapped[str] = mapped_column(String(80))
    #: The id_token's claims: where the launch lands once linked.
    claims: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)

    registration: Mapped[LtiRegistration] = relationship()
    person: Mapped[Person] = relationship()


class ToolKey(db.Model):
    """One RSA key pair of the tool for an organisation; retired keys stay in the JWKS for a while."""

    __tablename__ = "lti_tool_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    public_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: Set when a newer key replaced this one: it no longer signs, but platforms may still verify with it.
    retired_at: Mapped[datetime | None] = mapped_column(DateTime)


class LtiNonce(db.Model):
    """A nonce the tool sent in an OIDC login: accepted in exactly one launch, shared by every worker."""

    __tablename__ = "lti_nonce"

    nonce: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)


class LtiIdentity(db.Model):
    """Who a platform user (issuer + sub) is in the app."""

    __tablename__ = "lti_identity"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(255))
    #: The platform's `sub`: stable and opaque.
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    person: Mapped[Person] = relationship()


class LtiLaunch(db.Model):
    """A validated launch, kept so a deep-linking picker can answer it after the author has chosen."""

    __tablename__ = "lti_launch"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("lti_registration.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    message_type: Mapped[str] = mapped_column(String(40))
    #: The id_token's claims.
    claims: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: Set when the deep-linking response went back: a second submit sends nothing.
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)

    registration: Mapped[LtiRegistration] = relationship()


class GradeLink(db.Model):
    """A module placed in an LMS course with a line item: passing its quiz sends the score there."""

    __tablename__ = "lti_grade_link"
    __table_args__ = (UniqueConstraint("person_id", "module_id", "lineitem_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("lti_registration.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"), index=True)
    #: The platform user id to score (the launch's `sub`).
    subject: Mapped[str] = mapped_column(String(255))
    lineitem_url: Mapped[str] = mapped_column(String(500))
    #: The AGS endpoint claim of the launch (scopes, line items URL).
    endpoint: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class GradePassback(db.Model):
    """A score waiting to reach a line item; retried until the platform takes it."""

    __tablename__ = "lti_grade_passback"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    grade_link_id: Mapped[int] = mapped_column(ForeignKey("lti_grade_link.id", ondelete="CASCADE"), index=True)
    #: The quiz attempt scored (one passback per attempt and line item).
    attempt_id: Mapped[int] = mapped_column(ForeignKey("quiz_attempt.id"))
    score: Mapped[float] = mapped_column(Float)
    score_maximum: Mapped[float] = mapped_column(Float, default=100)
    #: When the score was obtained; sent as the AGS timestamp.
    scored_at: Mapped[datetime] = mapped_column(DateTime)
    #: "pending", "sent" or "failed" (refused for good).
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)

    grade_link: Mapped[GradeLink] = relationship()


class LrsSettings(db.Model):
    """Where an organisation's xAPI statements go, and how people are named in them."""

    __tablename__ = "lrs_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The LRS base address, ending before /statements ("https://lrs.example.com/xAPI").
    endpoint: Mapped[str] = mapped_column(String(500), default="")
    key: Mapped[str] = mapped_column(String(255), default="")
    secret: Mapped[str] = mapped_column(String(255), default="")
    #: "pseudonymous" (an account with a stable opaque name) or "email" (mbox).
    actor_mode: Mapped[str] = mapped_column(String(20), default="pseudonymous")
    #: Secret mixed into the pseudonyms, so they cannot be recomputed from a person id.
    pseudonym_salt: Mapped[str] = mapped_column(String(64))


class XapiStatement(db.Model):
    """A statement in the outbox: sent in the background, always with the same id, until the LRS has it."""

    __tablename__ = "xapi_statement"
    #: On SQLite, no hidden rowid counting rows in the order they were written (the order of the submits).
    __table_args__ = ({"sqlite_with_rowid": False},)

    #: The statement id (UUID), the same on every try.
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: A short name of what happened ("module-started", ...), for the admin page.
    event: Mapped[str] = mapped_column(String(40))
    statement: Mapped[dict] = mapped_column(JSON)
    #: "pending", "sent" or "rejected" (409 or another final refusal).
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class LtiCourse(db.Model):
    """A course (LTI context) a launch came from whose platform offers its member list (Names and Role
    Provisioning Services): an administrator may bring its members in."""

    __tablename__ = "lti_course"
    __table_args__ = (UniqueConstraint("registration_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("lti_registration.id", ondelete="CASCADE"), index=True)
    #: The platform's course id (the context claim's `id`).
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255), default="")
    #: Where the platform lists the course's members (the NRPS claim's `context_memberships_url`).
    memberships_url: Mapped[str] = mapped_column(String(500))
    #: The last launch from the course.
    seen_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: "" (never brought in), "queued", "running", "done" or "failed".
    sync_status: Mapped[str] = mapped_column(String(10), default="", server_default="")
    #: When an administrator last asked: a sync queued or running for longer than rosters.STALE_MINUTES (a lost
    #: job message, a worker that stopped) may be asked for again.
    sync_requested_at: Mapped[datetime | None] = mapped_column(DateTime)
    synced_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: What the last sync did: lists of {person_id, name, reason} under created, linked, refused and left, and
    #: the count of unchanged members (see lms/rosters.py).
    sync_report: Mapped[dict | None] = mapped_column(JSON)
    #: Why the last sync failed (the platform's answer), or None.
    sync_error: Mapped[str | None] = mapped_column(String(500))
    #: The platform user ids (sub) the last sync found: who is gone is told at the next one.
    member_subjects: Mapped[list | None] = mapped_column(JSON)

    registration: Mapped[LtiRegistration] = relationship()


class LtiRegistrationUrl(db.Model):
    """A one-time URL an administrator pastes into an LMS for LTI Dynamic Registration: stored as a digest,
    valid until `expires_at`, used at most once."""

    __tablename__ = "lti_registration_url"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: SHA-256 of the URL's secret (cxculture/secret_tokens.py); the secret itself is shown once.
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    #: The secret's prefix and last four characters, to tell URLs apart.
    token_hint: Mapped[str] = mapped_column(String(20))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    #: When a platform registered through it (or the administrator withdrew it); it never works again.
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: The registration the platform made through it.
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("lti_registration.id", ondelete="SET NULL"))

    registration: Mapped[LtiRegistration | None] = relationship()
