"""Results charts: a filtered group drawn against the organisation (or a manager's teams together) on the radar,
and a distribution bar per statement, on the page and in the PDF."""
from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy import delete, select

from cxculture.assessments.answers import Answer, Response
from cxculture.extensions import db
from cxculture.orgs.service import person_by_email
from tests.assessments.results_factories import make_campaign, respond_many, retail_campaign, roles, teams
from tests.conftest import get_file, pdf_text


@pytest.fixture
def campaign(retail):
    return retail_campaign(retail)


def radar(page: str) -> str:
    return re.search(r'<svg [^>]*id="results-radar".*?</svg>', page, re.S).group(0)


def radar_description(page: str) -> str:
    return re.search(r'<desc id="results-radar-desc">(.*?)</desc>', page, re.S).group(1)


def drawn_lines(svg: str) -> int:
    """The series the radar draws (each a filled polygon; the grid's rings are not filled)."""
    return len(re.findall(r'<polygon [^>]*fill-opacity', svg))


def results_page(client, campaign, query: str = "") -> str:
    response = client.get(f"/assessments/{campaign.id}/results{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# The radar against the organisation ---------------------------------------------------------------------------

@pytest.mark.parametrize(("query", "group", "score"), [
    ("team={milano}", "Vendite/Milano Store", "2.0"),  # Milano scores listening 2
    ("job_role={frontline}", "Front line", "2.9"),  # listening: Milano 9 x 2, Roma 6 x 4, Torino 2 x 4
])
def test_a_filtered_group_is_drawn_against_the_whole_organisation(client, login_as, retail, campaign, query, group,
                                                                   score):
    ids = {"milano": teams(retail)["Vendite/Milano Store"].id, "frontline": roles(retail)["frontline"].id}
    login_as("leader")
    page = results_page(client, campaign, "?" + query.format(**ids))
    svg = radar(page)
    assert drawn_lines(svg) == 2 and 'stroke-dasharray="6 4"' in svg
    description = radar_description(page)
    # listening for everyone: Milano 9 x 2, leadership 5 x 5, the other 22 x 4 = 3.6.
    assert f"{group}: Vision" in description and f"Listening {score}" in description
    assert "The whole organisation: Vision" in description and "Listening 3.6" in description
    assert f"Solid line: {group}. Dashed line: the whole organisation." in page
    # The organisation's scores are a column of the pillar table too.
    assert re.search(r'<th scope="col" class="num">The whole organisation</th>', page)


def test_the_whole_organisation_draws_the_previous_campaign_dashed_as_before(client, login_as, retail, campaign):
    earlier = make_campaign(retail, title="Culture 2024", closes_on=campaign.closes_on.replace(year=2020))
    respond_many(earlier, 12, team=teams(retail)["Vendite/Milano Store"], default=3)
    login_as("leader")
    page = results_page(client, campaign)
    assert drawn_lines(radar(page)) == 2 and "Culture 2024: Vision 3.0" in radar_description(page)
    assert "Dashed line: Culture 2024." in page and "Dashed line: the whole organisation" not in page


def test_a_manager_never_sees_the_organisation_on_the_radar(client, login_as, retail, campaign):
    login_as("manager")  # leads Vendite/Milano Store, their only team here
    milano = teams(retail)["Vendite/Milano Store"].id
    page = results_page(client, campaign, f"?team={milano}")
    assert drawn_lines(radar(page)) == 1
    assert "The whole organisation" not in page and "Dashed line" not in page


def test_a_manager_whose_teams_are_one_department_compares_a_team_with_it(client, login_as, retail, campaign):
    t = teams(retail)
    manager = person_by_email("manager@retail.example.com")
    manager.team_id = t["Vendite"].id  # Vendite with its stores: 17 respondents, shown
    db.session.commit()
    login_as("manager")
    page = results_page(client, campaign, f"?team={t['Vendite/Milano Store'].id}")
    assert drawn_lines(radar(page)) == 2
    description = radar_description(page)
    # vision in Vendite: Milano 9 x 4, Roma 6 x 4, Torino 2 x 1.
    assert "Vendite: Vision 3.6" in description and "whole organisation" not in description.lower()
    assert "Dashed line: Vendite, all your teams together." in page


def test_a_manager_with_teams_in_two_departments_has_no_group_to_compare_with(client, login_as, retail, campaign):
    t = teams(retail)
    manager = person_by_email("manager@retail.example.com")
    report = person_by_email("employee@retail.example.com")
    report.manager_id, report.team_id = manager.id, t["Servizio clienti/Contact center"].id
    db.session.commit()
    login_as("manager")
    page = results_page(client, campaign, f"?team={t['Vendite/Milano Store'].id}")
    # Milano and the contact center together are no group the anonymity rules have checked: one line only.
    assert "Contact center" in page and drawn_lines(radar(page)) == 1 and "Dashed line" not in page


# A bar per statement ------------------------------------------------------------------------------------------

def test_each_shown_statement_has_a_bar_and_a_hidden_one_none(client, login_as, retail):
    campaign = make_campaign(retail)
    respond_many(campaign, 12, team=teams(retail)["Vendite/Milano Store"], listening=2)
    items = [item["key"] for item in campaign.instrument.items]
    unanswered, scored_by_few = items[0], items[1]
    db.session.execute(delete(Answer).where(Answer.item_key == unanswered))
    few = list(db.session.scalars(select(Response.id).where(Response.campaign_id == campaign.id)))[:9]
    db.session.execute(delete(Answer).where(Answer.item_key == scored_by_few, Answer.response_id.in_(few)))
    db.session.commit()
    login_as("leader")
    page = results_page(client, campaign)
    statements = page.split('id="items-title"', 1)[1].split('id="comments"', 1)[0]
    assert "Favourable (4-5)" in statements.split("<table", 1)[0]  # the key, once above the tables
    texts = {item["key"]: str(escape(item["text"]["en"])) for item in campaign.instrument.items}
    rows = {key: next(row for row in re.findall(r'<tr><td class="rs-statement">(.*?)</tr>', statements, re.S)
                      if row.startswith(text)) for key, text in texts.items()}
    assert "not enough answers" in rows[unanswered] and "<svg" not in rows[unanswered]
    assert "too few scores to show" in rows[scored_by_few] and "<svg" not in rows[scored_by_few]
    assert all('role="img"' in rows[key] for key in items if key not in (unanswered, scored_by_few))
    # Every listening answer is 2: all unfavourable, said in the bar's description as in the row's numbers.
    listening = next(item["key"] for item in campaign.instrument.items if item["pillar"] == "listening")
    assert "0% favourable, 0% neutral, 100% unfavourable" in rows[listening]


# The PDF ------------------------------------------------------------------------------------------------------

def test_the_pdf_draws_the_team_against_the_organisation_and_the_statement_bars(client, login_as, retail, campaign,
                                                                                  tmp_path):
    login_as("leader")
    milano = teams(retail)["Vendite/Milano Store"].id
    response = get_file(client, f"/assessments/{campaign.id}/results.pdf?team={milano}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(pdf_text(response.get_data(), tmp_path).split())
    assert "Solid line: Vendite/Milano Store. Dashed line: the whole organisation." in text
    statements = text.split("Statements: Vendite/Milano Store", 1)[1]
    # The bars' key once above the tables, each table with its column of bars.
    assert statements.startswith(" Favourable (4-5) Neutral (3) Unfavourable (1-2)")
    assert "STATEMENT ANSWERS SCORE" in statements
