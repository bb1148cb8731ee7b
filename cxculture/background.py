"""Background work as areas ask for it: a job, by name, once the current transaction commits.

An area calls `run_after_commit("lms.deliver_outbox")` beside the row that records the work (an outbox row, ...);
the job queue (cxculture/jobs) registers the names and runs the jobs, and no area imports it. The message is
sent only after the commit, once per transaction however often it was asked for, and never after a rollback.
The durable record is the row: a message that is lost (broker down) or sent twice loses or duplicates nothing,
because every job is idempotent and the queue's periodic rounds pick up whatever a lost message would have done.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import datetime, timedelta

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, update
from sqlalchemy.orm import Session, SessionTransaction

from .extensions import db

log = logging.getLogger(__name__)

#: In session.info: the jobs asked for in the current transaction, in order, each once.
_PENDING = "cxculture.background.pending"
_QUEUE = "cxculture.background.queue"


def set_queue(app: Flask, send: Callable[[str, tuple], None], jobs: Collection[str]) -> None:
    """The wiring registers how `app` sends a job (`send(name, args)`) and which job names exist."""
    app.extensions[_QUEUE] = (send, frozenset(jobs))
    _listen_for_commits()


def run_after_commit(job: str, *args) -> None:
    """Ask for `job` (with hashable `args`) once the current transaction commits. Flushes nothing."""
    queue = current_app.extensions.get(_QUEUE)
    if queue is not None and job not in queue[1]:
        raise LookupError(f"no background job is called {job!r}")
    db.session.info.setdefault(_PENDING, {})[(job, args)] = None


def send_now(job: str, *args) -> bool:
    """Send `job` to the queue now; False (and a warning in the log) when the broker did not take it."""
    queue = current_app.extensions.get(_QUEUE)
    if queue is None:
        log.warning("no job queue: %s not sent", job)
        return False
    try:
        queue[0](job, args)
    except Exception as error:  # the broker is down: the job's periodic round does the work later
        log.warning("job %s not sent (%s: %s); its periodic round will catch up", job, type(error).__name__, error)
        return False
    return True


def lease_due_row(model, row_id, now: datetime, seconds: int) -> bool:
    """Take an outbox row that is pending and due for `seconds` (its next attempt moves past the lease) and commit,
    so no other worker sends it meanwhile; False when another worker has it or it is done."""
    result = db.session.execute(
        update(model).where(model.id == row_id, model.status == "pending", model.next_attempt_at <= now)
        .values(next_attempt_at=now + timedelta(seconds=seconds)).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, None)
    if pending and has_app_context():
        for job, args in pending:
            send_now(job, *args)


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    """A transaction that ended without a commit (rolled back, closed) asks for nothing."""
    if transaction.parent is None:
        session.info.pop(_PENDING, None)


_listening = False


def _listen_for_commits() -> None:
    global _listening
    if not _listening:
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_transaction_end", _after_transaction_end)
        _listening = True
