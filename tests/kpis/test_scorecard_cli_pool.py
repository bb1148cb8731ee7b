"""The bulk command's pool: two worker processes, each with its own app and session, on a database file."""
from __future__ import annotations

import pytest

from cxculture.orgs.service import team_paths
from tests.kpis.scorecard_factories import contact_centre_scorecard_data, person


@pytest.fixture
def app_config(tmp_path_factory):
    database = tmp_path_factory.mktemp("pool") / "cxculture.db"
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SQLALCHEMY_ENGINE_OPTIONS": {}}


def test_two_workers_write_every_scorecard(runner, demo, tmp_path):
    who = person("employee@bank.example.com")
    contact_centre_scorecard_data(demo["demo-bank"], who)
    path = team_paths(who.organisation_id)[who.team_id]
    result = runner.invoke(args=["cx", "scorecards", "--org", "demo-bank", "--period", "2026-Q2", "--team", path,
                                 "--out", str(tmp_path), "--workers", "2", "--pack"])
    assert result.exit_code == 0, result.output
    people = list(tmp_path.glob("scorecard-2026-Q2-*.pdf"))
    assert len(people) >= 2 and all(p.read_bytes().startswith(b"%PDF") for p in people)
    assert f"Wrote {len(people)} scorecards and 1 team packs" in result.output
