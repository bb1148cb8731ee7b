"""The leader's dashboard draws the organisation's pillar scores over its last closed campaigns."""
from __future__ import annotations

import html
import re

import pytest

from cxculture.assessments.results.summary import pillar_history
from cxculture.extensions import db
from tests.assessments.results_factories import closed_campaigns


@pytest.fixture
def demo(demo_with_assessments):
    return demo_with_assessments[0]



def _desc(page: str, pillar: str) -> str:
    return html.unescape(re.search(rf'id="leader-trend-{pillar}-desc">([^<]*)<', page).group(1))


def test_the_dashboard_shows_each_pillar_over_the_closed_campaigns(client, login_as, demo):
    login_as("leader", org="bank")
    page = client.get("/home/leader").get_data(as_text=True)
    assert re.findall(r'<svg[^>]*id="leader-trend-(\w+)"', page) == [
        "vision", "listening", "communication", "rewards", "hiring", "improvement"]
    assert "Pillar scores over the last campaigns (1 to 5)" in page
    history = pillar_history(demo["demo-bank"].id)
    assert len(history) == 3
    desc = _desc(page, "rewards")
    assert desc == "Scale from 1 to 5. " + ", ".join(
        f"{c.closes_on:%b %Y} {scores['rewards']:.1f}" for c, scores in history) + "."


def test_a_campaign_too_few_answered_is_a_gap_and_its_scores_are_not_drawn(client, login_as, demo):
    oldest, middle, latest = closed_campaigns(demo["demo-bank"].id)
    shown = {c.id: scores for c, scores in pillar_history(demo["demo-bank"].id)}
    middle.threshold = 10_000  # its frozen threshold above its respondents: none of its figures may be shown
    db.session.commit()
    login_as("leader", org="bank")
    page = client.get("/home/leader").get_data(as_text=True)
    for pillar in ("vision", "listening", "communication", "rewards", "hiring", "improvement"):
        points = _desc(page, pillar).removeprefix("Scale from 1 to 5. ").rstrip(".").split(", ")
        assert points == [f"{oldest.closes_on:%b %Y} {shown[oldest.id][pillar]:.1f}",
                          f"{middle.closes_on:%b %Y} not enough answers",
                          f"{latest.closes_on:%b %Y} {shown[latest.id][pillar]:.1f}"]


def test_no_trend_with_a_single_campaign_to_draw(client, login_as, demo):
    oldest, middle, _latest = closed_campaigns(demo["demo-bank"].id)
    oldest.threshold = middle.threshold = 10_000
    db.session.commit()
    login_as("leader", org="bank")
    page = client.get("/home/leader").get_data(as_text=True)
    assert "leader-trend-" not in page and "Pillar scores over the last campaigns" not in page


def test_the_trend_reads_in_italian(client, login_as, demo):
    leader = login_as("leader", org="bank")
    leader.language = "it"
    db.session.commit()
    page = client.get("/home/leader").get_data(as_text=True)
    assert "Punteggi dei pilastri nelle ultime campagne (da 1 a 5)" in page
    assert _desc(page, "vision").startswith("Scala da 1 a 5.")
