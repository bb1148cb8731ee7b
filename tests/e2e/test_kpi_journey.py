"""HR imports a quarter's KPI values, reviews how the reward plans align, and downloads a team's scorecards."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import download

#: The app's own limit on a PDF render is 60 s; the browser's default request timeout (10 s) is not a test.
PDF_TIMEOUT_MS = 60_000

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

PERIOD = "2026-Q3"  # the demo's reward plans and values are for 2026-Q2 and 2026-Q3
VALUES = (
    "period,kpi,email,team,value\n"
    f"{PERIOD},journey_fixes,manager@bank.example.com,,5\n"
    f"{PERIOD},fcr,,Customer Care/Contact Centre,74.5\n"
)
ANSWERS = (
    "period,kpi,email,team,score,count\n"
    f"{PERIOD},csat,,Branches/Manchester,5,9\n"
    f"{PERIOD},csat,,Branches/Manchester,4,6\n"
    f"{PERIOD},csat,,Branches/Manchester,2,5\n"
)


def upload(page: Page, content: str, kind: str, filename: str) -> None:
    page.goto("/home/hr")
    page.get_by_role("link", name="KPI values").first.click()
    page.get_by_role("link", name="Import a CSV file").click()
    page.get_by_label(kind).check()
    page.get_by_label("File (CSV)").set_input_files(
        files=[{"name": filename, "mimeType": "text/csv", "buffer": content.encode()}])
    page.get_by_role("button", name="Upload and preview").click()


def test_hr_imports_values_reviews_alignment_and_downloads_a_team_pack(page: Page, log_in):
    log_in("hr@bank.example.com")

    upload(page, VALUES, "KPI values, one per row", "q3-values.csv")
    expect(page.get_by_role("heading", name="Preview of q3-values.csv")).to_be_visible()
    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator(".flash-success")).to_contain_text("The values are imported: 2 written.")

    upload(page, ANSWERS, "Survey answers per score, for NPS, CSAT and CES", "q3-csat.csv")
    main = page.locator("main")
    expect(main).to_contain_text("fewer than 30 answers")  # 20 answers: imported with a warning
    expect(main).to_contain_text("75")  # CSAT: 15 of 20 answers are 4 or 5
    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator(".flash-success")).to_contain_text("1 written")

    page.get_by_role("link", name="Alignment review").click()
    expect(page.get_by_role("heading", name=f"Reward alignment review · {PERIOD}")).to_be_visible()
    front_line = page.locator("section.kp-plan", has=page.get_by_role("heading", name="Front line"))
    expect(front_line).to_contain_text("pulls away from customers")
    expect(front_line).to_contain_text("Sales per hour")
    # PDFs take seconds to render on a busy machine: this journey is about what they hold, not how fast.
    pdf = download(page, page.get_by_role("link", name="Download PDF"), PDF_TIMEOUT_MS)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    page.go_back()  # from the file's page to the review
    expect(page.get_by_role("heading", name=f"Reward alignment review · {PERIOD}")).to_be_visible()

    page.get_by_role("link", name="Scorecards", exact=True).click()
    page.get_by_label("Team").select_option(label="Customer Care/Contact Centre")
    page.get_by_label("Quarter").select_option(PERIOD)
    page.get_by_role("button", name="Show").click()
    expect(page.locator("main")).to_contain_text("Customer Care/Contact Centre")
    pack = download(page, page.get_by_role("link", name="Download the team pack (PDF)"), PDF_TIMEOUT_MS)
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Team scorecards {PERIOD}")
    assert pack.headers["content-type"] == "application/pdf" and pack.body().startswith(b"%PDF")
    assert len(pack.body()) > 20_000  # a summary page and a page per person
