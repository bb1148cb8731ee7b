"""Each permission's home page and the navigation."""
import pytest


@pytest.mark.parametrize(
    "account, landing",
    [("employee", "/home/employee"), ("manager", "/home/employee"), ("leader", "/home/employee"),
     ("hr", "/home/employee"), ("admin", "/home/admin")],
)
def test_login_lands_on_the_first_home(client, login_as, account, landing):
    login_as(account, org="bank")
    assert client.get("/").headers["Location"] == landing


@pytest.mark.parametrize("account", ["employee", "manager", "leader", "hr", "admin"])
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
def test_navigation_and_access_follow_permissions(client, login_as, account, allowed):
    login_as(account, org="bank")
    page = client.get("/").headers["Location"]
    nav = client.get(page).get_data(as_text=True)
    for home in ("employee", "manager", "leader", "hr", "admin"):
        status = client.get(f"/home/{home}").status_code
        assert status == (200 if home in allowed else 403), home
        assert (f'href="/home/{home}"' in nav) == (home in allowed), home


def test_manager_sees_direct_reports(client, login_as):
    login_as("manager", org="bank")
    page = client.get("/home/manager").get_data(as_text=True)
    assert "employee@bank.example.com" in page


def test_leader_sees_people_by_job_role(client, login_as):
    login_as("leader", org="bank")
    page = client.get("/home/leader").get_data(as_text=True)
    assert "Contact centre" in page and "Front line" in page
