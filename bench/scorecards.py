"""Benchmark: scorecard PDFs — one person, a 200-person team pack, and a 1,000-person bulk run.

Builds a synthetic organisation in a SQLite file in a temporary directory: PEOPLE people in teams of TEAM_SIZE
under one department, front line / contact centre / team lead job roles (half of the people read Italian), a
reward plan per role for two quarters (four KPIs each, one lower-is-better), values for ~90% of people and KPIs
in both quarters, a team value per team, the shipped training library with the default paths. Then it prints:

- **one scorecard**: median ms of one person's scorecard PDF (data + HTML + WeasyPrint) and of a minimal
  WeasyPrint document (one paragraph) rendered in the same process, and their ratio (goal: 8x or less).
- **served**: median ms of the same scorecard served again through the app from the file the job queue kept
  (a logged-in GET: data, fingerprint, file), against the minimal document (goal: 8x or less).
- **team pack**: a TEAM_SIZE-person team pack as one PDF: ms per page, and the share of the time spent outside
  WeasyPrint's own rendering (building the scorecards and the HTML; goal: 25% or less).
- **bulk**: `flask --app wsgi cx scorecards --workers 2` over everyone: seconds, ms per scorecard, and each worker
  process's resident memory sampled every 0.2 s (peak, and at 25% / 50% / 100% of the run: flat means the
  later samples are no higher than the early ones; goal: under 300 MB per worker).

Run: .venv/bin/python bench/scorecards.py [--people 1000] [--team-size 200] [--runs 5] [--parts one,served,pack,bulk]
(not part of `make test`)
"""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cxculture import create_app  # noqa: E402
from cxculture.extensions import db  # noqa: E402
from cxculture.kpis.models import Kpi, KpiValue, RewardComponent, RewardPlan  # noqa: E402
from cxculture.orgs.models import JobRole, Person, Team  # noqa: E402
from cxculture.orgs.service import create_organisation  # noqa: E402

PERIOD, PREVIOUS = "2026-Q3", "2026-Q2"
PLANS = {
    "frontline": (("nps", 30, 40, 20), ("csat", 30, 85, 75), ("fcr", 20, 75, 65), ("sales_per_hour", 20, 500, 350)),
    "contact_centre": (("csat", 30, 85, 75), ("fcr", 30, 75, 65), ("ces", 10, 5.5, 4.5), ("aht", 30, 300, 360)),
    "team_lead": (("nps", 40, 40, 20), ("csat", 30, 85, 75), ("training_completion", 30, 90, 70)),
}
RANGES = {"nps": (10, 60), "csat": (70, 95), "fcr": (55, 85), "aht": (250, 380), "sales_per_hour": (300, 650),
          "training_completion": (60, 100), "ces": (4.0, 6.5)}
SECRET = "bench-secret"


def make_app(database: Path):
    return create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SECRET_KEY": SECRET,
                       "PDF_TIMEOUT_SECONDS": 600, "WTF_CSRF_ENABLED": False,
                       "BROKER_URL": "memory://", "PDF_MAX_PAGES": 5000, "PDF_MAX_HTML_BYTES": 64 * 1024 * 1024})


