"""Writing KPI values through the API: the rules of the KPI values import, all or nothing, errors by record and
field, and the same values sent twice stored once."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cxculture.audit.models import AuditRecord
from cxculture.extensions import db
from cxculture.kpis.models import KpiValue
from tests.api.conftest import bearer, count

GOOD = [
    {"period": "2025-Q1", "kpi": "fcr", "email": "employee@retail.example.com", "value": 78.5},
    {"period": "2025-Q1", "kpi": "nps", "team": "Vendite/Milano Store", "value": "41"},
    {"period": "2025-Q2", "kpi": "aht", "team": "Servizio clienti", "value": 320},
]


@pytest.fixture
def write_token(retail, make_token):
    return make_token(retail, scopes=["kpis:write", "kpis:read"])


def test_values_are_written_and_read_back(client, write_token):
    before = count(KpiValue)
    response = client.post("/api/v1/kpi-values", headers=bearer(write_token), json={"values": GOOD})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"written": 3, "created": 3, "updated": 0, "unchanged": 0}
    assert count(KpiValue) == before + 3
    rows = client.get("/api/v1/kpi-values?period=2025-Q1&kpi=fcr", headers=bearer(write_token)).get_json()["data"]
    assert [row["value"] for row in rows] == [78.5]
    record = db.session.scalar(select(AuditRecord).where(AuditRecord.action == "kpi.values_imported"))
    assert record.target_type == "api_token" and record.details["written"] == 3


def test_the_same_values_sent_twice_are_stored_once(client, write_token):
    client.post("/api/v1/kpi-values", headers=bearer(write_token), json={"values": GOOD})
    stored = count(KpiValue)
    again = client.post("/api/v1/kpi-values", headers=bearer(write_token), json={"values": GOOD})
    assert again.status_code == 200
    assert again.get_json() == {"written": 0, "created": 0, "updated": 0, "unchanged": 3}
    assert count(KpiValue) == stored
    changed = client.post("/api/v1/kpi-values", headers=bearer(write_token),
                          json={"values": [{**GOOD[0], "value": 80}]})
    assert changed.get_json()["updated"] == 1 and count(KpiValue) == stored


@pytest.mark.parametrize("bad, field, words", [
    ({"period": "2025-Q5"}, "period", "is not a quarter"),
    ({"period": "0000-Q1"}, "period", "is not a quarter"),  # was a server error (found by schemathesis)
    ({"period": "2099-Q1"}, "period", "is not over yet"),
    ({"kpi": "no_such_kpi"}, "kpi", "There is no KPI"),
    ({"value": "lots"}, "value", "is not a number"),
    ({"value": 101}, "value", "outside the valid range"),
    ({"value": True}, "value", "is not a number"),
    ({"value": None}, "value", "is not a number"),
    ({"email": "nobody@retail.example.com"}, "email", "Nobody in the organisation"),
    ({"email": "employee@bank.example.com"}, "email", "Nobody in the organisation"),  # another organisation's
    ({"team": "Vendite"}, "email", "not both"),
    ({"colour": "red"}, "colour", "is not a field"),
])
def test_one_bad_value_stores_nothing_and_is_named_by_index_and_field(client, write_token, bad, field, words):
    values = [GOOD[1], {**GOOD[0], **bad}, GOOD[2]]
    before = count(KpiValue)
    response = client.post("/api/v1/kpi-values", headers=bearer(write_token), json={"values": values})
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "values_refused"
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(1, field)], body
    assert words in body["errors"][0]["message"]
    assert count(KpiValue) == before
    assert db.session.scalar(select(func.count(AuditRecord.id)).where(
        AuditRecord.action == "kpi.values_imported")) == 0


def test_every_bad_value_is_listed_at_once(client, write_token):
    values = [{**GOOD[0], "value": "x"}, GOOD[1], {**GOOD[2], "kpi": "zzz"}, dict(GOOD[1])]
    body = client.post("/api/v1/kpi-values", headers=bearer(write_token), json={"values": values}).get_json()
    assert [(e["index"], e["field"]) for e in body["errors"]] == [(0, "value"), (2, "kpi"), (3, None)]
    assert "already gives" in body["errors"][2]["message"]


@pytest.mark.parametrize("body", [None, [], {"values": "x"}, {"value": []}, "text"])
def test_a_body_that_is_not_a_list_of_values_is_400(client, write_token, body):
    before = count(KpiValue)
    response = client.post("/api/v1/kpi-values", headers=bearer(write_token), json=body)
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_body"
    assert count(KpiValue) == before


def test_an_empty_list_or_a_record_that_is_not_an_object_is_422(client, write_token):
    assert client.post("/api/v1/kpi-values", headers=bearer(write_token), json={"values": []}).status_code == 422
    response = client.post("/api/v1/kpi-values", headers=bearer(write_token), json={"values": [GOOD[0], 7]})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["index"] == 1


def test_writing_needs_the_write_scope(client, retail, make_token):
    token = make_token(retail, scopes=["kpis:read"])
    before = count(KpiValue)
    response = client.post("/api/v1/kpi-values", headers=bearer(token), json={"values": GOOD})
    assert response.status_code == 403 and count(KpiValue) == before


def test_a_token_writes_only_into_its_own_organisation(client, demo, make_token):
    bank_token = make_token(demo["demo-bank"], scopes=["kpis:write"])
    before = count(KpiValue)
    response = client.post("/api/v1/kpi-values", headers=bearer(bank_token), json={"values": GOOD})
    assert response.status_code == 422  # retail's people and teams do not exist for the bank
    assert count(KpiValue) == before
