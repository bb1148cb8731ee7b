"""The audit record: one privileged change, written once and never changed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from ..extensions import db
from ..util import utcnow


class AuditRecord(db.Model):
    """Who did what to which thing, when; `before`/`after` hold only the fields that changed."""

    __tablename__ = "audit_record"
    __table_args__ = (Index("ix_audit_record_organisation_at", "organisation_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None for a change to the whole installation (no organisation's trail shows it).
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: The person who acted; None for the system (a scheduled job or a command) or a person since erased.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"), index=True)
    #: Who acted, as shown then ("Ada Rossi <ada@example.com>", or "system" / "system: cx retention run").
    actor_label: Mapped[str] = mapped_column(String(300))
    #: What was done, a key of service.ACTIONS ("person.permissions", "campaign.opened", ...).
    action: Mapped[str] = mapped_column(String(64), index=True)
    #: What it was done to: a table name, the row's id and how it was called then.
    target_type: Mapped[str | None] = mapped_column(String(40))
    target_id: Mapped[str | None] = mapped_column(String(64))
    target_label: Mapped[str | None] = mapped_column(String(300))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    #: Anything else worth knowing (counts of an import, a run's figures); never survey answers.
    details: Mapped[dict | None] = mapped_column(JSON)


class AuditRecordsAreAppendOnly(RuntimeError):
    """Raised when the app tries to change or delete an audit record outside the trail's own retention."""


#: The execution option that lets `expire_records` and `forget_actor` (and nothing else) touch written records.
ALLOW_CHANGE = "audit_trail_may_change"


@event.listens_for(Session, "before_flush")
def _refuse_changed_records(session, flush_context, instances) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditRecord) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditRecordsAreAppendOnly("audit records are append-only")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_changes(state) -> None:
    if (state.is_update or state.is_delete) and not state.execution_options.get(ALLOW_CHANGE):
        table = getattr(state.statement, "table", None)
        if table is not None and getattr(table, "name", None) == AuditRecord.__tablename__:
            raise AuditRecordsAreAppendOnly("audit records are append-only")
