"""Schedulers on several hosts: only the one holding the lease sends the scheduled jobs; another takes over when
it stops or its lease lapses."""
from __future__ import annotations

from datetime import timedelta

import pytest
from celery.beat import PersistentScheduler

from cxculture.extensions import db
from cxculture.jobs.models import SchedulerLease
from cxculture.jobs.scheduler import LEASE_NAME, TICK_SECONDS, SingleBeatScheduler, hold_lease, release_lease
from cxculture.util import utcnow


def test_one_holder_at_a_time_and_a_lapsed_lease_passes_on(app):
    assert hold_lease("beat", "host-a:1") is True
    assert hold_lease("beat", "host-b:2") is False
    assert hold_lease("beat", "host-a:1") is True  # renewed
    lease = db.session.get(SchedulerLease, "beat")
    lease.expires_at = utcnow() - timedelta(seconds=1)  # host a stopped renewing
    db.session.commit()
    assert hold_lease("beat", "host-b:2") is True
    assert hold_lease("beat", "host-a:1") is False
    release_lease("beat", "host-b:2")  # a clean stop hands over at once
    assert hold_lease("beat", "host-a:1") is True


@pytest.fixture
def sent(monkeypatch):
    """The schedulers whose rounds ran (the real tick would send to the broker)."""
    ticks: list[str] = []

    def tick(self, *args, **kwargs):
        ticks.append(self.holder)
        return 1.0

    monkeypatch.setattr(PersistentScheduler, "tick", tick)
    return ticks


def _scheduler(app, tmp_path, name: str) -> SingleBeatScheduler:
    scheduler = SingleBeatScheduler(app=app.extensions["celery"], schedule_filename=str(tmp_path / name), lazy=True)
    scheduler.holder = name
    return scheduler


def test_only_the_holder_sends_and_a_standby_takes_over(app, tmp_path, sent, cx_logs):
    cx_logs.set_level("WARNING", logger="cxculture.jobs.scheduler")
    first, second = _scheduler(app, tmp_path, "host-a"), _scheduler(app, tmp_path, "host-b")
    assert first.tick() == 1.0 and second.tick() == TICK_SECONDS and first.tick() == 1.0
    assert sent == ["host-a", "host-a"]
    assert "host-b: another scheduler sends the scheduled jobs; standing by" in cx_logs.text
    first.holding = True
    release_lease(LEASE_NAME, "host-a")  # host a stops
    assert second.tick() == 1.0 and first.tick() == TICK_SECONDS
    assert sent == ["host-a", "host-a", "host-b"]


def test_the_scheduler_in_use_is_the_single_sender(app):
    assert app.extensions["celery"].conf.beat_scheduler == "cxculture.jobs.scheduler:SingleBeatScheduler"
