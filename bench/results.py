"""Benchmark: a culture self-assessment's results for 5,000 respondents x 32 statements in 50 and 200 teams.

Builds a synthetic organisation (a tree of departments and teams, team sizes from 1 to about 60 so that some
are hidden by the anonymity threshold) in a SQLite file in a temporary directory, with a campaign of 5,000
anonymous responses and a previous one of 2,000 (for the trend), inserted in bulk and then closed as the app closes
them (answers regrouped and written anew, results computed once and kept). Then it prints:

- how long closing the 5,000-respondent campaign took,

- the number of SQL statements computing the results takes (it must be the same for 50 and 200 teams),
- the median time of the results service (cxculture/assessments/results/report.py: campaign_results) and of the
  results page as a leader, and their ratio to /healthz's median time measured in the same run.

Without cxculture/assessments/results/ it measures what the results are made of instead: scoring.py's tallies
(whole campaign, by team, by job role, by item, Cronbach's alpha) and suppression.suppressed over the team tree.

Run: .venv/bin/python bench/results.py [--runs N]   (not part of `make test`)
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cxculture import create_app
from cxculture.assessments.answers import Answer, Comment, Response
from cxculture.assessments.instruments import sync_shipped_instruments
from cxculture.assessments.models import Campaign
from cxculture.auth.passwords import hash_password
from cxculture.extensions import db
from cxculture.orgs.models import JobRole, Person, Team
from cxculture.orgs.service import create_organisation

try:  # the results service arrived with issue 4's item 5; older trees have only the scoring layer
    from cxculture.assessments.results import summary as results_service
except ImportError:
    results_service = None
try:  # the frozen population and the closing step arrived with issue 11
    from cxculture.assessments.campaigns import close_campaign
    from cxculture.assessments.snapshot import freeze_population
except ImportError:
    close_campaign = freeze_population = None

#: How long closing each campaign took (rewriting its answers and keeping its results), by title.
CLOSE_SECONDS: dict[str, float] = {}

PASSWORD = "bench-password"
LEADER = "leader@bench.example.com"
RESPONDENTS = 5000
PREVIOUS_RESPONDENTS = 2000
TEAMS_PER_DEPARTMENT = 20


def make_app(database: Path):
    return create_app({
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
        "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024,
    })


def build_team_tree(organisation, teams: int) -> tuple[list[Team], list[Team]]:
    """`teams` teams in all: one department per TEAMS_PER_DEPARTMENT, the rest spread under them."""
    departments = [Team(organisation=organisation, name=f"Department {d:02d}")
                   for d in range(max(1, teams // TEAMS_PER_DEPARTMENT))]
    leaves = [Team(organisation=organisation, parent=departments[t % len(departments)], name=f"Team {t:03d}")
              for t in range(teams - len(departments))]
    db.session.add_all([*departments, *leaves])
    db.session.flush()
    return departments, leaves


def insert_responses(campaign: Campaign, instrument, respondents: int, team_ids: list[int], weights: list[float],
                     roles: list[JobRole], rng: random.Random, listening_shift: float = 0.0) -> None:
    """`respondents` anonymous responses with all their answers and a few comments, in three bulk inserts."""
    items = instrument.items
    executive = next(r.id for r in roles if r.key == "executive")
    response_rows, answer_rows, comment_rows = [], [], []
    for team_id in rng.choices(team_ids, weights=weights, k=respondents):
        role_id = rng.choice(roles).id
        response_id = uuid.uuid4().hex
        leadership = role_id == executive
        response_rows.append({"id": response_id, "campaign_id": campaign.id, "team_id": team_id,
                              "job_role_id": role_id, "leadership": leadership})
        mood = rng.gauss(3.6 if leadership else 3.0, 0.5)
        for item in items:
            score = min(5, max(1, round(mood + rng.gauss(0, 0.7)
                                        + (listening_shift if item["pillar"] == "listening" else 0))))
            answer_rows.append({"id": uuid.uuid4().hex, "response_id": response_id, "item_key": item["key"],
                                "pillar": item["pillar"], "value": 6 - score if item["reverse"] else score,
                                "score": score})
        if rng.random() < 0.1:
            comment_rows.append({"id": uuid.uuid4().hex, "campaign_id": campaign.id, "question_key": "obstacles",
                                 "team_id": team_id, "job_role_id": role_id, "leadership": leadership,
                                 "text": "Targets about handling time, not about customers."})
    db.session.execute(insert(Response), response_rows)
    db.session.execute(insert(Answer), answer_rows)
    db.session.execute(insert(Comment), comment_rows)


def build_organisation(teams: int, seed: int = 11) -> int:
    """The synthetic organisation, its leader, two closed campaigns; returns the latest campaign's id."""
    rng = random.Random(seed)
    organisation = create_organisation("Bench Org", "bench")
    instrument = sync_shipped_instruments()[0]
    departments, leaves = build_team_tree(organisation, teams)
    roles = list(db.session.scalars(select(JobRole).where(JobRole.organisation_id == organisation.id)))
    leader = Person(organisation=organisation, email=LEADER, name="Bench Leader",
                    password_hash=hash_password(PASSWORD), job_role=roles[0], team=departments[0])
    leader.permissions = ("leader", "employee")
    db.session.add(leader)
    # Team sizes vary a lot: a long tail of small teams (hidden) and a few big ones; departments have a few
    # people of their own.
    team_ids = [t.id for t in leaves] + [d.id for d in departments]
    weights = [rng.paretovariate(1.6) for _ in leaves] + [0.5 for _ in departments]
    campaigns = []
    for title, closes, respondents, shift in (("Previous", date(2026, 3, 31), PREVIOUS_RESPONDENTS, 0.0),
                                             ("Latest", date(2026, 9, 30), RESPONDENTS, 0.3)):
        campaign = Campaign(organisation_id=organisation.id, instrument=instrument, title=f"{title} culture check",
                            opens_on=closes - timedelta(days=21), closes_on=closes, status="open",
                            opened_at=datetime(2026, 1, 1))
        db.session.add(campaign)
        db.session.flush()
        if freeze_population is not None:  # the population is frozen as opening does (nobody invited by name)
            freeze_population(campaign, [])
        campaign.invited_count = int(respondents / 0.8)
        insert_responses(campaign, instrument, respondents, team_ids, weights, roles, rng, shift)
        campaigns.append(campaign)
    db.session.commit()
    for campaign in campaigns:
        start = time.perf_counter()
        if close_campaign is not None:
            close_campaign(campaign)
        else:
            campaign.status = "closed"
        db.session.commit()
        CLOSE_SECONDS[campaign.title] = time.perf_counter() - start
    return campaigns[-1].id


