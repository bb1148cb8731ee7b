"""Every registered route, walked as each demo account of the other organisation: nothing leaks, nothing changes.

When a new route takes an argument this test does not know, it fails and asks for an entry in ARGUMENTS,
so no route escapes the walk.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.orgs.models import JobRole, Person, RosterImport, Team
from tests.conftest import login

#: Endpoints anyone may reach whatever their organisation (a token is the credential, or no data is shown).
PUBLIC_ENDPOINTS = {"static", "healthz", "auth.login", "auth.logout", "auth.set_language", "auth.accept_invitation"}
ACCOUNTS = ("admin", "leader", "hr", "manager", "employee")
ORGANISATIONS = {"retail": ("demo-retail", "Demo Retail"), "bank": ("demo-bank", "Demo Bank")}


def _first_id(model, organisation):
    return db.session.scalar(select(model.id).where(model.organisation_id == organisation.id).order_by(model.id))


#: How to find, in the victim organisation, an id for each URL argument.
ARGUMENTS = {
    "person_id": lambda org: _first_id(Person, org),
    "team_id": lambda org: _first_id(Team, org),
    "job_role_id": lambda org: _first_id(JobRole, org),
    "role_id": lambda org: _first_id(JobRole, org),
    "import_id": lambda org: _first_id(RosterImport, org),
}


def _victim_rows(organisation) -> dict:
    """Every row that belongs to the organisation, to prove a walk changed nothing."""
    rows = {}
    for table in db.metadata.sorted_tables:
        if "organisation_id" in table.c:
            result = db.session.execute(select(table).where(table.c.organisation_id == organisation.id))
            rows[table.name] = sorted(tuple(map(str, r)) for r in result)
    person_ids = select(Person.id).where(Person.organisation_id == organisation.id)
    permissions = db.metadata.tables["person_permission"]
    rows["person_permission"] = sorted(
        tuple(map(str, r)) for r in db.session.execute(select(permissions).where(permissions.c.person_id.in_(person_ids)))
    )
    return rows


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            yield rule, method


@pytest.mark.parametrize("victim, intruder", [("retail", "bank"), ("bank", "retail")])
def test_other_organisation_sees_and_changes_nothing(app, client, demo, victim, intruder):
    victim_org = demo[ORGANISATIONS[victim][0]]
    db.session.add(RosterImport(organisation_id=victim_org.id, filename="secret.csv", content=b"email,name\n"))
    db.session.commit()
    before = _victim_rows(victim_org)
    markers = [f"@{victim}.example.com", ORGANISATIONS[victim][1]]
    unknown = sorted({a for rule, _ in _routes(app) for a in rule.arguments if a not in ARGUMENTS})
    assert not unknown, f"add these URL arguments to ARGUMENTS so the walk covers them: {unknown}"

    checked = 0
    for account in ACCOUNTS:
        client.post("/logout")
        login(client, f"{account}@{intruder}.example.com")
        for rule, method in _routes(app):
            values = {name: ARGUMENTS[name](victim_org) for name in rule.arguments}
            url = app.url_for(rule.endpoint, **values, _external=False) if values else rule.rule
            response = client.open(url, method=method, data={})
            body = response.get_data(as_text=True)
            where = f"{method} {url} as {account}@{intruder}"
            assert response.status_code < 500, where
            for marker in markers:
                assert marker not in body, f"{where} shows {marker!r}"
            if values:
                assert response.status_code in (403, 404), f"{where} answered {response.status_code}"
            checked += 1
    assert checked > 20
    assert _victim_rows(victim_org) == before


def test_every_view_requires_login(app, client, demo):
    for rule, method in _routes(app):
        values = {name: 1 for name in rule.arguments}
        url = app.url_for(rule.endpoint, **values, _external=False) if values else rule.rule
        response = client.open(url, method=method, data={})
        assert response.status_code in (302, 401, 404), f"{method} {url} answered {response.status_code}"
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], f"{method} {url}"
