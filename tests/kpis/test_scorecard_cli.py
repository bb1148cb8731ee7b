"""`flask --app wsgi cx scorecards`: one PDF per person (+ team packs), clear errors, a pool of workers."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from cxculture.orgs.service import team_paths
from tests.kpis.scorecard_factories import contact_centre_scorecard_data, person, shrink_team


def run(runner, *args):
    return runner.invoke(args=["cx", "scorecards", *args])


@pytest.fixture
def branch(demo):
    who = person("employee@bank.example.com")
    contact_centre_scorecard_data(demo["demo-bank"], who)
    shrink_team(who)
    return who, team_paths(who.organisation_id)[who.team_id]


def test_writes_one_pdf_per_person_and_a_team_pack(runner, branch, tmp_path):
    who, path = branch
    result = run(runner, "--org", "demo-bank", "--period", "2026-Q2", "--team", path, "--out", str(tmp_path / "out"),
                 "--pack")
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    people = [f for f in files if f.startswith("scorecard-2026-Q2-")]
    packs = [f for f in files if f.startswith("team-pack-2026-Q2-")]
    assert len(packs) == 1 and f"scorecard-2026-Q2-{who.id}-employee-demo-bank.pdf" in people
    assert f"Wrote {len(people)} scorecards and 1 team packs" in result.output
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "out" / f"scorecard-2026-Q2-{who.id}-"
                                                           "employee-demo-bank.pdf"), "-"],
                              capture_output=True, text=True, check=True).stdout
        assert "61.5%" in text and "Below threshold" in text


def test_each_person_in_their_language(runner, demo, tmp_path):
    who = person("employee@retail.example.com")
    contact_centre_scorecard_data(demo["demo-retail"], who)
    shrink_team(who)
    path = team_paths(who.organisation_id)[who.team_id]
    result = run(runner, "--org", "demo-retail", "--period", "2026-Q2", "--team", path, "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    if shutil.which("pdftotext"):
        pdf = next(tmp_path.glob(f"scorecard-2026-Q2-{who.id}-*.pdf"))
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert "61,5%" in text and "Sotto la soglia" in text


@pytest.mark.parametrize("args, message", [
    (["--org", "nowhere", "--period", "2026-Q2"], "no organisation with the slug 'nowhere'"),
    (["--org", "demo-bank", "--period", "2026-Q5"], "'2026-Q5' is not a quarter: write it like 2026-Q3"),
    (["--org", "demo-bank", "--period", "2026-Q2", "--team", "Nowhere/At all"], "no team 'Nowhere/At all'"),
])
def test_clear_errors_write_nothing(runner, demo, tmp_path, args, message):
    result = run(runner, *args, "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and message in result.output
    assert not (tmp_path / "out").exists()
