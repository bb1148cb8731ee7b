"""Fixtures for every test: a fresh database per test, clients, CLI runner and logins."""
from __future__ import annotations

import contextvars
import copy
import gc
import os
import re
import sqlite3
import subprocess
import threading
from pathlib import Path

import jinja2
import jinja2.bccache
import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

from cxculture import create_app
from cxculture.extensions import db

#: CXCULTURE_TEST_DATABASE_URL runs the suite on another database (make test-postgres); default in-memory SQLite.
TEST_DATABASE_URL = os.environ.get("CXCULTURE_TEST_DATABASE_URL", "sqlite://")
#: Under pytest-xdist (`make test` runs `-n auto`) each worker gets a PostgreSQL database of its own.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")
if _WORKER and TEST_DATABASE_URL.startswith("postgresql"):
    _base_url = make_url(TEST_DATABASE_URL)
    TEST_DATABASE_URL = _base_url.set(database=f"{_base_url.database}_{_WORKER}").render_as_string(hide_password=False)
DEMO_PASSWORD = "cx-culture-demo"
#: How often the tests' loopback HTTP servers look for a shutdown request (serve_forever's poll_interval): the
#: default half second was waited out at the end of every test that serves the app or a receiver.
POLL_SECONDS = 0.02
#: A small module library for tests, independent of the shipped content.
FIXTURE_LIBRARY = Path(__file__).parent / "modules" / "fixture_library"


def _share_url_builders() -> None:
    """Compile each URL rule's builder once per test run instead of once per test.

    Every test creates its own app, and Werkzeug compiles two Python functions (through `ast` and `compile()`) for
    each of its 150-odd rules: most of create_app()'s time, about a tenth of a second of every test. A builder
    depends only on the rule's text and parsed parts (it reads the converters from the rule it is bound to), so
    apps can share them. Rules with defaults, and a Werkzeug without this private method, compile as before.
    """
    from werkzeug.routing.rules import Rule

    compile_builder = getattr(Rule, "_compile_builder", None)
    if compile_builder is None:
        return
    builders: dict = {}

    def shared_builder(self, append_unknown: bool = True):
        trace = getattr(self, "_trace", None)
        if self.defaults or trace is None:
            return compile_builder(self, append_unknown)
        key = (self.rule, tuple(trace), append_unknown)
        if key not in builders:
            builders[key] = compile_builder(self, append_unknown)
        return builders[key]

    Rule._compile_builder = shared_builder


_share_url_builders()


def _share_parsed_rules() -> None:
    """Parse each URL rule once per test run instead of once per test (the other half of a rule's compiling).

    What parsing gives a rule (its parts, its trace, its converters and arguments) depends only on the rule's text
    and the map's converter classes, the same in every test's app; the converter objects are shared, and the
    app's converters keep no state of their own. Without this private method, rules parse as before."""
    from werkzeug.routing.rules import Rule

    parse_rule = getattr(Rule, "_parse_rule", None)
    if parse_rule is None:
        return
    parsed: dict = {}

    def shared_parse_rule(self, rule: str):
        key = (rule, tuple(self.map.converters.items()))
        if key not in parsed:
            traced, arguments, converters = len(self._trace), set(self.arguments), set(self._converters)
            parts = list(parse_rule(self, rule))
            parsed[key] = (parts, self._trace[traced:], {name: converter for name, converter in
                                                          self._converters.items() if name not in converters},
                           self.arguments - arguments)
            return parts
        parts, trace, converters, arguments = parsed[key]
        self._trace.extend(trace)
        self._converters.update(converters)
        self.arguments.update(arguments)
        return parts

    Rule._parse_rule = shared_parse_rule


_share_parsed_rules()


class _SharedBytecode(jinja2.BytecodeCache):
    """Compiled templates kept for the whole test run, in memory, for every test's app.

    Each test creates its own app, and with it a Jinja environment whose templates are parsed and compiled again
    on first use: about 70 ms of a test's first page, most of many tests' time. Jinja checks each template's
    source checksum before using the cached code, so an edited template is compiled afresh."""

    def __init__(self):
        self._code: dict[str, tuple[str, object]] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        checksum, code = self._code.get(bucket.key, (None, None))
        if checksum == bucket.checksum:
            bucket.code = code

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = (bucket.checksum, bucket.code)


_TEMPLATE_BYTECODE = _SharedBytecode()


