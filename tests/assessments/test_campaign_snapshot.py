"""A campaign is frozen when it opens (issue 11, item 5): what it shows never follows later changes to the
organisation, its threshold can be raised but not lowered, and a closed campaign's results are kept."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import delete, select

from cxculture.assessments.answering import save_draft, submit
from cxculture.assessments.answers import Answer, Invitee
from cxculture.assessments.campaigns import close_campaign
from cxculture.assessments.models import Campaign, FrozenResult
from cxculture.extensions import db
from cxculture.orgs.models import Person, Team
from tests.assessments.results_factories import open_campaign_in


@pytest.fixture
def campaign(demo):
    return open_campaign_in(demo["demo-retail"], "Snapshot check")


def _answer_many(campaign, how_many: int) -> list[Person]:
    ids = select(Invitee.person_id).where(Invitee.campaign_id == campaign.id)
    people = list(db.session.scalars(select(Person).where(Person.id.in_(ids)).order_by(Person.id).limit(how_many)))
    values = {item["key"]: 4 for item in campaign.instrument.items}
    for person in people:
        save_draft(campaign, person, values, {})
        submit(campaign, person)
    db.session.commit()
    return people


def _page(client, campaign) -> str:
    page = client.get(f"/assessments/campaigns/{campaign.id}")
    assert page.status_code == 200
    return re.sub(r'name="csrf_token" value="[^"]*"', "", page.get_data(as_text=True))


def test_moving_a_person_after_opening_changes_no_turnout(client, login_as, campaign):
    people = _answer_many(campaign, 20)
    login_as("admin")
    before = _page(client, campaign)
    mover = people[0]
    other_team = db.session.scalar(select(Team).where(Team.organisation_id == campaign.organisation_id,
                                                      Team.id != mover.team_id).order_by(Team.id))
    mover.team_id = other_team.id
    db.session.commit()
    assert _page(client, campaign) == before


@pytest.fixture
def closed(campaign):
    _answer_many(campaign, 40)
    close_campaign(campaign)
    db.session.commit()
    return campaign


def test_moving_a_team_or_lowering_the_threshold_after_closing_changes_no_figure(client, login_as, closed):
    login_as("leader")
    before = client.get(f"/assessments/{closed.id}/results.csv").get_data(as_text=True)
    team = db.session.scalar(select(Team).where(Team.organisation_id == closed.organisation_id,
                                                Team.parent_id.is_not(None)).order_by(Team.id))
    team.parent_id = None
    closed_org = db.session.get(Campaign, closed.id).organisation_id
    from cxculture.orgs.models import Organisation

    db.session.get(Organisation, closed_org).anonymity_threshold = 3
    db.session.commit()
    assert client.get(f"/assessments/{closed.id}/results.csv").get_data(as_text=True) == before


def test_a_closed_campaign_reads_the_results_kept_when_it_closed(client, login_as, closed):
    login_as("leader")
    def page() -> str:  # the results, without the form tokens (signed with the second they were made in)
        return re.sub(r'name="csrf_token" value="[^"]*"', "", client.get(f"/assessments/{closed.id}/results").text)

    before = page()
    assert db.session.scalar(select(FrozenResult.id).where(FrozenResult.campaign_id == closed.id,
                                                           FrozenResult.focus == "analysis")) is not None
    # Even with the answers gone, the figures are the ones kept.
    db.session.execute(delete(Answer))
    db.session.commit()
    assert page() == before


@pytest.mark.parametrize("value", ["3", "5", "", "abc", "-7", "99999999999"])
def test_the_threshold_is_never_lowered(client, login_as, campaign, value):
    login_as("admin")
    page = client.post(f"/assessments/campaigns/{campaign.id}/threshold", data={"threshold": value})
    assert page.status_code == 400
    assert "mai abbassare" in page.get_data(as_text=True)  # Demo Retail's admin reads Italian
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).threshold == 5


def test_raising_a_closed_campaigns_threshold_regroups_and_recomputes(client, login_as, closed):
    login_as("admin")
    question = client.post(f"/assessments/campaigns/{closed.id}/threshold", data={"threshold": "12"})
    assert question.status_code == 200 and 'name="threshold" value="12"' in question.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Campaign, closed.id).threshold < 12  # asked first: nothing changed yet
    page = client.post(f"/assessments/campaigns/{closed.id}/threshold", data={"threshold": "12", "confirm": "yes"})
    assert page.status_code == 302
    db.session.expire_all()
    campaign = db.session.get(Campaign, closed.id)
    assert campaign.threshold == 12
    from sqlalchemy import func

    from cxculture.assessments.answers import Response

    sizes = db.session.execute(select(func.count(Response.id)).where(Response.campaign_id == campaign.id)
                               .group_by(Response.team_id, Response.job_role_id, Response.leadership)).scalars()
    assert min(sizes) >= 12
    kept = db.session.scalar(select(FrozenResult.data).where(FrozenResult.campaign_id == campaign.id,
                                                             FrozenResult.focus == "analysis"))
    assert kept["threshold"] == 12
    login_as("leader")
    assert "12" in client.get(f"/assessments/{campaign.id}/results").get_data(as_text=True)
