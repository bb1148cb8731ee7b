"""The bulk command's pool: two worker processes, each with its own app and session, on a database file."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.orgs.models import JobRole
from cxculture.orgs.teams import ensure_team_path
from tests.kpis.scorecard_factories import contact_centre_scorecard_data


@pytest.fixture
def app_config(tmp_path_factory):
    database = tmp_path_factory.mktemp("pool") / "cxculture.db"
    return {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}", "SQLALCHEMY_ENGINE_OPTIONS": {}}


def test_two_workers_write_every_scorecard(runner, make_organisation, make_person, tmp_path):
    """A small organisation of its own (the demo, loaded into a file, would take longer than the run)."""
    organisation = make_organisation("Pool Bank", "pool-bank")
    role = db.session.scalar(select(JobRole).where(JobRole.organisation_id == organisation.id,
                                                   JobRole.key == "contact_centre"))
    team = ensure_team_path(organisation, "Care/Calls")
    people = [make_person(organisation, f"agent{n}@pool.example.com", job_role=role, team=team, password=None)
              for n in range(3)]
    contact_centre_scorecard_data(organisation, people[0])
    result = runner.invoke(args=["cx", "scorecards", "--org", "pool-bank", "--period", "2026-Q2", "--team",
                                 "Care/Calls", "--out", str(tmp_path), "--workers", "2", "--pack"])
    assert result.exit_code == 0, result.output
    written = list(tmp_path.glob("scorecard-2026-Q2-*.pdf"))
    assert len(written) == 3 and all(p.read_bytes().startswith(b"%PDF") for p in written)
    assert "Wrote 3 scorecards and 1 team packs" in result.output
