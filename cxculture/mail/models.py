"""The mail outbox, the occasions scheduled rounds have already mailed about, and each person's opt-outs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..util import utcnow


class MailMessage(db.Model):
    """One e-mail to one address: queued in the transaction that decided to send it, delivered by the job queue.

    Once sent, the row keeps neither the message nor (for the kinds in RECIPIENTLESS_KINDS: reminders to people
    who have not answered a campaign) any row at all: see outbox.py.
    """

    __tablename__ = "mail_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    #: The person it is for; None when the address belongs to nobody here, or the person was erased.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    #: What it is: "invitation", "campaign_opened", "reminder", "training_due", "team_digest", "action", "cafe", ...
    kind: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    #: The whole RFC 5322 message (ASCII: MIME-encoded); emptied once sent.
    message: Mapped[str | None] = mapped_column(Text)
    #: "pending", "sent" or "rejected" (the server refused it for good).
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: When a worker may (re)try it; a worker holding it moves this ahead by the lease.
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)


class MailOccasion(db.Model):
    """That a scheduled round has mailed about something (kind, key): it never mails about it again.

    Keys name what the occasion is about ("campaign:12:closing", "training-overdue:4:17:2026-12-01"); a campaign
    reminder's key names the campaign and the round, never a person.
    """

    __tablename__ = "mail_occasion"
    __table_args__ = (UniqueConstraint("kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class MailOptOut(db.Model):
    """An optional kind of e-mail (preferences.OPTIONAL_TOPICS) a person has turned off on their account page."""

    __tablename__ = "mail_opt_out"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), primary_key=True)
    topic: Mapped[str] = mapped_column(String(30), primary_key=True)
