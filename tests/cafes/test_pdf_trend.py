"""The café's papers show the host organisation's pillar trend up to the campaign its agenda was drafted from;
a guest's never do."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from cxculture.assessments.results.summary import pillar_history
from cxculture.cafes.demo import load_demo_cafes
from cxculture.cafes.models import Cafe
from cxculture.cafes.pages import cafe_view
from cxculture.cafes.views.pdf import render_cafe_pdf_html
from cxculture.extensions import db
from cxculture.orgs.service import organisation_by_slug, person_by_email
from tests.assessments.results_factories import closed_campaigns
from tests.cafes.test_pdfs import pdf_text
from tests.conftest import get_file


@pytest.fixture
def planned(demo_with_assessments):
    """Demo Retail's planned café, drafted from its latest closed campaign (three closed campaigns in all)."""
    load_demo_cafes()
    db.session.commit()
    retail = organisation_by_slug("demo-retail")
    cafe = db.session.scalars(select(Cafe).where(Cafe.organisation_id == retail.id).order_by(Cafe.starts_at)).all()[-1]
    cafe.language = "en"  # the demo's cafés are in Italian
    db.session.commit()
    return cafe



def test_the_hosts_brief_draws_the_trend(client, login_as, planned, tmp_path):
    login_as("leader")
    text = pdf_text(get_file(client, f"/leadership/cafes/{planned.id}/brief.pdf"), tmp_path)
    assert "Pillar scores over the last campaigns (1 to 5)" in text
    history = pillar_history(planned.organisation_id)
    assert len(history) == 3
    first = text.index("Pillar scores over the last campaigns")
    trend = text[first:text.index("Agenda", first)]
    assert trend.count(f"{history[0][0].closes_on:%b %Y}") == 6  # a panel per pillar
    for pillar in ("Vision", "Listening", "Communication", "Rewards", "Hiring", "Improvement"):
        assert pillar in trend
    for _campaign, scores in history:
        assert f"{scores['rewards']:.1f}" in trend


def test_a_guests_brief_has_no_trend_of_the_host(client, login_as, planned, tmp_path):
    login_as("leader", org="bank")
    text = pdf_text(get_file(client, f"/leadership/cafes/{planned.id}/brief.pdf"), tmp_path)
    assert "Pillar scores over the last campaigns" not in text


def test_a_hidden_campaign_is_a_gap_in_the_papers(app, planned):
    oldest, middle, latest = closed_campaigns(planned.organisation_id)
    shown = {c.id: scores for c, scores in pillar_history(planned.organisation_id)}
    middle.threshold = 10_000  # too few answered for any of its figures to be shown
    db.session.commit()
    leader = person_by_email("leader@retail.example.com")
    with app.test_request_context():
        html = render_cafe_pdf_html(cafe_view(planned, "host", leader), "brief", "Demo Retail", "en",
                                    planned.organisation_id)
    desc = re.search(r'id="cafe-\d+-trend-rewards-desc">([^<]*)<', html).group(1)
    assert desc == (f"Scale from 1 to 5. {oldest.closes_on:%b %Y} {shown[oldest.id]['rewards']:.1f}, "
                    f"{middle.closes_on:%b %Y} not enough answers, "
                    f"{latest.closes_on:%b %Y} {shown[latest.id]['rewards']:.1f}.")
