"""The embedded default, a SQLite file, under concurrent requests: WAL, a busy timeout, short write transactions.

Each test serves the app from a SQLite file in a temporary directory (not the in-memory test database, where a
journal mode does not apply) and sends real concurrent requests from threads that start together.
"""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from cxculture import create_app
from cxculture.assessments import campaigns
from cxculture.assessments.answers import Participation, Response
from cxculture.assessments.instruments import sync_shipped_instruments
from cxculture.assessments.models import Campaign, Draft
from cxculture.auth.passwords import hash_password
from cxculture.config import engine_options
from cxculture.extensions import db
from cxculture.orgs.models import Person, Team
from cxculture.orgs.service import create_organisation
from tests import conftest
from tests.conftest import DEMO_PASSWORD, login

PEOPLE = 20


@pytest.fixture
def file_app(tmp_path):
    url = f"sqlite:///{tmp_path / 'storm.db'}"
    app = create_app(conftest.test_config(SQLALCHEMY_DATABASE_URI=url, SQLALCHEMY_ENGINE_OPTIONS=engine_options(url)))
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _people_with_complete_drafts(count: int) -> tuple[int, list[str]]:
    """An organisation of `count` employees, an open campaign, and a complete draft for everyone."""
    organisation = create_organisation("Storm", "storm")
    team = Team(organisation=organisation, name="Front line")
    password_hash = hash_password(DEMO_PASSWORD)
    people = []
    for number in range(count):
        person = Person(organisation=organisation, team=team, email=f"person{number}@storm.example.com",
                        name=f"Person {number}", password_hash=password_hash)
        person.permissions = ("employee",)
        people.append(person)
    db.session.add_all(people)
    db.session.flush()
    instrument = sync_shipped_instruments()[0]
    campaign = Campaign(organisation_id=organisation.id, instrument=instrument, title="Storm check",
                        opens_on=date.today() - timedelta(days=1), closes_on=date.today() + timedelta(days=7))
    db.session.add(campaign)
    db.session.flush()
    campaigns.open_campaign(campaign)
    answers = {"items": {item["key"]: 4 for item in instrument.items}, "open": {}, "page": "final"}
    db.session.add_all(Draft(campaign_id=campaign.id, person_id=p.id, answers=answers) for p in people)
    db.session.commit()
    return campaign.id, [p.email for p in people]


def _together(count: int, action) -> list:
    """Run action(i) for i in range(count) on `count` threads released at the same moment."""
    barrier = threading.Barrier(count)

    def run(index):
        barrier.wait()
        return action(index)

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def test_a_file_database_is_tuned_on_every_connection(file_app):
    with file_app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == file_app.config["SQLITE_BUSY_TIMEOUT_MS"]
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL


def test_everyone_submitting_at_once_is_stored_exactly_once(file_app):
    with file_app.app_context():
        campaign_id, emails = _people_with_complete_drafts(PEOPLE)
    clients = [file_app.test_client() for _ in emails]
    for client, email in zip(clients, emails, strict=True):
        login(client, email)

    def submit(index):
        return clients[index].post(f"/assessments/{campaign_id}/answer/final", data={"action": "submit"})

    responses = _together(PEOPLE, submit)

    assert [r.status_code for r in responses] == [302] * PEOPLE
    assert all(r.headers["Location"].endswith(f"/assessments/{campaign_id}/answer/thanks") for r in responses)
    with file_app.app_context():
        counts = [db.session.scalar(select(func.count()).select_from(model)) for model in (Participation, Response)]
        drafts = db.session.scalar(select(func.count()).select_from(Draft))
    assert counts == [PEOPLE, PEOPLE]
    assert drafts == 0


def test_everyone_logging_in_at_once_gets_in(file_app):
    with file_app.app_context():
        _, emails = _people_with_complete_drafts(PEOPLE)
    clients = [file_app.test_client() for _ in emails]

    responses = _together(PEOPLE, lambda i: clients[i].post("/login", data={"email": emails[i],
                                                                          "password": DEMO_PASSWORD}))

    assert [r.status_code for r in responses] == [302] * PEOPLE


@pytest.mark.parametrize(("url", "in_memory"), [
    ("sqlite://", True),
    ("sqlite:///:memory:", True),
    ("sqlite:///file:shared?mode=memory&cache=shared&uri=true", True),
    ("sqlite:////srv/cx/instance/cxculture.db", False),
    ("sqlite:///instance/cxculture.db", False),
])
def test_only_a_file_database_is_tuned(url, in_memory):
    from sqlalchemy.engine import make_url

    from cxculture import is_memory_sqlite

    assert is_memory_sqlite(make_url(url)) is in_memory
