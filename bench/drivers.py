"""Benchmark: what drives the results (cxculture/listening/drivers.py) for 500 teams.

Two measures:

- **shares ms**: the arithmetic alone, `shapley_r_squared` over 500 synthetic teams x 6 pillars (64 least-squares
  fits on the pillars' correlations, then each pillar's Shapley share of R²), median of `--runs`.
- **service ms / SQL / page ms**: the whole of `drivers_of` and of the leader's page /listening/drivers. It builds
  a synthetic organisation in a SQLite file in a temporary directory: 25 departments holding 500 teams of 5 to 12
  respondents (4,000-odd anonymous responses x 32 statements, inserted in bulk), closed as the app closes a
  campaign (its results computed once and kept), and each team's NPS for the quarter made of its listening and
  improvement scores plus noise. The service runs in a fresh session each time (nothing cached); SQL is the number
  of statements it runs (it must not grow with the number of teams).

Run: .venv/bin/python bench/drivers.py [--runs N] [--teams N]   (not part of `make test`)
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.results import StatementCounter, get_ok, make_app, median_seconds
from cxculture.assessments.answers import Answer, Response
from cxculture.assessments.campaigns import close_campaign
from cxculture.assessments.instruments import sync_shipped_instruments
from cxculture.assessments.models import Campaign
from cxculture.assessments.snapshot import freeze_population
from cxculture.auth.passwords import hash_password
from cxculture.extensions import db
from cxculture.kpis.models import Kpi, KpiValue
from cxculture.kpis.periods import Period
from cxculture.listening.drivers import drivers_of, shapley_r_squared
from cxculture.orgs.models import Person, Team
from cxculture.orgs.service import create_organisation
from cxculture.pillars import PILLARS

PASSWORD = "bench-password"
LEADER = "leader@drivers.example.com"
DEPARTMENTS = 25


def synthetic_rows(teams: int, seed: int = 3) -> tuple[list[list[float]], list[float]]:
    """`teams` rows of six pillar scores around 3.3, and an NPS made of two of them plus noise."""
    rng = random.Random(seed)
    rows = [[min(5.0, max(1.0, rng.gauss(3.3, 0.45))) for _ in PILLARS] for _ in range(teams)]
    return rows, [30 * row[1] + 15 * row[5] - 100 + rng.gauss(0, 8) for row in rows]


def build_organisation(teams: int, seed: int = 17) -> int:
    """The organisation, its leader, a closed campaign over `teams` teams and their NPS; returns its id."""
    rng = random.Random(seed)
    organisation = create_organisation("Drivers Bench", "drivers-bench")
    instrument = sync_shipped_instruments()[0]
    departments = [Team(organisation=organisation, name=f"Department {d:02d}") for d in range(DEPARTMENTS)]
    leaves = [Team(organisation=organisation, parent=departments[t % DEPARTMENTS], name=f"Team {t:03d}")
              for t in range(teams)]
    db.session.add_all([*departments, *leaves])
    leader = Person(organisation=organisation, email=LEADER, name="Bench Leader",
                    password_hash=hash_password(PASSWORD), team=departments[0])
    leader.permissions = ("leader", "employee")
    db.session.add(leader)
    closes = date(2026, 9, 30)
    campaign = Campaign(organisation_id=organisation.id, instrument=instrument, title="Culture check",
                        opens_on=closes - timedelta(days=21), closes_on=closes, status="open",
                        opened_at=datetime(2026, 1, 1))
    db.session.add(campaign)
    db.session.flush()
    freeze_population(campaign, [])
    nps = db.session.scalar(select(Kpi).where(Kpi.organisation_id == organisation.id, Kpi.survey == "nps"))
    responses, answers, values = [], [], []
    for team in leaves:
        mood = {p: rng.gauss(3.3, 0.45) for p in PILLARS}
        for _ in range(rng.randint(5, 12)):
            response_id = uuid.uuid4().hex
            responses.append({"id": response_id, "campaign_id": campaign.id, "team_id": team.id,
                              "job_role_id": None, "leadership": False})
            for item in instrument.items:
                score = min(5, max(1, round(mood[item["pillar"]] + rng.gauss(0, 0.6))))
                answers.append({"id": uuid.uuid4().hex, "response_id": response_id, "item_key": item["key"],
                                "pillar": item["pillar"], "value": 6 - score if item["reverse"] else score,
                                "score": score})
        outcome = 30 * mood["listening"] + 15 * mood["improvement"] - 100 + rng.gauss(0, 8)
        values.append({"organisation_id": organisation.id, "kpi_id": nps.id, "team_id": team.id,
                       "period": str(Period.containing(closes)), "value": round(outcome, 1), "answers": 120})
    campaign.invited_count = int(len(responses) / 0.8)
    db.session.execute(insert(Response), responses)
    db.session.execute(insert(Answer), answers)
    db.session.execute(insert(KpiValue), values)
    db.session.commit()
    close_campaign(campaign)
    db.session.commit()
    return organisation.id


def compute_drivers(organisation_id: int):
    """The drivers of NPS, from a fresh session (nothing cached)."""
    db.session.remove()
    return drivers_of(organisation_id, "nps")


def measure(teams: int, runs: int) -> dict:
    rows, outcome = synthetic_rows(teams)
    shapley_r_squared(rows, outcome)
    shares = median_seconds(lambda: shapley_r_squared(rows, outcome), runs)
    with tempfile.TemporaryDirectory(prefix="cx-bench-") as directory:
        app = make_app(Path(directory) / "bench.db")
        with app.app_context():
            db.create_all()
            start = time.perf_counter()
            organisation_id = build_organisation(teams)
            build = time.perf_counter() - start
            engine = db.engine
            result = compute_drivers(organisation_id)  # warm up
            with StatementCounter(engine) as service_sql:
                compute_drivers(organisation_id)
            service = median_seconds(lambda: compute_drivers(organisation_id), runs)
            db.session.remove()
        client = app.test_client()
        assert client.post("/login", data={"email": LEADER, "password": PASSWORD}).status_code == 302, "login failed"
        get_ok(client, "/listening/drivers")
        page = median_seconds(lambda: get_ok(client, "/listening/drivers"), runs)
        engine.dispose()
    return {"teams": result.teams, "r2": result.r_squared, "top": [d.pillar for d in result.pillars[:2]],
            "build_s": build, "shares_ms": shares * 1000, "service_sql": service_sql.count,
            "service_ms": service * 1000, "page_ms": page * 1000}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed computations (median)")
    parser.add_argument("--teams", type=int, default=500)
    args = parser.parse_args()
    found = measure(args.teams, args.runs)
    print(f"teams analysed {found['teams']}, R² {found['r2']:.2f}, first {', '.join(found['top'])} "
          f"(built in {found['build_s']:.1f} s)")
    print(f"shares ms {found['shares_ms']:.1f} | service ms {found['service_ms']:.1f} "
          f"({found['service_sql']} SQL) | page ms {found['page_ms']:.1f}")
    return 0 if found["top"] == ["listening", "improvement"] else 1


if __name__ == "__main__":
    sys.exit(main())
