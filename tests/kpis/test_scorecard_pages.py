"""Scorecard pages and PDFs: who may see whose, the numbers in English and Italian, team packs."""
from __future__ import annotations

import re
import subprocess

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.orgs.models import Person, Team
from tests.conftest import get_file, login, pdf_text
from tests.kpis.scorecard_factories import contact_centre_scorecard_data, person


def pdf_pages(data: bytes, tmp_path) -> int:
    path = tmp_path / "pages.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


@pytest.fixture
def bank_card(demo):
    who = person("employee@bank.example.com")
    contact_centre_scorecard_data(demo["demo-bank"], who)
    return who


@pytest.fixture
def retail_card(demo):
    who = person("employee@retail.example.com")
    contact_centre_scorecard_data(demo["demo-retail"], who)
    return who


def other_manager(demo, make_person):
    """A manager in the same organisation, of another team, with nobody reporting to them."""
    organisation = demo["demo-bank"]
    team = db.session.scalar(select(Team).where(Team.organisation_id == organisation.id,
                                                Team.id != person("employee@bank.example.com").team_id,
                                                Team.id != person("manager@bank.example.com").team_id))
    return make_person(organisation, "other-manager@bank.example.com", permissions=("manager", "employee"),
                       team=team)


# Who may see what ---------------------------------------------------------------------------------------------

def test_own_scorecard_page(client, bank_card):
    login(client, "employee@bank.example.com")
    page = client.get("/learn/scorecard?period=2026-Q2").get_data(as_text=True)
    assert "My scorecard" in page and "Customer satisfaction (CSAT)" in page
    assert "88%" in page and "61.5%" in page and "330 s" in page and "Below threshold" in page
    assert "Also measured" in page and "Net Promoter Score" in page
    assert f"/scorecards/{bank_card.id}.pdf?period=2026-Q2" in page


def test_self_manager_and_hr_may_open_a_scorecard(client, bank_card):
    for email in ("employee@bank.example.com", "manager@bank.example.com", "hr@bank.example.com"):
        client.post("/logout")
        login(client, email)
        response = client.get(f"/scorecards/{bank_card.id}?period=2026-Q2")
        assert response.status_code == 200, email
        assert bank_card.name in response.get_data(as_text=True)
        assert get_file(client, f"/scorecards/{bank_card.id}.pdf?period=2026-Q2").status_code == 200, email


def test_others_are_refused(client, demo, bank_card, make_person):
    other_manager(demo, make_person)
    colleague = make_person(demo["demo-bank"], "colleague@bank.example.com", team=bank_card.team)
    for email, expected in (("other-manager@bank.example.com", 403), ("leader@bank.example.com", 403),
                            (colleague.email, 403), ("hr@retail.example.com", 404),
                            ("manager@retail.example.com", 404), ("employee@retail.example.com", 404)):
        client.post("/logout")
        login(client, email)
        for url in (f"/scorecards/{bank_card.id}?period=2026-Q2", f"/scorecards/{bank_card.id}.pdf?period=2026-Q2"):
            assert client.get(url).status_code == expected, (email, url)


def test_manager_lists_only_their_team(client, demo, bank_card, make_person):
    login(client, "manager@bank.example.com")
    page = client.get("/team/scorecards?period=2026-Q2").get_data(as_text=True)
    assert bank_card.name in page and "1 / 3" in page
    other_manager(demo, make_person)
    client.post("/logout")
    login(client, "other-manager@bank.example.com")
    page = client.get("/team/scorecards?period=2026-Q2").get_data(as_text=True)
    assert bank_card.name not in page
    assert client.get("/team/scorecards.pdf?period=2026-Q2").status_code == 404  # nobody in their team


def test_employee_may_not_open_team_or_hr_lists(client, bank_card):
    login(client, "employee@bank.example.com")
    for url in ("/team/scorecards", "/team/scorecards.pdf", "/hr/scorecards", "/hr/scorecards.pdf"):
        assert client.get(url).status_code == 403, url


def test_hr_lists_everyone_and_filters_by_team(client, bank_card):
    login(client, "hr@bank.example.com")
    everyone = client.get("/hr/scorecards?period=2026-Q2").get_data(as_text=True)
    assert bank_card.name in everyone and "Leader Demo Bank" in everyone
    team = client.get(f"/hr/scorecards?period=2026-Q2&team={bank_card.team_id}").get_data(as_text=True)
    assert bank_card.name in team and "Leader Demo Bank" not in team
    assert f"/hr/scorecards.pdf?period=2026-Q2&amp;team={bank_card.team_id}" in team
    retail_team = db.session.scalar(select(Team.id).join(Person, Person.team_id == Team.id)
                                    .where(Person.email == "employee@retail.example.com"))
    assert client.get(f"/hr/scorecards?team={retail_team}").status_code == 404
    assert client.get("/hr/scorecards?team=abc").status_code == 404
    assert client.get("/hr/scorecards.pdf?period=2026-Q2").status_code == 400  # a pack needs a team


