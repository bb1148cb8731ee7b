"""The header language switch, the language kept on the person, and each organisation's default."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from cxculture.extensions import db
from cxculture.orgs.models import Person

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

EMPLOYEE = "employee@bank.example.com"
NAME = "Employee Demo Bank"


@pytest.fixture
def language_restored(live_server):
    """Puts the employee's language back to the organisation default after the test."""
    yield
    with live_server.app.app_context():
        db.session.execute(update(Person).where(Person.email == EMPLOYEE).values(language=None))
        db.session.commit()
        db.session.remove()


def expect_language(page: Page, language: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", language)
    switch = page.locator("form.lang-switch")
    expect(switch.get_by_role("button", name=language.upper(), exact=True)).to_have_attribute("aria-pressed", "true")
    other = "it" if language == "en" else "en"
    expect(switch.get_by_role("button", name=other.upper(), exact=True)).to_have_attribute("aria-pressed", "false")


def test_switch_to_italian_and_back_is_kept_on_the_person(page: Page, log_in, log_out, language_restored):
    log_in(EMPLOYEE)
    expect_language(page, "en")
    landing = page.url

    page.get_by_role("button", name="IT", exact=True).click()
    expect_language(page, "it")
    assert page.url == landing, "the switch brings the person back to the page they were on"
    page.locator("summary", has_text=NAME).click()
    expect(page.get_by_role("button", name="Esci", exact=True)).to_be_visible()

    log_out(NAME)
    expect_language(page, "en")  # the login page follows the browser again, the person is gone
    log_in(EMPLOYEE)
    expect_language(page, "it")

    page.get_by_role("button", name="EN", exact=True).click()
    expect_language(page, "en")
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("My learning")

    log_out(NAME)
    log_in(EMPLOYEE)
    expect_language(page, "en")


def test_demo_retail_lands_in_italian(page: Page, log_in):
    log_in("employee@retail.example.com")
    expect_language(page, "it")


def test_login_page_follows_the_browser_language(new_context):
    page = new_context(locale="it-IT").new_page()
    page.goto("/login")
    expect_language(page, "it")