def test_config(**overrides) -> dict:
    """Configuration for a test app: cheap password hashing, its own database, CSRF off unless asked."""
    engine_options = {}
    if TEST_DATABASE_URL == "sqlite://":
        engine_options = {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    elif TEST_DATABASE_URL.startswith("postgresql"):
        # A request waiting for a row the test's own open transaction holds would wait for ever (and CI with it):
        # after 20 s it fails, naming the lock, instead.
        engine_options = {"connect_args": {"options": "-c lock_timeout=20000"}}
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
        # Jobs asked for after a commit go to an in-memory broker that no worker reads: tests run the tasks
        # themselves (tests/jobs has one real Redis and worker).
        "BROKER_URL": "memory://",
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


@pytest.fixture(scope="session", autouse=True)
def _worker_database():
    """Creates (and at the end drops) this xdist worker's own PostgreSQL database; nothing to do otherwise."""
    if not (_WORKER and TEST_DATABASE_URL.startswith("postgresql")):
        yield
        return
    name = make_url(TEST_DATABASE_URL).database
    server = create_engine(make_url(TEST_DATABASE_URL).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))  # left by an aborted run
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def _in_memory_sqlite(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"


def _sqlite_copy(source: sqlite3.Connection, target: sqlite3.Connection) -> None:
    """Replaces the whole of `target` with `source` (sqlite3's backup API: milliseconds for the demo)."""
    source.backup(target)


def _snapshot_of_app_database() -> sqlite3.Connection:
    """A copy of the current app's in-memory SQLite database, in a connection of its own."""
    snapshot = sqlite3.connect(":memory:")
    raw = db.engine.raw_connection()
    try:
        _sqlite_copy(raw.driver_connection, snapshot)
    finally:
        raw.close()
    return snapshot


@pytest.fixture(scope="session")
def _empty_schema():
    """Every table, empty, in an in-memory SQLite database built once: copying it into a test's database is
    several times faster than create_all() (which the first test of a fresh database would otherwise run)."""
    app = create_app(test_config())
    with app.app_context():
        db.create_all()
        snapshot = _snapshot_of_app_database()
        db.engine.dispose()
    yield snapshot
    snapshot.close()


@pytest.fixture
def app(app_config, request):
    app = create_app(test_config(**app_config))
    app.test_client_class = IsolatedClient
    app.jinja_env.bytecode_cache = _TEMPLATE_BYTECODE
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            _empty_postgres_schema()
        elif _in_memory_sqlite(app):
            raw = db.engine.raw_connection()
            try:
                _sqlite_copy(request.getfixturevalue("_empty_schema"), raw.driver_connection)
            finally:
                raw.close()
        else:
            db.drop_all()
            db.create_all()
        yield app
        db.session.remove()
        if db.engine.dialect.name != "postgresql" and not _in_memory_sqlite(app):
            db.drop_all()
        db.engine.dispose()  # an in-memory database goes with its only connection


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


def _load_demo_organisations() -> list[str]:
    from cxculture.demo import load_demo

    return [o.slug for o in load_demo()]


def _load_demo_with_assessments():
    from cxculture.demo import load_demo_assessments

    return _load_demo_organisations(), load_demo_assessments()


def _load_demo_with_training():
    from cxculture.demo import load_demo_training

    return _load_demo_organisations(), load_demo_training(FIXTURE_LIBRARY)


class _DemoSnapshots:
    """Parts of the demo, each loaded once per test session the first time a test asks for it and kept: in an
    in-memory SQLite database, or on PostgreSQL in a schema of its own beside the tests' tables (which TRUNCATE
    empties around every test). Loading is the slowest part of many tests; copying takes milliseconds."""

    def __init__(self):
        self._built: dict[str, tuple] = {}

    def get(self, name: str, load) -> tuple:
        """((kind, source), what `load` returned) for the snapshot `name`, built with `load` if not yet."""
        if name not in self._built:
            self._built[name] = self._build(f"cxculture_{name}_snapshot", load)
        return self._built[name]

    @staticmethod
    def _build(schema: str, load) -> tuple:
        app = create_app(test_config())
        with app.app_context():
            if db.engine.dialect.name == "postgresql":
                _empty_postgres_schema()
            else:
                db.drop_all()
                db.create_all()
            loaded = load()
            db.session.commit()
            db.session.remove()
            if db.engine.dialect.name == "postgresql":
                with db.engine.begin() as connection:
                    connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                    connection.execute(text(f'CREATE SCHEMA "{schema}"'))
                    for table in db.metadata.sorted_tables:
                        connection.execute(text(
                            f'CREATE TABLE "{schema}"."{table.name}" AS SELECT * FROM "{table.name}"'))
                    sequences = connection.execute(text(
                        "SELECT sequencename, last_value FROM pg_sequences "
                        "WHERE schemaname = current_schema() AND last_value IS NOT NULL")).all()
                snapshot = ("postgresql", (schema, sequences))
                _empty_postgres_schema()
            else:
                snapshot = ("sqlite", _snapshot_of_app_database())
            db.engine.dispose()
        return snapshot, loaded

    def close(self) -> None:
        for (kind, source), _ in self._built.values():
            if kind == "sqlite":
                source.close()


@pytest.fixture(scope="session")
def _demo_snapshots():
    snapshots = _DemoSnapshots()
    yield snapshots
    snapshots.close()


def _database_is_empty() -> bool:
    tables = db.metadata.sorted_tables
    query = " UNION ALL ".join(f'SELECT 1 FROM (SELECT 1 FROM "{t.name}" LIMIT 1) AS t{i}'
                               for i, t in enumerate(tables))
    return db.session.execute(text(f"SELECT count(*) FROM ({query}) AS anything")).scalar_one() == 0


def _restore_demo(snapshot) -> None:
    kind, source = snapshot
    db.session.remove()
    if kind == "sqlite":
        raw = db.engine.raw_connection()
        try:
            _sqlite_copy(source, raw.driver_connection)
        finally:
            raw.close()
        return
    schema, sequences = source
    with db.engine.begin() as connection:
        connection.execute(text("SET LOCAL session_replication_role = replica"))  # rows in any order
        for table in db.metadata.sorted_tables:
            columns = ", ".join(f'"{c.name}"' for c in table.columns)
            connection.execute(text(f'INSERT INTO "{table.name}" ({columns}) '
                                    f'SELECT {columns} FROM "{schema}"."{table.name}"'))
        for sequence, last_value in sequences:
            connection.execute(text("SELECT setval(CAST(:sequence AS regclass), :value)"),
                               {"sequence": sequence, "value": last_value})


def _copy_or_load(app, request, name: str, load):
    """What `load` writes, committed: copied from the session's snapshot `name` into the test's still empty
    database; when the test has already written something (a fixture listed before), run as in a user's database.
    Returns what `load` returned."""
    if app.config["SQLALCHEMY_DATABASE_URI"] in (TEST_DATABASE_URL, "sqlite://"):
        db.session.remove()  # no transaction of this test's open while the snapshot is first built
        snapshot, loaded = request.getfixturevalue("_demo_snapshots").get(name, load)
        if _database_is_empty():
            _restore_demo(snapshot)
            return copy.deepcopy(loaded)
    loaded = load()
    db.session.commit()
    return loaded


def _demo_organisations(slugs: list[str]) -> dict:
    from cxculture.orgs.models import Organisation

    found = {o.slug: o for o in db.session.scalars(select(Organisation).where(Organisation.slug.in_(slugs)))}
    return {slug: found[slug] for slug in slugs}


@pytest.fixture
def demo(app, request):
    """Both demo organisations, loaded and committed: {"demo-retail": Organisation, "demo-bank": ...}.

    Copied from a session-wide snapshot into the test's still empty database; when the test has already
    written something (a fixture listed before `demo`), loaded with load_demo() as a user's database would be."""
    return _demo_organisations(_copy_or_load(app, request, "demo", _load_demo_organisations))


@pytest.fixture
def retail(demo):
    """Demo Retail, its named accounts reading English (the pages' words are checked); the assessment and listening
    tests share it."""
    from cxculture.orgs.service import person_by_email

    for local in ("admin", "leader", "hr", "manager", "employee"):
        person_by_email(f"{local}@retail.example.com").language = "en"
    db.session.commit()
    return demo["demo-retail"]


@pytest.fixture
def demo_with_assessments(app, request):
    """`demo` with the demo campaigns too (load_demo_assessments(), committed): (organisations, its report).

    Copied from a snapshot as `demo` is. A test that asks for `demo` first gets the campaigns loaded on top, which
    takes seconds: a module that needs both overrides `demo` with this one, as test_demo_assessments.py does."""
    slugs, report = _copy_or_load(app, request, "demo_assessments", _load_demo_with_assessments)
    return _demo_organisations(slugs), report


@pytest.fixture
def demo_with_training(app, request):
    """`demo` with the fixture library, default paths and the demo's training progress
    (load_demo_training(FIXTURE_LIBRARY), committed): (organisations, its report). Copied from a snapshot."""
    slugs, report = _copy_or_load(app, request, "demo_training", _load_demo_with_training)
    return _demo_organisations(slugs), report


def login(client, email: str, password: str = DEMO_PASSWORD):
    """Log `client` in; asserts the login worked."""
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, f"login as {email} failed: {response.status_code}"
    return response


@pytest.fixture
def cx_logs(caplog):
    """caplog that sees the app's own loggers even after a real Celery worker or process pool in the same test
    process configured logging (which disables or detaches existing loggers)."""
    import logging

    for name, logger in list(logging.root.manager.loggerDict.items()):
        if name.startswith("cxculture") and isinstance(logger, logging.Logger):
            logger.disabled, logger.propagate = False, True
            logger.setLevel(logging.NOTSET)
    return caplog


def run_queued_downloads() -> list[int]:
    """Do what a job worker does with the files people asked for: make every queued download (tests have no
    worker; tests/jobs and tests/e2e run real ones). Returns the ids made."""
    from cxculture.downloads.models import QUEUED, Download
    from cxculture.downloads.service import render

    queued = list(db.session.scalars(select(Download.id).where(Download.status == QUEUED).order_by(Download.id)))
    for download_id in queued:
        render(download_id)
    db.session.expire_all()
    return queued


def get_file(client, url: str, method: str = "get", **kwargs):
    """Ask for a file as a person does: a page answers it at once (already made) or sends them to its download's
    page; then the queued downloads are made, as a worker would, and the file is fetched from there."""
    response = client.open(url, method=method.upper(), **kwargs)
    location = response.headers.get("Location", "")
    if response.status_code != 303 or not re.fullmatch(r"(https?://[^/]+)?/downloads/\d+", location):
        return response
    run_queued_downloads()
    return client.get(f"{location}/file")


def pdf_text(data: bytes, tmp_path) -> str:
    """The text of a PDF as poppler lays it out."""
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def session_cookie(response) -> str:
    """The Set-Cookie header of the session cookie, among the others a login sets (the device cookie)."""
    return next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("cxculture_session="))


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


