"""The workers' heartbeat and /healthz: the database, the broker and how long ago a worker was last heard from."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, text, update

from ..extensions import db
from ..util import utcnow
from .models import WorkerHeartbeat

#: A worker not heard from for this long is forgotten by the sweep (its row only served /healthz).
FORGET_WORKER_AFTER = timedelta(days=1)


def record_heartbeat(worker: str, now: datetime | None = None) -> None:
    """Note that `worker` is alive; flushes only (the task commits)."""
    now = now or utcnow()
    found = db.session.execute(update(WorkerHeartbeat).where(WorkerHeartbeat.worker == worker)
                               .values(beat_at=now).execution_options(synchronize_session=False)).rowcount
    if not found:
        db.session.add(WorkerHeartbeat(worker=worker, beat_at=now))
    db.session.flush()


def forget_silent_workers() -> int:
    """Delete the heartbeats of workers silent for FORGET_WORKER_AFTER; returns how many."""
    return db.session.execute(delete(WorkerHeartbeat).where(
        WorkerHeartbeat.beat_at < utcnow() - FORGET_WORKER_AFTER)).rowcount


def broker_reachable() -> bool:
    """True when the broker accepts a connection within a couple of seconds."""
    from . import BROKER_CONNECT_TIMEOUT

    try:
        with current_app.extensions["celery"].connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, interval_max=0.2,
                                         timeout=BROKER_CONNECT_TIMEOUT)
    except Exception:
        return False
    return True


def health() -> tuple[dict, int]:
    """(report, HTTP status) for load balancers and monitoring: 503 when the database or the broker cannot be
    reached, or when no worker has written a heartbeat for WORKER_SILENT_SECONDS. Two queries and one broker
    connection."""
    report: dict = {"status": "ok", "database": "ok"}
    latest = None
    try:
        db.session.execute(text("SELECT 1"))
        latest = db.session.scalar(select(func.max(WorkerHeartbeat.beat_at)))
    except Exception as error:
        db.session.rollback()
        report.update(database="unreachable", detail=type(error).__name__)
    report["broker"] = "ok" if broker_reachable() else "unreachable"
    age = None if latest is None else max(0, round((utcnow() - latest).total_seconds()))
    report["worker_heartbeat_age_seconds"] = age
    if report["database"] != "ok":
        report["worker"] = "unknown"
    elif age is None:
        report["worker"] = "never seen"
    else:
        report["worker"] = "ok" if age <= current_app.config["WORKER_SILENT_SECONDS"] else "silent"
    healthy = report["database"] == "ok" and report["broker"] == "ok" and report["worker"] == "ok"
    if not healthy:
        report["status"] = "error"
    return report, 200 if healthy else 503
