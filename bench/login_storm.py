"""Benchmark: 150 people logging in at the same moment (a campaign opens), old and new argon2id parameters.

For each case it builds N employees (default 150) in a SQLite file in a temporary directory, their passwords
hashed with the case's stored parameters, serves the app with werkzeug's threaded server
(`make_server(threaded=True)`, a thread per request, as `make run`'s `flask run` does) in a process of its own,
with CSRF on (each client reads the login form's token first), then all N post the login form at once (threads
released by a barrier). It prints, per case:

- CPU per hash: one verification with the stored parameters, on one thread, median of 10 (this process);
- logged in / errors: answers other than the redirect after a login, and exceptions the server logged;
- p50 / p95 / max latency of the logins, and the server's CPU seconds for the whole storm.

Cases: "old" (64 MiB, t=3, p=4: argon2-cffi's RFC 9106 low-memory profile, used before), "new" (the configured
parameters: OWASP's minimum, 19 MiB, t=2, p=1) and "upgrade" (hashes stored with the old parameters, the app
configured with the new ones: the first login after the upgrade verifies the old hash and stores a new one).

Run: .venv/bin/python bench/login_storm.py [--people N] [--cases old,new,upgrade] [--untuned]
(not part of `make test`). --untuned serves the file without the SQLite PRAGMAs, as before.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import requests
from _storm import PASSWORD, app_config, build, csrf_token, email, latency_summary, serve, together
from argon2 import PasswordHasher, Type

from cxculture.config import load_config

OLD = {"ARGON2_TIME_COST": 3, "ARGON2_MEMORY_COST": 65536, "ARGON2_PARALLELISM": 4}
_defaults = load_config(Path(tempfile.gettempdir()), {"SECRET_KEY": "bench"})
NEW = {key: _defaults[key] for key in OLD}
CASES = {"old": (OLD, OLD), "new": (NEW, NEW), "upgrade": (OLD, NEW)}  # (stored with, app configured with)


def hasher(parameters: dict) -> PasswordHasher:
    return PasswordHasher(time_cost=parameters["ARGON2_TIME_COST"], memory_cost=parameters["ARGON2_MEMORY_COST"],
                          parallelism=parameters["ARGON2_PARALLELISM"], type=Type.ID)


def cpu_per_hash(parameters: dict, runs: int = 10) -> float:
    hashed = hasher(parameters).hash(PASSWORD)
    times = []
    for _ in range(runs):
        start = time.process_time()
        hasher(parameters).verify(hashed, PASSWORD)
        times.append(time.process_time() - start)
    return statistics.median(times)


def describe(parameters: dict) -> str:
    return (f"m={parameters['ARGON2_MEMORY_COST'] // 1024} MiB, t={parameters['ARGON2_TIME_COST']}, "
            f"p={parameters['ARGON2_PARALLELISM']}")


def storm(case: str, people: int, untuned: bool) -> bool:
    stored, configured = CASES[case]
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "storm.db"
        build(database, people, hasher(stored).hash(PASSWORD))
        server = serve(app_config(database, **configured), untuned=untuned)
        try:
            def prepare(index):
                session = requests.Session()
                return session, csrf_token(session.get(f"{server.url}/login", timeout=60).text)

            def log_in(index, prepared):
                session, token = prepared
                return session.post(f"{server.url}/login", allow_redirects=False, timeout=300,
                                    data={"csrf_token": token, "email": email(index), "password": PASSWORD})

            cpu_before = server.cpu_seconds()
            results = together(people, prepare, log_in)
            cpu = server.cpu_seconds() - cpu_before
        finally:
            server.stop()
    outcomes = Counter("logged in" if not isinstance(r, Exception) and r.status_code == 302
                       else (type(r).__name__ if isinstance(r, Exception) else f"HTTP {r.status_code}")
                       for _, r in results)
    print(f"{case}: stored {describe(stored)}, configured {describe(configured)}")
    print(f"  CPU per hash: {cpu_per_hash(stored) * 1000:.0f} ms (stored)"
          + ("" if stored == configured else f", {cpu_per_hash(configured) * 1000:.0f} ms (rehash)"))
    print(f"  answers: {dict(outcomes)}")
    print(f"  latency: {latency_summary([s for s, _ in results])}; server CPU {cpu:.1f} s "
          f"({cpu / people * 1000:.0f} ms per login)")
    return outcomes["logged in"] == people


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=150)
    parser.add_argument("--cases", default="old,new,upgrade")
    parser.add_argument("--untuned", action="store_true", help="no SQLite PRAGMAs (the embedded default before)")
    args = parser.parse_args()
    print(f"{args.people} simultaneous logins, werkzeug threaded server, SQLite file "
          f"({'untuned' if args.untuned else 'WAL, busy_timeout, synchronous=NORMAL'}), CSRF on")
    ok = [storm(case, args.people, args.untuned) for case in args.cases.split(",")]
    return 0 if all(ok) else 1


if __name__ == "__main__":
    sys.exit(main())
