"""An organisation's SCIM provisioning: its token, its safety stop and the changes the stop holds for an administrator,
and which people the identity provider has deleted."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..orgs.models import Person
from ..util import utcnow

#: The share of active people a day's deactivations (or e-mail changes) may reach before the rest wait.
DEFAULT_SAFETY_SHARE = 40


class ScimSettings(db.Model):
    """One row per organisation that set up provisioning; the token is stored only as its digest."""

    __tablename__ = "scim_settings"
    __table_args__ = (CheckConstraint("safety_share BETWEEN 1 AND 100", name="safety_share_range"),)

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), primary_key=True)
    token_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_hint: Mapped[str | None] = mapped_column(String(20))
    token_created_at: Mapped[datetime | None] = mapped_column(DateTime)
    token_last_used_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: Percent of the active people: more deactivations, or more e-mail changes, within a day wait for an admin.
    safety_share: Mapped[int] = mapped_column(Integer, default=DEFAULT_SAFETY_SHARE)


#: Kinds of held change.
DEACTIVATE, EMAIL = "deactivate", "email"
#: A held change's life.
WAITING, APPLIED, DISCARDED = "waiting", "applied", "discarded"


class ScimHeldChange(db.Model):
    """A deactivation or e-mail change the safety stop kept back; it waits until an administrator applies or
    discards the whole held batch. Also the day's record of changes applied without waiting (status applied,
    `held` false), which the stop counts."""

    __tablename__ = "scim_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    #: The new address of an e-mail change.
    new_email: Mapped[str | None] = mapped_column(String(254))
    #: Whether the stop held it (False: applied at once, kept only to count the day's changes).
    held: Mapped[bool] = mapped_column(default=True)
    status: Mapped[str] = mapped_column(String(10), default=WAITING)
    requested_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)

    person: Mapped[Person] = relationship()


class ScimUser(db.Model):
    """What the identity provider calls a person (`userName`, when it is not their e-mail address, and its
    `externalId`), and whether it deleted them: deactivated here (their training record stays until retention
    purges it) and gone for SCIM, which answers 404 for them from then on."""

    __tablename__ = "scim_user"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    user_name: Mapped[str | None] = mapped_column(String(254), index=True)
    external_id: Mapped[str | None] = mapped_column(String(255), index=True)
    #: The name's parts and the language as the provider sent them (the person's name and language are the
    #: roster's: the whole name, and English, Italian or the organisation's default).
    given_name: Mapped[str | None] = mapped_column(String(200))
    family_name: Mapped[str | None] = mapped_column(String(200))
    preferred_language: Mapped[str | None] = mapped_column(String(64))
    deleted_at: Mapped[datetime | None] = mapped_column(DateTime)


class ScimGroup(db.Model):
    """The identity provider's `externalId` of a team."""

    __tablename__ = "scim_group"

    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(255), index=True)
