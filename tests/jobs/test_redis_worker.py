"""The whole path on real servers: a commit enqueues on a real Redis, a real Celery worker delivers the outbox to
a real LRS (Ralph), and a repeated message delivers nothing twice."""
from __future__ import annotations

import threading
from collections import Counter

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.lms.models import XapiStatement
from cxculture.lms.registrations import save_lrs_settings
from cxculture.orgs.service import person_by_email
from tests.lms.test_xapi import RALPH_PASSWORD, RALPH_USER, Ralph, _learn

pytestmark = pytest.mark.slow

QUEUE = "cxculture"


@pytest.fixture(scope="module")
def ralph(tmp_path_factory):
    server = Ralph(tmp_path_factory.mktemp("ralph")).start()
    yield server
    server.stop()


@pytest.fixture
def app_config(redis_url):
    return {"BROKER_URL": redis_url}


@pytest.fixture
def broker(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.close()


def _run_worker_until_done(celery_app, jobs: int) -> Counter:
    """A real worker (in a thread) consumes the queue until `jobs` tasks have run. The test touches no database
    meanwhile: with in-memory SQLite the worker shares the test's one connection."""
    done: Counter = Counter()
    finished = threading.Event()

    def count(sender=None, **_):
        done[sender.name] += 1
        if sum(done.values()) >= jobs:
            finished.set()

    task_postrun.connect(count, weak=False)
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            assert finished.wait(60), f"the worker ran {dict(done)}, expected {jobs} jobs"
    finally:
        task_postrun.disconnect(count)
    return done


def test_a_commit_enqueues_on_redis_and_a_worker_delivers_each_statement_once(app, trained, ralph, broker):
    person = person_by_email("employee@retail.example.com")
    save_lrs_settings(person.organisation_id, enabled=True, endpoint=ralph.url, key=RALPH_USER,
                      secret=RALPH_PASSWORD, actor_mode="pseudonymous", allow_http=True)
    db.session.commit()
    celery_app = app.extensions["celery"]

    _learn(person, token="through-the-queue")  # its commits send the delivery job to Redis, nobody delivers yet
    queued = broker.llen(QUEUE)
    assert queued >= 1
    rows = {r.id: r.status for r in db.session.scalars(select(XapiStatement))}
    assert rows and set(rows.values()) == {"pending"}

    done = _run_worker_until_done(celery_app, queued)
    assert done == Counter({"lms.deliver_outbox": queued}) and broker.llen(QUEUE) == 0
    db.session.expire_all()
    delivered = list(db.session.scalars(select(XapiStatement)))
    assert {r.status for r in delivered} == {"sent"} and {r.attempts for r in delivered} == {1}
    assert sorted(s["id"] for s in ralph.statements()) == sorted(rows)  # each statement once, its own id

    # A new statement, then the same message three times (a retried publish, a redelivery after a lost worker):
    # the first run sends it, the others find nothing due.
    manager = person_by_email("manager@retail.example.com")
    _learn(manager, token="repeated-message")
    broker.delete(QUEUE)  # only our repeated message below
    new = {r.id for r in db.session.scalars(select(XapiStatement).where(XapiStatement.status == "pending"))}
    assert new
    for _ in range(3):
        celery_app.send_task("lms.deliver_outbox", task_id="the-same-message")
    assert _run_worker_until_done(celery_app, 3) == Counter({"lms.deliver_outbox": 3})
    db.session.expire_all()
    assert {(r.status, r.attempts) for r in db.session.scalars(select(XapiStatement))} == {("sent", 1)}
    stored = [s["id"] for s in ralph.statements()]
    assert len(stored) == len(set(stored)) == len(rows) + len(new)
