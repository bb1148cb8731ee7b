"""Benchmark: the organisation-wide training matrix for a 2,000-person organisation with 16 modules.

Builds synthetic organisations (200 and 2,000 people; 8 and 16 modules) in a SQLite file in a temporary
directory, with realistic progress, serves the app in-process (Flask test client) as a leader, and prints:

- the number of SQL statements the matrix page runs (it must be the same for every size),
- the matrix page's median time and its ratio to /healthz's median time measured in the same run.

Run: .venv/bin/python bench/progress_matrix.py [--runs N]   (not part of `make test`)
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cxculture import create_app
from cxculture.auth.passwords import hash_password
from cxculture.extensions import db
from cxculture.modules.models import Assignment, Module, ModuleVersion, PathItem, Progress, TrainingPath
from cxculture.orgs.models import JobRole, Person, PersonPermission, Team
from cxculture.orgs.service import create_organisation

PASSWORD = "bench-password"
LEADER = "leader@bench.example.com"
PILLARS = ("vision", "listening", "communication", "rewards", "hiring", "improvement")
MATRIX_URL = "/leadership/training/matrix?per_page=all"


def make_app(database: Path):
    return create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024,
    })


def synthetic_module(n: int) -> Module:
    lessons = [{"id": f"lesson-{i}", "title": {"en": f"Lesson {i}", "it": f"Lezione {i}"},
                "body": {"en": "Text.", "it": "Testo."}} for i in range(1, 5)]
    content = {
        "slug": f"bench-module-{n:02d}",
        "title": {"en": f"Bench module {n:02d}", "it": f"Modulo di prova {n:02d}"},
        "summary": {"en": "A synthetic module.", "it": "Un modulo sintetico."},
        "pillars": [PILLARS[n % len(PILLARS)]], "job_roles": ["all"], "prerequisites": [],
        "lessons": lessons, "quiz": [],
    }
    module = Module(slug=content["slug"], latest_version=1)
    module.versions = [ModuleVersion(version=1, content_hash=f"{n:064d}", minutes=20, pass_mark=80, content=content)]
    return module


def build_organisation(people: int, modules: int, seed: int = 7) -> None:
    """An organisation of `people` active people in teams of 50, `modules` modules, paths, progress, assignments."""
    rng = random.Random(seed)
    organisation = create_organisation("Bench Org", "bench")
    library = [synthetic_module(n) for n in range(modules)]
    db.session.add_all(library)
    db.session.flush()
    roles = list(db.session.scalars(select(JobRole).where(JobRole.organisation_id == organisation.id)))
    for index, role in enumerate(roles):  # each role: about two thirds of the library, the first ones required
        chosen = [m for i, m in enumerate(library) if (i + index) % 3 != 2]
        path = TrainingPath(organisation_id=organisation.id, job_role=role)
        path.items = [PathItem(module=m, position=p, required=p < len(chosen) - 2,
                               due_date=date.today() - timedelta(days=10) if p == 0 else None)
                      for p, m in enumerate(chosen)]
        db.session.add(path)
    department = Team(organisation=organisation, name="Operations")
    teams = [Team(organisation=organisation, parent=department, name=f"Team {t:03d}")
             for t in range(max(1, people // 50))]
    db.session.add_all([department, *teams])
    db.session.flush()

    executive = next(r for r in roles if r.key == "executive")
    leader = Person(organisation=organisation, email=LEADER, name="Bench Leader",
                    password_hash=hash_password(PASSWORD), job_role=executive, team=department)
    leader.permissions = ("leader", "employee")
    db.session.add(leader)
    db.session.flush()
    person_rows = [{
        "organisation_id": organisation.id, "email": f"person{n:05d}@bench.example.com", "name": f"Person {n:05d}",
        "job_role_id": roles[n % len(roles)].id, "team_id": teams[n % len(teams)].id, "manager_id": leader.id,
        "active": True, "created_at": datetime(2026, 1, 1),
    } for n in range(people - 1)]
    db.session.execute(insert(Person), person_rows)
    ids = dict(db.session.execute(
        select(Person.email, Person.id).where(Person.organisation_id == organisation.id)).all())
    db.session.execute(insert(PersonPermission),
                       [{"person_id": ids[r["email"]], "name": "employee"} for r in person_rows])

    paths = {p.job_role_id: p for p in db.session.scalars(select(TrainingPath))}
    progress_rows, assignment_rows = [], []
    everyone = [(leader.id, executive.id)] + [(ids[r["email"]], r["job_role_id"]) for r in person_rows]
    for person_id, role_id in everyone:
        items = paths[role_id].items
        done = min(len(items), int(rng.betavariate(1.3, 1.6) * (len(items) + 1)))  # how far along the path
        for position, item in enumerate(items[:done + 1]):
            version = item.module.versions[0]
            lessons = [lesson["id"] for lesson in version.content["lessons"]]
            finished = position < done
            progress_rows.append({
                "organisation_id": organisation.id, "person_id": person_id, "module_id": item.module_id,
                "module_version_id": version.id, "lessons_done": lessons if finished else lessons[:rng.randint(0, 3)],
                "current_lesson": None if finished else lessons[0], "started_at": datetime(2026, 1, 5),
                "completed_at": datetime(2026, 2, 1) + timedelta(days=rng.randint(0, 200)) if finished else None,
                "completed_via": "quiz" if finished else None, "best_score": 90 if finished else None,
            })
        if rng.random() < 0.1:
            extra = library[rng.randrange(len(library))]
            assignment_rows.append({
                "organisation_id": organisation.id, "person_id": person_id, "module_id": extra.id,
                "assigned_by_id": leader.id, "due_date": date.today() + timedelta(days=rng.randint(-20, 40)),
                "created_at": datetime(2026, 3, 1),
            })
    db.session.execute(insert(Progress), progress_rows)
    if assignment_rows:
        db.session.execute(insert(Assignment), assignment_rows)
    db.session.commit()


def median_seconds(client, url: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times)


def count_statements(client, url: str) -> tuple[int, int]:
    """SQL statements run by one request, and the response's size in bytes."""
    statements = []

    def listener(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        response = client.get(url)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert response.status_code == 200
    return len(statements), len(response.get_data())


def measure(people: int, modules: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="cx-bench-") as directory:
        app = make_app(Path(directory) / "bench.db")
        with app.app_context():
            db.create_all()
            build_organisation(people, modules)
            client = app.test_client()
            response = client.post("/login", data={"email": LEADER, "password": PASSWORD})
            assert response.status_code == 302, "login failed"
            client.get(MATRIX_URL)  # warm up: templates compiled, caches filled
            client.get("/healthz")
            queries, size = count_statements(client, MATRIX_URL)
            overview_queries, _ = count_statements(client, "/leadership/training")
            matrix = median_seconds(client, MATRIX_URL, runs)
            healthz = median_seconds(client, "/healthz", max(runs * 10, 50))
            rows = size and client.get(MATRIX_URL).get_data(as_text=True).count('<th scope="row"')
            db.session.remove()
            db.engine.dispose()
    return {"people": people, "modules": modules, "rows": rows, "queries": queries, "overview": overview_queries,
            "matrix_ms": matrix * 1000, "healthz_ms": healthz * 1000, "ratio": matrix / healthz,
            "kb": size / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed requests of the matrix page per size (median)")
    args = parser.parse_args()
    sizes = [(200, 8), (200, 16), (2000, 8), (2000, 16)]
    results = []
    print(f"Matrix page: GET {MATRIX_URL} as a leader; median of {args.runs} runs; SQLite file database.\n")
    header = (f"{'people':>7} {'modules':>7} {'rows':>6} {'SQL (matrix)':>12} {'SQL (overview)':>14} "
              f"{'matrix ms':>10} {'healthz ms':>10} {'ratio':>8} {'page KB':>8}")
    print(header)
    print("-" * len(header))
    for people, modules in sizes:
        r = measure(people, modules, args.runs)
        results.append(r)
        print(f"{r['people']:>7} {r['modules']:>7} {r['rows']:>6} {r['queries']:>12} {r['overview']:>14} "
              f"{r['matrix_ms']:>10.1f} {r['healthz_ms']:>10.2f} {r['ratio']:>8.0f} {r['kb']:>8.0f}")
    same = len({r["queries"] for r in results}) == 1 and len({r["overview"] for r in results}) == 1
    print("\nQuery count independent of people and modules:", "yes" if same else "NO")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
