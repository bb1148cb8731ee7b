"""An administrator imports a roster through the pages, and a new person accepts their invitation."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

GOOD_ROSTER = (
    "email,name,team,job_role,permissions,manager_email,language\n"
    "e2e.lead@bank.example.com,Erin Lead,Branches/Leeds,team_lead,manager employee,leader@bank.example.com,\n"
    "e2e.agent@bank.example.com,Evan Agent,Branches/Leeds,frontline,employee,e2e.lead@bank.example.com,it\n"
)
BAD_ROSTER = (
    "email,name,team,job_role\n"
    "not-an-address,Nobody,Branches/Leeds,frontline\n"
    "e2e.other@bank.example.com,Other,Branches/Leeds,astronaut\n"
)


def upload(page: Page, content: str, filename: str) -> None:
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Import a roster (CSV)").click()
    page.get_by_label("Roster file (CSV)").set_input_files(
        files=[{"name": filename, "mimeType": "text/csv", "buffer": content.encode()}]
    )
    page.get_by_role("button", name="Upload and preview").click()


def test_bad_roster_shows_each_error_by_row_and_column_and_cannot_be_confirmed(page: Page, log_in):
    log_in("admin@bank.example.com")
    upload(page, BAD_ROSTER, "bad.csv")
    expect(page.get_by_role("heading", name="Preview of bad.csv")).to_be_visible()
    main = page.locator("main")
    expect(main).to_contain_text("not-an-address is not a valid e-mail address.")
    expect(main).to_contain_text("Unknown job role astronaut")
    expect(page.get_by_role("button", name="Confirm import")).to_have_count(0)


def test_good_roster_is_previewed_confirmed_once_and_the_invitation_works(page: Page, log_in, log_out, new_context):
    log_in("admin@bank.example.com")
    upload(page, GOOD_ROSTER, "leeds.csv")
    expect(page.get_by_role("heading", name="Preview of leeds.csv")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Branches/Leeds")  # a new team
    expect(page.locator("main")).to_contain_text("e2e.agent@bank.example.com")

    page.get_by_role("button", name="Confirm import").click()
    expect(page.get_by_role("heading", name="leeds.csv is imported")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Evan Agent")
    links = page.locator("main code.roster-link").all_inner_texts()
    assert len(links) == 2 and all("/invitation/" in url for url in links), links

    # Going back and confirming again writes nothing twice.
    page.go_back()
    if page.get_by_role("button", name="Confirm import").count():
        page.get_by_role("button", name="Confirm import").click()
    expect(page.locator("main")).to_contain_text("leeds.csv is imported")

    # The new person opens their link in their own browser and sets a password.
    agent_link = links[0]
    newcomer = new_context().new_page()
    newcomer.goto(agent_link)
    heading = newcomer.get_by_role("heading", level=1)
    expect(heading).to_contain_text(re.compile(r"Erin Lead|Evan Agent"))
    newcomer.get_by_label("New password", exact=True).fill("a brand new passphrase")
    newcomer.get_by_label("Repeat the new password").fill("a brand new passphrase")
    newcomer.get_by_role("button", name=re.compile("Set password|Imposta")).click()
    expect(newcomer.locator("main")).to_contain_text("Demo Bank")
    newcomer.goto(agent_link)
    expect(newcomer.locator("main")).to_contain_text(re.compile("already been used|già stato usato|già utilizzato"))
