"""Who sees what: leaders run cafés, invited guests see the agenda and their own benchmark only, employees see
published decisions, everybody else gets 404 or 403. Guests are invited by address: see test_guests.py."""
from __future__ import annotations

from cxculture.cafes.models import Cafe
from cxculture.extensions import db
from cxculture.orgs.service import person_by_email
from tests.cafes.conftest import HOST_SECRETS
from tests.cafes.helpers import organisation_with_scores


def test_a_leader_sees_figures_notes_decisions_and_actions(client, login_as, cafe):
    login_as("leader")
    page = client.get(f"/leadership/cafes/{cafe.id}").get_data(as_text=True)
    for text in ("Spring café", "Secret note about the contact centre", "Secret decision on budgets",
                 "Secret action on hiring", "Olivia Guest"):
        assert text in page
    assert "Demo Bank" not in page and "@bank.example.com" not in page


def test_a_guest_sees_agenda_and_own_benchmark_never_host_figures(client, login_as, cafe):
    login_as("leader", org="bank")
    page = client.get(f"/leadership/cafes/{cafe.id}").get_data(as_text=True)
    assert "Spring café" in page and "Weakest pillar: Listening" in page
    assert "Your organisation in the benchmark network" in page
    for secret in HOST_SECRETS:
        assert secret not in page, secret
    assert "3.6" not in page and "Leadership" not in page.split("<main", 1)[1].split("Agenda", 1)[0]


def test_a_guest_cannot_open_the_hosts_pages_nor_change_anything(client, login_as, cafe):
    login_as("leader", org="bank")
    for path in ("/edit", "/guests", "/attendance", "/summary.pdf", "/agenda/new", f"/agenda/{cafe.agenda[0].id}"):
        assert client.get(f"/leadership/cafes/{cafe.id}{path}").status_code == 404, path
    before = len(cafe.decisions), len(cafe.agenda)
    for path in ("/redraft", "/decisions", "/actions", f"/agenda/{cafe.agenda[0].id}/remove"):
        assert client.post(f"/leadership/cafes/{cafe.id}{path}", data={"decision-text": "x"}).status_code == 404, path
    db.session.refresh(cafe)
    assert (len(cafe.decisions), len(cafe.agenda)) == before


def test_a_guest_whose_organisation_left_the_network_loses_access(client, login_as, cafe, demo):
    demo["demo-bank"].benchmark_opt_in = False
    db.session.commit()
    login_as("leader", org="bank")
    assert client.get(f"/leadership/cafes/{cafe.id}").status_code == 404


def test_other_accounts_get_404_or_403_and_the_hosts_non_leaders_403(client, login_as, cafe):
    for account in ("hr", "manager", "admin", "employee"):
        client.post("/logout")
        login_as(account, org="bank")
        assert client.get(f"/leadership/cafes/{cafe.id}").status_code in (403, 404), account
        assert client.get(f"/leadership/cafes/{cafe.id}/brief.pdf").status_code in (403, 404), account
    for account in ("employee", "manager", "hr"):
        client.post("/logout")
        login_as(account)
        assert client.get(f"/leadership/cafes/{cafe.id}").status_code == 403, account
        assert client.get("/leadership/cafes/").status_code == 403, account


def test_employees_see_only_published_decisions(client, login_as, cafe):
    login_as("employee")
    page = client.get("/home/employee").get_data(as_text=True)
    assert "Every leader serves customers one day a quarter" in page
    assert "Secret decision on budgets" not in page


def test_employees_of_another_organisation_see_none(client, login_as, cafe):
    login_as("employee", org="bank")
    assert "Every leader serves customers" not in client.get("/home/employee").get_data(as_text=True)


def test_leader_home_links_cafes_and_invitations(client, login_as, cafe):
    login_as("leader", org="bank")
    page = client.get("/home/leader").get_data(as_text=True)
    assert "Cafés you are invited to" in page and "Spring café" in page and "Demo Retail" not in page
    login_as("leader")
    assert "Spring café" in client.get("/home/leader").get_data(as_text=True)


def test_a_guest_sees_their_own_benchmark_against_the_network(client, login_as, cafe, make_organisation):
    for name, score in (("Third Co", 3), ("Fourth Co", 4), ("Fifth Co", 4)):
        organisation_with_scores(make_organisation, name, score)
    bank = person_by_email("leader@bank.example.com").organisation
    from tests.assessments.results_factories import make_campaign, respond_many

    respond_many(make_campaign(bank, title="Bank check"), 6, default=2)
    login_as("leader", org="bank")
    page = client.get(f"/leadership/cafes/{cafe.id}").get_data(as_text=True)
    assert "Network median" in page and "behind most of the network" in page
    assert "Third Co" not in page


def test_unknown_cafe_is_404(client, login_as, demo):
    login_as("leader")
    assert client.get("/leadership/cafes/999").status_code == 404
    assert db.session.get(Cafe, 999) is None