def compute_tallies(campaign: Campaign) -> None:
    """What the results are made of, without the results service: scoring tallies and team suppression."""
    from cxculture.assessments import scoring
    from cxculture.assessments.suppression import Group, suppressed

    scoring.pillar_tallies(campaign.id)
    scoring.pillar_tallies(campaign.id, group_by=Response.team_id)
    scoring.pillar_tallies(campaign.id, group_by=Response.job_role_id)
    scoring.item_tallies(campaign.id)
    scoring.cronbach_alpha(campaign.id)
    direct = scoring.respondent_counts(campaign.id, Response.team_id)
    parents = dict(db.session.execute(select(Team.id, Team.parent_id).where(
        Team.organisation_id == campaign.organisation_id)).all())
    size = dict.fromkeys(parents, 0)
    for team_id, n in direct.items():
        node = team_id
        while node is not None:
            size[node] += n
            node = parents[node]
    groups = [Group(t, size[t], parents[t] or "__organisation__") for t in parents]
    suppressed(groups, sum(direct.values()), 5)


def compute_results(campaign_id: int) -> object:
    """The campaign's results as the leader sees them, from a fresh session (nothing cached)."""
    db.session.remove()
    campaign = db.session.get(Campaign, campaign_id)
    if results_service is None:
        return compute_tallies(campaign)
    leader = db.session.scalar(select(Person).where(Person.email == LEADER))
    return results_service.campaign_results(campaign, leader, "en")


