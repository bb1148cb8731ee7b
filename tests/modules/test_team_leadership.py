"""Leaders' training reports: completion by team and job role, the filtered organisation-wide matrix, the CSV,
and the home pages' training summaries."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from cxculture.extensions import db
from cxculture.modules import reports
from cxculture.orgs.models import JobRole, Person, PersonPermission, Team

from .team_helpers import add_synthetic_module, assign, counted_queries, record_progress

DONE = datetime(2026, 2, 1, 9, 0)


def bank(demo):
    return demo["demo-bank"]


def role(organisation, key):
    return db.session.scalar(select(JobRole).where(JobRole.organisation_id == organisation.id, JobRole.key == key))


def team(organisation, name):
    return db.session.scalar(select(Team).where(Team.organisation_id == organisation.id, Team.name == name))


def people_with_role(organisation, key):
    return list(db.session.scalars(select(Person).where(Person.job_role_id == role(organisation, key).id)))


def organisation_matrix(organisation):
    return reports.progress_matrix(reports.plans_for(reports.organisation_people_query(organisation.id)), "en")


@pytest.fixture
def executives_half_done(trained):
    """Every bank executive completed "what is CX" (one of the two required executive modules here)."""
    for person in people_with_role(bank(trained), "executive"):
        record_progress(person, "what-is-cx", lessons=3, completed=DONE)
    return trained


def test_completion_by_job_role(executives_half_done):
    matrix = organisation_matrix(bank(executives_half_done))
    by_role = {c.label: c for c in reports.completion_by(matrix.rows, "job_role")}
    executive = by_role["Executive"]
    assert (executive.people, executive.required_done, executive.required_total) == (4, 4, 8)
    assert executive.percent == 50 and executive.path_completed == 0
    frontline = by_role["Front line"]
    assert frontline.people == 14 and frontline.required_done == 0 and frontline.required_total == 42
    assert sum(c.people for c in by_role.values()) == len(matrix.rows)


def test_completion_by_team_counts_path_completion_and_overdue(executives_half_done, make_person):
    organisation = bank(executives_half_done)
    leader = db.session.scalar(select(Person).where(Person.email == "leader@bank.example.com"))
    record_progress(leader, "leading-a-customer-centric-culture", lessons=3, completed=DONE)
    late = db.session.scalar(select(Person).where(Person.email == "employee@bank.example.com"))
    assign(late, "customer-journey", due=date.today() - timedelta(days=1))
    matrix = organisation_matrix(organisation)
    by_team = {c.label: c for c in reports.completion_by(matrix.rows, "team")}
    office = by_team["Executive Office"]
    assert office.people == 4 and office.path_completed == 1 and office.required_done == 5
    assert by_team["Branches/London Bridge"].overdue_people == 1
    assert by_team["Branches/Manchester"].overdue_people == 0
    assert list(by_team)[-1] != None  # noqa: E711 - every demo person has a team; a None group would come last


def test_leadership_is_executives_and_leader_permission(trained, make_person):
    organisation = bank(trained)
    make_person(organisation, "coo@bank.example.com", name="Chief Operations", permissions=("leader",),
                job_role=role(organisation, "back_office"), password=None)
    rows = reports.leadership_matrix(organisation.id, "en").rows
    emails = {r.email for r in rows}
    assert "coo@bank.example.com" in emails and "leader@bank.example.com" in emails
    assert len(rows) == 5 and all(r.leadership for r in rows)


def test_overview_page_shows_leadership_first_then_teams_and_roles(client, executives_half_done, login_as):
    login_as("leader", org="bank")
    page = client.get("/leadership/training").get_data(as_text=True)
    assert "Leadership&#39;s training" in page or "Leadership's training" in page
    assert "CX training starts with the executive team" in page
    assert page.index("training") < page.index("By team") < page.index("By job role")
    assert "Branches/London Bridge" in page and "Front line" in page
    assert "@retail.example.com" not in page and "Demo Retail" not in page


def test_matrix_filters_by_team_with_sub_teams_and_by_job_role(client, trained, login_as):
    organisation = bank(trained)
    login_as("leader", org="bank")
    branches = team(organisation, "Branches")
    page = client.get(f"/leadership/training/matrix?team={branches.id}&per_page=all").get_data(as_text=True)
    assert "16 people match." in page  # London Bridge (9) and Manchester (7)
    frontline = role(organisation, "frontline")
    page = client.get(f"/leadership/training/matrix?team={branches.id}&job_role={frontline.id}&per_page=all")
    assert "14 people match." in page.get_data(as_text=True)  # without the two branch leads
    contact = team(organisation, "Contact Centre")
    page = client.get(f"/leadership/training/matrix?team={contact.id}").get_data(as_text=True)
    assert "Branches/London Bridge" not in page.split("<tbody>")[1]


@pytest.mark.parametrize("argument", ["team", "job_role"])
def test_another_organisations_filter_ids_are_not_found(client, trained, login_as, argument):
    login_as("leader", org="bank")
    retail = trained["demo-retail"]
    other = team(retail, "Direzione").id if argument == "team" else role(retail, "frontline").id
    assert client.get(f"/leadership/training/matrix?{argument}={other}").status_code == 404
    assert client.get(f"/leadership/training/matrix.csv?{argument}={other}").status_code == 404


def test_matrix_is_paginated_by_people(client, trained, login_as):
    login_as("leader", org="bank")
    total = len(organisation_matrix(bank(trained)).rows)
    pages = -(-total // 10)
    first = client.get("/leadership/training/matrix?per_page=10").get_data(as_text=True)
    assert first.count('<th scope="row" class="tt-person">') == 10
    assert f"Page 1 of {pages}" in first and "per_page=10" in first
    last = client.get(f"/leadership/training/matrix?per_page=10&page={pages}").get_data(as_text=True)
    assert last.count('<th scope="row" class="tt-person">') == total - 10 * (pages - 1)
    everyone = client.get("/leadership/training/matrix?per_page=all").get_data(as_text=True)
    assert everyone.count('<th scope="row" class="tt-person">') == total
    default = client.get("/leadership/training/matrix?per_page=nonsense").get_data(as_text=True)
    assert default.count('<th scope="row" class="tt-person">') == min(total, 25)


def test_matrix_csv_follows_the_filters_without_pagination(client, executives_half_done, login_as):
    organisation = bank(executives_half_done)
    login_as("leader", org="bank")
    executive = role(organisation, "executive")
    response = client.get(f"/leadership/training/matrix.csv?job_role={executive.id}&per_page=1")
    assert response.status_code == 200 and response.get_data().startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(rows) == 5 and all(r[3] == "Executive" for r in rows[1:])
    assert all(r[4] == "completed 2026-02-01" for r in rows[1:])


def test_matrix_page_query_count_does_not_grow_with_people_or_modules(client, trained, login_as):
    organisation = bank(trained)
    login_as("leader", org="bank")

    def count():
        db.session.expire_all()
        with counted_queries() as statements:
            assert client.get("/leadership/training/matrix?per_page=all").status_code == 200
        with counted_queries() as overview:
            assert client.get("/leadership/training").status_code == 200
        return statements(), overview()

    before = count()
    # 600 more people (more than SQLAlchemy's selectin batch of 500), with progress and new modules assigned.
    frontline, manchester = role(organisation, "frontline"), team(organisation, "Manchester")
    db.session.execute(insert(Person), [
        {"organisation_id": organisation.id, "email": f"extra{n}@bank.example.com", "name": f"Extra {n:03d}",
         "job_role_id": frontline.id, "team_id": manchester.id, "active": True}
        for n in range(600)])
    extra_ids = db.session.scalars(select(Person.id).where(Person.email.like("extra%"))).all()
    db.session.execute(insert(PersonPermission), [{"person_id": i, "name": "employee"} for i in extra_ids])
    db.session.commit()
    for person_id in extra_ids[:40]:
        record_progress(db.session.get(Person, person_id), "what-is-cx", lessons=person_id % 4,
                        completed=DONE if person_id % 4 == 3 else None)
    for n in range(4):
        assign(db.session.get(Person, extra_ids[n]), add_synthetic_module(f"extra-{n}").slug)
    assert count() == before


@pytest.mark.parametrize("url", ["/leadership/training", "/leadership/training/matrix",
                                 "/leadership/training/matrix.csv"])
@pytest.mark.parametrize("account", ["employee", "manager", "hr", "admin"])
def test_only_leaders_see_the_organisation(client, trained, login_as, url, account):
    login_as(account, org="bank")
    assert client.get(url).status_code == 403


# Home pages ----------------------------------------------------------------------------------------------------

def test_leader_home_shows_leadership_training_prominently(client, executives_half_done, login_as):
    login_as("leader", org="bank")
    page = client.get("/home/leader").get_data(as_text=True)
    card = page.split('id="lead-training-title"')[1].split("</section>")[0]
    assert "CX training starts with the executive team" in card
    assert "50%" in card and "0 of 4 leaders have completed their path." in card
    assert "Leader Demo Bank" in card and "1/2 required" in card
    assert "/leadership/training" in card


def test_leader_home_counts_a_completed_leader(client, executives_half_done, login_as):
    leader = login_as("leader", org="bank")
    record_progress(leader, "leading-a-customer-centric-culture", lessons=3, completed=DONE)
    card = client.get("/home/leader").get_data(as_text=True).split('id="lead-training-title"')[1]
    assert "1 of 4 leaders have completed their path." in card and "path completed" in card


def test_manager_home_summarises_the_team(client, trained, login_as):
    manager = login_as("manager", org="bank")
    employee = db.session.scalar(select(Person).where(Person.email == "employee@bank.example.com"))
    for slug in ("what-is-cx", "customer-journey", "listening-to-customers"):
        record_progress(employee, slug, lessons=3, completed=DONE)
    assign(db.session.scalar(select(Person).where(Person.email == "harry.wilson@bank.example.com")),
           "customer-journey", due=date.today() - timedelta(days=1), by=manager)
    page = " ".join(client.get("/home/manager").get_data(as_text=True).split())
    assert "0 of 8 people have completed their path" not in page
    assert "1 of 8 people have completed their path" in page
    assert '<div class="stat">1</div> <div class="stat-label">person with overdue modules' in page
    assert 'href="/team/training"' in page
