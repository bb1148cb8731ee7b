"""Scorecard PDFs made by the job queue: a closed quarter's scorecard is made once and served again until its
inputs change; team packs report their progress; HR downloads everyone's scorecards as one ZIP."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from sqlalchemy import select

from cxculture.downloads.models import Download
from cxculture.extensions import db
from cxculture.kpis.models import KpiValue
from tests.conftest import get_file, login, run_queued_downloads
from tests.kpis.scorecard_factories import contact_centre_scorecard_data, person, shrink_team


@pytest.fixture
def card(demo):
    who = person("employee@bank.example.com")
    contact_centre_scorecard_data(demo["demo-bank"], who)
    shrink_team(who)
    return who


def _count() -> int:
    return len(db.session.scalars(select(Download.id)).all())


def test_a_scorecard_is_made_once_and_again_only_when_its_inputs_change(client, card):
    url = f"/scorecards/{card.id}.pdf?period=2026-Q2"
    login(client, "employee@bank.example.com")
    first = get_file(client, url)
    assert first.status_code == 200 and _count() == 1

    again = client.get(url)  # straight from the kept file: no job, no render
    assert again.status_code == 200 and again.mimetype == "application/pdf" and again.data == first.data
    client.post("/logout")
    login(client, "manager@bank.example.com")  # the same scorecard, read by the manager
    assert client.get(url).data == first.data and _count() == 1

    value = db.session.scalar(select(KpiValue).where(KpiValue.person_id == card.id, KpiValue.period == "2026-Q2"))
    value.value += 1
    db.session.commit()
    changed = client.get(url)
    assert changed.status_code == 303 and _count() == 2  # a value changed: made again


def test_a_team_pack_reports_progress_person_by_person(client, card):
    login(client, "manager@bank.example.com")
    client.get("/team/scorecards.pdf?period=2026-Q2")
    run_queued_downloads()
    download = db.session.scalar(select(Download))
    page = client.get("/team/scorecards?period=2026-Q2").text
    people = len(set(re.findall(r'href="/scorecards/(\d+)\?period', page)))  # the grid links each person too
    assert download.status == "done" and download.total == people + 1 and download.done == download.total


def test_hr_downloads_everyones_scorecards_as_a_zip(client, card):
    login(client, "hr@bank.example.com")
    page = client.get("/hr/scorecards?period=2026-Q2").get_data(as_text=True)
    assert "Everyone&#39;s scorecards (ZIP)" in page or "Everyone's scorecards (ZIP)" in page
    assert client.post("/hr/scorecards.zip?period=2026-Q2").status_code == 303
    everyone = db.session.scalars(select(Download)).one()
    assert everyone.params == {"period": "2026-Q2", "team_id": None}  # no team: the whole organisation
    assert everyone.title == "Everyone's scorecards 2026-Q2: Demo Bank"
    db.session.delete(everyone)  # made below for one team only: forty renders would take most of a minute
    db.session.commit()

    response = get_file(client, f"/hr/scorecards.zip?period=2026-Q2&team={card.team_id}", method="post")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    people = db.session.scalars(select(Download)).one().total
    assert len(names) == people > 1
    assert f"scorecard-2026-Q2-{card.id}-" in " ".join(names)
    assert all(zipfile.ZipFile(io.BytesIO(response.data)).read(name).startswith(b"%PDF") for name in names[:2])


@pytest.mark.parametrize("email, status", [("manager@bank.example.com", 403), ("employee@bank.example.com", 403)])
def test_only_hr_runs_everyones_scorecards(client, card, email, status):
    login(client, email)
    assert client.post("/hr/scorecards.zip?period=2026-Q2").status_code == status
    assert _count() == 0


@pytest.mark.parametrize("query", ["period=2026-Q9", "period=2026-Q2&team=999999", "period=2026-Q2&team=x"])
def test_a_bad_run_request_changes_nothing(client, card, query):
    login(client, "hr@bank.example.com")
    assert client.post(f"/hr/scorecards.zip?{query}").status_code in (400, 404)
    assert _count() == 0
