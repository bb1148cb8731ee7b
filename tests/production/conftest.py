"""The production shape on loopback: PostgreSQL, Redis, two gunicorn "hosts", two Celery workers and the scheduler.

Each server is a real process group of its own, started from the worktree's .venv and configured only by
environment variables, as a real install is; the tests talk to the hosts over HTTP. Collected only when
CXCULTURE_PRODUCTION_TESTS=1 (`make test-production`, which also starts the PostgreSQL server): `make test` and
`make test-postgres` leave this folder out. When a test fails, the tail of every server's log is added to its
report.
"""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from contextlib import contextmanager

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from cxculture.demo import DEMO_PASSWORD

from .servers import BIN, PROJECT, Service, answers_http, free_port, stop_all, wait_until

collect_ignore_glob = [] if os.environ.get("CXCULTURE_PRODUCTION_TESTS") == "1" else ["test_*.py"]

SECRET_KEY = "production-proof-secret-key-shared-by-both-hosts"
#: What a real install would set differently, only to keep the proof under three minutes: the delivery round
#: every 2 s instead of 60, a leased outbox row free again after 6 s instead of 120.
JOBS_OUTBOX_SECONDS = 2
OUTBOX_LEASE_SECONDS = 6
#: The login throttle's first wait, long enough that no attempt of the throttling test slips past it.
LOGIN_DELAY_SECONDS = 120

#: The job queue's queue (cxculture/jobs: task_default_queue).
QUEUE = "cxculture"

_services: list[Service] = []
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed:
        for service in _services:
            report.sections.append((f"log of {service.name} (last lines)", service.log_tail()))
    return report


@pytest.fixture(scope="session")
def database_url():
    """A database of its own on the throw-away PostgreSQL server of scripts/with-postgres.sh; dropped at the end."""
    base = os.environ.get("CXCULTURE_TEST_DATABASE_URL", "")
    if not base.startswith("postgresql"):
        pytest.fail("the production proof runs on PostgreSQL: `make test-production` (scripts/with-postgres.sh)")
    url = make_url(base).set(database="cxculture_production")
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text('DROP DATABASE IF EXISTS "cxculture_production" WITH (FORCE)'))
        connection.execute(text('CREATE DATABASE "cxculture_production"'))
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text('DROP DATABASE IF EXISTS "cxculture_production" WITH (FORCE)'))
        server.dispose()


@pytest.fixture(scope="session")
def logs(tmp_path_factory):
    return tmp_path_factory.mktemp("logs")


def _start(service: Service) -> Service:
    _services.append(service)
    return service.start()


@pytest.fixture(scope="session")
def broker_url(logs, tmp_path_factory):
    """A Redis of its own on loopback, without persistence: the broker both hosts and both workers share."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.fail("redis-server is not installed (Debian: apt-get install redis-server)")
    port = free_port()
    redis = _start(Service("redis", [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                     "--appendonly", "no", "--dir", str(tmp_path_factory.mktemp("redis"))],
                           dict(os.environ), logs))
    try:
        redis.wait_for_log("Ready to accept connections", timeout=20)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        redis.stop()


@pytest.fixture(scope="session")
def environment(database_url, broker_url, tmp_path_factory) -> dict[str, str]:
    """The environment every server gets, as an administrator would write it in a systemd unit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CXCULTURE_", "PYTEST_"))}
    env.update({
        "CXCULTURE_DATABASE_URL": database_url,
        "CXCULTURE_BROKER_URL": broker_url,
        "CXCULTURE_SECRET_KEY": SECRET_KEY,
        "CXCULTURE_JOBS_OUTBOX_SECONDS": str(JOBS_OUTBOX_SECONDS),
        "CXCULTURE_OUTBOX_LEASE_SECONDS": str(OUTBOX_LEASE_SECONDS),
        "CXCULTURE_LOGIN_DELAY_SECONDS": str(LOGIN_DELAY_SECONDS),
        "HOST": "127.0.0.1",
        "WEB_CONCURRENCY": "2",
        "PYTHONUNBUFFERED": "1",
    })
    return env


