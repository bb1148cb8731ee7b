"""The team's people × KPI status grid, on the manager's team scorecards page and in the team pack's summary."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.orgs.models import JobRole
from tests.conftest import get_file, login, pdf_text
from tests.kpis.scorecard_factories import contact_centre_scorecard_data, make_plan, person, set_value


@pytest.fixture
def bank_card(demo):
    who = person("employee@bank.example.com")
    contact_centre_scorecard_data(demo["demo-bank"], who)
    return who


def grid_of(page: str) -> str:
    found = re.search(r'<table class="sc-grid[^"]*">(.*?)</table>', page, re.S)
    assert found, "no status grid on the page"
    return found.group(1)


def row_of(grid: str, name: str) -> str:
    row = re.search(r"<tr>\s*<th scope=\"row\">(?:<a [^>]*>)?" + re.escape(name) + r"<(.*?)</tr>", grid, re.S)
    assert row, f"no row for {name}"
    return row.group(1)


def cells_of(grid: str, name: str) -> list[tuple[str, str, str]]:
    """(status class, column label, text as read aloud) of each cell in `name`'s row."""
    return [(status, html.unescape(label), " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split()))
            for status, label, text in re.findall(
                r'<td class="sc-grid-cell sc-grid-(\w+)" data-label="([^"]*)">(.*?)</td>', row_of(grid, name), re.S)]


def test_the_manager_sees_who_is_off_target_where(client, bank_card):
    login(client, "manager@bank.example.com")
    page = client.get("/team/scorecards?period=2026-Q2").get_data(as_text=True)
    grid = grid_of(page)
    heads = re.findall(r'<th scope="col" class="sc-grid-kpi">([^<]*)</th>', grid)
    assert set(heads) == {"Customer satisfaction (CSAT)", "First-contact resolution",
                          "Average handling time (AHT)"}
    cells = {label: (status, text) for status, label, text in cells_of(grid, bank_card.name)}
    # The value as text, the status as a mark and as words (not by colour alone).
    assert cells["Customer satisfaction (CSAT)"] == ("met", "✓ 88% , Met")
    assert cells["First-contact resolution"] == ("below_threshold", "✕ 61.5% , Below threshold")
    assert cells["Average handling time (AHT)"] == ("below_target", "! 330 s , Below target")
    assert "Net Promoter" not in grid  # measured outside the plan: not a column


def test_a_colleague_without_values_and_one_on_another_plan(client, demo, bank_card, make_person):
    bank = demo["demo-bank"]
    role = db.session.scalar(select(JobRole).where(JobRole.organisation_id == bank.id,
                                                   JobRole.id != bank_card.job_role_id))
    make_plan(bank, role.key, "2026-Q2", (("nps", 100, 40, 25),))
    other = make_person(bank, "other-role@bank.example.com", team=bank_card.team, job_role=role,
                        manager=person("manager@bank.example.com"))
    set_value(bank, "nps", "2026-Q2", 20.0, person=other)
    colleague = make_person(bank, "same-role@bank.example.com", team=bank_card.team, job_role=bank_card.job_role,
                            manager=person("manager@bank.example.com"))
    db.session.commit()
    login(client, "manager@bank.example.com")
    grid = grid_of(client.get("/team/scorecards?period=2026-Q2").get_data(as_text=True))
    assert re.findall(r'<th scope="col" class="sc-grid-kpi">([^<]*)</th>', grid)[-1] == "Net Promoter Score (NPS)"
    assert cells_of(grid, other.name) == [("below_threshold", "Net Promoter Score (NPS)", "✕ 20 , Below threshold")]
    assert [text for _status, _label, text in cells_of(grid, colleague.name)] == ["— No value"] * 3
    assert row_of(grid, other.name).count("not on plan") == 3
    assert row_of(grid, colleague.name).count("not on plan") == 1  # NPS


def test_the_grid_reads_in_italian(client, bank_card):
    manager = person("manager@bank.example.com")
    manager.language = "it"
    db.session.commit()
    login(client, "manager@bank.example.com")
    grid = grid_of(client.get("/team/scorecards?period=2026-Q2").get_data(as_text=True))
    statuses = {status: text for status, _label, text in cells_of(grid, bank_card.name)}
    assert statuses == {"met": "✓ 88% , Raggiunto", "below_threshold": "✕ 61,5% , Sotto la soglia",
                        "below_target": "! 330 s , Sotto l'obiettivo"}


def test_no_grid_without_plans(client, demo):
    login(client, "manager@bank.example.com")
    page = client.get("/team/scorecards?period=2026-Q2").get_data(as_text=True)
    assert "sc-grid" not in page and "Who is where" not in page


def test_the_team_pack_summary_holds_the_grid(client, bank_card, tmp_path):
    login(client, "manager@bank.example.com")
    response = get_file(client, "/team/scorecards.pdf?period=2026-Q2")
    assert response.status_code == 200
    text = pdf_text(response.data, tmp_path)
    summary = text.split("\f")[0]
    assert "Who is where, KPI by KPI" in summary and "Below threshold" in summary
    row = next(line for line in summary.splitlines() if bank_card.name in line)
    assert re.search(r"! 330 s +✓ 88% +✕ 61\.5% +1 ?/ ?3 +40%", row), row  # AHT, CSAT, FCR: by name


def test_hr_sees_the_grid_of_a_team_not_of_everyone(client, bank_card):
    login(client, "hr@bank.example.com")
    everyone = client.get("/hr/scorecards?period=2026-Q2").get_data(as_text=True)
    assert "sc-grid" not in everyone
    team = client.get(f"/hr/scorecards?period=2026-Q2&team={bank_card.team_id}").get_data(as_text=True)
    statuses = {status for status, _label, _text in cells_of(grid_of(team), bank_card.name)}
    assert statuses == {"met", "below_target", "below_threshold"}
