"""The manager's team scorecards and the team pack count the customer remarks at the touchpoints the team owns:
closed in the quarter and still open; for the team, never per person. Listening fills the KPI area's hook."""
from __future__ import annotations

from datetime import date, datetime, time

import pytest

from cxculture.extensions import db
from cxculture.kpis import scorecards
from cxculture.kpis.periods import Period
from cxculture.listening.remarks import close_remark
from cxculture.orgs.service import person_by_email
from tests.conftest import get_file, pdf_text

from .helpers import remark_by, touchpoint

QUARTER = Period.containing(date.today())


@pytest.fixture
def remarks(demo, retail):
    """At the Milano Store's store: three closed this quarter, one closed last quarter, one open. The website (the
    Contact centre's) and Demo Bank's store have closed remarks the store's manager must not count."""
    leader = person_by_email("leader@retail.example.com")
    store = touchpoint(retail, "store", "Vendite/Milano Store")
    website = touchpoint(retail, "website", "Servizio clienti/Contact center")
    for point, closing in ((store, 3), (website, 2)):
        for _ in range(closing):
            close_remark(remark_by("employee@retail.example.com", point), leader, "Called the customer back")
    earlier = remark_by("employee@retail.example.com", store)
    close_remark(earlier, leader, "Fixed the till")
    earlier.closed_at = datetime.combine(QUARTER.previous().end, time(23, 30))  # the last evening of last quarter
    remark_by("employee@retail.example.com", store)  # still open
    theirs = touchpoint(demo["demo-bank"], "store")
    close_remark(remark_by("employee@bank.example.com", theirs), person_by_email("leader@bank.example.com"), "Done")
    db.session.commit()
    return store


def test_the_managers_team_scorecards_count_the_remarks_their_teams_closed(client, login_as, remarks):
    login_as("manager")
    page = client.get(f"/team/scorecards?period={QUARTER}").text
    assert f"3 customer remarks at the touchpoints your teams own were closed in {QUARTER}." in page
    assert "1 is still open." in page and "Counted for the team, never per person." in page
    earlier = client.get(f"/team/scorecards?period={QUARTER.previous()}").text
    assert f"1 customer remark at the touchpoints your teams own was closed in {QUARTER.previous()}." in earlier


def test_the_team_pack_counts_them_too(client, login_as, remarks, tmp_path):
    login_as("manager")
    data = get_file(client, f"/team/scorecards.pdf?period={QUARTER}").data
    text = pdf_text(data, tmp_path)
    assert "3 customer remarks at the touchpoints this team owns" in text and "Counted for the team" in text


def test_the_personal_scorecard_has_no_remark_count(client, login_as, remarks):
    employee = login_as("employee")
    page = client.get(f"/scorecards/{employee.id}?period={QUARTER}")
    assert page.status_code == 200 and "customer remark" not in page.text


def test_a_team_with_no_touchpoint_reads_zero(client, login_as, retail):
    login_as("manager")
    page = client.get(f"/team/scorecards?period={QUARTER}").text
    assert f"0 customer remarks at the touchpoints your teams own were closed in {QUARTER}." in page


def test_without_listening_the_scorecards_show_no_remarks(client, login_as, monkeypatch, remarks):
    monkeypatch.setattr(scorecards, "_remark_counter", None)
    login_as("manager")
    assert "What customers told staff" not in client.get(f"/team/scorecards?period={QUARTER}").text


def test_the_italian_team_pack_keeps_a_one_page_summary_with_the_remark_line(client, demo_with_assessments, tmp_path):
    demo, _ = demo_with_assessments  # the team's culture section on the summary too
    import re

    from cxculture.kpis.demo import load_demo_kpis
    from tests.conftest import login
    from tests.kpis.test_scorecard_pages import pdf_pages

    load_demo_kpis(list(demo.values()))
    store = touchpoint(demo["demo-retail"], "store", "Vendite/Milano Store")
    leader = person_by_email("leader@retail.example.com")
    for _ in range(2):
        closed = remark_by("employee@retail.example.com", store)
        close_remark(closed, leader, "Richiamato il cliente")
        closed.closed_at = datetime(2026, 8, 14, 12)
    remark_by("employee@retail.example.com", store)  # still open
    db.session.commit()
    login(client, "manager@retail.example.com")
    people = len(set(re.findall(r'href="/scorecards/(\d+)\?period',
                                client.get("/team/scorecards?period=2026-Q3").get_data(as_text=True))))
    data = get_file(client, "/team/scorecards.pdf?period=2026-Q3").data
    assert "2 segnalazioni dei clienti" in pdf_text(data, tmp_path)
    assert pdf_pages(data, tmp_path) == people + 1  # the summary, then a page per person
