"""Each permission's home page, the navigation, where a person lands and the tab list between dashboards."""
import re

import pytest

from cxculture.home.navigation import landing_for
from tests.conftest import login

HOMES = ("employee", "manager", "leader", "hr", "admin")


class _Holder:
    """Someone holding `permissions` (what landing_for reads of a person)."""

    def __init__(self, permissions):
        self.permissions = set(permissions)

    def can(self, permission: str) -> bool:
        return permission in self.permissions


@pytest.mark.parametrize(
    "permissions, landing",
    [(("employee",), "home.employee"),
     (("employee", "admin"), "home.admin"),
     (("admin",), "home.admin"),
     (("employee", "manager", "admin"), "home.manager"),
     (("employee", "hr", "manager"), "home.hr"),
     (("employee", "hr", "leader"), "home.leader"),
     (("admin", "hr"), "home.hr"),
     (HOMES, "home.leader")],
)
def test_a_person_with_several_permissions_lands_on_the_most_senior(permissions, landing):
    assert landing_for(_Holder(permissions)).endpoint == landing


def test_landing_goes_through_the_front_door(client, demo, make_person):
    person = make_person(demo["demo-bank"], "several@bank.example.com", permissions=("employee", "manager", "admin"))
    login(client, person.email)
    assert client.get("/").headers["Location"] == "/home/manager"


def test_a_person_without_permissions_is_told_so(client, demo, make_person):
    person = make_person(demo["demo-bank"], "nobody@bank.example.com", permissions=())
    login(client, person.email)
    page = client.get("/")
    assert page.status_code == 200 and "Your account has no permissions yet" in page.get_data(as_text=True)


def _tabs(page: str) -> list[tuple[str, bool]]:
    """The dashboards' tab list: (address, is the current one) per tab; [] when there is none."""
    found = re.search(r'<nav class="tabs" aria-label="Your dashboards">(.*?)</nav>', page, re.S)
    if not found:
        return []
    return [(href, bool(current)) for href, current in
            re.findall(r'<a href="([^"]+)"( aria-current="page")?>', found.group(1))]


def test_every_dashboard_has_a_tab_list_to_switch_to_the_others(client, demo, make_person):
    person = make_person(demo["demo-bank"], "several@bank.example.com", permissions=HOMES)
    login(client, person.email)
    for home in HOMES:
        tabs = _tabs(client.get(f"/home/{home}").get_data(as_text=True))
        assert tabs == [(f"/home/{other}", other == home) for other in HOMES], home


def test_only_the_dashboards_a_person_holds_are_tabs(client, login_as):
    login_as("manager", org="bank")
    assert _tabs(client.get("/home/manager").get_data(as_text=True)) == [
        ("/home/employee", False), ("/home/manager", True)]
    assert _tabs(client.get("/home/employee").get_data(as_text=True)) == [
        ("/home/employee", True), ("/home/manager", False)]


@pytest.mark.parametrize("account", ["employee", "admin"])
def test_one_dashboard_means_no_tab_list(client, login_as, account):
    login_as(account, org="bank")
    assert _tabs(client.get(f"/home/{account}").get_data(as_text=True)) == []


@pytest.mark.parametrize("account", HOMES)
def test_home_shows_organisation_team_and_role(client, login_as, account):
    person = login_as(account, org="bank")
    page = client.get(f"/home/{account}").get_data(as_text=True)
    assert "Demo Bank" in page
    assert person.team.path in page
    assert person.job_role.name_en in page


@pytest.mark.parametrize(
    "account, allowed",
    [("employee", {"employee"}), ("manager", {"employee", "manager"}), ("leader", {"employee", "leader"}),
     ("hr", {"employee", "hr"}), ("admin", {"admin"})],
)
def test_each_demo_account_lands_on_its_dashboard_and_reaches_only_its_own(client, login_as, account, allowed):
    login_as(account, org="bank")
    page = client.get("/").headers["Location"]
    assert page == f"/home/{account}"
    nav = client.get(page).get_data(as_text=True)
    for home in HOMES:
        status = client.get(f"/home/{home}").status_code
        assert status == (200 if home in allowed else 403), home
        assert (f'href="/home/{home}"' in nav) == (home in allowed), home


def test_manager_sees_direct_reports(client, login_as):
    login_as("manager", org="bank")
    page = client.get("/home/manager").get_data(as_text=True)
    assert "Employee Demo Bank" in page
