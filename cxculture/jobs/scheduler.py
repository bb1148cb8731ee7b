"""The scheduler (celery beat) with one sender at a time, however many hosts run it.

Every host may run `celery -A wsgi:celery_app beat`: each scheduler takes a lease in the database before it sends
anything, renews it at every tick, and sends only while it holds it. The others stand by and take over within
LEASE_SECONDS of the holder stopping (a crash, a host down), so no round runs twice and none is lost for long.
"""
from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

from celery.beat import PersistentScheduler
from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..util import utcnow
from .models import SchedulerLease

log = logging.getLogger(__name__)

LEASE_NAME = "beat"
#: A lease not renewed for this long may be taken by another scheduler.
LEASE_SECONDS = 60
#: The longest a holder waits between two ticks (each renews the lease), and how often a standby asks.
TICK_SECONDS = 15


def hold_lease(name: str, holder: str, seconds: int = LEASE_SECONDS) -> bool:
    """Take or renew the lease `name` for `holder`; False while another holds it. Commits."""
    now = utcnow()
    expires = now + timedelta(seconds=seconds)
    renewed = db.session.execute(
        update(SchedulerLease)
        .where(SchedulerLease.name == name, (SchedulerLease.holder == holder) | (SchedulerLease.expires_at < now))
        .values(holder=holder, expires_at=expires).execution_options(synchronize_session=False)).rowcount
    if renewed:
        db.session.commit()
        return True
    try:
        db.session.execute(insert(SchedulerLease).values(name=name, holder=holder, expires_at=expires))
        db.session.commit()
        return True
    except IntegrityError:  # another holds it (its row exists and has not lapsed)
        db.session.rollback()
        return False


def release_lease(name: str, holder: str) -> None:
    """Give the lease up at once (a clean stop), so that a standby need not wait for it to lapse."""
    db.session.execute(update(SchedulerLease).where(SchedulerLease.name == name, SchedulerLease.holder == holder)
                       .values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()


class SingleBeatScheduler(PersistentScheduler):
    """celery beat's scheduler, sending only while it holds the lease (cxculture.jobs sets it as beat_scheduler)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.holder = f"{socket.gethostname()}:{os.getpid()}"
        self.holding: bool | None = None  # not asked yet

    def _hold(self) -> bool:
        with self.app.flask_app.app_context():
            try:
                return hold_lease(LEASE_NAME, self.holder)
            except Exception:  # the database is away: send nothing rather than risk two senders
                log.exception("scheduler: could not reach the lease")
                db.session.rollback()
                return False
            finally:
                db.session.remove()

    def tick(self, *args, **kwargs):
        holding = self._hold()
        if holding != self.holding:
            log.warning("scheduler %s: %s", self.holder, "sending the scheduled jobs" if holding
                        else "another scheduler sends the scheduled jobs; standing by")
            self.holding = holding
        if not holding:
            return TICK_SECONDS
        return min(super().tick(*args, **kwargs), TICK_SECONDS)

    def close(self):
        if self.holding is True:
            with self.app.flask_app.app_context():
                release_lease(LEASE_NAME, self.holder)
                db.session.remove()
        super().close()
