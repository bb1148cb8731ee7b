"""Benchmark: a mixed workload of demo users against `make serve`, as pages per second and p95 against /healthz.

It sets up a fresh demo database (a SQLite file in a temporary directory, or with --postgres the empty database
scripts/with-postgres.sh made), then starts the production shape itself with `scripts/serve.sh serve` (what
`make serve` runs after installing and migrating): gunicorn with gunicorn.conf.py's workers, the job worker, the
scheduler and a Redis of their own. For each number of concurrent users (20 and 50 by default) it runs two
phases of the same length with the same client:

- /healthz: every user asks for /healthz in a loop (the cheapest request that still reads the database and the
  broker): requests per second and p95 latency;
- mixed: every user, in a loop, logs in as one of the demo accounts that can see results (leader@ and manager@
  of both demo organisations; a new browser session each time, CSRF token read from the form), opens the home
  page (following its redirect), a training module of their path, the latest assessment results page and their
  own scorecard PDF. A PDF answered at once (kept from an earlier render) counts as it is; one that sends the
  browser to its download page (302/303 to /downloads/<id>) is waited for as a person does: /downloads/<id>/file
  is asked every 0.2 s until it answers 200 application/pdf, and the whole wait is that page's latency.

It prints pages per second, p50 / p95 latency per page and overall, errors, the ratios to /healthz (throughput:
healthz requests/s divided by mixed pages/s; latency: mixed p95 divided by healthz p95), and the resident memory
of every gunicorn worker before the first phase and after the last (from /proc; gunicorn replaces a worker after
about 1,000 requests, gunicorn.conf.py's max_requests, so a changed pid is a new worker). All the servers it
started are stopped at the end, also on Ctrl-C.

Run from the repository root (not part of `make test`):
    .venv/bin/python bench/mixed.py                               # SQLite file, 20 and 50 users, 30 s phases
    .venv/bin/python bench/mixed.py --users 20 --seconds 60
    scripts/with-postgres.sh .venv/bin/python bench/mixed.py --postgres
"""
from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
sys.path.insert(0, str(ROOT))

from cxculture.demo import DEMO_PASSWORD  # noqa: E402

#: Demo accounts that may open results and have a scorecard of their own.
ACCOUNTS = ("leader@retail.example.com", "manager@retail.example.com", "leader@bank.example.com",
            "manager@bank.example.com")
PAGES = ("login", "home", "module", "results", "scorecard PDF")
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
_DOWNLOAD = re.compile(r"(?:https?://[^/]+)?(/downloads/\d+)$")
#: How long a PDF may be waited for before it counts as an error.
PDF_PATIENCE_SECONDS = 120


class BenchError(Exception):
    pass


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# The server --------------------------------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen
    url: str
    log: Path

    def gunicorn_workers(self) -> dict[int, int]:
        """{pid: resident KB} of every gunicorn worker (the children of the gunicorn master this run started)."""
        master = next((pid for pid in _children(self.process.pid) if b"gunicorn" in _cmdline(pid)), None)
        if master is None:
            return {}
        return {pid: _rss_kb(pid) for pid in _children(master)}

    def stop(self) -> None:
        """SIGTERM to scripts/serve.sh, which stops gunicorn, the worker, the scheduler and then its Redis."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(90)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _rss_kb(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1))


def prepare_database(env: dict) -> None:
    """What `make serve` does before serving (migrate: upgrade and freeze results), then the demo data."""
    for command in (["db", "upgrade"], ["cx", "freeze-results"], ["cx", "demo"]):
        done = subprocess.run([str(BIN / "flask"), "--app", "wsgi", *command], cwd=ROOT, env=env,
                              capture_output=True, text=True)
        if done.returncode:
            raise BenchError(f"flask {' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def start_server(env: dict, port: int, log: Path) -> Server:
    """scripts/serve.sh serve in a session of its own; waits until /healthz answers 200 (a job worker is alive)."""
    with log.open("wb") as output:
        process = subprocess.Popen(["scripts/serve.sh", "serve"], cwd=ROOT, env={**env, "PORT": str(port)},
                                   stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(process, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"scripts/serve.sh stopped: see {log}")
        try:
            if requests.get(f"{server.url}/healthz", timeout=5).status_code == 200:
                return server
        except requests.RequestException:
            pass
        time.sleep(0.5)
    server.stop()
    raise BenchError(f"/healthz did not answer 200 within 180 s: see {log}")


# A person's visit --------------------------------------------------------------------------------------------


@dataclass
class Visit:
    """Where one demo account's pages are (found once, before the timed phases)."""

    email: str
    module: str
    results: str
    scorecard: str


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    if not match:
        raise BenchError("no CSRF token on the login page")
    return match.group(1) or match.group(2)


def log_in(session: requests.Session, url: str, email: str) -> None:
    token = csrf_token(_ok(session.get(f"{url}/login", timeout=60)).text)
    answer = session.post(f"{url}/login", data={"csrf_token": token, "email": email, "password": DEMO_PASSWORD},
                          allow_redirects=False, timeout=60)
    if answer.status_code != 302:
        raise BenchError(f"login as {email}: HTTP {answer.status_code}")


