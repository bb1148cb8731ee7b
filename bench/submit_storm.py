"""Benchmark: 100 employees submitting the culture self-assessment at the same moment, on the embedded default.

Builds an organisation of N employees (default 100) with an open campaign and a complete draft each (every
statement answered, a comment per open question) in a SQLite file in a temporary directory, serves the app with
werkzeug's threaded server (`make_server(threaded=True)`, a thread per request, as `make run`'s `flask run`
does) in a process of its own, with CSRF on: every client logs in through the login form and reads the final
page's CSRF token first. Then all N post "submit" at once (threads released by a barrier) and it prints:

- stored participations and responses (each must be exactly N), comments (N x open questions, typed on the final
  page and sent with the submit), drafts left (0),
- errors: any answer other than the redirect to the thank-you page, and any exception the server logged
  ("database is locked" included),
- p50 / p95 / max latency of the submits.

Run: .venv/bin/python bench/submit_storm.py [--people N] [--untuned]   (not part of `make test`)
--untuned serves the same file without the PRAGMAs (WAL, busy_timeout, synchronous=NORMAL), as it was before.
Exits with status 1 when a submit failed or a count is not exact.
"""
from __future__ import annotations

import argparse
import sqlite3
import sys
import tempfile
from collections import Counter
from pathlib import Path

import requests
from _storm import PASSWORD, app_config, build, csrf_token, email, latency_summary, log_in, serve, together

from cxculture import create_app
from cxculture.assessments.answers import Comment, Participation, Response
from cxculture.assessments.models import Draft
from cxculture.auth.passwords import hash_password


class LoginFailed(Exception):
    """A client could not log in before the storm (counted with the errors)."""


def _outcome(result) -> str:
    if isinstance(result, LoginFailed):
        return str(result)
    if isinstance(result, Exception):
        return type(result).__name__
    if result.status_code == 302 and result.headers["Location"].endswith("/thanks"):
        return "stored"
    return f"HTTP {result.status_code}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100)
    parser.add_argument("--untuned", action="store_true", help="no SQLite PRAGMAs (the embedded default before)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        database = Path(tmp) / "storm.db"
        with create_app(app_config(database)).app_context():
            password_hash = hash_password(PASSWORD)
        campaign_id, questions = build(database, args.people, password_hash)
        server = serve(app_config(database), untuned=args.untuned)
        final = f"{server.url}/assessments/{campaign_id}/answer/final"
        try:
            def prepare(index):
                session = requests.Session()
                answer = log_in(session, server.url, email(index))
                if answer.status_code != 302:
                    raise LoginFailed(f"login answered HTTP {answer.status_code}")
                return session, csrf_token(session.get(final, timeout=60).text)

            def submit(index, prepared):
                session, token = prepared
                comments = {f"open-{key}": f"Comment {index} on {key}." for key in questions}
                return session.post(final, data={"csrf_token": token, "action": "submit", **comments},
                                    allow_redirects=False, timeout=120)

            results = together(args.people, prepare, submit)
        finally:
            server.stop()
        with sqlite3.connect(database) as connection:
            counts = {model.__name__: connection.execute(f"SELECT count(*) FROM {model.__tablename__}").fetchone()[0]
                      for model in (Participation, Response, Comment, Draft)}
    outcomes = Counter(_outcome(r) for _, r in results)
    print(f"{args.people} simultaneous submits, werkzeug threaded server, SQLite file "
          f"({'untuned' if args.untuned else 'WAL, busy_timeout, synchronous=NORMAL'}), CSRF on")
    print(f"  answers: {dict(outcomes)}")
    print(f"  rows: {counts}")
    print(f"  latency: {latency_summary([s for s, _ in results])}")
    exact = (outcomes["stored"] == args.people and counts["Participation"] == args.people
             and counts["Response"] == args.people and counts["Comment"] == args.people * len(questions)
             and counts["Draft"] == 0)
    print("  exactly once: " + ("yes" if exact else "NO"))
    return 0 if exact else 1


if __name__ == "__main__":
    sys.exit(main())
