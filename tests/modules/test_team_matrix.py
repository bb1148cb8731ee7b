"""Managers' team training matrix: who is in it, each cell's status, overdue modules, CSV, and its query count."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.modules import reports
from cxculture.modules.models import PathItem, TrainingPath
from cxculture.orgs.models import JobRole, Person, Team
from cxculture.orgs.service import person_by_email

from .team_helpers import add_synthetic_module, assign, counted_queries, module, record_progress

MANAGER = "manager@bank.example.com"


def row_of(matrix, email):
    return next(r for r in matrix.rows if r.email == email)


def cell(matrix, email, slug):
    index = [c.slug for c in matrix.columns].index(slug)
    return row_of(matrix, email).cells[index]


def test_matrix_lists_the_team_with_path_modules_in_order(trained):
    manager = person_by_email(MANAGER)
    matrix = reports.team_matrix(manager, "en")
    assert [c.slug for c in matrix.columns] == ["what-is-cx", "customer-journey", "listening-to-customers"]
    assert len(matrix.rows) == 8  # the London Bridge branch: the demo employee and seven colleagues
    assert MANAGER not in {r.email for r in matrix.rows}
    assert all(r.team == "Branches/London Bridge" and r.job_role == "Front line" for r in matrix.rows)
    assert all((r.required_done, r.required_total) == (0, 3) for r in matrix.rows)


def test_team_is_direct_reports_plus_own_team_not_sub_teams_nor_deactivated(trained, make_person):
    manager = person_by_email(MANAGER)
    organisation = manager.organisation
    elsewhere = db.session.scalar(select(Team).where(Team.name == "Manchester"))
    sub_team = Team(organisation=organisation, parent=manager.team, name="Weekend desk")
    db.session.add(sub_team)
    db.session.commit()
    make_person(organisation, "reports-from-afar@bank.example.com", team=elsewhere, manager=manager, password=None)
    make_person(organisation, "sub-team@bank.example.com", team=sub_team, password=None)
    make_person(organisation, "gone@bank.example.com", team=manager.team, active=False, password=None)
    emails = {r.email for r in reports.team_matrix(manager, "en").rows}
    assert "reports-from-afar@bank.example.com" in emails
    assert "sub-team@bank.example.com" not in emails
    assert "gone@bank.example.com" not in emails
    assert not any(e.endswith("@retail.example.com") for e in emails)


def test_cells_show_completed_in_progress_not_started_and_not_on_plan(trained):
    manager = person_by_email(MANAGER)
    employee = person_by_email("employee@bank.example.com")
    record_progress(employee, "what-is-cx", lessons=3, completed=datetime(2026, 1, 15, 10, 30))
    record_progress(employee, "customer-journey", lessons=2)
    assign(employee, "leading-a-customer-centric-culture", by=manager)

    matrix = reports.team_matrix(manager, "en")
    done = cell(matrix, employee.email, "what-is-cx")
    assert done.status == reports.COMPLETED and done.completed_on == date(2026, 1, 15)
    going = cell(matrix, employee.email, "customer-journey")
    assert going.status == reports.IN_PROGRESS and (going.lessons_read, going.lessons_total) == (2, 3)
    assert cell(matrix, employee.email, "listening-to-customers").status == reports.NOT_STARTED
    assert cell(matrix, employee.email, "leading-a-customer-centric-culture").status == reports.NOT_STARTED
    someone_else = next(r.email for r in matrix.rows if r.email != employee.email)
    assert cell(matrix, someone_else, "leading-a-customer-centric-culture").status == reports.NOT_ON_PLAN
    row = row_of(matrix, employee.email)
    assert (row.required_done, row.required_total) == (1, 4)

    page = _team_page_as_manager(trained)
    assert "Completed on" in page and "15 Jan 26" in page
    assert "In progress:" in page and "2/3" in page
    assert "Not on plan" in page and "Not started" in page
    assert "1/4" in page


def _team_page_as_manager(trained):
    from flask import current_app

    from tests.conftest import login

    client = current_app.test_client()
    login(client, MANAGER)
    response = client.get("/team/training")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_overdue_comes_from_the_path_or_the_assignment_and_ends_when_completed(trained):
    manager = person_by_email(MANAGER)
    employee = person_by_email("employee@bank.example.com")
    frontline = db.session.scalar(select(JobRole).where(JobRole.organisation_id == manager.organisation_id,
                                                        JobRole.key == "frontline"))
    path = db.session.scalar(select(TrainingPath).where(TrainingPath.job_role_id == frontline.id))
    item = db.session.scalar(select(PathItem).where(PathItem.path_id == path.id,
                                                    PathItem.module_id == module("what-is-cx").id))
    item.due_date = date.today() - timedelta(days=3)
    db.session.commit()
    record_progress(employee, "what-is-cx", lessons=3, completed=datetime(2026, 1, 15))
    assign(employee, "leading-a-customer-centric-culture", due=date.today() - timedelta(days=1), by=manager)
    assign(person_by_email("harry.wilson@bank.example.com"), "leading-a-customer-centric-culture",
           due=date.today() + timedelta(days=10), by=manager)

    matrix = reports.team_matrix(manager, "en")
    assert not cell(matrix, employee.email, "what-is-cx").overdue  # completed, so not overdue
    assert cell(matrix, employee.email, "leading-a-customer-centric-culture").overdue
    assert row_of(matrix, employee.email).overdue == 1
    others = [r for r in matrix.rows if r.email != employee.email]
    assert all(r.overdue >= 1 for r in others)  # the path's what-is-cx is late for everyone else
    later = cell(matrix, "harry.wilson@bank.example.com", "leading-a-customer-centric-culture")
    assert later.due_date == date.today() + timedelta(days=10) and not later.overdue
    assert reports.completion(matrix.rows).overdue_people == 8

    page = _team_page_as_manager(trained)
    assert page.count("tt-overdue") >= 8 and "overdue, was due" in page


def test_csv_export_is_the_same_matrix_safe_for_spreadsheets(client, trained, login_as, make_person):
    manager = person_by_email(MANAGER)
    make_person(manager.organisation, "formula@bank.example.com", name="=HYPERLINK(\"http://x\")", team=manager.team,
                password=None)
    record_progress(person_by_email("employee@bank.example.com"), "what-is-cx", lessons=3,
                    completed=datetime(2026, 1, 15))
    login_as("manager", org="bank")
    response = client.get("/team/training.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:5] == ["Name", "E-mail", "Team", "Job role", "Title of what-is-cx"]
    assert rows[0][-3:] == ["Required modules completed", "Required modules", "Overdue modules"]
    by_email = {r[1]: r for r in rows[1:]}
    assert len(by_email) == 9
    assert by_email["formula@bank.example.com"][0] == "'=HYPERLINK(\"http://x\")"
    employee = by_email["employee@bank.example.com"]
    assert employee[4] == "completed 2026-01-15" and employee[5] == "not started" and employee[-3:] == ["1", "3", "0"]


def test_italian_csv_uses_semicolons_and_italian_words(client, trained, login_as):
    login_as("manager", org="retail")
    body = client.get("/team/training.csv").get_data().decode("utf-8-sig")
    header = body.splitlines()[0]
    assert header.startswith("Nome;") and "Titolo di what-is-cx" in header


def _grow_team(manager, numbers, make_person):
    """Front-line people in the manager's team, numbered `numbers`, with varied progress and an assignment each."""
    role = db.session.scalar(select(JobRole).where(JobRole.organisation_id == manager.organisation_id,
                                                   JobRole.key == "frontline"))
    for n in numbers:
        person = make_person(manager.organisation, f"grown{n}@bank.example.com", team=manager.team, manager=manager,
                             job_role=role, password=None)
        record_progress(person, "what-is-cx", lessons=n % 4, completed=datetime(2026, 1, 2) if n % 4 == 3 else None)
        if n % 3:
            record_progress(person, "customer-journey", lessons=1)
        assign(person, "leading-a-customer-centric-culture", due=date.today() - timedelta(days=n % 2), by=manager)


