"""Closing a campaign from the web: answers stop at once, the job queue closes it out (a large campaign takes
longer than a request may), the pages say so meanwhile, and a repeated or lost job message changes nothing."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from cxculture.assessments.answers import Participation
from cxculture.assessments.campaigns import LOST_CLOSING_SECONDS, finish_closing, finish_due_closings
from cxculture.assessments.models import FrozenResult
from cxculture.extensions import db
from cxculture.util import utcnow
from tests.assessments.results_factories import open_campaign_in, respond_many


def _frozen(campaign) -> int:
    return db.session.scalar(select(func.count()).select_from(FrozenResult)
                             .where(FrozenResult.campaign_id == campaign.id))


def test_closing_on_the_web_hands_the_close_out_to_the_queue(client, login_as, demo):
    campaign = open_campaign_in(demo["demo-bank"])
    respond_many(campaign, 6)
    db.session.commit()
    login_as("admin", org="bank")
    response = client.post(f"/assessments/campaigns/{campaign.id}/close", data={"confirm": "yes"},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Its results are being computed" in page and "Closing" in page
    assert '<meta http-equiv="refresh" content="3">' in page
    db.session.refresh(campaign)
    assert campaign.status == "closing" and _frozen(campaign) == 0
    results = client.get(f"/assessments/{campaign.id}/results").get_data(as_text=True)
    assert "results are being computed" in results and 'http-equiv="refresh"' in results

    assert finish_closing(campaign.id) is True
    assert finish_closing(campaign.id) is False  # a repeated message: nothing to do
    db.session.expire_all()
    assert campaign.status == "closed" and _frozen(campaign) > 0
    assert db.session.scalar(select(func.count()).select_from(Participation)
                             .where(Participation.campaign_id == campaign.id)) == 0
    page = client.get(f"/assessments/campaigns/{campaign.id}").get_data(as_text=True)
    assert 'http-equiv="refresh"' not in page and "Closed" in page
    assert client.get(f"/assessments/{campaign.id}/results").status_code == 200


def test_answers_stop_as_soon_as_the_campaign_is_closing(client, login_as, demo):
    campaign = open_campaign_in(demo["demo-bank"])
    login_as("admin", org="bank")
    client.post(f"/assessments/campaigns/{campaign.id}/close", data={"confirm": "yes"})
    client.post("/logout")
    login_as("employee", org="bank")
    response = client.post(f"/assessments/{campaign.id}/answer/vision", data={})
    assert response.status_code == 409  # refused as closed: nothing saved


def test_a_lost_message_is_made_good_by_the_periodic_round(client, login_as, demo):
    campaign = open_campaign_in(demo["demo-bank"])
    respond_many(campaign, 6)
    db.session.commit()
    login_as("admin", org="bank")
    client.post(f"/assessments/campaigns/{campaign.id}/close", data={"confirm": "yes"})
    assert finish_due_closings() == 0  # just closed: its own message is still on its way
    db.session.refresh(campaign)
    campaign.closed_at = utcnow() - timedelta(seconds=LOST_CLOSING_SECONDS + 1)
    db.session.commit()
    assert finish_due_closings() == 1
    db.session.expire_all()
    assert campaign.status == "closed" and _frozen(campaign) > 0
