"""The audit trail: each privileged change leaves a record with who, when, before and after, shown to the
organisation's administrators (filtered, paginated, as CSV) and to nobody else; records are append-only; survey
answers are never recorded."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cxculture.assessments.instruments import sync_shipped_instruments
from cxculture.assessments.models import Campaign
from cxculture.audit import AuditRecord, record
from cxculture.audit.models import AuditRecordsAreAppendOnly
from cxculture.extensions import db
from cxculture.kpis.periods import last_closed_period
from cxculture.orgs.models import Person, Team
from cxculture.orgs.service import person_by_email
from tests.assessments.results_factories import open_campaign_in
from tests.orgs.conftest import field_error, text


@pytest.fixture
def retail(demo):
    return demo["demo-retail"]


@pytest.fixture
def bank(demo):
    return demo["demo-bank"]


def english(person: Person) -> Person:
    person.language = "en"
    db.session.commit()
    return person


@pytest.fixture
def admin(login_as):
    return english(login_as("admin"))


def sign_in(client, login_as, permission: str = "admin", org: str = "retail") -> Person:
    """Log out whoever is logged in, then log in as that demo account, reading English."""
    client.post("/logout")
    return english(login_as(permission, org=org))


def shown_records(response) -> str:
    """The records table of the audit page (not its filter form), as a reader sees it; "" when it has none."""
    assert response.status_code == 200
    page = text(response)
    return page[page.index("<table"):page.index("</table>")] if "<table" in page else ""


def records(action: str | None = None) -> list[AuditRecord]:
    db.session.expire_all()
    query = select(AuditRecord).order_by(AuditRecord.id)
    if action:
        query = query.where(AuditRecord.action == action)
    return list(db.session.scalars(query))


def person_data(person: Person, **overrides) -> dict:
    data = {"email": person.email, "name": person.name, "language": person.language or "",
            "job_role_id": str(person.job_role_id or ""), "team_id": str(person.team_id or ""),
            "manager_id": str(person.manager_id or ""), "permissions": sorted(person.permissions), "active": "y"}
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def submit_answers_through_pages(client, campaign) -> None:
    """The logged-in person answers every pillar and a comment, and submits, through the answer pages."""
    url = f"/assessments/{campaign.id}/answer"
    for pillar in campaign.instrument.pillars:
        data = {f"item-{item['key']}": "4" for item in pillar["items"]}
        assert client.post(f"{url}/{pillar['key']}", data={**data, "action": "next"}).status_code == 302
    response = client.post(f"{url}/final", data={"action": "submit", "open-obstacles": "Slow refunds."})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{url}/thanks")


# Each privileged change, made through the pages, and what its record must hold --------------------------------

def change_threshold(client, login_as, retail):
    sign_in(client, login_as)
    response = client.post("/admin/organisation", data={
        "name": retail.name, "default_language": retail.default_language, "anonymity_threshold": "7"})
    assert response.status_code == 302
    return {"anonymity_threshold": 5}, {"anonymity_threshold": 7}


def grant_manager(client, login_as, retail):
    sign_in(client, login_as)
    employee = person_by_email("employee@retail.example.com")
    before = sorted(employee.permissions)
    response = client.post(f"/admin/people/{employee.id}/edit",
                           data=person_data(employee, permissions=[*before, "manager"]))
    assert response.status_code == 302
    return {"permissions": before}, {"permissions": sorted([*before, "manager"])}


def move_team(client, login_as, retail):
    sign_in(client, login_as)
    teams = {t.name: t for t in db.session.scalars(select(Team).where(Team.organisation_id == retail.id))}
    store, parent = teams["Milano Store"], teams["Servizio clienti"]
    old_path = store.path
    response = client.post(f"/admin/teams/{store.id}/edit", data={"name": store.name, "parent_id": str(parent.id)})
    assert response.status_code == 302
    return {"path": old_path}, {"path": "Servizio clienti/Milano Store"}


def save_retention(client, login_as, retail):
    sign_in(client, login_as)
    response = client.post("/admin/retention", data={
        "survey_comment_months": "6", "kpi_value_years": "5", "deactivated_person_months": "12",
        "delivered_outbox_days": "90", "audit_record_months": "36", "confirm": "yes"})
    assert response.status_code == 302
    return {"survey_comment_months": 24}, {"survey_comment_months": 6}


def raise_campaign_threshold(client, login_as, retail):
    sign_in(client, login_as)
    opened = open_campaign_in(retail)
    old = opened.threshold
    assert client.post(f"/assessments/campaigns/{opened.id}/threshold", data={"threshold": str(old + 1),
                                                                                  "confirm": "yes"}
                       ).status_code == 302
    return {"threshold": old}, {"threshold": old + 1}


def close_campaign(client, login_as, retail):
    sign_in(client, login_as)
    open_one = open_campaign_in(retail)
    assert client.post(f"/assessments/campaigns/{open_one.id}/close", data={"confirm": "yes"}).status_code == 302
    return {"status": "open"}, {"status": "closed"}


def open_campaign(client, login_as, retail):
    sign_in(client, login_as)
    draft = Campaign(organisation_id=retail.id, instrument=sync_shipped_instruments()[0], title="Next round",
                     opens_on=date.today(), closes_on=date.today() + timedelta(days=14))
    db.session.add(draft)
    db.session.commit()
    assert client.post(f"/assessments/campaigns/{draft.id}/open", data={"confirm": "yes"}).status_code == 302
    return {"status": "draft"}, {"status": "open"}


def register_platform(client, login_as, retail):
    sign_in(client, login_as)
    response = client.post("/admin/lms/platforms/new", data={
        "name": "Moodle HR", "issuer": "https://moodle.example.com", "client_id": "abc123", "deployment_ids": "1",
        "auth_login_url": "https://moodle.example.com/auth", "auth_token_url": "https://moodle.example.com/token",
        "key_set_url": "https://moodle.example.com/certs"})
    assert response.status_code == 302
    return {}, {"client_id": "abc123"}


def import_roster(client, login_as, retail):
    sign_in(client, login_as)
    content = "email,name,permissions\nnew.person@retail.example.com,New Person,employee manager\n"
    upload = client.post("/admin/roster/import", data={"file": (io.BytesIO(content.encode()), "roster.csv")},
                         content_type="multipart/form-data")
    assert upload.status_code == 302
    assert client.post(upload.headers["Location"]).status_code == 302
    return {}, {}


def import_kpi_values(client, login_as, retail):
    sign_in(client, login_as, "hr")
    content = f"period,kpi,email,team,value\n{last_closed_period()},fcr,employee@retail.example.com,,77\n"
    upload = client.post("/hr/kpi-values/import", data={"kind": "values",
                                                        "file": (io.BytesIO(content.encode()), "values.csv")},
                         content_type="multipart/form-data")
    assert upload.status_code == 302
    assert client.post(upload.headers["Location"]).status_code == 302
    return {}, {}


CHANGES = [
    ("organisation.settings", change_threshold),
    ("person.updated", grant_manager),
    ("team.updated", move_team),
    ("organisation.retention", save_retention),
    ("campaign.threshold", raise_campaign_threshold),
    ("campaign.closed", close_campaign),
    ("campaign.opened", open_campaign),
    ("lti.registration_saved", register_platform),
    ("roster.imported", import_roster),
    ("kpi.values_imported", import_kpi_values),
]


@pytest.mark.parametrize(("action", "change"), CHANGES, ids=[action for action, _ in CHANGES])
def test_each_privileged_change_is_recorded_with_who_and_before_after(client, login_as, retail, action, change):
    before, after = change(client, login_as, retail)
    found = records(action)
    assert len(found) == 1, [r.action for r in records()]
    row = found[0]
    assert row.organisation_id == retail.id
    assert row.actor_id is not None and row.actor_label.endswith("@retail.example.com>")
    for key, value in before.items():
        assert row.before[key] == value
    for key, value in after.items():
        assert row.after[key] == value

    sign_in(client, login_as)
    shown = shown_records(client.get(f"/admin/audit?action={action}"))
    name, email = row.actor_label.removesuffix(">").split(" <")
    assert name in shown and email in shown
    for value in (*before.values(), *after.values()):
        assert str(value if not isinstance(value, list) else value[0]) in shown


def test_import_records_say_what_was_written(client, login_as, retail):
    import_roster(client, login_as, retail)
    roster = records("roster.imported")[0]
    assert roster.details["created"] == 1
    assert roster.details["people"][0]["email"] == "new.person@retail.example.com"
    import_kpi_values(client, login_as, retail)
    assert records("kpi.values_imported")[0].details["written"] == 1


def test_a_refused_change_leaves_no_record(client, admin, retail):
    response = client.post("/admin/organisation", data={
        "name": retail.name, "default_language": "en", "anonymity_threshold": "2"})
    assert response.status_code == 400
    assert records() == []


def test_survey_answers_are_never_recorded(client, login_as, retail):
    """Answering the culture survey is no privileged change: nothing ties the person to it in the trail."""
    employee = english(login_as("employee"))
    campaign = open_campaign_in(retail)
    submit_answers_through_pages(client, campaign)
    assert all(r.actor_id != employee.id for r in records())
    assert not any("answer" in r.action or "submit" in r.action for r in records())


# Reading it: filters, pages, CSV, tenancy ---------------------------------------------------------------------

@pytest.fixture
def trail(admin, retail, bank):
    """A few records in Demo Retail (by the admin and by the system, over several days) and one in Demo Bank."""
    from cxculture.util import utcnow

    base = utcnow()
    for days_ago, action in ((40, "team.created"), (10, "team.deleted"), (1, "job_role.created")):
        db.session.add(AuditRecord(organisation_id=retail.id, at=base - timedelta(days=days_ago), actor_id=admin.id,
                                   actor_label=f"{admin.name} <{admin.email}>", action=action, target_type="team",
                                   target_id=str(days_ago), target_label=f"Team {days_ago}"))
    db.session.add(AuditRecord(organisation_id=retail.id, at=base, actor_label="system", action="retention.run",
                               details={"deleted": {"survey_comment": 3}}))
    db.session.add(AuditRecord(organisation_id=bank.id, at=base, actor_label="Bank Admin <admin@bank.example.com>",
                               action="team.created", target_type="team", target_id="1",
                               target_label="Bank secret team"))
    db.session.commit()
    return base


def test_filters_by_action_person_and_dates(client, admin, trail):
    everything = shown_records(client.get("/admin/audit"))
    assert "Team 40" in everything and "Team 1" in everything and "Bank secret team" not in everything

    by_action = shown_records(client.get("/admin/audit?action=team.deleted"))
    assert "Team 10" in by_action and "Team 40" not in by_action

    by_system = shown_records(client.get("/admin/audit?person=system"))
    assert "Retention run" in by_system and "Team 40" not in by_system
    by_admin = shown_records(client.get(f"/admin/audit?person={admin.id}"))
    assert "Team 40" in by_admin and "Retention run" not in by_admin

    start = (trail - timedelta(days=15)).date().isoformat()
    end = (trail - timedelta(days=5)).date().isoformat()
    by_dates = shown_records(client.get(f"/admin/audit?date_from={start}&date_to={end}"))
    assert "Team 10" in by_dates and "Team 40" not in by_dates and "Team 1<" not in by_dates


def test_the_trail_is_paginated(client, admin, retail, app):
    app.config["PAGE_SIZE"] = 2
    for number in range(5):
        record("team.created", target=("team", number, f"Paged team {number}"), organisation_id=retail.id)
    db.session.commit()
    first = client.get("/admin/audit")
    assert "Paged team 4" in shown_records(first) and "Paged team 0" not in shown_records(first)
    assert "Page 1 of 3" in text(first)
    last = shown_records(client.get("/admin/audit?page=3"))
    assert "Paged team 0" in last


BAD_FILTERS = [
    ("action=drop-tables", "action", "Choose an action from the list."),
    ("person=abc", "person", "Choose a person from the list."),
    ("person=99999999999999", "person", "Choose a person from the list."),
    ("date_from=2026-13-01", "date_from", "Enter a date as YYYY-MM-DD"),
    ("date_to=yesterday", "date_to", "Enter a date as YYYY-MM-DD"),
    ("date_from=1066-10-14", "date_from", "Enter a date as YYYY-MM-DD"),
    ("date_from=2026-05-02&date_to=2026-05-01", "date_to", "The end date cannot be before the start date."),
]


@pytest.mark.parametrize(("query", "field", "message"), BAD_FILTERS)
@pytest.mark.parametrize("url", ["/admin/audit", "/admin/audit.csv"])
def test_bad_filters_are_refused_with_the_field_named(client, admin, trail, url, query, field, message):
    response = client.get(f"{url}?{query}")
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert message in field_error(response, field)


def test_csv_has_the_records_with_before_and_after_and_is_formula_safe(client, admin, retail, trail):
    record("team.updated", target=("team", 7, "=HYPERLINK(\"http://evil\")"), organisation_id=retail.id,
           before={"path": "Old"}, after={"path": "New"})
    db.session.commit()
    response = client.get("/admin/audit.csv?action=team.updated")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["at_utc", "who", "action", "target_type", "target_id", "target", "before", "after", "details"]
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["action"] == "team.updated" and row["before"] == '{"path": "Old"}' and row["after"] == '{"path": "New"}'
    assert row["target"].startswith("'=")
    everything = client.get("/admin/audit.csv").get_data(as_text=True)
    assert "Team 40" in everything and "Bank secret team" not in everything


def test_only_administrators_read_the_trail_and_only_their_own(client, login_as, trail):
    sign_in(client, login_as, "leader")
    assert client.get("/admin/audit").status_code == 403
    assert client.get("/admin/audit.csv").status_code == 403
    sign_in(client, login_as, org="bank")
    page = shown_records(client.get("/admin/audit"))
    assert "Bank secret team" in page and "Team 40" not in page
    assert "Team 40" not in client.get("/admin/audit.csv").get_data(as_text=True)
    assert "Team 40" not in shown_records(client.get("/admin/audit?person=system"))


def test_records_are_append_only(app, retail):
    row = record("team.created", target=("team", 1, "A team"), organisation_id=retail.id)
    db.session.commit()
    row.target_label = "Changed"
    with pytest.raises(AuditRecordsAreAppendOnly):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(AuditRecord, row.id))
    with pytest.raises(AuditRecordsAreAppendOnly):
        db.session.flush()
    db.session.rollback()
    from sqlalchemy import delete, update

    with pytest.raises(AuditRecordsAreAppendOnly):
        db.session.execute(update(AuditRecord).values(target_label="x"))
    with pytest.raises(AuditRecordsAreAppendOnly):
        db.session.execute(delete(AuditRecord))
    db.session.rollback()
    assert db.session.scalar(select(func.count(AuditRecord.id))) == 1


def test_commands_record_the_system_as_acting(runner, retail):
    result = runner.invoke(args=["cx", "retention", "run", "--org", retail.slug])
    assert result.exit_code == 0, result.output
    row = records("retention.run")[0]
    assert row.actor_id is None and row.actor_label.startswith("system: ") and "retention run" in row.actor_label
