"""Managers assign modules to people in their team: create, update the due date, remove, and every refusal."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.modules.models import Assignment
from cxculture.modules.plan import Reason, build_plan
from cxculture.orgs.service import person_by_email

from .team_helpers import add_synthetic_module, assign, module

TEAM_MEMBER = "employee@bank.example.com"
COLLEAGUE = "harry.wilson@bank.example.com"  # also in the London Bridge branch
OUTSIDER = "leader@bank.example.com"  # same organisation, not in the manager's team


def assignments_of(email):
    return list(db.session.scalars(select(Assignment).where(Assignment.person_id == person_by_email(email).id)))


def post_assign(client, people, slug="leading-a-customer-centric-culture", due=""):
    return client.post("/team/training/assign", data={
        "people": [person_by_email(e).id if "@" in str(e) else e for e in people],
        "module_id": module(slug).id if slug else "", "due_date": due,
    })


def test_form_offers_the_team_and_the_library(client, trained, login_as):
    login_as("manager", org="bank")
    page = client.get("/team/training/assign").get_data(as_text=True)
    assert "Employee Demo Bank" in page and "Harry Wilson" in page
    assert "Leader Demo Bank" not in page
    assert "Title of leading-a-customer-centric-culture" in page


def test_italian_page_shows_italian_titles(client, trained, login_as):
    login_as("manager", org="retail")
    assert "Titolo di what-is-cx" in client.get("/team/training/assign").get_data(as_text=True)


def test_assigning_adds_the_module_to_each_plan_with_its_reason(client, trained, login_as):
    login_as("manager", org="bank")
    due = (date.today() + timedelta(days=14)).isoformat()
    response = post_assign(client, [TEAM_MEMBER, COLLEAGUE], due=due)
    assert response.status_code == 302
    for email in (TEAM_MEMBER, COLLEAGUE):
        [row] = assignments_of(email)
        assert row.due_date.isoformat() == due and row.assigned_by.email == "manager@bank.example.com"
    entry = build_plan(person_by_email(TEAM_MEMBER)).entry("leading-a-customer-centric-culture")
    assert entry.required and Reason("assigned", by="Manager Demo Bank") in entry.reasons
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is assigned to 2 people" in page


def test_assigning_again_updates_the_due_date_and_says_so(client, trained, login_as):
    login_as("manager", org="bank")
    post_assign(client, [TEAM_MEMBER], due=(date.today() + timedelta(days=3)).isoformat())
    later = date.today() + timedelta(days=30)
    response = post_assign(client, [TEAM_MEMBER, COLLEAGUE], due=later.isoformat())
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is assigned to 1 person" in page
    assert "Employee Demo Bank already had" in page and "the due date was updated" in page
    [row] = assignments_of(TEAM_MEMBER)
    assert row.due_date == later
    assert db.session.scalar(select(func.count(Assignment.id))) == 2


def test_due_date_in_the_past_is_refused(client, trained, login_as):
    login_as("manager", org="bank")
    response = post_assign(client, [TEAM_MEMBER], due=(date.today() - timedelta(days=1)).isoformat())
    assert response.status_code == 400
    assert "The due date is in the past" in response.get_data(as_text=True)
    assert assignments_of(TEAM_MEMBER) == []


def test_today_is_a_valid_due_date_and_none_is_fine(client, trained, login_as):
    login_as("manager", org="bank")
    assert post_assign(client, [TEAM_MEMBER], due=date.today().isoformat()).status_code == 302
    assert post_assign(client, [COLLEAGUE], slug="customer-journey").status_code == 302
    assert assignments_of(COLLEAGUE)[0].due_date is None


@pytest.mark.parametrize("data, message", [
    ({"module_id": "1"}, "Choose at least one person."),
    ({"people": ["x"], "module_id": "1"}, "Choose people from the list."),
    ({"people": ["PERSON"]}, "Choose a module."),
    ({"people": ["PERSON"], "module_id": "1", "due_date": "31/02/2026"}, "Not a valid date value."),
])
def test_bad_input_is_refused_with_a_message(client, trained, login_as, data, message):
    login_as("manager", org="bank")
    person = person_by_email(TEAM_MEMBER)
    data = {k: [str(person.id) if v == "PERSON" else v for v in vs] if isinstance(vs, list) else vs
            for k, vs in data.items()}
    response = client.post("/team/training/assign", data=data)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Assignment.id))) == 0


def test_retired_or_unknown_module_is_refused(client, trained, login_as):
    login_as("manager", org="bank")
    retired = add_synthetic_module("old-module")
    retired.retired_at = date(2026, 1, 1)
    db.session.commit()
    for module_id in (retired.id, 999_999):
        response = client.post("/team/training/assign", data={
            "people": [person_by_email(TEAM_MEMBER).id], "module_id": module_id})
        assert response.status_code == 400
        assert "no longer in the library" in response.get_data(as_text=True)
    assert assignments_of(TEAM_MEMBER) == []
    assert "Title of old-module" not in client.get("/team/training/assign").get_data(as_text=True)


def test_person_outside_the_team_is_refused_by_name_and_nothing_is_assigned(client, trained, login_as):
    login_as("manager", org="bank")
    response = post_assign(client, [TEAM_MEMBER, OUTSIDER])
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Leader Demo Bank is not in your team" in page
    assert assignments_of(TEAM_MEMBER) == [] and assignments_of(OUTSIDER) == []


def test_other_organisations_person_is_not_found(client, trained, login_as):
    login_as("manager", org="bank")
    response = post_assign(client, [TEAM_MEMBER, "employee@retail.example.com"])
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(Assignment.id))) == 0


def test_assignments_are_listed_and_removed_keeping_progress(client, trained, login_as):
    manager = login_as("manager", org="bank")
    row = assign(person_by_email(TEAM_MEMBER), "leading-a-customer-centric-culture",
                 due=date.today() - timedelta(days=2), by=manager)
    page = client.get("/team/training/assign").get_data(as_text=True)
    assert "Current assignments" in page and "(past)" in page
    response = client.post(f"/team/training/assignments/{row.id}/remove", data={"confirm": "yes"})
    assert response.status_code == 302
    assert assignments_of(TEAM_MEMBER) == []
    assert "is no longer assigned to Employee Demo Bank" in client.get(response.headers["Location"]).get_data(
        as_text=True)
    assert build_plan(person_by_email(TEAM_MEMBER)).entry("leading-a-customer-centric-culture") is None


def test_removing_an_assignment_outside_the_team_is_refused(client, trained, login_as):
    login_as("manager", org="bank")
    row = assign(person_by_email(OUTSIDER), "customer-journey")
    assert client.post(f"/team/training/assignments/{row.id}/remove", data={"confirm": "yes"}).status_code == 403
    assert assignments_of(OUTSIDER) != []


def test_removing_another_organisations_assignment_is_not_found(client, trained, login_as):
    login_as("manager", org="bank")
    row = assign(person_by_email("employee@retail.example.com"), "customer-journey")
    assert client.post(f"/team/training/assignments/{row.id}/remove", data={"confirm": "yes"}).status_code == 404
    assert client.post("/team/training/assignments/999999/remove").status_code == 404
    assert db.session.get(Assignment, row.id) is not None


def test_assignment_form_needs_a_csrf_token(app, trained, login_as, client):
    login_as("manager", org="bank")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        response = post_assign(client, [TEAM_MEMBER])
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Assignment.id))) == 0
