"""Training cafés, who attends them, their agenda, decisions and the action items agreed in them.

Action items themselves are the assessment area's (`ActionItem`); a café links to them through `cafe_action`.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..assessments.models import ActionItem
from ..extensions import db
from ..orgs.models import Person
from ..util import utcnow


class Cafe(db.Model):
    """One training café of an organisation (the host)."""

    __tablename__ = "cafe"
    __table_args__ = (UniqueConstraint("organisation_id", "submission_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: Wall-clock date and time where the café takes place (no time zone: it is what the invitation says).
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    duration_minutes: Mapped[int] = mapped_column(Integer, default=90)
    location: Mapped[str | None] = mapped_column(String(200))
    video_link: Mapped[str | None] = mapped_column(String(500))
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    #: Pillar keys the café concentrates on, in PILLARS order.
    focus_pillars: Mapped[list] = mapped_column(JSON, default=list)
    #: "en" or "it": the language the agenda is drafted in, and of its PDFs (the organisation's by default).
    language: Mapped[str] = mapped_column(String(5), default="en")
    #: "planned" or "held".
    status: Mapped[str] = mapped_column(String(10), default="planned")
    #: When the agenda was last drafted from data; None until then.
    drafted_at: Mapped[datetime | None] = mapped_column(DateTime)
    held_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: The random key of the form that created the café: a second submit of the same form finds it.
    submission_key: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    facilitator: Mapped[Person | None] = relationship(foreign_keys=[facilitator_id])
    attendees: Mapped[list[CafeAttendee]] = relationship(back_populates="cafe", cascade="all, delete-orphan")
    agenda: Mapped[list[AgendaItem]] = relationship(back_populates="cafe", cascade="all, delete-orphan",
                                                    order_by="AgendaItem.position")
    decisions: Mapped[list[CafeDecision]] = relationship(back_populates="cafe", cascade="all, delete-orphan",
                                                         order_by="CafeDecision.id")
    invitations: Mapped[list[CafeInvitation]] = relationship(back_populates="cafe", cascade="all, delete-orphan",
                                                             order_by="CafeInvitation.id")


class CafeAttendee(db.Model):
    """A person invited to a café: one of the host's leaders, or a guest leader of an opted-in organisation."""

    __tablename__ = "cafe_attendee"
    __table_args__ = (UniqueConstraint("cafe_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cafe_id: Mapped[int] = mapped_column(ForeignKey("cafe.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    #: A leader of another organisation: sees the agenda and their own benchmark, never the host's figures.
    guest: Mapped[bool] = mapped_column(Boolean, default=False)
    #: None until attendance is recorded.
    present: Mapped[bool | None] = mapped_column(Boolean)

    cafe: Mapped[Cafe] = relationship(back_populates="attendees")
    person: Mapped[Person] = relationship()


class CafeInvitation(db.Model):
    """A host's invitation of a leader of another organisation, made by e-mail address.

    The host sees only the address they typed and whether it was answered: an address that belongs to nobody
    who may be invited stays "pending" for ever, exactly like one whose leader has not answered yet. The
    invited leader sees it in their own organisation and becomes a guest (CafeAttendee.guest) only by accepting.
    """

    __tablename__ = "cafe_invitation"
    __table_args__ = (UniqueConstraint("cafe_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cafe_id: Mapped[int] = mapped_column(ForeignKey("cafe.id", ondelete="CASCADE"), index=True)
    #: The address the host typed, normalised to lower case.
    email: Mapped[str] = mapped_column(String(254))
    #: The leader of another opted-in organisation the address belonged to when invited; None when it belonged
    #: to nobody who may be invited (the host is never told which).
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    #: "pending", "accepted" or "declined".
    status: Mapped[str] = mapped_column(String(10), default="pending")
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    invited_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)

    cafe: Mapped[Cafe] = relationship(back_populates="invitations")
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])


class AgendaItem(db.Model):
    """One point of a café's agenda: drafted from data (with its figures frozen) or added by the facilitator."""

    __tablename__ = "cafe_agenda_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    cafe_id: Mapped[int] = mapped_column(ForeignKey("cafe.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: "follow_up", "weakest", "focus", "gap", "training", "kpis", "benchmark" or "free".
    kind: Mapped[str] = mapped_column(String(20))
    pillar: Mapped[str | None] = mapped_column(String(20))
    #: What the item was drafted from ("weakest:rewards"), so a redraft refreshes it; None for free items.
    source: Mapped[str | None] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    #: Discussion prompts, in the café's language, as the facilitator left them.
    prompts: Mapped[list] = mapped_column(JSON, default=list)
    notes: Mapped[str] = mapped_column(Text, default="")
    #: The figures at drafting time, already suppressed: primitive JSON only.
    snapshot: Mapped[dict] = mapped_column(JSON, default=dict)
    submission_key: Mapped[str | None] = mapped_column(String(64))

    cafe: Mapped[Cafe] = relationship(back_populates="agenda")


class CafeDecision(db.Model):
    """What the café decided; leaders may publish it to the organisation's employees."""

    __tablename__ = "cafe_decision"
    __table_args__ = (UniqueConstraint("cafe_id", "submission_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cafe_id: Mapped[int] = mapped_column(ForeignKey("cafe.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("cafe_agenda_item.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    submission_key: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    cafe: Mapped[Cafe] = relationship(back_populates="decisions")


class CafeAction(db.Model):
    """An action item agreed in a café (at most one café per action item)."""

    __tablename__ = "cafe_action"
    __table_args__ = (UniqueConstraint("cafe_id", "submission_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cafe_id: Mapped[int] = mapped_column(ForeignKey("cafe.id", ondelete="CASCADE"), index=True)
    action_item_id: Mapped[int] = mapped_column(ForeignKey("action_item.id"), unique=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("cafe_agenda_item.id", ondelete="SET NULL"))
    submission_key: Mapped[str | None] = mapped_column(String(64))

    action: Mapped[ActionItem] = relationship()
