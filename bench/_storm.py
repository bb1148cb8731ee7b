"""What the storm benchmarks share: a synthetic organisation with an open campaign in a SQLite file, the app
served by werkzeug's threaded server in a process of its own, and clients that start at the same moment."""
from __future__ import annotations

import multiprocessing
import os
import re
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cxculture import create_app
from cxculture.extensions import db

PASSWORD = "bench storm passphrase 2026"
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def app_config(database: Path, **overrides) -> dict:
    """The configuration `make run` gets (CSRF on, the configured argon2 cost), on `database`."""
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": "bench", **overrides}


def build(database: Path, people: int, password_hash: str, **overrides) -> tuple[int, list[str]]:
    """`people` employees of one team sharing `password_hash`, an open campaign and a complete draft for
    everyone (the open questions are typed on the final page); returns the campaign's id and the open
    questions' keys."""
    from cxculture.assessments import campaigns
    from cxculture.assessments.instruments import sync_shipped_instruments
    from cxculture.assessments.models import Campaign, Draft
    from cxculture.orgs.models import Person, Team
    from cxculture.orgs.service import create_organisation

    app = create_app(app_config(database, **overrides))
    with app.app_context():
        db.create_all()
        organisation = create_organisation("Storm", "storm")
        team = Team(organisation=organisation, name="Front line")
        everyone = []
        for number in range(people):
            person = Person(organisation=organisation, team=team, email=email(number), name=f"Person {number}",
                            password_hash=password_hash)
            person.permissions = ("employee",)
            everyone.append(person)
        db.session.add_all(everyone)
        db.session.flush()
        instrument = sync_shipped_instruments()[0]
        campaign = Campaign(organisation_id=organisation.id, instrument=instrument, title="Storm check",
                            opens_on=date.today() - timedelta(days=1), closes_on=date.today() + timedelta(days=7))
        db.session.add(campaign)
        db.session.flush()
        campaigns.open_campaign(campaign)
        answers = {"items": {item["key"]: 1 + i % 5 for i, item in enumerate(instrument.items)}, "open": {},
                   "page": "final"}
        db.session.add_all(Draft(campaign_id=campaign.id, person_id=p.id, answers=answers) for p in everyone)
        db.session.commit()
        campaign_id, questions = campaign.id, [q["key"] for q in instrument.open_questions]
        db.session.remove()
        db.engine.dispose()
    return campaign_id, questions


def email(number: int) -> str:
    return f"person{number}@storm.example.com"


def _serve(config: dict, port, untuned: bool) -> None:
    import logging

    from werkzeug.serving import make_server

    import cxculture

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request

    if untuned:  # the embedded default as it was: no PRAGMAs
        cxculture.tune_sqlite_file = lambda engine, busy_timeout_ms: None
    app = create_app(config)
    errors = []

    from flask import got_request_exception

    def log(sender, exception, **extra):
        errors.append(exception)
        print(f"  server: {type(exception).__name__}: {str(exception).splitlines()[0][:100]}", file=sys.stderr)

    got_request_exception.connect(log, app)
    app.logger.disabled = True  # one line per exception (above), not a traceback
    server = make_server("127.0.0.1", 0, app, threaded=True)
    port.value = server.server_port
    server.serve_forever()


@dataclass
class Server:
    process: multiprocessing.Process
    url: str

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (from /proc)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.terminate()
        self.process.join(10)


def serve(config: dict, untuned: bool = False) -> Server:
    """The app on 127.0.0.1 (a free port), werkzeug's threaded server (a thread per request), in its own process."""
    port = multiprocessing.Value("i", 0)
    process = multiprocessing.get_context("fork").Process(target=_serve, args=(config, port, untuned), daemon=True)
    process.start()
    deadline = time.monotonic() + 30
    while not port.value:
        if time.monotonic() > deadline or not process.is_alive():
            raise SystemExit("the server did not start")
        time.sleep(0.05)
    url = f"http://127.0.0.1:{port.value}"
    while True:
        try:
            requests.get(f"{url}/healthz", timeout=5)
            return Server(process, url)
        except requests.ConnectionError:
            time.sleep(0.05)


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    if not match:
        raise SystemExit("no CSRF token on the page")
    return match.group(1) or match.group(2)


def log_in(session: requests.Session, url: str, address: str) -> requests.Response:
    token = csrf_token(session.get(f"{url}/login", timeout=60).text)
    return session.post(f"{url}/login", data={"csrf_token": token, "email": address, "password": PASSWORD},
                        allow_redirects=False, timeout=120)


def together(count: int, prepare, act) -> list[tuple[float | None, object]]:
    """prepare(i) on `count` threads, then act(i, prepared) on all of them released at once by a barrier;
    returns (seconds, result or exception) per thread; (None, exception) when prepare(i) failed."""
    barrier = threading.Barrier(count)

    def run(index):
        try:
            prepared = prepare(index)
        except Exception as exc:  # this client sits the storm out; the others still start together
            barrier.wait()
            return None, exc
        barrier.wait()
        start = time.perf_counter()
        try:
            result = act(index, prepared)
        except Exception as exc:  # counted as an error, not raised
            result = exc
        return time.perf_counter() - start, result

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def latency_summary(seconds: list[float | None]) -> str:
    seconds = [s for s in seconds if s is not None]
    if not seconds:
        return "no request ran"
    return (f"p50 {statistics.median(seconds):.2f} s, p95 {percentile(seconds, 0.95):.2f} s, "
            f"max {max(seconds):.2f} s")
