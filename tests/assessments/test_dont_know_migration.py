"""Migration 0019: "don't know" answers have no value and no score; the downgrade forgets them cleanly."""
from __future__ import annotations

import json

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from cxculture.extensions import db

TALLY = [10, 9, 36, 9, 0, 0, 1]  # respondents, answers, sum, favourable, neutral, unfavourable, don't know


def _rows(sql: str) -> list:
    with db.engine.connect() as connection:
        return connection.execute(text(sql)).all()


def _run(sql: str, **values) -> None:
    with db.engine.begin() as connection:
        connection.execute(text(sql), values)


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def _data() -> None:
    """A closed campaign with one response (one statement answered "don't know"), its kept figures, and a draft
    of an open one with a "don't know" in it."""
    _run("INSERT INTO organisation (id, name, slug, default_language, anonymity_threshold, benchmark_opt_in, "
         "created_at) VALUES (1, 'Org', 'org', 'en', 5, false, '2026-01-01 00:00:00')")
    _run("INSERT INTO person (id, organisation_id, email, name, active, created_at) "
         "VALUES (1, 1, 'p@org.example.com', 'P', true, '2026-01-01 00:00:00')")
    _run("INSERT INTO instrument (id, organisation_id, key, version, content, created_at) "
         "VALUES (1, NULL, 'cx', 2, :content, '2026-01-01 00:00:00')",
         content=json.dumps({"pillars": [], "open_questions": []}))
    for cid, status in ((1, "closed"), (2, "open")):
        _run("INSERT INTO campaign (id, organisation_id, instrument_id, title, opens_on, closes_on, status, "
             "invited_count) VALUES (:id, 1, 1, 'C', '2026-01-01', '2026-12-31', :status, 12)", id=cid, status=status)
    _run("INSERT INTO response (id, campaign_id) VALUES ('r1', 1)")
    _run("INSERT INTO response_answer (id, response_id, item_key, pillar, value, score) "
         "VALUES ('a1', 'r1', 'vision-1', 'vision', 4, 4)")
    _run("INSERT INTO response_answer (id, response_id, item_key, pillar, value, score) "
         "VALUES ('a2', 'r1', 'vision-2', 'vision', NULL, NULL)")
    analysis = {"threshold": 5, "total": 10, "overall": {"vision": TALLY}, "teams": {"1": [None, "Sales"]},
                "team_tallies": {"1": {"vision": TALLY}}, "split_n": {"leadership": 0, "others": 10},
                "hidden_teams": ["1", "2", "3", "4", "5", "6", "7"]}
    moments = {"items": {"vision-1": ["vision", TALLY, 150]}, "totals": {"vision": [9, 36, 150]}}
    for focus, data in (("analysis", analysis), ("organisation", moments)):
        _run("INSERT INTO campaign_frozen_result (campaign_id, focus, data) VALUES (1, :focus, :data)",
             focus=focus, data=json.dumps(data))
    _run("INSERT INTO assessment_draft (campaign_id, person_id, answers, updated_at) "
         "VALUES (2, 1, :answers, '2026-01-01 00:00:00')",
         answers=json.dumps({"items": {"vision-1": 4, "vision-2": 0}, "open": {}, "page": "vision"}))


def test_downgrade_forgets_dont_know_and_upgrade_allows_it_again(app):
    db.drop_all()
    upgrade()
    _data()
    if db.engine.dialect.name == "sqlite":  # rebuilt WITHOUT ROWID, its checks kept
        sql = _rows("SELECT sql FROM sqlite_master WHERE name = 'response_answer'")[0][0]
        assert "WITHOUT ROWID" in sql and "value_range" in sql and "score_range" in sql
    with pytest.raises(IntegrityError):
        _run("INSERT INTO response_answer (id, response_id, item_key, pillar, value, score) "
             "VALUES ('a3', 'r1', 'vision-3', 'vision', 7, 7)")

    downgrade(revision="0017")
    assert _rows("SELECT id, value, score FROM response_answer") == [("a1", 4, 4)]
    kept = {focus: _json(data) for focus, data in _rows("SELECT focus, data FROM campaign_frozen_result")}
    assert kept["analysis"]["overall"]["vision"] == TALLY[:6]
    assert kept["analysis"]["team_tallies"]["1"]["vision"] == TALLY[:6]
    assert kept["analysis"]["hidden_teams"] == ["1", "2", "3", "4", "5", "6", "7"]  # not a tally
    assert kept["organisation"]["items"]["vision-1"] == ["vision", TALLY[:6], 150]
    assert kept["organisation"]["totals"]["vision"] == [9, 36, 150]
    draft = _json(_rows("SELECT answers FROM assessment_draft")[0][0])
    assert draft == {"items": {"vision-1": 4}, "open": {}, "page": "vision"}
    with pytest.raises(IntegrityError):
        _run("INSERT INTO response_answer (id, response_id, item_key, pillar, value, score) "
             "VALUES ('a4', 'r1', 'vision-4', 'vision', NULL, NULL)")

    upgrade()
    _run("INSERT INTO response_answer (id, response_id, item_key, pillar, value, score) "
         "VALUES ('a5', 'r1', 'vision-5', 'vision', NULL, NULL)")
    assert len(_rows("SELECT id FROM response_answer")) == 2
    downgrade(revision="base")
    with db.engine.begin() as connection:
        connection.execute(text("DROP TABLE alembic_version"))