def build(people: int, team_size: int, rng: random.Random) -> int:
    """The synthetic organisation; returns its id."""
    from cxculture.modules.library import sync_library
    from cxculture.modules.paths import ensure_default_paths

    organisation = create_organisation("Bench Company", "bench", "en")
    sync_library()
    ensure_default_paths(organisation)
    department = Team(organisation=organisation, name="Operations")
    teams = [Team(organisation=organisation, parent=department, name=f"Team {t:02d}")
             for t in range(max(1, -(-people // team_size)))]
    db.session.add_all([department, *teams])
    db.session.flush()
    roles = {r.key: r for r in db.session.scalars(select(JobRole).where(JobRole.organisation_id == organisation.id))}
    keys = list(PLANS)
    db.session.execute(insert(Person), [
        {"organisation_id": organisation.id, "email": f"person{i:05d}@bench.example.com", "name": f"Person {i:05d}",
         "team_id": teams[i // team_size].id, "job_role_id": roles[keys[i % len(keys)]].id,
         "language": "it" if i % 2 else "en", "active": True}
        for i in range(people)])
    kpis = {k.key: k for k in db.session.scalars(select(Kpi).where(Kpi.organisation_id == organisation.id))}
    for period in (PERIOD, PREVIOUS):
        for role_key, components in PLANS.items():
            plan = RewardPlan(organisation_id=organisation.id, job_role_id=roles[role_key].id, period=period)
            for position, (key, weight, target, threshold) in enumerate(components):
                plan.components.append(RewardComponent(kpi=kpis[key], position=position, weight=weight,
                                                       target=target, threshold=threshold))
            db.session.add(plan)
    db.session.flush()
    rows = []
    for person_id, role_id in db.session.execute(
            select(Person.id, Person.job_role_id).where(Person.organisation_id == organisation.id)):
        role_key = next(k for k, r in roles.items() if r.id == role_id)
        for period in (PERIOD, PREVIOUS):
            for key, *_rest in PLANS[role_key]:
                if rng.random() < 0.9:
                    low, high = RANGES[key]
                    rows.append({"organisation_id": organisation.id, "kpi_id": kpis[key].id, "period": period,
                                 "person_id": person_id, "value": round(rng.uniform(low, high), 1),
                                 "answers": rng.choice((None, 18, 120)) if key in ("nps", "csat") else None})
    rows += [{"organisation_id": organisation.id, "kpi_id": kpis["nps"].id, "period": PERIOD, "team_id": t.id,
              "value": float(rng.randint(15, 55))} for t in teams]
    db.session.execute(insert(KpiValue), rows)
    db.session.commit()
    return organisation.id


def pdf_pages(data: bytes) -> int:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
        file.write(data)
        file.flush()
        info = subprocess.run(["pdfinfo", file.name], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def bench_one(organisation_id: int, runs: int) -> dict:
    from cxculture.kpis import scorecards as service
    from cxculture.kpis.views.scorecards import render_scorecard_html
    from cxculture.pdf import render_pdf

    person = db.session.scalar(select(Person).where(Person.organisation_id == organisation_id,
                                                    Person.language == "en").order_by(Person.id))

    def one():
        render_pdf(render_scorecard_html(service.scorecard(person, PERIOD)))

    def minimal():
        render_pdf("<!doctype html><html><body><p>Hello</p></body></html>")

    one(), minimal()  # warm fonts, templates and caches
    wall: dict[str, list[float]] = {"one": [], "minimal": []}
    cpu: dict[str, list[float]] = {"one": [], "minimal": []}
    for _ in range(runs):  # interleaved, so that the machine's load hits both alike
        for name, function in (("one", one), ("minimal", minimal)):
            started, started_cpu = time.perf_counter(), time.process_time()
            function()
            wall[name].append((time.perf_counter() - started) * 1000)
            cpu[name].append((time.process_time() - started_cpu) * 1000)
    a, b = statistics.median(wall["one"]), statistics.median(wall["minimal"])
    c, d = statistics.median(cpu["one"]), statistics.median(cpu["minimal"])
    return {"scorecard_ms": a, "minimal_ms": b, "ratio": a / b, "scorecard_cpu_ms": c, "minimal_cpu_ms": d,
            "cpu_ratio": c / d}


def bench_served(app, organisation_id: int, runs: int) -> dict:
    """A kept scorecard served again, as a person downloads it (a logged-in GET through the whole app: the data,
    its fingerprint, the kept file), against the minimal document rendered in the same process."""
    from cxculture.downloads.service import render
    from cxculture.pdf import render_pdf

    person = db.session.scalar(select(Person).where(Person.organisation_id == organisation_id,
                                                    Person.language == "en").order_by(Person.id))
    from cxculture.auth.service import set_password
    from cxculture.orgs.models import PersonPermission

    set_password(person, SECRET)
    if not person.can("employee"):
        db.session.add(PersonPermission(person_id=person.id, name="employee"))
    db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"email": person.email, "password": SECRET})
    assert response.status_code == 302, response.status_code
    url = f"/scorecards/{person.id}.pdf?period={PERIOD}"
    asked = client.get(url)
    assert asked.status_code == 303, asked.status_code
    render(int(asked.headers["Location"].rsplit("/", 1)[1]))

    def served():
        response = client.get(url)
        assert response.status_code == 200 and response.data.startswith(b"%PDF")

    def minimal():
        render_pdf("<!doctype html><html><body><p>Hello</p></body></html>")

    served(), minimal()
    wall: dict[str, list[float]] = {"served": [], "minimal": []}
    for _ in range(runs):
        for name, function in (("served", served), ("minimal", minimal)):
            started = time.perf_counter()
            function()
            wall[name].append((time.perf_counter() - started) * 1000)
    a, b = statistics.median(wall["served"]), statistics.median(wall["minimal"])
    return {"served_ms": a, "minimal_ms": b, "ratio": a / b}


def bench_pack(organisation_id: int, runs: int) -> dict:
    from cxculture.kpis import scorecards as service
    from cxculture.kpis.views.scorecards import render_pack_html
    from cxculture.pdf import render_pdf

    team = db.session.scalar(select(Team).where(Team.organisation_id == organisation_id, Team.parent_id.is_not(None))
                             .order_by(Team.id))
    results = []
    for _ in range(runs):
        db.session.expunge_all()
        started = time.perf_counter()
        cards = service.scorecards_for(service.organisation_people_query(organisation_id, [team.id]), PERIOD, "en")
        pack = service.team_pack(team.name, cards, organisation_id, PERIOD, "en", team.id)
        built = time.perf_counter()
        html = render_pack_html(pack)
        templated = time.perf_counter()
        pdf = render_pdf(html)
        done = time.perf_counter()
        results.append((done - started, built - started, templated - built, done - templated, pdf_pages(pdf),
                        len(cards), len(html)))
    total, data, template, weasy, pages, people, html_size = sorted(results)[len(results) // 2]
    return {"people": people, "pages": pages, "total_s": total, "per_page_ms": total * 1000 / pages,
            "data_ms": data * 1000, "html_ms": template * 1000, "weasyprint_ms": weasy * 1000,
            "outside_share": (data + template) / total, "html_kb": html_size / 1024}


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _is_tracker(pid: int) -> bool:
    """multiprocessing's resource tracker is a child too, but renders nothing."""
    try:
        return b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True


def _rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def bench_bulk(database: Path, out: Path, people: int, workers: int) -> dict:
    env = dict(os.environ, CXCULTURE_DATABASE_URL=f"sqlite:///{database}", CXCULTURE_SECRET_KEY=SECRET)
    command = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "cx", "scorecards", "--org", "bench",
               "--period", PERIOD, "--out", str(out), "--workers", str(workers)]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    samples: dict[int, list[tuple[float, float]]] = {}
    parent: list[float] = []
    while process.poll() is None:
        now = time.perf_counter() - started
        rss = _rss_mb(process.pid)
        if rss:
            parent.append(rss)
        for child in _children(process.pid):
            if _is_tracker(child):
                continue
            rss = _rss_mb(child)
            if rss:
                samples.setdefault(child, []).append((now, rss))
        time.sleep(0.2)
    elapsed = time.perf_counter() - started
    output = process.stdout.read().decode(errors="replace")
    if process.returncode:
        raise SystemExit(f"bulk run failed:\n{output}")
    written = len(list(out.glob("scorecard-*.pdf")))
    workers_seen = {pid: rows for pid, rows in samples.items() if len(rows) > 3}

    def at(share: float) -> float:
        moment = elapsed * share
        values = [min(rows, key=lambda row: abs(row[0] - moment))[1] for rows in workers_seen.values()]
        return max(values) if values else 0.0

    return {"people": people, "written": written, "seconds": elapsed, "per_scorecard_ms": elapsed * 1000 / written,
            "workers": len(workers_seen),
            "peak_mb": max((rss for rows in workers_seen.values() for _t, rss in rows), default=0.0),
            "at_25": at(0.25), "at_50": at(0.5), "at_100": at(0.97), "parent_peak_mb": max(parent, default=0.0)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--team-size", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--parts", default="one,served,pack,bulk", help="which measurements to run (comma-separated)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="cx-bench-scorecards-"))
    try:
        database = folder / "bench.db"
        app = make_app(database)
        with app.app_context():
            db.create_all()
            started = time.perf_counter()
            organisation_id = build(args.people, args.team_size, random.Random(5))
            print(f"built {args.people} people in teams of {args.team_size} in {time.perf_counter() - started:.1f} s")
            parts = set(args.parts.split(","))
            with app.test_request_context():
                if "one" in parts:
                    one = bench_one(organisation_id, args.runs)
                    print(f"one scorecard PDF: {one['scorecard_ms']:.0f} ms; minimal document: "
                          f"{one['minimal_ms']:.0f} ms; ratio {one['ratio']:.1f}x (goal 8x); CPU time "
                          f"{one['scorecard_cpu_ms']:.0f} / {one['minimal_cpu_ms']:.0f} ms = {one['cpu_ratio']:.1f}x")
            if "served" in parts:
                served = bench_served(app, organisation_id, args.runs)
                print(f"a kept scorecard served again: {served['served_ms']:.0f} ms; minimal document: "
                      f"{served['minimal_ms']:.0f} ms; ratio {served['ratio']:.1f}x (goal 8x)")
            with app.test_request_context():
                if "pack" in parts:
                    pack = bench_pack(organisation_id, max(1, args.runs // 2))
                    print(f"team pack: {pack['people']} people, {pack['pages']} pages, {pack['total_s']:.1f} s, "
                          f"{pack['per_page_ms']:.0f} ms/page; data {pack['data_ms']:.0f} ms, HTML "
                          f"{pack['html_ms']:.0f} ms ({pack['html_kb']:.0f} KB), WeasyPrint "
                          f"{pack['weasyprint_ms']:.0f} ms; outside WeasyPrint {100 * pack['outside_share']:.1f}% "
                          f"(goal 25%)")
        if "bulk" in parts:
            bulk = bench_bulk(database, folder / "out", args.people, args.workers)
            print(f"bulk: {bulk['written']} PDFs in {bulk['seconds']:.1f} s with {bulk['workers']} workers, "
                  f"{bulk['per_scorecard_ms']:.0f} ms per scorecard; worker RSS peak {bulk['peak_mb']:.0f} MB "
                  f"(at 25% {bulk['at_25']:.0f}, 50% {bulk['at_50']:.0f}, end {bulk['at_100']:.0f} MB; goal flat, "
                  f"< 300 MB); command process {bulk['parent_peak_mb']:.0f} MB")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