def test_hr_reads_everyone_a_page_at_a_time(client, bank_card, monkeypatch):
    from cxculture.kpis.views import scorecards as views

    monkeypatch.setattr(views, "PER_PAGE", 10)
    login(client, "hr@bank.example.com")
    active = db.session.scalars(select(Person.name).where(Person.organisation_id == bank_card.organisation_id,
                                                          Person.active).order_by(Person.name, Person.id)).all()
    first = client.get("/hr/scorecards?period=2026-Q2").get_data(as_text=True)
    second = client.get("/hr/scorecards?period=2026-Q2&page=2").get_data(as_text=True)
    assert active[0] in first and active[10] not in first
    assert active[10] in second and active[0] not in second
    assert "page=2" in first and "Page 1 of" in first


@pytest.mark.parametrize("period", ["2026-Q5", "last quarter", "2026Q3"])
def test_a_bad_period_is_explained(client, bank_card, period):
    login(client, "employee@bank.example.com")
    response = client.get("/learn/scorecard", query_string={"period": period})
    assert response.status_code == 400
    assert "is not a quarter: write it like" in response.get_data(as_text=True)


def test_home_pages_link_the_scorecards(client, bank_card):
    login(client, "hr@bank.example.com")
    assert "/hr/scorecards" in client.get("/home/hr").get_data(as_text=True)
    assert "/learn/scorecard" in client.get("/home/employee").get_data(as_text=True)
    client.post("/logout")
    login(client, "manager@bank.example.com")
    assert "/team/scorecards" in client.get("/home/manager").get_data(as_text=True)


# The PDFs -----------------------------------------------------------------------------------------------------

def test_pdf_in_english_holds_the_numbers(client, bank_card, tmp_path):
    manager = person("manager@bank.example.com")
    manager.language = "it"  # the reader's language does not matter: the person's does
    db.session.commit()
    login(client, "manager@bank.example.com")
    response = get_file(client, f"/scorecards/{bank_card.id}.pdf?period=2026-Q2")
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    assert "Scorecard 2026-Q2" in text.replace("SCORECARD", "Scorecard") and bank_card.name in text
    for expected in ("88%", "82%", "61.5%", "70%", "330 s", "345 s", "300 s", "360 s", "Met", "Below threshold",
                     "Below target", "Better", "Worse", "−8.5 pts", "Also measured", "35"):
        assert expected in text, expected
    fonts = subprocess.run(["pdffonts", str(tmp_path / "out.pdf")], capture_output=True, text=True).stdout
    font_rows = [line.split() for line in fonts.splitlines()[2:]]
    assert font_rows and all("yes" in row[-5:-3] for row in font_rows)  # every font embedded


def test_pdf_in_italian_holds_the_numbers(client, retail_card, tmp_path):
    login(client, "employee@retail.example.com")
    response = get_file(client, f"/scorecards/{retail_card.id}.pdf?period=2026-Q2")
    text = pdf_text(response.data, tmp_path)
    for expected in (
        "KPI del piano",
        "Rilevati anche",
        "Soddisfazione del cliente",
        "88%",
        "61,5%",
        "330 s",
        "Raggiunto",
        "Sotto la soglia",
        "Sotto l'obiettivo",
        "Migliora",
        "Peggiora",
        "−8,5 punti",
    ):
        assert expected in text, expected


def test_team_pack_has_a_summary_page_and_a_page_per_person(client, bank_card, tmp_path):
    login(client, "manager@bank.example.com")
    page = client.get("/team/scorecards?period=2026-Q2").get_data(as_text=True)
    people = len(set(re.findall(r'href="/scorecards/(\d+)\?period', page)))  # the grid links them too
    response = get_file(client, "/team/scorecards.pdf?period=2026-Q2")
    assert response.status_code == 200
    assert pdf_pages(response.data, tmp_path) == people + 1
    text = pdf_text(response.data, tmp_path)
    assert "The team on each KPI" in text and bank_card.name in text


def test_a_runaway_render_shows_a_readable_error(app, client, bank_card):
    app.config["PDF_MAX_PAGES"] = 0  # every document of the pack is one page too many
    login(client, "manager@bank.example.com")
    response = get_file(client, "/team/scorecards.pdf?period=2026-Q2")
    assert response.status_code == 303  # no file: back to the download's page, which says why
    page = client.get(response.headers["Location"])
    assert page.status_code == 200 and "Not made" in page.get_data(as_text=True)
    assert "more than 0 pages" in page.get_data(as_text=True)