def pytest_collection_finish(session):
    """Garbage collection took a fifth of the suite's time: every full collection walked the objects imported
    once (models, templates, catalogues) again. Freeze those out of its sight, and collect less often (each test
    leaves an app's worth of cycles behind; memory stays a few hundred MB per worker)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 50)



@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed test's report names the threads alive in its process: a job worker or server left running by an
    earlier test (one that reads the same database) shows there, rather than as a puzzling timing failure."""
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        report.sections.append(("threads alive", "\n".join(
            f"{thread.name}{' (daemon)' if thread.daemon else ''}" for thread in threading.enumerate())))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Keep xdist_group's tests on one worker under pytest 9 (`make test` runs `--dist loadgroup`).

    pytest-xdist 3.8 marks a grouped test by appending "@group" to `item._nodeid`, which pytest 9 no longer reads (a
    node's id comes from `_id`): the groups were silently lost and the browser tests spread over every worker, each
    starting its own live server and Chromium. Put the suffix where pytest 9 reads it; a no-op where xdist's own
    suffix took (older pytest) and outside xdist's workers.
    """
    from _pytest.nodeid import coerce_node_id

    if not getattr(config.option, "loadgroup", False):
        return
    for item in items:
        names = sorted({str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                        for mark in item.iter_markers("xdist_group")})
        suffix = "@" + "_".join(names)
        if names and not item.nodeid.endswith(suffix):
            item._id = coerce_node_id(item.nodeid + suffix)


@pytest.fixture
def sent(app):
    """The jobs the app sends after its commits (name, args), recorded instead of going to a broker."""
    from cxculture import background

    jobs = []
    names = app.extensions["celery"].tasks.keys()
    background.set_queue(app, lambda name, args: jobs.append((name, args)), [n for n in names if "." in n])
    return jobs


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session, shared by tests/e2e and the content-package players
    (tests/modules/packages): Playwright's sync API runs once per process."""
    from tests.e2e.conftest import headless_chromium

    with headless_chromium() as chromium:
        yield chromium
