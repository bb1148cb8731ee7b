"""A person downloads their data from the account page; an administrator erases someone and the pages that
showed them no longer do."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import download

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]


def test_a_person_downloads_their_own_data(page: Page, log_in):
    log_in("hr@bank.example.com")
    page.goto("/account")
    response = download(page, page.get_by_role("button", name="Download your data"), 60_000)
    archive = zipfile.ZipFile(io.BytesIO(response.body()))
    assert "summary.html" in archive.namelist() and "profile.json" in archive.namelist()
    assert "HR Demo Bank" in archive.read("summary.html").decode()


def test_an_administrator_erases_a_person_and_their_name_leaves_the_pages(page: Page, log_in):
    log_in("admin@bank.example.com")
    page.goto("/admin/people?page=2")
    page.locator("table.people-table tbody tr td a").last.click()
    name = page.get_by_role("heading", level=1).inner_text()
    page.get_by_role("link", name="Erase…").click()
    expect(page.get_by_role("heading", name="What will go")).to_be_visible()
    successor = page.get_by_label("Who takes over")
    if successor.count():
        successor.select_option(index=1)
    page.get_by_label("I understand that this cannot be undone.").check()
    page.get_by_role("button", name="Erase this person").click()
    expect(page.locator(".flash")).to_have_text("The person is erased: their data is gone for good.")
    page.goto("/admin/people?q=" + name.split()[0])
    expect(page.locator("main")).not_to_contain_text(name)
    page.goto("/admin/people?q=Erased")
    expect(page.locator("main")).to_contain_text(re.compile(r"Erased person #\d+"))
    expect(page.locator("main")).not_to_contain_text(name)
