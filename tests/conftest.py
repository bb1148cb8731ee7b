"""Fixtures for every test: a fresh database per test, clients, CLI runner and logins."""
from __future__ import annotations

import contextvars
import os
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.pool import StaticPool

from cxculture import create_app
from cxculture.extensions import db

#: CXCULTURE_TEST_DATABASE_URL runs the suite on another database (make test-postgres); default in-memory SQLite.
TEST_DATABASE_URL = os.environ.get("CXCULTURE_TEST_DATABASE_URL", "sqlite://")
DEMO_PASSWORD = "demo-password"
#: A small module library for tests, independent of the shipped content.
FIXTURE_LIBRARY = Path(__file__).parent / "modules" / "fixture_library"


def test_config(**overrides) -> dict:
    """Configuration for a test app: cheap password hashing, its own database, CSRF off unless asked."""
    engine_options = {}
    if TEST_DATABASE_URL == "sqlite://":
        engine_options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "WTF_CSRF_ENABLED": False,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "SERVER_NAME": "localhost",
        # The framing list is read on a test's first response and kept: query counts stay the same however
        # slowly a test runs (tests that change platforms call forget_origins(), as the app does).
        "LMS_ORIGINS_TTL": 3600,
    }
    config.update(overrides)
    return config


class IsolatedClient(FlaskClient):
    """Runs each request in its own application context, as a real server does.

    Tests keep an app context open for their own database work; without this, requests would share its
    `g` (the logged-in person) and its SQLAlchemy session, and hide bugs a real server would show.
    """

    _isolating = contextvars.ContextVar("isolating", default=False)

    def open(self, *args, **kwargs):
        if self._isolating.get():  # a redirect being followed: already isolated
            return super().open(*args, **kwargs)
        response = contextvars.Context().run(self._open_isolated, *args, **kwargs)
        db.session.expire_all()  # the test's own objects re-read what the request wrote
        return response

    def _open_isolated(self, *args, **kwargs):
        self._isolating.set(True)
        return super().open(*args, **kwargs)


@pytest.fixture
def app_config() -> dict:
    """Override in a test module to change the app's configuration."""
    return {}


@pytest.fixture
def app(app_config):
    app = create_app(test_config(**app_config))
    app.test_client_class = IsolatedClient
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            _empty_postgres_schema()
        else:
            db.drop_all()
            db.create_all()
        yield app
        db.session.remove()
        if db.engine.dialect.name != "postgresql":
            db.drop_all()
        db.engine.dispose()


def _empty_postgres_schema() -> None:
    """Every table, empty, ids from 1: on PostgreSQL one TRUNCATE is several times faster than dropping and
    creating forty-odd tables around every test. Tables are created when missing (first test, or after one
    that dropped them)."""
    tables = db.metadata.sorted_tables
    with db.engine.connect() as connection:
        existing = set(connection.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars())
    if existing >= {table.name for table in tables}:
        names = ", ".join(f'"{table.name}"' for table in tables)
        with db.engine.begin() as connection:
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        db.drop_all()
        db.create_all()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def demo(app):
    """Both demo organisations, loaded and committed: {"demo-retail": Organisation, "demo-bank": ...}."""
    from cxculture.demo import load_demo

    organisations = load_demo()
    db.session.commit()
    return {o.slug: o for o in organisations}


def login(client, email: str, password: str = DEMO_PASSWORD):
    """Log `client` in; asserts the login worked."""
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, f"login as {email} failed: {response.status_code}"
    return response


@pytest.fixture
def login_as(client, demo):
    """Returns a callable: login_as("admin", org="retail") logs the client in as that demo account."""

    def _login(permission: str, org: str = "retail"):
        email = f"{permission}@{org}.example.com"
        login(client, email)
        from cxculture.orgs.service import person_by_email

        return person_by_email(email)

    return _login


@pytest.fixture
def make_person(app):
    """Returns a callable that creates a person in an organisation (committed)."""
    from cxculture.auth.passwords import hash_password
    from cxculture.orgs.models import Person

    def _make(organisation, email, name=None, permissions=("employee",), password=DEMO_PASSWORD, **fields):
        person = Person(
            organisation=organisation, email=email.lower(), name=name or email.split("@")[0],
            password_hash=hash_password(password) if password else None, **fields,
        )
        person.permissions = permissions
        db.session.add(person)
        db.session.commit()
        return person

    return _make


@pytest.fixture
def make_organisation(app):
    """Returns a callable that creates an organisation with the default job roles (committed)."""
    from cxculture.orgs.service import create_organisation

    def _make(name="Acme", slug=None, **settings):
        organisation = create_organisation(name, slug or re.sub(r"[^a-z0-9]+", "-", name.lower()), **settings)
        db.session.commit()
        return organisation

    return _make


@pytest.fixture
def library(app):
    """The fixture library loaded into the database; returns the sync report."""
    from cxculture.modules.library import sync_library

    report = sync_library(FIXTURE_LIBRARY)
    db.session.commit()
    return report


@pytest.fixture
def trained(demo, library):
    """The demo organisations with the fixture library and their default paths."""
    from sqlalchemy import select

    from cxculture.modules.paths import ensure_default_paths
    from cxculture.orgs.models import Organisation

    for organisation in db.session.scalars(select(Organisation)):
        ensure_default_paths(organisation)
    db.session.commit()
    return demo
