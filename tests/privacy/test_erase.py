"""An administrator erases a person after a confirmation: nothing personal is left, no aggregate moves."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cxculture.assessments.campaigns import campaign_turnout
from cxculture.assessments.models import ActionItem
from cxculture.assessments.results.summary import latest_closed_campaign, organisation_summary
from cxculture.auth.models import LoginSession
from cxculture.downloads.models import Download
from cxculture.extensions import db
from cxculture.kpis.models import Kpi, KpiValue
from cxculture.modules.models import Certificate, Progress
from cxculture.modules.reports import completion, team_matrix
from cxculture.orgs.models import Person
from cxculture.orgs.service import person_by_email, team_paths
from cxculture.privacy.service import erase_person
from cxculture.refusals import Refused
from tests.conftest import DEMO_PASSWORD, get_file, login


def _aggregates(manager: Person):
    """A team's completion rate, a closed campaign's results and turnout, as the pages compute them."""
    db.session.expire_all()
    rate = completion(team_matrix(manager, "en").rows)
    campaign = latest_closed_campaign(manager.organisation_id)
    return ((rate.people, rate.required_done, rate.required_total, rate.percent),
            repr(organisation_summary(campaign)) if campaign else None,
            repr(campaign_turnout(campaign, team_paths(manager.organisation_id))) if campaign else None)


def _erase(client, person: Person, **fields):
    data = {"confirm": "y", "successor_id": ""}
    data.update(fields)
    return client.post(f"/admin/people/{person.id}/erase", data=data)


def test_erasing_removes_identity_and_personal_records_and_keeps_every_aggregate(app, client, certified):
    employee = certified
    employee_id, name, email = employee.id, employee.name, employee.email
    code = db.session.scalar(select(Certificate.code).where(Certificate.person_id == employee_id))
    assert get_file(client, f"/learn/certificates/{code}.pdf").status_code == 200  # a PDF of theirs is kept
    manager = person_by_email("manager@bank.example.com")
    before = _aggregates(manager)
    kpi_id = db.session.scalar(select(Kpi.id).where(Kpi.organisation_id == employee.organisation_id).limit(1))
    db.session.add(KpiValue(organisation_id=employee.organisation_id, kpi_id=kpi_id, period="2026-Q1",
                            person_id=employee_id, value=50))
    db.session.commit()

    admin = app.test_client()
    login(admin, "admin@bank.example.com")
    page = admin.get(f"/admin/people/{employee_id}/erase")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "What will go" in text and "KPI values" in text and "Login sessions" in text
    response = _erase(admin, employee)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get("/account").status_code == 302  # the employee's own browser is logged out

    assert _aggregates(person_by_email("manager@bank.example.com")) == before
    db.session.expire_all()
    tombstone = db.session.get(Person, employee_id)
    assert tombstone.erased_at is not None and tombstone.password_hash is None
    assert name not in tombstone.name and tombstone.email.endswith("@erased.invalid")
    assert tombstone.permissions == frozenset()
    assert person_by_email(email) is None
    assert db.session.scalar(select(func.count(LoginSession.id)).where(LoginSession.person_id == employee_id)) == 0
    assert db.session.scalar(select(func.count(KpiValue.id)).where(KpiValue.person_id == employee_id)) == 0
    assert db.session.scalar(select(func.count(Download.id))) == 0
    assert db.session.scalar(select(Certificate.person_name).where(Certificate.code == code)) == ""
    assert db.session.scalar(select(func.count(Progress.id)).where(Progress.person_id == employee_id)) == 3

    verify = admin.get(f"/verify/{code}").get_data(as_text=True)
    assert "data was erased at their request" in verify and name not in verify
    assert name not in admin.get("/admin/people").get_data(as_text=True)
    assert name not in admin.get("/admin/people?q=" + email).get_data(as_text=True)
    manager_client = app.test_client()
    login(manager_client, "manager@bank.example.com")
    assert name not in manager_client.get("/team/training").get_data(as_text=True)
    assert client.post("/login", data={"email": email, "password": DEMO_PASSWORD}).status_code == 401


def test_erasing_a_manager_asks_who_takes_over_their_people_and_open_actions(client, demo):
    login(client, "admin@bank.example.com")
    manager = person_by_email("manager@bank.example.com")
    reports = list(db.session.scalars(select(Person.id).where(Person.manager_id == manager.id)))
    assert reports
    action = ActionItem(organisation_id=manager.organisation_id, pillar="vision", title="Ask customers",
                        owner_id=manager.id, status="open")
    db.session.add(action)
    db.session.commit()
    page = client.get(f"/admin/people/{manager.id}/erase").get_data(as_text=True)
    assert 'name="successor_id"' in page and "People they manage" in page

    refused = _erase(client, manager)
    assert refused.status_code == 400
    assert "choose who takes them over" in refused.get_data(as_text=True)
    assert db.session.get(Person, manager.id).erased_at is None

    successor = person_by_email("leader@bank.example.com")
    assert _erase(client, manager, successor_id=str(successor.id)).status_code == 302
    db.session.expire_all()
    assert set(db.session.scalars(select(Person.id).where(Person.manager_id == successor.id))) >= set(reports)
    assert db.session.get(ActionItem, action.id).owner_id == successor.id


@pytest.mark.parametrize(("fields", "message"), [
    ({"confirm": ""}, "Tick the box to confirm the erasure."),
    ({"successor_id": "999999"}, "Choose someone of the organisation who is active."),
])
def test_a_bad_confirmation_changes_nothing(client, demo, fields, message):
    login(client, "admin@bank.example.com")
    employee = person_by_email("employee@bank.example.com")
    response = _erase(client, employee, **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, employee.id).erased_at is None


def test_an_administrator_cannot_erase_themselves(client, demo):
    login(client, "admin@bank.example.com")
    admin = person_by_email("admin@bank.example.com")
    page = client.get(f"/admin/people/{admin.id}/erase")
    assert "You cannot erase yourself" in page.get_data(as_text=True)
    response = _erase(client, admin)
    assert response.status_code == 400 and "You cannot erase yourself" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Person, admin.id).erased_at is None


def test_the_last_administrator_cannot_be_erased(app, demo):
    """Through the pages the acting administrator is always a second one; the service refuses anyone else (a
    command, a job) the organisation's last administrator."""
    admin = person_by_email("admin@bank.example.com")
    leader = person_by_email("leader@bank.example.com")
    with pytest.raises(Refused) as refused:
        erase_person(admin, leader)
    assert refused.value.code == "last-admin"
    assert "last administrator" in refused.value.message


@pytest.mark.parametrize("account", ["employee", "manager", "hr", "leader"])
def test_only_administrators_erase(client, demo, account):
    login(client, f"{account}@bank.example.com")
    other = person_by_email("employee@bank.example.com")
    assert client.get(f"/admin/people/{other.id}/erase").status_code == 403
    assert _erase(client, other).status_code == 403
