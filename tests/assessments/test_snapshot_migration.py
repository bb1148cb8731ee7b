"""Migration 0007 freezes the campaigns that existed before it and closes out the closed ones."""
from __future__ import annotations

import json
import uuid
from collections import Counter

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from cxculture.extensions import db


def _insert(connection, table: str, **values) -> None:
    columns = ", ".join(values)
    connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + k for k in values)})"),
                       values)


def _old_database() -> None:
    """At revision 0006: one organisation, two teams, 12 people, a closed campaign with 12 answers (a leader
    among them, alone in their group) and an open one with 3."""
    with db.engine.begin() as connection:
        _insert(connection, "organisation", id=1, name="Old Org", slug="old", default_language="en",
                anonymity_threshold=5, benchmark_opt_in=False, created_at="2026-01-01 00:00:00")
        _insert(connection, "team", id=1, organisation_id=1, parent_id=None, name="Sales")
        _insert(connection, "team", id=2, organisation_id=1, parent_id=1, name="North")
        _insert(connection, "job_role", id=1, organisation_id=1, key="frontline", name_en="Front line",
                name_it="Prima linea")
        for pid in range(1, 13):
            _insert(connection, "person", id=pid, organisation_id=1, email=f"p{pid}@old.example.com",
                    name=f"Person {pid}", job_role_id=1, team_id=2 if pid > 1 else 1, active=True,
                    session_token=uuid.uuid4().hex[:32], created_at="2026-01-01 00:00:00")
            _insert(connection, "person_permission", person_id=pid, name="employee")
        _insert(connection, "person_permission", person_id=1, name="leader")
        _insert(connection, "instrument", id=1, organisation_id=None, key="cx", version=1,
                content=json.dumps({"pillars": [], "open_questions": []}), created_at="2026-01-01 00:00:00")
        for cid, status in ((1, "closed"), (2, "open")):
            _insert(connection, "campaign", id=cid, organisation_id=1, instrument_id=1, title=f"C{cid}",
                    opens_on="2026-01-01", closes_on="2026-12-31", status=status, invited_count=12)
        for pid in range(1, 13):
            _insert(connection, "participation", id=uuid.uuid4().hex, campaign_id=1, person_id=pid)
            rid = uuid.uuid4().hex
            _insert(connection, "response", id=rid, campaign_id=1, team_id=2 if pid > 1 else 1, job_role_id=1,
                    leadership=pid == 1)
            _insert(connection, "response_answer", id=uuid.uuid4().hex, response_id=rid, item_key="v1",
                    pillar="vision", value=pid % 5 + 1, score=pid % 5 + 1)
        for pid in (1, 2, 3):
            _insert(connection, "participation", id=uuid.uuid4().hex, campaign_id=2, person_id=pid)
            _insert(connection, "response", id=uuid.uuid4().hex, campaign_id=2, team_id=2 if pid > 1 else 1,
                    job_role_id=1, leadership=pid == 1)


def test_existing_campaigns_are_frozen_and_closed_ones_closed_out(app):
    db.drop_all()
    upgrade(revision="0006")
    _old_database()
    upgrade(revision="0007")
    with db.engine.connect() as connection:
        def rows(sql):
            return connection.execute(text(sql)).all()

        assert rows("SELECT count(*) FROM participation WHERE campaign_id = 1") == [(0,)]
        assert rows("SELECT count(*) FROM participation WHERE campaign_id = 2") == [(3,)]
        closed_groups = Counter(rows("SELECT team_id, job_role_id, leadership FROM response WHERE campaign_id = 1"))
        assert sum(closed_groups.values()) == 12 and min(closed_groups.values()) >= 5
        assert sorted(v for (v,) in rows("SELECT value FROM response_answer")) == sorted(p % 5 + 1
                                                                                       for p in range(1, 13))
        (threshold, population), = rows("SELECT threshold, population FROM campaign WHERE id = 1")
        population = json.loads(population) if isinstance(population, str) else population
        assert threshold == 5 and population["answered_per_team"] == {"1": 1, "2": 11}
        invitees = rows("SELECT group_team_id, group_job_role_id, group_leadership FROM campaign_invitee "
                        "WHERE campaign_id = 2")
        assert len(invitees) == 12 and min(Counter(invitees).values()) >= 5
        open_groups = set(rows("SELECT team_id, job_role_id, leadership FROM response WHERE campaign_id = 2"))
        assert open_groups <= set(invitees)
    downgrade(revision="base")
    assert set(inspect(db.engine).get_table_names()) - {"alembic_version"} == set()
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
