"""Assessment results through the API: exactly the leadership's results page, never a figure below the
threshold."""
from __future__ import annotations

from cxculture.assessments.results.summary import campaign_results
from cxculture.extensions import db
from cxculture.orgs.service import person_by_email
from cxculture.pillars import PILLARS
from tests.api.conftest import bearer
from tests.assessments.results_factories import make_campaign, respond_many, retail_campaign, teams


def _results(client, token, campaign):
    response = client.get(f"/api/v1/campaigns/{campaign.id}/results", headers=bearer(token))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_team_below_the_threshold_and_its_revealing_sibling_are_hidden(client, retail, make_token):
    campaign = retail_campaign(retail)  # Torino 2 respondents (threshold 5), Roma hidden with it
    token = make_token(retail, scopes=["results:read"])
    body = _results(client, token, campaign)
    paths = {t.id: path for path, t in teams(retail).items()}
    by_path = {paths[row["team_id"]]: row for row in body["teams"]}
    for hidden in ("Vendite/Torino Store", "Vendite/Roma Store"):
        assert by_path[hidden] == {"team_id": by_path[hidden]["team_id"], "label": by_path[hidden]["label"],
                                   "hidden": True, "respondents": None, "pillars": {}}
    milano = by_path["Vendite/Milano Store"]
    assert not milano["hidden"] and milano["respondents"] == 9
    assert milano["pillars"]["listening"]["score"] == 2.0
    assert body["threshold"] == 5 and body["respondents"] == 36
    # Torino's own score (vision 1) appears nowhere: no pillar, no team, no item, no number of 2 respondents.
    assert all(row["respondents"] != 2 for row in body["teams"] + body["job_roles"])


def test_the_api_shows_exactly_what_the_leaders_page_shows(client, retail, make_token):
    campaign = retail_campaign(retail)
    token = make_token(retail, scopes=["results:read"])
    body = _results(client, token, campaign)
    page = campaign_results(campaign, person_by_email("leader@retail.example.com"), "en")
    assert [row["hidden"] for row in body["teams"]] == [row.hidden for row in page.team_rows]
    assert [row["hidden"] for row in body["job_roles"]] == [row.hidden for row in page.role_rows]
    assert [p.get("score") for p in body["pillars"]] == page.scores()
    for api_row, page_row in zip(body["teams"], page.team_rows, strict=True):
        if not page_row.hidden:
            assert [api_row["pillars"][p].get("score") for p in PILLARS] == [c.score for c in page_row.cells]


def test_an_organisation_below_the_threshold_shows_nothing(client, retail, make_token):
    campaign = make_campaign(retail, title="Tiny")
    respond_many(campaign, 3, team=teams(retail)["Vendite/Milano Store"])
    token = make_token(retail, scopes=["results:read"])
    body = _results(client, token, campaign)
    assert body["visible"] is False and body["respondents"] is None
    assert body["teams"] == [] and body["items"] == []
    assert body["pillars"] == []
    assert "score" not in str(body)


def test_only_closed_campaigns_of_the_token_organisation(client, demo, make_token):
    retail, bank = demo["demo-retail"], demo["demo-bank"]
    closed = retail_campaign(retail)
    running = make_campaign(retail, title="Running", status="open")
    theirs = make_campaign(bank, title="Bank's")
    db.session.commit()
    token = make_token(retail, scopes=["results:read"])
    listed = client.get("/api/v1/campaigns", headers=bearer(token)).get_json()["data"]
    assert [c["id"] for c in listed] == [closed.id]
    for other in (running, theirs):
        response = client.get(f"/api/v1/campaigns/{other.id}/results", headers=bearer(token))
        assert response.status_code == 404, other.title


def test_results_carry_an_etag(client, retail, make_token):
    campaign = retail_campaign(retail)
    token = make_token(retail, scopes=["results:read"])
    first = client.get(f"/api/v1/campaigns/{campaign.id}/results", headers=bearer(token))
    again = client.get(f"/api/v1/campaigns/{campaign.id}/results",
                       headers={**bearer(token), "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
