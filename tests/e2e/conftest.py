"""Real-browser fixtures: the demo app served on a free loopback port, and Chromium driven by Playwright.

The live server has its own database with the demo data, separate from the one the other tests drop and
create around every test: a file in a temporary directory on SQLite, a database of its own on PostgreSQL.
Tests share it for the whole session, so a test that changes something puts it back.
Each browser test module is marked xdist_group("browser"): under `make test` (pytest-xdist, --dist loadgroup)
one worker runs them all, so one live server and one Chromium start, not one per worker.
"""
from __future__ import annotations

import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from flask import Flask, got_request_exception
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from cxculture import create_app
from cxculture.extensions import db
from tests.conftest import DEMO_PASSWORD, POLL_SECONDS, TEST_DATABASE_URL, test_config

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
#: Playwright waits this long for a page, an element or an expectation before failing.
TIMEOUT_MS = 10_000
#: Screenshots of failed browser tests land here (gitignored).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
VIEWPORT = {"width": 1280, "height": 800}
#: The live app's job queue (see live_server).
LIVE_QUEUE = "cxculture-e2e"


@dataclass
class LiveServer:
    """The running app: `url` to browse, `app` for an app context to check or reset data."""

    url: str
    app: Flask
    #: Exceptions raised while serving a request; a test with one fails even if the page looked fine.
    errors: list[BaseException] = field(default_factory=list)


@pytest.fixture(scope="session")
def live_database_url(tmp_path_factory):
    """Where the live server keeps its data: never the database the other tests use."""
    if not TEST_DATABASE_URL.startswith("postgresql"):
        yield f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'cxculture.db'}"
        return
    # Same server, own database: the other tests drop and create tables in theirs around every test.
    base = make_url(TEST_DATABASE_URL)
    name = f"{base.database}_e2e"
    server = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))  # left by an aborted run
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture(scope="session")
def live_server(live_database_url):
    """The app with the demo people, KPI data and the fixture module library, served on 127.0.0.1 and a free port."""
    from cxculture.demo import load_demo
    from cxculture.kpis.demo import load_demo_kpis
    from cxculture.modules.library import sync_library
    from cxculture.modules.paths import ensure_default_paths
    from tests.conftest import FIXTURE_LIBRARY

    app = create_app(test_config(
        SQLALCHEMY_DATABASE_URI=live_database_url,
        SQLALCHEMY_ENGINE_OPTIONS={},
        SERVER_NAME=None,
        WTF_CSRF_ENABLED=True,  # the browser goes through the real forms, tokens included
    ))
    with app.app_context():
        db.drop_all()
        db.create_all()
        organisations = load_demo()
        sync_library(FIXTURE_LIBRARY)
        for organisation in organisations:
            ensure_default_paths(organisation)
        load_demo_kpis(organisations)
        db.session.commit()
        db.session.remove()

    server = make_server("127.0.0.1", 0, app, threaded=True)
    live = LiveServer(url=f"http://127.0.0.1:{server.server_port}", app=app)

    def record_error(sender, exception, **extra):
        live.errors.append(exception)

    got_request_exception.connect(record_error, app, weak=False)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS},
                              name="e2e-live-server", daemon=True)
    thread.start()
    # A real Celery worker (in a thread, on the in-memory broker the live app sends to) makes what pages ask for
    # in the background: PDFs, packs. The in-memory broker is one per process: on a queue of the live app's own,
    # the worker never takes (and runs here, on the live database) a job another test's app sent.
    celery_app = app.extensions["celery"]
    celery_app.conf.task_default_queue = LIVE_QUEUE
    worker = start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=30)
    worker.__enter__()
    try:
        yield live
    finally:
        worker.__exit__(None, None, None)
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        got_request_exception.disconnect(record_error, app)
        with app.app_context():
            db.drop_all()
            db.engine.dispose()


@contextmanager
def headless_chromium() -> Iterator[Browser]:
    """A headless Chromium (Debian's, not a Playwright download), closed at the end of the block."""
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        pytest.fail(
            f"Chromium is not installed at {CHROMIUM}; the browser tests need it. "
            "Run `make test` (it installs it) or `sudo apt-get install -y chromium`.",
            pytrace=False,
        )
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


_reports = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so `page` knows at teardown whether the test failed."""
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


@pytest.fixture
def new_context(browser: Browser, live_server: LiveServer):
    """Returns a callable that opens a fresh browser context (no cookies) on the live server."""
    contexts = []

    def _new_context(locale: str = "en-GB", **options):
        options.setdefault("viewport", VIEWPORT)
        context = browser.new_context(base_url=live_server.url, locale=locale, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield _new_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(request, new_context, live_server: LiveServer) -> Page:
    """A tab in a fresh English browser context; screenshot in test-artifacts/ when the test fails."""
    expect.set_options(timeout=TIMEOUT_MS)
    errors_before = len(live_server.errors)
    page = new_context().new_page()
    yield page
    report = request.node.stash.get(_reports, {}).get("call")
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    new_errors = live_server.errors[errors_before:]
    if new_errors:
        pytest.fail(f"the server raised while serving this test: {new_errors!r}", pytrace=False)


def download(page: Page, link, timeout_ms: float) -> bytes:
    """Click a link to a file as a person does: the file's page waits for the job worker, then its "Download"
    link gives the file (whose bytes are returned)."""
    link.click()
    ready = page.get_by_role("link", name=re.compile(r"^Download \("))
    expect(ready).to_be_visible(timeout=timeout_ms)  # the page refreshes itself until the file is made
    response = page.request.get(ready.get_attribute("href"), timeout=timeout_ms)
    assert response.ok, response.status
    return response


@pytest.fixture
def log_in(page: Page):
    """Returns a callable: log_in("admin@retail.example.com") logs `page` in through the login form.

    It waits until the browser has left /login; pass `expect_success=False` to stay there (wrong password).
    """

    def _log_in(email: str, password: str = DEMO_PASSWORD, expect_success: bool = True) -> Page:
        if "/login" not in page.url:
            page.goto("/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Log in").click()
        if expect_success:
            expect(page).not_to_have_url(re.compile(r"/login"))
        return page

    return _log_in


@pytest.fixture
def log_out(page: Page):
    """Returns a callable: log_out("Admin Demo Retail") opens the user menu and presses Log out (or Esci)."""

    def _log_out(name: str) -> Page:
        summary = page.locator("summary", has_text=name)
        if not summary.evaluate("summary => summary.parentElement.open"):
            summary.click()
        page.get_by_role("button", name=re.compile(r"^(Log out|Esci)$")).click()
        expect(page).to_have_url(re.compile(r"/login$"))
        return page

    return _log_out