def _ok(response: requests.Response) -> requests.Response:
    if response.status_code != 200:
        raise BenchError(f"{response.request.method} {response.url}: HTTP {response.status_code}")
    return response


def find_pages(url: str, email: str) -> Visit:
    session = requests.Session()
    log_in(session, url, email)
    home = _ok(session.get(f"{url}/", timeout=60)).text
    modules = sorted(set(re.findall(r'href="(/learn/[a-z0-9-]+)"', home)) - {"/learn/scorecard"})
    results = session.get(f"{url}/assessments/results/latest", allow_redirects=False, timeout=60)
    scorecards = re.findall(r'href="(/scorecards/\d+\.pdf[^"]*)"',
                            _ok(session.get(f"{url}/learn/scorecard", timeout=60)).text)
    if not modules or results.status_code != 302 or not scorecards:
        raise BenchError(f"{email}: no module, results or scorecard link found")
    return Visit(email, modules[0], results.headers["Location"], scorecards[0].replace("&amp;", "&"))


def fetch_pdf(session: requests.Session, url: str, path: str) -> str:
    """The PDF as a person gets it; returns "kept" (answered at once) or "queued" (waited for on its page)."""
    answer = session.get(f"{url}{path}", allow_redirects=False, timeout=60)
    if answer.status_code == 200 and answer.headers.get("Content-Type") == "application/pdf":
        return "kept"
    download = _DOWNLOAD.match(answer.headers.get("Location", "")) if answer.status_code in (302, 303) else None
    if download is None:
        raise BenchError(f"GET {path}: HTTP {answer.status_code}")
    _ok(session.get(f"{url}{download.group(1)}", timeout=60))  # the page that refreshes itself
    deadline = time.monotonic() + PDF_PATIENCE_SECONDS
    while time.monotonic() < deadline:
        answer = session.get(f"{url}{download.group(1)}/file", allow_redirects=False, timeout=60)
        if answer.status_code == 200 and answer.headers.get("Content-Type") == "application/pdf":
            return "queued"
        if answer.status_code not in (302, 303):
            raise BenchError(f"GET {download.group(1)}/file: HTTP {answer.status_code}")
        time.sleep(0.2)
    raise BenchError(f"{download.group(1)} not ready after {PDF_PATIENCE_SECONDS} s")


def visit(url: str, page: Visit, timed) -> None:
    """One person's visit: each page through timed(name, action)."""
    session = requests.Session()
    timed("login", lambda: log_in(session, url, page.email))
    timed("home", lambda: _ok(session.get(f"{url}/", timeout=60)))
    timed("module", lambda: _ok(session.get(f"{url}{page.module}", timeout=60)))
    timed("results", lambda: _ok(session.get(f"{url}{page.results}", timeout=60)))
    timed("scorecard PDF", lambda: fetch_pdf(session, url, page.scorecard))


# The phases --------------------------------------------------------------------------------------------------


