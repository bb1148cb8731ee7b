"""Logging in and out in a real browser, through the real forms and CSRF tokens."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

ORGANISATIONS = {"retail": ("Demo Retail", "it"), "bank": ("Demo Bank", "en")}
#: Where each demo account lands: the most senior dashboard its permissions open.
LANDING = {"admin": "/home/admin", "leader": "/home/leader", "hr": "/home/hr",
           "manager": "/home/manager", "employee": "/home/employee"}
LABELS = {"admin": "Admin", "leader": "Leader", "hr": "HR", "manager": "Manager", "employee": "Employee"}


@pytest.mark.parametrize("org", ORGANISATIONS)
@pytest.mark.parametrize("account", LANDING)
def test_demo_account_logs_in_and_out(page: Page, log_in, log_out, account, org):
    organisation, language = ORGANISATIONS[org]
    name = f"{LABELS[account]} {organisation}"

    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    log_in(f"{account}@{org}.example.com")

    expect(page).to_have_url(re.compile(re.escape(LANDING[account]) + "$"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(page.locator("summary", has_text=name)).to_be_visible()
    expect(page.locator("main")).to_contain_text(organisation)

    log_out(name)
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    expect(page.locator(".flash")).to_have_text("You are logged out.")
    expect(page.locator("summary")).to_have_count(0)


def test_wrong_password_is_refused_on_the_login_page(page: Page, log_in):
    page.goto("/login")
    log_in("employee@bank.example.com", "not-the-password", expect_success=False)

    expect(page.get_by_role("alert")).to_have_text("Wrong e-mail or password.")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_label("E-mail")).to_have_value("employee@bank.example.com")
    expect(page.get_by_label("Password", exact=True)).to_have_value("")
    expect(page.locator("summary")).to_have_count(0)


def test_page_needing_login_comes_back_after_login(page: Page, log_in):
    # /home/employee is not where the manager lands by default, so arriving there proves `next` was followed.
    page.goto("/home/employee")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fhome%2Femployee$"))
    expect(page.locator(".flash")).to_have_text("Please log in to see this page.")

    log_in("manager@bank.example.com")
    expect(page).to_have_url(re.compile(r"/home/employee$"))
    expect(page.get_by_role("heading", name="Hello, Manager Demo Bank", exact=True)).to_be_visible()


def test_user_menu_works_on_a_phone_sized_screen(page: Page, log_in, log_out):
    page.set_viewport_size({"width": 390, "height": 800})
    log_in("employee@bank.example.com")
    # The name is hidden to the eye on a small screen, but it still names the menu for a screen reader.
    expect(page.locator("summary")).to_have_accessible_name("Employee Demo Bank")
    log_out("Employee Demo Bank")  # the panel opens on screen, so Log out can be pressed
