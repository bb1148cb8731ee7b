"""An organisation's webhook subscriptions and the delivery outbox (one row per message to one subscription)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..util import utcnow


class WebhookSubscription(db.Model):
    """An address of the organisation's own systems that is sent the events it chose, signed with its secret."""

    __tablename__ = "webhook_subscription"
    __table_args__ = (UniqueConstraint("organisation_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    url: Mapped[str] = mapped_column(String(500))
    #: What the receiver is, for people: "HR system (Workday)".
    description: Mapped[str] = mapped_column(String(200), default="")
    #: The event types sent to it (keys of service.EVENTS).
    events: Mapped[list] = mapped_column(JSON, default=list)
    #: `whsec_<base64>`, kept as it is because every delivery is signed with it; shown once, never again.
    secret: Mapped[str] = mapped_column(String(100))
    #: The secret before the last rotation: deliveries carry its signature too until `previous_secret_until`.
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_until: Mapped[datetime | None] = mapped_column(DateTime)
    #: "active" or "paused".
    status: Mapped[str] = mapped_column(String(10), default="active")
    #: Why it is paused: "admin" (by hand) or "failing" (every delivery failed for AUTO_PAUSE_AFTER).
    paused_reason: Mapped[str | None] = mapped_column(String(10))
    #: The first failed attempt since the last success; None while deliveries succeed.
    failing_since: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    deliveries: Mapped[list[WebhookDelivery]] = relationship(back_populates="subscription", passive_deletes=True)


class WebhookDelivery(db.Model):
    """One event to one subscription: sent by the job queue, retried with backoff, then kept as a log line.

    Holds ids only (no names of people, no answers); the body is dropped once the delivery is done."""

    __tablename__ = "webhook_delivery"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The `webhook-id` header: the same on every attempt, so a receiver recognises a repeat.
    message_id: Mapped[str] = mapped_column(String(40), unique=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscription.id", ondelete="CASCADE"),
                                                 index=True)
    #: The event type ("module.completed", ...).
    event: Mapped[str] = mapped_column(String(40))
    #: The JSON body sent, while it is still to send; None once delivered or given up.
    payload: Mapped[dict | None] = mapped_column(JSON)
    #: "pending", "delivered" or "failed" (every retry used).
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    #: The receiver's HTTP status on the last attempt; None when it did not answer.
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    #: Why the last attempt failed, in a few words (never the receiver's answer body).
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, index=True)
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)

    subscription: Mapped[WebhookSubscription] = relationship(back_populates="deliveries")
