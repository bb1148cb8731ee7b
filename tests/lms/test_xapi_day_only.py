"""The assessment-completed statement's outbox row never gives the submit time finer than the day: not its
creation, its due, lease or retry times, its sent time, nor (since it waits for the next day) the LRS's own
stored time; rows already in the outbox are cut to the day by migration 0011."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from flask_migrate import upgrade
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from cxculture import events
from cxculture.extensions import db
from cxculture.lms import outbox
from cxculture.lms.models import XapiStatement
from cxculture.lms.registrations import save_lrs_settings
from cxculture.orgs.service import person_by_email

SUBMITTED = datetime(2026, 3, 10, 14, 37, 21, 123456)
NEXT_DAY = datetime(2026, 3, 11)


@pytest.fixture
def employee(trained):
    person = person_by_email("employee@retail.example.com")
    save_lrs_settings(person.organisation_id, enabled=True, endpoint="http://127.0.0.1:9/xAPI",
                      key="k", secret="s", actor_mode="pseudonymous", allow_http=True)
    db.session.commit()
    return person


class FakeLrs:
    """Answers every PUT with `status` and remembers when it was called."""

    def __init__(self, status: int):
        self.status, self.calls = status, 0

    def put(self, *args, **kwargs):
        self.calls += 1
        return type("Response", (), {"status_code": self.status, "text": ""})()


def _clock(monkeypatch, moment: datetime) -> None:
    monkeypatch.setattr("cxculture.util.utcnow", lambda: moment)
    monkeypatch.setattr(outbox, "utcnow", lambda: moment)


def _lrs(monkeypatch, status: int) -> FakeLrs:
    fake = FakeLrs(status)
    monkeypatch.setattr(outbox.requests, "put", fake.put)
    return fake


def _submit(monkeypatch, person, at: datetime) -> XapiStatement:
    from cxculture.assessments.models import Campaign

    _clock(monkeypatch, at)
    campaign = db.session.scalar(select(Campaign).where(Campaign.organisation_id == person.organisation_id)) or \
        Campaign(id=1, organisation_id=person.organisation_id, title="Spring check", status="open")
    events.assessment_submitted.send(person, campaign=campaign)
    db.session.commit()
    return db.session.scalar(select(XapiStatement).where(XapiStatement.event == "assessment-completed")
                             .order_by(XapiStatement.id.desc()))


def _deliver(monkeypatch, at: datetime):
    _clock(monkeypatch, at)
    report = outbox.deliver_statements(at)
    db.session.expire_all()
    return report


def assert_day_only(row: XapiStatement) -> None:
    for column in ("created_at", "next_attempt_at", "sent_at"):
        value = getattr(row, column)
        assert value is None or value.time() == time(), f"{column} = {value} is finer than the day"
    assert row.statement["timestamp"].endswith("T00:00:00.000Z")


def test_the_row_keeps_only_the_day_through_delivery_and_retries(employee, monkeypatch):
    row = _submit(monkeypatch, employee, SUBMITTED)
    assert_day_only(row)
    assert row.created_at == datetime(2026, 3, 10)

    lrs = _lrs(monkeypatch, 503)
    assert _deliver(monkeypatch, SUBMITTED + timedelta(seconds=1)).sent == 0
    assert lrs.calls == 0  # the LRS would store the submit's time: the statement waits for the next day
    assert_day_only(row)

    _deliver(monkeypatch, NEXT_DAY + timedelta(minutes=3, seconds=7))  # the LRS is down: a retry
    assert lrs.calls == 1 and row.status == "pending" and row.attempts == 1
    assert row.next_attempt_at == datetime(2026, 3, 12)
    assert_day_only(row)

    _lrs(monkeypatch, 204)
    assert _deliver(monkeypatch, datetime(2026, 3, 12, 0, 0, 41)).sent == 1
    assert row.status == "sent" and row.sent_at == datetime(2026, 3, 12)
    assert_day_only(row)


def test_a_rejected_row_keeps_only_the_day(employee, monkeypatch):
    row = _submit(monkeypatch, employee, SUBMITTED)
    _lrs(monkeypatch, 409)
    assert _deliver(monkeypatch, NEXT_DAY + timedelta(hours=9, seconds=5)).rejected == 1
    assert row.status == "rejected"
    assert_day_only(row)


def test_two_submits_of_a_day_cannot_be_told_apart_by_time(employee, monkeypatch, make_person):
    other = make_person(employee.organisation, "second@retail.example.com")
    first = _submit(monkeypatch, employee, SUBMITTED.replace(hour=9))
    second = _submit(monkeypatch, other, SUBMITTED.replace(hour=17))
    for column in ("created_at", "next_attempt_at"):
        assert getattr(first, column) == getattr(second, column)


def test_other_statements_keep_their_time_and_go_at_once(employee, monkeypatch):
    from cxculture.modules.models import ModuleVersion

    _clock(monkeypatch, SUBMITTED)
    version = db.session.scalar(select(ModuleVersion).order_by(ModuleVersion.id))
    events.module_started.send(employee, module_version=version)
    db.session.commit()
    row = db.session.scalar(select(XapiStatement).where(XapiStatement.event == "module-started"))
    assert row.created_at == SUBMITTED and row.next_attempt_at == SUBMITTED


def test_migration_cuts_existing_rows_to_the_day(app):
    """Rows written by the older code carry the second: upgrading to 0011 leaves midnight of their day."""
    db.drop_all()
    upgrade(revision="0006")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO organisation (id, name, slug, default_language, anonymity_threshold, benchmark_opt_in, "
            "created_at) VALUES (1, 'Acme', 'acme', 'en', 5, false, :now)"), {"now": SUBMITTED})
        for event_name, sent in (("assessment-completed", SUBMITTED + timedelta(seconds=2)),
                                 ("module-started", SUBMITTED)):
            connection.execute(text(
                "INSERT INTO xapi_statement (id, organisation_id, event, statement, status, attempts, "
                "next_attempt_at, created_at, sent_at) VALUES (:id, 1, :event, '{}', 'sent', 1, :due, :at, :sent)"),
                {"id": event_name, "event": event_name, "due": SUBMITTED + timedelta(minutes=2), "at": SUBMITTED,
                 "sent": sent})
    upgrade(revision="0011")
    with db.engine.connect() as connection:
        rows = {row.id: row for row in connection.execute(text(
            "SELECT id, created_at, next_attempt_at, sent_at FROM xapi_statement"))}
    day = datetime(2026, 3, 10)
    assessment = rows["assessment-completed"]
    assert [_as_datetime(v) for v in assessment[1:]] == [day, day, day]
    assert _as_datetime(rows["module-started"].created_at) == SUBMITTED  # other statements keep their time
    upgrade()  # the rest of the chain, so the test database is whole again for the next test
    db.drop_all()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
    db.create_all()


def _as_datetime(value) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def test_no_hidden_rowid_numbers_the_rows_in_the_order_they_were_written(employee, monkeypatch):
    _submit(monkeypatch, employee, SUBMITTED)
    if db.engine.dialect.name != "sqlite":
        pytest.skip("a SQLite table's rowid; PostgreSQL has no such column")
    with pytest.raises(OperationalError, match="rowid"):
        db.session.execute(text("SELECT rowid FROM xapi_statement"))
