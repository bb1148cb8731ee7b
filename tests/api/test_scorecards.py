"""Scorecards through /api/v1: the figures HR's pages show, for the token's organisation only."""
from __future__ import annotations

from tests.api.conftest import bearer
from tests.kpis.scorecard_factories import contact_centre_scorecard_data, person


def test_a_persons_scorecard_reads_as_hr_sees_it(client, demo, make_token):
    bank = demo["demo-bank"]
    who = person("employee@bank.example.com")
    contact_centre_scorecard_data(bank, who)
    token = make_token(bank, scopes=["kpis:read"])
    response = client.get(f"/api/v1/scorecards?period=2026-Q2&team_id={who.team_id}&limit=500",
                          headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    cards = {card["person_id"]: card for card in response.get_json()["data"]}
    card = cards[who.id]
    assert card["period"] == "2026-Q2" and card["previous_period"] == "2026-Q1"
    lines = {line["kpi"]: line for line in card["kpis"]}
    assert lines["csat"]["value"] == 88.0 and lines["csat"]["status"] == "met" and lines["csat"]["small_sample"]
    assert lines["fcr"]["status"] == "below_threshold" and lines["fcr"]["trend"] == "worse"
    assert [line["kpi"] for line in card["also_measured"]] == ["nps"]
    assert card["met"] == 1 and card["weight_met"] == 40
    assert all(card["team_id"] == who.team_id for card in cards.values())


def test_scorecards_need_the_kpis_scope_and_stay_in_the_organisation(client, demo, make_token):
    bank, retail = demo["demo-bank"], demo["demo-retail"]
    retail_token = make_token(retail, scopes=["kpis:read"])
    bank_team = next(team for team in bank.teams)
    other = client.get(f"/api/v1/scorecards?team_id={bank_team.id}", headers=bearer(retail_token))
    assert other.status_code == 200 and other.get_json()["data"] == []
    listed = client.get("/api/v1/scorecards?limit=500", headers=bearer(retail_token)).get_json()["data"]
    retail_teams = {team.id for team in retail.teams}
    assert listed and all(card["team_id"] in retail_teams | {None} for card in listed)
    no_scope = make_token(retail, scopes=["people:read"])
    assert client.get("/api/v1/scorecards", headers=bearer(no_scope)).status_code == 403
    bad = client.get("/api/v1/scorecards?period=2026-Q5", headers=bearer(retail_token))
    assert bad.status_code == 400 and bad.get_json()["parameter"] == "period"


def test_a_team_below_the_threshold_has_its_culture_hidden(client, demo_with_assessments, make_token):
    organisations, _ = demo_with_assessments
    retail = organisations["demo-retail"]
    token = make_token(retail, scopes=["kpis:read"])
    cards = client.get("/api/v1/scorecards?limit=500", headers=bearer(token)).get_json()["data"]
    cultures = [card["culture"] for card in cards if card["culture"] is not None]
    assert cultures, "the demo has closed campaigns"
    assert any(c["hidden"] for c in cultures) and any(not c["hidden"] for c in cultures)
    for culture in cultures:
        assert ("pillars" in culture) == (not culture["hidden"])
