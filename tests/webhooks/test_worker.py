"""The whole path on real servers: a test event's commit enqueues on a real Redis, a real Celery worker delivers
it to the real receiver, and the same message repeated delivers nothing twice."""
from __future__ import annotations

from collections import Counter

import pytest
import redis
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.webhooks.delivery import DELIVERY_JOB, queue_test_event
from cxculture.webhooks.models import WebhookDelivery
from tests.jobs.conftest import redis_url  # noqa: F401  (a Redis started for this module)
from tests.jobs.test_redis_worker import QUEUE, _run_worker_until_done

pytestmark = pytest.mark.slow


@pytest.fixture
def app_config(redis_url):  # noqa: F811
    return {"BROKER_URL": redis_url}


def test_a_worker_delivers_each_event_once(app, demo, receiver, subscribe, redis_url):  # noqa: F811
    broker = redis.Redis.from_url(redis_url)
    broker.flushdb()
    subscription, _ = subscribe(demo["demo-bank"], receiver.url)
    queue_test_event(subscription)
    db.session.commit()  # sends the delivery job to Redis; nobody delivers yet
    assert broker.llen(QUEUE) == 1 and receiver.requests == []
    celery_app = app.extensions["celery"]
    assert _run_worker_until_done(celery_app, 1) == Counter({DELIVERY_JOB: 1})
    for _ in range(3):  # a retried publish, a redelivery after a lost worker
        celery_app.send_task(DELIVERY_JOB, task_id="the-same-message")
    assert _run_worker_until_done(celery_app, 3) == Counter({DELIVERY_JOB: 3})
    db.session.expire_all()
    assert [(d.status, d.attempts) for d in db.session.scalars(select(WebhookDelivery))] == [("delivered", 1)]
    assert len(receiver.requests) == 1
    broker.close()
