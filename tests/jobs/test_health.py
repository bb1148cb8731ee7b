"""/healthz for load balancers: the database, the broker and the age of the latest worker heartbeat."""
from __future__ import annotations

from datetime import timedelta

import pytest

from cxculture.extensions import db
from cxculture.jobs.health import record_heartbeat
from cxculture.util import utcnow


@pytest.mark.parametrize("age, status, worker", [
    (timedelta(seconds=5), 200, "ok"),
    (timedelta(seconds=119), 200, "ok"),
    (timedelta(seconds=125), 503, "silent"),
    (timedelta(hours=3), 503, "silent"),
])
def test_the_worker_heartbeat_age_decides(client, age, status, worker):
    record_heartbeat("celery@old-host", now=utcnow() - timedelta(days=2))  # only the freshest counts
    record_heartbeat("celery@host", now=utcnow() - age)
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == status
    assert response.json["worker"] == worker and response.json["broker"] == "ok"
    assert response.json["worker_heartbeat_age_seconds"] == pytest.approx(age.total_seconds(), abs=2)
    assert response.json["status"] == ("ok" if status == 200 else "error")


def test_a_worker_never_heard_from_is_unhealthy(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["worker"] == "never seen" and response.json["worker_heartbeat_age_seconds"] is None


def test_the_heartbeat_job_notes_its_worker(app, client):
    task = app.extensions["celery"].tasks["jobs.heartbeat"]
    task.apply()  # runs the task here, in an app context of its own, as a worker does
    db.session.expire_all()
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json["worker_heartbeat_age_seconds"] <= 1


@pytest.mark.parametrize("app_config", [{"BROKER_URL": "redis://127.0.0.1:9/0"}])
def test_an_unreachable_broker_is_unhealthy(client, app_config):
    record_heartbeat("celery@host")
    db.session.commit()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["broker"] == "unreachable" and response.json["database"] == "ok"