@dataclass
class Phase:
    seconds: float = 0.0
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter = field(default_factory=Counter)
    pdfs: Counter = field(default_factory=Counter)

    @property
    def done(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    def all_latencies(self) -> list[float]:
        return [value for values in self.latencies.values() for value in values]


def run_phase(users: int, seconds: float, loop) -> Phase:
    """`users` threads each run loop(user, timed) until `seconds` have passed; a page started before the end
    counts when it finishes, so the phase lasts until the last one does."""
    phase = Phase()
    lock = threading.Lock()
    start_together = threading.Barrier(users + 1)
    stop_at = [0.0]

    def timed(name: str, action) -> None:
        if time.monotonic() >= stop_at[0]:
            raise _PhaseOver
        started = time.perf_counter()
        try:
            outcome = action()
        except (BenchError, requests.RequestException) as error:
            with lock:
                phase.errors[f"{name}: {str(error)[:80]}"] += 1
            return
        elapsed = time.perf_counter() - started
        with lock:
            phase.latencies[name].append(elapsed)
            if isinstance(outcome, str):
                phase.pdfs[outcome] += 1

    def user(index: int) -> None:
        start_together.wait()
        try:
            while True:
                loop(index, timed)
        except _PhaseOver:
            pass

    threads = [threading.Thread(target=user, args=(index,), daemon=True) for index in range(users)]
    for thread in threads:
        thread.start()
    started = time.perf_counter()
    stop_at[0] = time.monotonic() + seconds
    start_together.wait()
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started
    return phase


class _PhaseOver(Exception):
    pass


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


def measure(server: Server, visits: list[Visit], users: int, seconds: float) -> dict:
    sessions = [requests.Session() for _ in range(users)]

    def healthz(index, timed):
        timed("healthz", lambda: _ok(sessions[index].get(f"{server.url}/healthz", timeout=60)))

    def mixed(index, timed):
        visit(server.url, visits[index % len(visits)], timed)

    health = run_phase(users, seconds, healthz)
    work = run_phase(users, seconds, mixed)
    health_rate, work_rate = health.done / health.seconds, work.done / work.seconds
    health_p95, work_p95 = percentile(health.all_latencies(), 0.95), percentile(work.all_latencies(), 0.95)
    print(f"\n{users} users, {seconds:.0f} s per phase")
    print(f"  /healthz: {health.done} requests, {health_rate:.1f}/s, "
          f"p50 {statistics.median(health.all_latencies()) * 1000:.0f} ms, p95 {health_p95 * 1000:.0f} ms, "
          f"errors {sum(health.errors.values())}")
    print(f"  mixed:    {work.done} pages, {work_rate:.1f}/s, p95 {work_p95 * 1000:.0f} ms, "
          f"errors {sum(work.errors.values())}; scorecard PDFs {dict(work.pdfs)}")
    for name in PAGES:
        values = work.latencies.get(name, [])
        if values:
            print(f"    {name:<14} {len(values):>5} pages, p50 {statistics.median(values) * 1000:>6.0f} ms, "
                  f"p95 {percentile(values, 0.95) * 1000:>6.0f} ms")
    for error, count in (health.errors + work.errors).most_common(5):
        print(f"    error x{count}: {error}")
    print(f"  ratio to /healthz: throughput {health_rate / work_rate:.1f}x fewer pages/s, "
          f"p95 {work_p95 / health_p95:.1f}x")
    return {"users": users, "health_rate": health_rate, "work_rate": work_rate, "health_p95": health_p95,
            "work_p95": work_p95, "errors": sum(health.errors.values()) + sum(work.errors.values())}


def describe_workers(label: str, workers: dict[int, int]) -> None:
    listed = ", ".join(f"{pid}: {kb / 1024:.0f} MB" for pid, kb in sorted(workers.items()))
    print(f"gunicorn workers {label}: {listed or 'none found'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", default="20,50", help="concurrent users, comma-separated (default 20,50)")
    parser.add_argument("--seconds", type=float, default=30, help="length of each phase (default 30)")
    parser.add_argument("--postgres", action="store_true",
                        help="use CXCULTURE_TEST_DATABASE_URL (set by scripts/with-postgres.sh) instead of SQLite")
    parser.add_argument("--port", type=int, default=0, help="where gunicorn listens (default: a free port)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cxculture-mixed-") as tmp:
        if args.postgres:
            database_url = os.environ.get("CXCULTURE_TEST_DATABASE_URL", "")
            if not database_url.startswith("postgresql"):
                parser.error("--postgres needs CXCULTURE_TEST_DATABASE_URL: run under scripts/with-postgres.sh")
        else:
            database_url = f"sqlite:///{tmp}/mixed.db"
        env = {**os.environ, "CXCULTURE_DATABASE_URL": database_url, "CXCULTURE_SECRET_KEY": "bench-mixed",
               "HOST": "127.0.0.1"}
        env.pop("CXCULTURE_ENV", None)  # development, as `make serve` on this machine: plain http cookies
        started = time.perf_counter()
        prepare_database(env)
        print(f"Fresh demo database on {database_url.split('@')[-1]} in {time.perf_counter() - started:.0f} s")
        server = start_server(env, args.port or free_port(), Path(tmp) / "serve.log")
        try:
            print(f"make serve's processes on {server.url} (gunicorn.conf.py; the job worker, the scheduler, Redis)")
            visits = [find_pages(server.url, email) for email in ACCOUNTS]
            for page in visits:  # each scorecard made once, as its first reader would ask for it
                started = time.perf_counter()
                how = fetch_pdf(_logged_in(server.url, page.email), server.url, page.scorecard)
                print(f"first scorecard PDF of {page.email}: {how}, {time.perf_counter() - started:.1f} s")
            before = server.gunicorn_workers()
            describe_workers("before", before)
            rows = [measure(server, visits, int(users), args.seconds) for users in args.users.split(",")]
            after = server.gunicorn_workers()
            describe_workers("after", after)
            replaced = len(set(before) - set(after))
            if replaced:
                print(f"  ({replaced} of {len(before)} workers were replaced during the run: max_requests)")
        except BenchError as error:
            print(f"stopped: {error}; server log: {server.log.read_text()[-2000:]}", file=sys.stderr)
            return 1
        finally:
            server.stop()
        print("\n| users | /healthz req/s | mixed pages/s | ratio | /healthz p95 ms | mixed p95 ms | ratio | errors |")
        print("|---|---|---|---|---|---|---|---|")
        for row in rows:
            print(f"| {row['users']} | {row['health_rate']:.0f} | {row['work_rate']:.1f} | "
                  f"{row['health_rate'] / row['work_rate']:.1f}x | {row['health_p95'] * 1000:.0f} | "
                  f"{row['work_p95'] * 1000:.0f} | {row['work_p95'] / row['health_p95']:.1f}x | {row['errors']} |")
    return 0 if all(row["errors"] == 0 for row in rows) else 1


def _logged_in(url: str, email: str) -> requests.Session:
    session = requests.Session()
    log_in(session, url, email)
    return session


if __name__ == "__main__":
    sys.exit(main())