@pytest.fixture(scope="session")
def hosts(environment, logs, database, tmp_path_factory):
    """Two gunicorn hosts, two job workers and the scheduler on the migrated database, with the demo people and
    their training (the fixtures' loaders: the rest of `cx demo` is not needed here). Returns a Hosts."""
    with (logs / "migrate.log").open("ab") as log:
        subprocess.run([str(BIN / "flask"), "--app", "wsgi", "db", "upgrade"], env=environment, cwd=PROJECT,
                       check=True, stdout=log, stderr=subprocess.STDOUT, timeout=300)
    started: list[Service] = []
    try:
        urls = []
        for name in ("host-a", "host-b"):
            port = free_port()
            started.append(_start(Service(name, [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py"],
                                          {**environment, "PORT": str(port)}, logs)))
            urls.append(f"http://127.0.0.1:{port}")
        for name in ("w1", "w2"):
            started.append(_start(worker(name, environment, logs)))
        schedule = tmp_path_factory.mktemp("beat") / "celerybeat-schedule"
        started.append(_start(Service("beat", [str(BIN / "celery"), "-A", "wsgi:celery_app", "beat", "--loglevel",
                                               "INFO", "-s", str(schedule)], environment, logs)))
        _load_demo(database)  # while the servers start
        for service, url in zip(started, urls, strict=False):
            service.wait_for(lambda url=url: answers_http(f"{url}/login"), "answering HTTP")
        for service in started[2:4]:
            service.wait_for_log(" ready.")
        # Both hosts see the database, the broker and a worker's heartbeat.
        wait_until(lambda: all(requests.get(f"{url}/healthz", timeout=5).status_code == 200 for url in urls),
                   "/healthz 200 on both hosts", timeout=60, interval=0.5)
        yield Hosts(urls[0], urls[1], {s.name: s for s in started[2:4]}, environment)
    finally:
        stop_all(started)


def _load_demo(database) -> None:
    from cxculture.demo import load_demo, load_demo_training

    with database() as session:
        load_demo()
        load_demo_training()
        session.commit()


def worker(name: str, environment: dict, logs) -> Service:
    """A job worker as a real host runs it: one process (--concurrency 1), named `name`@<host>."""
    return Service(name, [str(BIN / "celery"), "-A", "wsgi:celery_app", "worker", "--loglevel", "INFO",
                          "--concurrency", "1", "-n", f"{name}@%h"], environment, logs)


class Hosts:
    """The two hosts' base URLs (`a`, `b`), the job workers by name, and the environment they run with."""

    def __init__(self, a: str, b: str, workers: dict[str, Service], environment: dict):
        self.a, self.b, self.workers, self.environment = a, b, workers, environment

    @property
    def both(self) -> tuple[str, str]:
        return self.a, self.b

    @contextmanager
    def without_consuming(self, name: str):
        """Worker `name` takes no new job from the queue meanwhile (Celery's cancel_consumer, as an operator would
        send it with `celery control`); it consumes again afterwards."""
        from celery import Celery

        operator = Celery(broker=self.environment["CXCULTURE_BROKER_URL"], set_as_current=False)
        destination = [f"{name}@{socket.gethostname()}"]
        try:
            assert operator.control.cancel_consumer(QUEUE, destination=destination, reply=True, timeout=10)
            yield
        finally:
            assert operator.control.add_consumer(QUEUE, destination=destination, reply=True, timeout=10)
            operator.close()


@pytest.fixture(scope="session")
def database(database_url, broker_url):
    """A context manager: an app context on the installation's database, for setting up data and counting rows
    (never for what the tests show: that goes over HTTP)."""
    from cxculture import create_app
    from cxculture.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "BROKER_URL": broker_url, "SECRET_KEY": SECRET_KEY,
                      "SERVER_NAME": None})

    @contextmanager
    def context():
        with app.app_context():
            try:
                yield db.session
            finally:
                db.session.remove()

    yield context
    with app.app_context():
        db.engine.dispose()


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1) or match.group(2)


def log_in(session: requests.Session, host: str, email: str, password: str = DEMO_PASSWORD) -> requests.Response:
    """Log in through the form of `host` (CSRF token included); returns the answer to the post."""
    token = csrf_token(session.get(f"{host}/login", timeout=30).text)
    return session.post(f"{host}/login", data={"csrf_token": token, "email": email, "password": password},
                        allow_redirects=False, timeout=60)
