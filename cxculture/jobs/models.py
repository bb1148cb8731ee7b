"""The workers' heartbeats: how /healthz knows the job queue is running."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class WorkerHeartbeat(db.Model):
    """A job worker's latest sign of life, written by the scheduled heartbeat job (one row per worker)."""

    __tablename__ = "worker_heartbeat"

    #: The Celery worker's node name ("celery@host").
    worker: Mapped[str] = mapped_column(String(200), primary_key=True)
    beat_at: Mapped[datetime] = mapped_column(DateTime, index=True)


class SchedulerLease(db.Model):
    """Who may send the scheduled jobs now: the scheduler runs on several hosts for safety, and only the one
    holding this lease (renewed every few seconds) sends; another takes over when it lapses."""

    __tablename__ = "scheduler_lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: "host:pid" of the scheduler process holding it.
    holder: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(DateTime)
