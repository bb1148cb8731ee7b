"""Areas ask for jobs after their commit: once per transaction, never after a rollback, and a broker that is down
costs a page nothing but a warning (the row waits for the job's periodic round)."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from cxculture import background
from cxculture.extensions import db
from cxculture.lms.models import XapiStatement
from cxculture.lms.registrations import save_lrs_settings
from cxculture.orgs.service import person_by_email
from tests.lms.test_xapi import _learn


@pytest.fixture
def employee(trained):
    person = person_by_email("employee@retail.example.com")
    save_lrs_settings(person.organisation_id, enabled=True, endpoint="http://127.0.0.1:9/xAPI", key="k", secret="s",
                      actor_mode="pseudonymous", allow_http=True)
    db.session.commit()
    return person


def test_a_commit_with_outbox_rows_asks_for_one_delivery(sent, employee):
    _learn(employee)  # one transaction per step, several statements in some of them
    assert db.session.scalar(select(XapiStatement.id).limit(1)) is not None
    assert set(sent) == {("lms.deliver_outbox", ())}
    assert len(sent) <= 5  # one per commit that wrote rows, not one per row
    sent.clear()
    db.session.commit()  # a later commit without rows asks for nothing
    assert sent == []


def test_a_rolled_back_transaction_asks_for_nothing(sent, employee):
    from cxculture.lms.outbox import enqueue_statement

    enqueue_statement(employee.organisation_id, "module-started", {"id": "11111111-1111-4111-8111-111111111111"})
    db.session.rollback()
    db.session.commit()
    assert sent == []


def test_retry_now_on_the_admin_page_asks_for_a_delivery(sent, client, login_as, employee):
    login_as("admin")
    response = client.post("/admin/lms/xapi/retry")
    assert response.status_code == 302
    assert sent == [("lms.deliver_outbox", ())]


def test_an_unknown_job_is_a_programming_error(app):
    with pytest.raises(LookupError, match="no-such-job"):
        background.run_after_commit("no-such-job")


@pytest.mark.parametrize("app_config", [{"BROKER_URL": "redis://127.0.0.1:9/0"}])
def test_a_broker_that_is_down_costs_the_page_nothing_and_loses_nothing(app, employee, app_config, monkeypatch):
    # The warnings are recorded where they are made: other tests in the same process (a real Celery worker, the
    # scorecard process pool) configure logging in ways caplog cannot always see through.
    warnings = []
    monkeypatch.setattr(background.log, "warning", lambda message, *args: warnings.append(message % args))
    started = time.monotonic()
    _learn(employee)
    assert time.monotonic() - started < 10  # several commits, each giving up on the broker at once
    assert warnings and all("its periodic round will catch up" in w for w in warnings)
    rows = list(db.session.scalars(select(XapiStatement)))
    assert rows and all(r.status == "pending" and r.attempts == 0 for r in rows)
    # The scheduler's round (the same task) finds them due and tries them (the LRS at port 9 is down too).
    app.extensions["celery"].tasks["lms.deliver_outbox"].apply()
    db.session.expire_all()
    assert any(r.attempts == 1 for r in db.session.scalars(select(XapiStatement)))