class StatementCounter:
    """Counts the SQL statements run on `engine` while the `with` block runs."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def __call__(self, *_args):
        self.count += 1

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *_exc):
        event.remove(self.engine, "before_cursor_execute", self)


def median_seconds(action, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def get_ok(client, url: str):
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response


def measure(teams: int, runs: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="cx-bench-") as directory:
        app = make_app(Path(directory) / "bench.db")
        with app.app_context():
            db.create_all()
            start = time.perf_counter()
            campaign_id = build_organisation(teams)
            build_seconds = time.perf_counter() - start
            engine = db.engine
            compute_results(campaign_id)  # warm up
            with StatementCounter(engine) as service_sql:
                results = compute_results(campaign_id)
            hidden = None if results is None else sum(row.hidden for row in results.team_rows)
            service = median_seconds(lambda: compute_results(campaign_id), runs)
            db.session.remove()

        # Requests run outside the app context above, each in its own as on a real server: a shared one would
        # share `g`, and with it the per-request cache of the results analysis.
        client = app.test_client()
        response = client.post("/login", data={"email": LEADER, "password": PASSWORD})
        assert response.status_code == 302, "login failed"
        page_url = f"/assessments/{campaign_id}/results"
        page_sql = page = None
        if results_service is not None and client.get(page_url).status_code == 200:
            with StatementCounter(engine) as counter:
                get_ok(client, page_url)
            page_sql = counter.count
            page = median_seconds(lambda: get_ok(client, page_url), runs)
        get_ok(client, "/healthz")
        healthz = median_seconds(lambda: get_ok(client, "/healthz"), max(runs * 10, 50))
        engine.dispose()
    return {"teams": teams, "hidden": hidden, "build_s": build_seconds,
            "close_s": CLOSE_SECONDS.get("Latest culture check", 0.0), "service_sql": service_sql.count,
            "service_ms": service * 1000, "page_sql": page_sql, "page_ms": page and page * 1000,
            "healthz_ms": healthz * 1000, "service_ratio": service / healthz,
            "page_ratio": page and page / healthz}


def _cell(value, fmt: str, width: int) -> str:
    return f"{'—':>{width}}" if value is None else f"{value:>{width}{fmt}}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="timed computations per size (median)")
    args = parser.parse_args()
    what = ("results service campaign_results(campaign, leader)" if results_service is not None
            else "scoring tallies + suppression (no cxculture/assessments/results/ yet)")
    print(f"{RESPONDENTS:,} respondents x 32 statements (+ {PREVIOUS_RESPONDENTS:,} in the previous campaign); "
          f"measured: {what}; median of {args.runs} runs; SQLite file database.\n")
    header = (f"{'teams':>6} {'hidden':>6} {'build s':>7} {'close s':>7} {'SQL (service)':>13} {'service ms':>10} "
              f"{'SQL (page)':>10} {'page ms':>8} {'healthz ms':>10} {'ratio service':>13} {'ratio page':>10}")
    print(header)
    print("-" * len(header))
    rows = []
    for teams in (50, 200):
        r = measure(teams, args.runs)
        rows.append(r)
        print(f"{r['teams']:>6} {_cell(r['hidden'], 'd', 6)} {r['build_s']:>7.1f} {r['close_s']:>7.1f} "
              f"{r['service_sql']:>13} "
              f"{r['service_ms']:>10.1f} {_cell(r['page_sql'], 'd', 10)} {_cell(r['page_ms'], '.1f', 8)} "
              f"{r['healthz_ms']:>10.2f} {r['service_ratio']:>13.0f} {_cell(r['page_ratio'], '.0f', 10)}")
    same = len({r["service_sql"] for r in rows}) == 1 and len({r["page_sql"] for r in rows}) == 1
    print("\nQuery count independent of the number of teams:", "yes" if same else "NO")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