def _count(manager, client):
    """SQL statements for the matrix service and for the whole page, and the matrix's size."""
    db.session.expire_all()
    with counted_queries() as service_count:
        matrix = reports.team_matrix(manager, "en")
    with counted_queries() as page_count:
        assert client.get("/team/training").status_code == 200
    return service_count(), page_count(), len(matrix.rows), len(matrix.columns)


def test_query_count_does_not_grow_with_people(client, trained, login_as, make_person):
    manager = login_as("manager", org="bank")
    for person in db.session.scalars(select(Person).where(Person.team_id == manager.team_id, Person.id != manager.id)):
        person.team_id = person.manager_id = None  # start from an empty team
    db.session.commit()
    _grow_team(manager, range(5), make_person)
    small = _count(manager, client)
    _grow_team(manager, range(5, 50), make_person)
    large = _count(manager, client)
    assert (small[2], large[2]) == (5, 50)
    assert small[:2] == large[:2], f"queries (service, page) for 5 people {small[:2]} vs 50 people {large[:2]}"
    assert small[0] <= 12


def test_query_count_does_not_grow_with_modules(client, trained, login_as):
    manager = login_as("manager", org="bank")
    employee = person_by_email("employee@bank.example.com")
    few = _count(manager, client)
    for n in range(8):
        extra = add_synthetic_module(f"extra-{n}")
        assign(employee, extra.slug, by=manager)
        record_progress(employee, extra.slug, lessons=1)
    many = _count(manager, client)
    assert (few[3], many[3]) == (3, 11)
    assert few[:2] == many[:2]


@pytest.mark.parametrize("url", ["/team/training", "/team/training.csv", "/team/training/assign"])
@pytest.mark.parametrize("account", ["employee", "leader", "hr", "admin"])
def test_people_without_the_manager_permission_are_refused(client, trained, login_as, url, account):
    login_as(account, org="bank")
    assert client.get(url).status_code == 403


def test_logged_out_visitors_go_to_login(client, trained):
    response = client.get("/team/training")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
