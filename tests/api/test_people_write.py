"""Writing people through the API: the roster import's rules, all or nothing, errors by record and field, the
same people sent twice changing nothing, and never a permission."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cxculture.audit.models import AuditRecord
from cxculture.extensions import db
from cxculture.orgs.models import Person, Team
from cxculture.orgs.service import person_by_email
from tests.api.conftest import bearer, count

NEW = [
    {"email": "nuova@retail.example.com", "name": "Nuova Persona", "team": "Vendite/Napoli Store",
     "job_role": "frontline", "manager_email": "manager@retail.example.com", "language": "it"},
    {"email": "employee@retail.example.com", "name": "Renamed Employee"},
]


@pytest.fixture
def roster_token(retail, make_token):
    return make_token(retail, scopes=["people:write", "people:read"])


def test_people_are_created_and_updated_then_left_alone(client, roster_token):
    before = count(Person)
    response = client.post("/api/v1/people", headers=bearer(roster_token), json={"people": NEW})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"created": 1, "updated": 1, "unchanged": 0, "new_teams": ["Vendite/Napoli Store"]}
    assert count(Person) == before + 1
    created = person_by_email("nuova@retail.example.com")
    assert created.team.path == "Vendite/Napoli Store" and created.manager.email == "manager@retail.example.com"
    assert created.permissions == {"employee"}
    assert person_by_email("employee@retail.example.com").name == "Renamed Employee"
    record = db.session.scalar(select(AuditRecord).where(AuditRecord.action == "roster.imported"))
    assert record.target_type == "api_token" and record.details["created"] == 1
    again = client.post("/api/v1/people", headers=bearer(roster_token), json={"people": NEW})
    assert again.get_json() == {"created": 0, "updated": 0, "unchanged": 2, "new_teams": []}
    assert count(Person) == before + 1


@pytest.mark.parametrize("bad, field, words", [
    ({"email": "not-an-email"}, "email", ""),
    ({"name": ""}, "name", ""),
    ({"job_role": "astronaut"}, "job_role", "Unknown job role"),
    ({"manager_email": "nobody@retail.example.com"}, "manager_email", ""),
    ({"language": "fr"}, "language", ""),
    ({"permissions": "admin"}, "permissions", "is not a field"),
    ({"name": 7}, "name", "as text"),
])
def test_one_bad_person_stores_nothing(client, roster_token, bad, field, words):
    teams = db.session.scalar(select(func.count(Team.id)))
    before = count(Person)
    response = client.post("/api/v1/people", headers=bearer(roster_token),
                           json={"people": [NEW[0], {**NEW[1], **bad}]})
    assert response.status_code == 422, response.get_json()
    errors = response.get_json()["errors"]
    assert (1, field) in [(e["index"], e["field"]) for e in errors], errors
    assert words in " ".join(e["message"] for e in errors)
    assert count(Person) == before and db.session.scalar(select(func.count(Team.id))) == teams
    assert person_by_email("employee@retail.example.com").name != "Renamed Employee"


def test_writing_people_needs_its_scope_and_stays_in_the_organisation(client, demo, make_token):
    read_only = make_token(demo["demo-retail"], scopes=["people:read"])
    assert client.post("/api/v1/people", headers=bearer(read_only), json={"people": NEW}).status_code == 403
    bank = make_token(demo["demo-bank"], scopes=["people:write"])
    before = count(Person)
    response = client.post("/api/v1/people", headers=bearer(bank), json={"people": [NEW[1]]})
    assert response.status_code == 422  # the e-mail belongs to another organisation's person
    assert count(Person) == before and person_by_email("employee@retail.example.com").name != "Renamed Employee"
