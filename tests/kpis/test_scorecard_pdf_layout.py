"""What the printed scorecards look like in Italian, the longer language: measured on the PDF's own word boxes."""
from __future__ import annotations

import html
import re
import subprocess

import pytest

from cxculture.extensions import db
from cxculture.kpis.demo import load_demo_kpis
from tests.conftest import get_file, login
from tests.kpis.test_scorecard_pages import pdf_pages

#: A4 at 72 points per inch, with the scorecard's 14 mm side margins: the KPI table's last column (the previous
#: quarter) starts at nine tenths of the text's width.
PAGE_WIDTH, MARGIN = 595.28, 14 * 72 / 25.4
LAST_COLUMN = MARGIN + 0.9 * (PAGE_WIDTH - 2 * MARGIN)


def words(data: bytes, tmp_path) -> list[tuple[str, float, float, float]]:
    """(text, left, right, top) of every word on the PDF's first page, as poppler places them."""
    path = tmp_path / "layout.pdf"
    path.write_bytes(data)
    boxes = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"], capture_output=True,
                           text=True, check=True).stdout
    return [(html.unescape(text), float(x0), float(x1), float(y0)) for x0, y0, x1, text in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', boxes)]


@pytest.fixture
def demo(demo_with_assessments):
    """The demo organisations with their campaigns: a team's culture scores are part of its pack's summary."""
    return demo_with_assessments[0]


@pytest.fixture
def retail_kpis(demo):
    load_demo_kpis(list(demo.values()))
    db.session.commit()


def test_no_italian_status_runs_into_the_previous_quarter(client, login_as, retail_kpis, tmp_path):
    employee = login_as("employee")
    response = get_file(client, f"/scorecards/{employee.id}.pdf?period=2026-Q3")
    assert response.status_code == 200
    statuses = [w for w in words(response.data, tmp_path) if w[0] in ("Sotto", "l'obiettivo", "l’obiettivo",
                                                                       "soglia", "Raggiunto")]
    assert statuses, "no status on the page"
    overlapping = [w for w in statuses if w[2] > LAST_COLUMN]  # the last cell's padding keeps them apart
    assert not overlapping, f"status words past the last column's edge ({LAST_COLUMN:.0f} pt): {overlapping}"


def test_an_italian_team_pack_has_a_one_page_summary(client, retail_kpis, tmp_path):
    login(client, "manager@retail.example.com")
    people = len(set(re.findall(r'href="/scorecards/(\d+)\?period',  # the grid links each person too
                                client.get("/team/scorecards?period=2026-Q3").get_data(as_text=True))))
    response = get_file(client, "/team/scorecards.pdf?period=2026-Q3")
    assert pdf_pages(response.data, tmp_path) == people + 1
