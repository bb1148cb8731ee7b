"""Scores, distributions, reverse coding and Cronbach's alpha against hand-computed values."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from cxculture.assessments.answering import save_draft, submit
from cxculture.assessments.answers import Answer, Response
from cxculture.assessments.instruments import sync_shipped_instruments
from cxculture.assessments.models import Campaign
from cxculture.assessments.scoring import Tally, cronbach_alpha, item_tallies, pillar_tallies
from cxculture.extensions import db
from tests.assessments.results_factories import open_now


@pytest.fixture
def campaign(demo):
    instrument = sync_shipped_instruments()[0]
    campaign = Campaign(organisation_id=demo["demo-bank"].id, instrument=instrument, title="Test",
                        opens_on=date.today() - timedelta(days=1), closes_on=date.today() + timedelta(days=7),
                        status="open")
    db.session.add(campaign)
    return open_now(campaign)


def add_response(campaign, values: dict[str, int], team_id=None):
    """A response with the given values for some items of the vision pillar (the rest are not needed here)."""
    items = {i["key"]: i for i in campaign.instrument.items}
    response = Response(campaign_id=campaign.id, team_id=team_id)
    for key, value in values.items():
        reverse = items[key]["reverse"]
        response.answers.append(Answer(item_key=key, pillar=items[key]["pillar"], value=value,
                                       score=6 - value if reverse else value))
    db.session.add(response)
    db.session.flush()
    return response


def test_reverse_items_are_recoded_before_scoring(campaign):
    reverse = next(i for i in campaign.instrument.items if i["reverse"] and i["pillar"] == "vision")
    add_response(campaign, {reverse["key"]: 5})  # strongly agreeing with a negative statement
    tally = pillar_tallies(campaign.id)[(None, "vision")]
    assert tally.mean == 1 and tally.unfavourable == 1 and tally.favourable == 0


def test_pillar_mean_and_distribution(campaign):
    add_response(campaign, {"vision-1": 5, "vision-2": 4, "vision-3": 3})
    add_response(campaign, {"vision-1": 2, "vision-2": 1, "vision-3": 4})
    tally = pillar_tallies(campaign.id)[(None, "vision")]
    assert tally.respondents == 2 and tally.answers == 6
    assert tally.mean == pytest.approx(19 / 6)
    assert (tally.percent("favourable"), tally.percent("neutral"), tally.percent("unfavourable")) == \
        pytest.approx((50, 100 / 6, 100 / 3))
    assert tally.small_sample


def test_tallies_add_up_exactly_across_groups(campaign):
    add_response(campaign, {"vision-1": 5}, team_id=None)
    add_response(campaign, {"vision-1": 2}, team_id=None)
    whole = pillar_tallies(campaign.id)[(None, "vision")]
    combined = Tally()
    for tally in pillar_tallies(campaign.id, group_by=Response.team_id).values():
        combined.add(tally)
    assert combined == whole


def test_item_detail(campaign):
    add_response(campaign, {"vision-1": 5, "vision-2": 4})
    add_response(campaign, {"vision-1": 3, "vision-2": 4})
    items = item_tallies(campaign.id)
    assert items["vision-1"].mean == 4 and items["vision-2"].mean == 4 and items["vision-1"].neutral == 1


def test_cronbach_alpha_matches_a_hand_computed_value(campaign):
    # Three items (none reverse), four respondents.
    data = [(4, 5, 4), (2, 3, 3), (5, 5, 4), (3, 2, 2)]
    for a, b, c in data:
        add_response(campaign, {"vision-1": a, "vision-2": b, "vision-3": c})
    # Population variances: items 1.25, 1.6875, 0.6875 -> sum 3.625; totals 13, 8, 14, 7 -> variance 9.25.
    expected = 3 / 2 * (1 - 3.625 / 9.25)
    result = cronbach_alpha(campaign.id)["vision"]
    assert result.alpha == pytest.approx(expected) and result.n == 4 and result.items == 3
    assert result.acceptable is (expected >= 0.7)


def test_alpha_is_undefined_without_variance(campaign):
    for _ in range(3):
        add_response(campaign, {"vision-1": 4, "vision-2": 4})
    assert cronbach_alpha(campaign.id)["vision"].alpha is None


def test_submit_stores_recoded_scores(campaign, demo):
    from cxculture.orgs.service import person_by_email

    person = person_by_email("employee@bank.example.com")
    values = {item["key"]: 5 for item in campaign.instrument.items}
    save_draft(campaign, person, values, {})
    submit(campaign, person)
    db.session.commit()
    tallies = pillar_tallies(campaign.id)
    reverse_per_pillar = {p["key"]: sum(i["reverse"] for i in p["items"]) for p in campaign.instrument.pillars}
    for pillar in reverse_per_pillar:
        tally = tallies[(None, pillar)]
        assert tally.unfavourable == reverse_per_pillar[pillar]
