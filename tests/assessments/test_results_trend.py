"""The organisation's pillar scores over its closed campaigns: a small chart per pillar on the results page."""
from __future__ import annotations

import re

import pytest

from cxculture.assessments.results.summary import pillar_history
from cxculture.extensions import db
from tests.assessments.results_factories import closed_campaigns


@pytest.fixture
def demo(demo_with_assessments):
    return demo_with_assessments[0]



def _panels(page: str) -> list[str]:
    return re.findall(r'<svg[^>]*id="results-trend-(\w+)"', page)


def test_the_latest_closed_campaign_shows_every_pillar_over_the_three_quarters(client, login_as, demo):
    login_as("leader", org="bank")
    oldest, middle, latest = closed_campaigns(demo["demo-bank"].id)
    page = client.get(f"/assessments/{latest.id}/results").get_data(as_text=True)
    assert _panels(page) == ["vision", "listening", "communication", "rewards", "hiring", "improvement"]
    history = pillar_history(demo["demo-bank"].id, until=latest)
    assert [c.id for c, _ in history] == [oldest.id, middle.id, latest.id]
    listening = [f"{scores['listening']:.1f}" for _, scores in history]
    desc = re.search(r'id="results-trend-listening-desc">([^<]*)<', page).group(1)
    assert all(value in desc for value in listening) and "Scale from 1 to 5" in desc
    assert "Pillar scores over the last campaigns" in page


def test_an_earlier_campaign_draws_only_what_came_before_it(client, login_as, demo):
    login_as("leader", org="bank")
    oldest, middle, _ = closed_campaigns(demo["demo-bank"].id)
    assert len(_panels(client.get(f"/assessments/{middle.id}/results").get_data(as_text=True))) == 6
    assert _panels(client.get(f"/assessments/{oldest.id}/results").get_data(as_text=True)) == []  # one point


def test_a_team_or_a_campaign_below_its_threshold_has_no_organisation_trend(client, login_as, demo):
    login_as("leader", org="bank")
    *_, latest = closed_campaigns(demo["demo-bank"].id)
    team_id = re.search(r'name="team"[^>]*>.*?<option value="(\d+)"',
                        client.get(f"/assessments/{latest.id}/results").get_data(as_text=True), re.S).group(1)
    assert _panels(client.get(f"/assessments/{latest.id}/results?team={team_id}").get_data(as_text=True)) == []
    latest.threshold = 10_000  # its frozen threshold above its respondents: no figure may be shown
    db.session.commit()
    history = pillar_history(demo["demo-bank"].id, until=latest)
    assert history[-1][1] is None and all(scores for _, scores in history[:-1])
