"""xAPI statements: one per learning event, valid for ralph-malph's strict models, never identifying an
assessment response; the outbox delivers to a real Ralph LRS and survives an outage."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
from ralph.models.xapi.base.statements import BaseXapiStatement
from sqlalchemy import select

from cxculture import events
from cxculture.extensions import db
from cxculture.lms.models import XapiStatement
from cxculture.lms.outbox import deliver_statements
from cxculture.lms.registrations import lrs_settings, save_lrs_settings
from cxculture.modules.plan import build_plan
from cxculture.modules.progress import finish_lesson, start_module
from cxculture.orgs.service import person_by_email
from cxculture.util import utcnow
from tests.modules.conftest import RIGHT_ANSWERS, WRONG_ANSWERS, submit_drawn

RALPH_USER, RALPH_PASSWORD = "cx-tests", "ralph-secret-for-tests"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Ralph:
    """Ralph's LRS with the file-system backend on loopback, with credentials made by `ralph auth ... -w`."""

    def __init__(self, workdir: Path):
        self.workdir, self.port = workdir, _free_port()
        self.url = f"http://127.0.0.1:{self.port}/xAPI"
        ralph = Path(sys.executable).parent / "ralph"
        self.env = {**os.environ, "RALPH_APP_DIR": str(workdir / "app"), "RALPH_RUNSERVER_BACKEND": "fs",
                    "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(workdir / "data"),
                    "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
        (workdir / "app").mkdir()
        (workdir / "data").mkdir()
        subprocess.run([ralph, "auth", "-u", RALPH_USER, "-p", RALPH_PASSWORD, "-s", "all",
                        "-M", "mailto:lrs@cxculture.example", "-w"], env=self.env, check=True, capture_output=True)
        # `ralph runserver -b fs` with the file backend appending (see ralph_lrs.py for why).
        self.command = [sys.executable, "-m", "tests.lms.ralph_lrs", str(self.port)]
        self.process: subprocess.Popen | None = None

    def start(self) -> Ralph:
        self.process = subprocess.Popen(self.command, env=self.env, cwd=self.workdir, start_new_session=True,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/__heartbeat__", timeout=1).ok:
                    self.statements(timeout=60)  # its first read sets up the store: a slow first call on a busy machine
                    return self
            except requests.RequestException:
                time.sleep(0.3)
        raise RuntimeError("Ralph did not start")

    def stop(self) -> None:
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGTERM)  # the server and its reloader, started by us
            self.process.wait(timeout=20)
            self.process = None

    def statements(self, timeout: float = 10) -> list[dict]:
        response = requests.get(f"{self.url}/statements", auth=(RALPH_USER, RALPH_PASSWORD), timeout=timeout,
                                headers={"X-Experience-API-Version": "1.0.3"}, params={"limit": 500})
        response.raise_for_status()
        return response.json()["statements"]


@pytest.fixture(scope="module")
def ralph(tmp_path_factory):
    server = Ralph(tmp_path_factory.mktemp("ralph")).start()
    yield server
    server.stop()


@pytest.fixture
def employee(trained):
    person = person_by_email("employee@retail.example.com")
    save_lrs_settings(person.organisation_id, enabled=True, endpoint="http://127.0.0.1:9/xAPI",
                                 key="k", secret="s", actor_mode="pseudonymous", allow_http=True)
    db.session.commit()
    return person


def _outbox() -> list[XapiStatement]:
    return list(db.session.scalars(select(XapiStatement).order_by(XapiStatement.created_at, XapiStatement.id)))


def _learn(person, slug="what-is-cx", answers=RIGHT_ANSWERS, token="form-1"):
    entry = build_plan(person).entry(slug)
    progress = start_module(person, entry)
    for lesson in progress.module_version.lessons:
        finish_lesson(progress, lesson["id"])
    submit_drawn(person, entry, "quiz", progress.module_version_id, token, answers)
    db.session.commit()


def test_learning_events_become_valid_statements_in_the_same_transaction(employee):
    _learn(employee, answers=WRONG_ANSWERS, token="wrong")
    _learn(employee, token="right")
    rows = _outbox()
    lessons = len(build_plan(employee).entry("what-is-cx").progress.module_version.lessons)
    assert [r.event for r in rows].count("lesson-completed") == lessons
    assert {r.event for r in rows} == {"module-started", "lesson-completed", "quiz-failed", "quiz-passed",
                                       "module-completed"}
    for row in rows:
        BaseXapiStatement.model_validate(row.statement)  # strict: unknown or empty fields are refused
        assert row.statement["version"] == "1.0.3" and row.id == row.statement["id"]
        assert "mbox" not in row.statement["actor"] and employee.email not in str(row.statement)
    passed = next(r.statement for r in rows if r.event == "quiz-passed")
    assert passed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert passed["result"]["score"]["scaled"] == 1.0 and passed["result"]["success"] is True
    failed = next(r.statement for r in rows if r.event == "quiz-failed")
    assert 0 <= failed["result"]["score"]["scaled"] < 1 and failed["result"]["success"] is False
    names = {r.statement["actor"]["account"]["name"] for r in rows}
    assert len(names) == 1  # one stable pseudonym


def test_assessment_and_cafe_statements_identify_no_response(employee):
    from cxculture.assessments.models import Campaign

    campaign = db.session.scalar(select(Campaign)) or Campaign(
        organisation_id=employee.organisation_id, instrument_id=1, title="Spring check", opens_on=date.today(),
        closes_on=date.today(), status="open")
    events.assessment_submitted.send(employee, campaign=campaign)

    class Cafe:
        id, title = 7, "Café: listening to customers"

    events.cafe_attended.send(employee, cafe=Cafe())
    db.session.flush()
    assessment, cafe = (r.statement for r in _outbox())
    BaseXapiStatement.model_validate(assessment)
    BaseXapiStatement.model_validate(cafe)
    assert set(assessment) == {"id", "actor", "verb", "object", "result", "context", "timestamp", "version"}
    assert assessment["result"] == {"completion": True} and "contextActivities" not in assessment["context"]
    assert assessment["timestamp"].endswith("T00:00:00.000Z")  # the day only: no time to join with a response
    assert cafe["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attended"


def test_email_actor_when_the_organisation_chooses_it(employee):
    settings = lrs_settings(employee.organisation_id)
    settings.actor_mode = "email"
    _learn(employee)
    assert all(r.statement["actor"] == {"objectType": "Agent", "mbox": f"mailto:{employee.email}"} for r in _outbox())


def test_nothing_is_queued_when_the_lrs_is_off(trained):
    person = person_by_email("employee@retail.example.com")
    _learn(person)
    assert _outbox() == []


def test_bad_lrs_settings_are_refused_and_change_nothing(trained):
    from cxculture.refusals import Refused

    organisation_id = person_by_email("admin@retail.example.com").organisation_id
    with pytest.raises(Refused) as refusal:
        save_lrs_settings(organisation_id, enabled=True, endpoint="ftp://lrs", key="", secret="",
                          actor_mode="nobody")
    assert set(refusal.value.errors) == {"endpoint", "key", "secret", "actor_mode"}
    db.session.rollback()
    assert lrs_settings(organisation_id).enabled is False


@pytest.mark.slow
def test_delivery_to_ralph_survives_an_outage_and_sends_each_statement_once(employee, ralph):
    settings = lrs_settings(employee.organisation_id)
    settings.endpoint, settings.key, settings.secret = ralph.url, RALPH_USER, RALPH_PASSWORD
    _learn(employee, token="before-outage")
    first_batch = {r.id for r in _outbox()}
    report = deliver_statements()
    assert report.sent == len(first_batch) and report.retrying == 0

    ralph.stop()  # the LRS goes down in the middle of the day
    other = person_by_email("manager@retail.example.com")
    _learn(other, token="during-outage")
    started = time.monotonic()
    report = deliver_statements()
    # One try finds the LRS unreachable; the organisation's other statements wait for the next round.
    assert report.retrying == 1 and report.sent == 0
    assert time.monotonic() - started < 10  # refused connections fail fast
    waiting = [r for r in _outbox() if r.status == "pending"]
    assert len(waiting) == len(_outbox()) - len(first_batch) and sum(r.attempts for r in waiting) == 1
    tried, = (r for r in waiting if r.attempts)
    assert tried.next_attempt_at > utcnow() and "ConnectionError" in tried.last_error

    ralph.start()
    assert deliver_statements().sent == len(waiting) - 1  # the one that failed waits for its backoff
    report = deliver_statements(now=utcnow() + timedelta(minutes=10))
    assert report.sent == 1
    stored = ralph.statements()
    assert sorted(s["id"] for s in stored) == sorted(r.id for r in _outbox())  # each once, same ids
    assert all(r.status == "sent" for r in _outbox())

    # A statement whose id the LRS already holds with other content: 409 is final, never retried.
    clash = _outbox()[0]
    clash_id, clash_statement = clash.id, dict(clash.statement)
    db.session.delete(clash)
    db.session.flush()
    duplicate = XapiStatement(id=clash_id, organisation_id=employee.organisation_id, event="module-started",
                              statement={**clash_statement, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed",
                                                                     "display": {"en-US": "failed"}}})
    db.session.add(duplicate)
    db.session.commit()
    report = deliver_statements()
    assert report.rejected == 1
    db.session.refresh(duplicate)
    assert duplicate.status == "rejected" and "409" in duplicate.last_error
