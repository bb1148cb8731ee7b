"""Reading through /api/v1: the token's organisation only, its scopes, its expiry and revocation, pages, ETags,
and never a browser's session."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from cxculture.api.models import ApiToken
from cxculture.api.tokens import revoke_token
from cxculture.assessments.models import ActionItem
from cxculture.extensions import db
from cxculture.kpis.models import Kpi, KpiValue
from cxculture.modules.models import Certificate
from cxculture.orgs.models import Person, Team
from cxculture.util import utcnow
from tests.api.conftest import bearer
from tests.conftest import login

#: Each list, the scope it needs, and a column of the organisation's rows it returns.
LISTS = [
    ("/api/v1/people", "people:read"),
    ("/api/v1/teams", "people:read"),
    ("/api/v1/training/progress", "training:read"),
    ("/api/v1/training/certificates", "training:read"),
    ("/api/v1/actions", "actions:read"),
    ("/api/v1/kpi-values", "kpis:read"),
    ("/api/v1/campaigns", "results:read"),
]


def _everything(client, url, token):
    """Every row of a list, following the `next` links."""
    rows, following = [], url
    while following:
        response = client.get(following, headers=bearer(token))
        assert response.status_code == 200, response.get_json()
        rows += response.get_json()["data"]
        following = response.get_json()["next"]
    return rows


def _give_records(organisation):
    """A certificate, an action item and a KPI value, so every list has a row of the organisation."""
    person = db.session.scalar(select(Person).where(Person.organisation_id == organisation.id,
                                                    Person.email.like("employee@%")))
    db.session.add(Certificate(organisation_id=organisation.id, person_id=person.id, job_role_id=person.job_role_id,
                               person_name=person.name, organisation_name=organisation.name, role_name_en="x",
                               role_name_it="x", modules=[]))
    db.session.add(ActionItem(organisation_id=organisation.id, pillar="listening", title=f"Act {organisation.slug}",
                              owner_id=person.id))
    kpi = db.session.scalar(select(Kpi).where(Kpi.organisation_id == organisation.id).order_by(Kpi.id))
    db.session.add(KpiValue(organisation_id=organisation.id, kpi_id=kpi.id, period="2025-Q1", person_id=person.id,
                            value=kpi.min_value or 0))
    db.session.commit()
    return person


def test_each_list_shows_only_the_token_organisation(client, trained, make_token):
    retail, bank = trained["demo-retail"], trained["demo-bank"]
    from tests.modules.conftest import RIGHT_ANSWERS, submit_drawn

    for organisation in (retail, bank):
        person = _give_records(organisation)
        from cxculture.modules.plan import build_plan
        from cxculture.modules.progress import start_module

        entry = build_plan(person).entries[0]
        progress = start_module(person, entry)
        submit_drawn(person, entry, "quiz", progress.module_version_id, f"api-{organisation.id}", RIGHT_ANSWERS)
        db.session.commit()
    token = make_token(retail)
    retail_people = {p.id for p in db.session.scalars(select(Person).where(Person.organisation_id == retail.id))}
    retail_teams = {t.id for t in db.session.scalars(select(Team).where(Team.organisation_id == retail.id))}
    for url, _scope in LISTS[:-1]:
        rows = _everything(client, url, token)
        assert rows, url
        body = str(rows)
        assert "bank.example.com" not in body and "demo-bank" not in body, url
        for row in rows:
            assert row.get("person_id", next(iter(retail_people))) in retail_people, (url, row)
            if row.get("team_id") is not None:
                assert row["team_id"] in retail_teams, (url, row)
    people = _everything(client, "/api/v1/people", token)
    assert {p["id"] for p in people} == retail_people
    assert all(p["email"].endswith("@retail.example.com") for p in people)


@pytest.mark.parametrize("url, scope", LISTS)
def test_a_token_without_the_scope_is_refused(client, demo, make_token, url, scope):
    others = [s for _url, s in LISTS if s != scope] + ["kpis:write"]
    token = make_token(demo["demo-retail"], scopes=others)
    response = client.get(url, headers=bearer(token))
    assert response.status_code == 403
    assert response.get_json()["error"] == "insufficient_scope" and response.get_json()["scope"] == scope
    assert client.get(url, headers=bearer(make_token(demo["demo-retail"], scopes=[scope]))).status_code == 200


@pytest.mark.parametrize("url, _scope", LISTS)
def test_no_wrong_expired_or_revoked_token_reads_anything(client, demo, make_token, url, _scope):
    retail = demo["demo-retail"]
    expired, revoked = make_token(retail, name="old"), make_token(retail, name="gone")
    db.session.scalar(select(ApiToken).where(ApiToken.name == "old")).expires_at = utcnow() - timedelta(seconds=1)
    revoke_token(db.session.scalar(select(ApiToken).where(ApiToken.name == "gone")))
    db.session.commit()
    for headers in ({}, bearer("cxapi_not-a-token"), bearer(expired), bearer(revoked),
                    {"Authorization": f"Basic {make_token(retail)}"}):
        response = client.get(url, headers=headers)
        assert response.status_code == 401, (url, headers)
        assert response.get_json()["error"] == "invalid_token"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "data" not in response.get_json()


def test_a_browser_session_does_not_authenticate_an_api_call(client, demo):
    login(client, "admin@retail.example.com")
    assert client.get("/admin/api").status_code == 200  # the session is good for the pages
    for url, _scope in LISTS:
        response = client.get(url)
        assert response.status_code == 401, url
    response = client.post("/api/v1/kpi-values", json={"values": []})
    assert response.status_code == 401


def test_a_session_cookie_next_to_a_token_acts_as_no_one(client, demo, make_token):
    """The token, not the logged-in administrator, is who writes: the audit trail says so."""
    from cxculture.audit.models import AuditRecord

    login(client, "admin@retail.example.com")
    token = make_token(demo["demo-retail"], scopes=["kpis:write"])
    response = client.post("/api/v1/kpi-values", headers=bearer(token), json={"values": [
        {"period": "2025-Q1", "kpi": "fcr", "team": "Vendite", "value": 70}]})
    assert response.status_code == 200, response.get_json()
    last = db.session.scalar(select(AuditRecord).order_by(AuditRecord.id.desc()))
    assert last.action == "kpi.values_imported" and last.actor_id is None and last.target_type == "api_token"


def test_pages_follow_next_links_and_refuse_bad_parameters(client, demo, make_token):
    retail = demo["demo-retail"]
    token = make_token(retail, scopes=["people:read"])
    first = client.get("/api/v1/people?limit=2", headers=bearer(token)).get_json()
    assert len(first["data"]) == 2 and first["next"]
    assert "after=" in first["next"] and "limit=2" in first["next"]
    everyone = _everything(client, "/api/v1/people?limit=2", token)
    count = db.session.scalar(select(func.count(Person.id)).where(Person.organisation_id == retail.id))
    assert len(everyone) == count == len({p["id"] for p in everyone})
    assert [p["id"] for p in everyone] == sorted(p["id"] for p in everyone)
    last = client.get(f"/api/v1/people?limit={count}", headers=bearer(token)).get_json()
    assert last["next"] is None
    for bad in ("limit=0", "limit=501", "limit=abc", "after=-1", "after=99999999999999999999"):
        response = client.get(f"/api/v1/people?{bad}", headers=bearer(token))
        assert response.status_code == 400, bad
        assert response.get_json()["parameter"] == bad.split("=")[0]


def test_etag_answers_304_until_the_data_changes(client, demo, make_token):
    token = make_token(demo["demo-retail"], scopes=["people:read"])
    first = client.get("/api/v1/teams", headers=bearer(token))
    etag = first.headers["ETag"]
    again = client.get("/api/v1/teams", headers={**bearer(token), "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    db.session.add(Team(organisation_id=demo["demo-retail"].id, name="New team"))
    db.session.commit()
    changed = client.get("/api/v1/teams", headers={**bearer(token), "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "New team" in changed.get_data(as_text=True)


def test_a_token_notes_when_it_was_last_used(client, demo, make_token):
    token = make_token(demo["demo-retail"], scopes=["people:read"])
    row = db.session.scalar(select(ApiToken))
    assert row.last_used_at is None
    client.get("/api/v1/teams", headers=bearer(token))
    db.session.refresh(row)
    assert row.last_used_at is not None


def test_an_unknown_address_under_the_api_is_json(client, demo, make_token):
    token = make_token(demo["demo-retail"])
    response = client.get("/api/v1/campaigns/999/results", headers=bearer(token))
    assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_an_unknown_address_or_method_under_the_api_is_answered_in_json(client):
    wrong_method = client.delete("/api/v1/people")
    assert wrong_method.status_code == 405 and wrong_method.get_json()["error"] == "method_not_allowed"
    assert "GET" in wrong_method.headers["Allow"]
    unknown = client.get("/api/v1/nothing-here")
    assert unknown.status_code == 404 and unknown.get_json()["error"] == "not_found"
    page = client.get("/nothing-here")  # elsewhere, the page as before
    assert page.status_code == 404 and page.mimetype == "text/html"
