"""Voice of the customer in a real browser, on a phone: an employee logs what a customer told them, the manager of
the team that owns the touchpoint closes it with what was done, and the employee reads the outcome."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cxculture.extensions import db
from cxculture.listening.journey import ensure_journey
from cxculture.listening.models import Remark, Touchpoint
from cxculture.orgs.service import organisation_by_slug
from cxculture.orgs.teams import teams_by_path

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

PHONE = {"width": 390, "height": 800}
WIDER_THAN_THE_SCREEN = "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"


def wider_than_the_screen(page: Page) -> bool:
    """Whether the page scrolls sideways, measured once it has loaded: a layout forced before the stylesheet arrives
    sees the tables without their scrolling boxes."""
    page.wait_for_load_state("load")
    return page.evaluate(WIDER_THAN_THE_SCREEN)


@pytest.fixture
def bank_store(live_server):
    """Demo Bank's journey, its store touchpoint owned by the demo manager's team; the remarks logged are removed
    afterwards."""
    with live_server.app.app_context():
        bank = organisation_by_slug("demo-bank")
        ensure_journey(bank.id)
        store = db.session.scalar(db.select(Touchpoint).where(Touchpoint.organisation_id == bank.id,
                                                              Touchpoint.key == "store"))
        store.owner_team_id = teams_by_path(bank.id)["Branches/London Bridge"].id
        before = set(db.session.scalars(db.select(Remark.id)))
        db.session.commit()
    yield
    with live_server.app.app_context():
        db.session.execute(db.delete(Remark).where(Remark.id.not_in(before)))
        db.session.commit()


def test_a_remark_goes_from_the_employee_to_the_owner_team_and_back(page: Page, log_in, log_out, bank_store):
    page.set_viewport_size(PHONE)
    log_in("employee@bank.example.com")
    page.get_by_role("link", name="Log what a customer told you").first.click()
    expect(page.locator("main")).to_contain_text("are masked before anything is stored")
    assert not wider_than_the_screen(page)
    page.get_by_label("Where did it happen?").select_option(label="Store or branch")
    page.get_by_text("In person", exact=True).click()
    page.get_by_label("What did the customer tell you").fill(
        "Waited 30 minutes to pay in a cheque; write to me at jo.bloggs@example.com")
    page.get_by_text("Unhappy", exact=True).click()
    page.get_by_label("Your idea to fix it").fill("A quick-deposit box at the entrance")
    page.get_by_role("button", name="Send to the team that owns it").click()
    expect(page.locator(".flash-success")).to_contain_text("London Bridge will follow it up")
    item = page.locator(".vc-item", has_text="Waited 30 minutes")
    expect(item).to_contain_text("write to me at [e-mail]")
    expect(item).to_contain_text("New")
    assert not wider_than_the_screen(page)
    log_out("Employee Demo Bank")

    log_in("manager@bank.example.com")
    page.get_by_role("link", name=re.compile(r"customer remarks? to follow up")).click()
    page.locator(".vc-item", has_text="Waited 30 minutes").get_by_role("link", name=re.compile("^Follow up")).click()
    assert not wider_than_the_screen(page)
    page.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("main")).to_contain_text("Acknowledged on")
    page.get_by_role("textbox", name="What was done").fill(
        "A deposit box by the door from Monday; tellers told to offer it.")
    page.get_by_role("button", name="Close the remark").click()
    expect(page.locator(".flash-success")).to_contain_text("Closed")
    log_out("Manager Demo Bank")

    log_in("employee@bank.example.com")
    page.goto("/listening/remarks/mine")
    item = page.locator(".vc-item", has_text="Waited 30 minutes")
    expect(item).to_contain_text("A deposit box by the door from Monday")
    expect(item).to_contain_text("Closed")
    assert not wider_than_the_screen(page)
