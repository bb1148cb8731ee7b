"""The job queue's timings come from the environment, as an installation sets them (and the production proof
shortens them): the outbox's delivery round and how long a worker holds a row it is sending."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cxculture import create_app
from cxculture.extensions import db
from cxculture.lms.models import XapiStatement
from cxculture.lms.outbox import _claim, deliver_statements
from cxculture.lms.registrations import save_lrs_settings
from cxculture.orgs.service import person_by_email
from cxculture.util import utcnow
from tests.conftest import test_config as config_for_tests


@pytest.mark.parametrize("environment, round_seconds, lease_seconds", [
    ({}, 60, 120),
    ({"CXCULTURE_JOBS_OUTBOX_SECONDS": "2", "CXCULTURE_OUTBOX_LEASE_SECONDS": "6"}, 2, 6),
])
def test_the_delivery_round_and_the_lease_come_from_the_environment(monkeypatch, environment, round_seconds,
                                                                     lease_seconds):
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    app = create_app(config_for_tests())
    schedule = app.extensions["celery"].conf.beat_schedule["deliver-outbox"]
    assert schedule["schedule"] == round_seconds and schedule["options"]["expires"] == round_seconds
    assert app.config["OUTBOX_LEASE_SECONDS"] == lease_seconds


@pytest.fixture
def app_config():
    return {"OUTBOX_LEASE_SECONDS": 6}


def test_a_worker_lost_mid_delivery_leaves_its_row_to_the_others_after_the_lease(app, trained):
    """The row a worker leased and never recorded (lost before its commit) is due again once the lease ends."""
    person = person_by_email("employee@retail.example.com")
    save_lrs_settings(person.organisation_id, enabled=True, endpoint="http://127.0.0.1:9/xAPI", key="k", secret="s",
                      actor_mode="pseudonymous", allow_http=True)
    now = utcnow()
    db.session.add(XapiStatement(id="00000000-0000-4000-8000-000000000001", organisation_id=person.organisation_id,
                                 event="module-started", statement={}, status="pending", attempts=0,
                                 created_at=now, next_attempt_at=now))
    db.session.commit()
    assert _claim(XapiStatement, "00000000-0000-4000-8000-000000000001", now)  # the worker is lost after this
    row = db.session.scalar(select(XapiStatement))
    db.session.refresh(row)
    assert row.next_attempt_at == now + timedelta(seconds=6)
    assert deliver_statements(now + timedelta(seconds=5)).retrying == 0  # still held: nobody sends it
    assert deliver_statements(now + timedelta(seconds=6)).retrying == 1  # free again: tried (the LRS is down)
