"""Opening and closing a campaign ask first; a campaign closed by mistake is reopened by its owner until anyone has
read its results."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cxculture.assessments import campaigns as service
from cxculture.assessments.answering import save_draft, submit
from cxculture.assessments.answers import Participation, Response
from cxculture.assessments.instruments import sync_shipped_instruments
from cxculture.assessments.models import Campaign, FrozenResult
from cxculture.audit.models import AuditRecord
from cxculture.extensions import db
from cxculture.orgs.models import Person
from cxculture.orgs.service import person_by_email
from cxculture.refusals import Refused

TODAY = date.today()
CONFIRM = {"confirm": "yes"}


@pytest.fixture(autouse=True)
def english_pages(demo):
    for person in db.session.scalars(select(Person).where(Person.organisation_id == demo["demo-retail"].id)):
        person.language = "en"
    db.session.commit()


@pytest.fixture
def campaign(demo):
    """An open campaign of Demo Retail owned by its leader, with five answers."""
    instrument = sync_shipped_instruments()[0]
    owner = person_by_email("leader@retail.example.com")
    campaign = Campaign(organisation_id=demo["demo-retail"].id, instrument=instrument, title="Spring check",
                        opens_on=TODAY - timedelta(days=1), closes_on=TODAY + timedelta(days=7), created_by=owner)
    db.session.add(campaign)
    db.session.flush()
    service.open_campaign(campaign)
    _answer(campaign, _invited(campaign)[:5])
    return campaign


def _invited(campaign) -> list[Person]:
    answered = select(Participation.person_id).where(Participation.campaign_id == campaign.id)
    people = select(Person).where(Person.id.in_(service.answering.invited_people_query(campaign)),
                                  Person.id.not_in(answered)).order_by(Person.id)
    return list(db.session.scalars(people))


def _answer(campaign, people):
    values = {item["key"]: 4 for item in campaign.instrument.items}
    for person in people:
        save_draft(campaign, person, values, {})
        submit(campaign, person)
    db.session.commit()


def _status(campaign) -> str:
    db.session.expire_all()
    return db.session.get(Campaign, campaign.id).status


def _audit(action: str) -> int:
    return db.session.scalar(select(func.count()).select_from(AuditRecord).where(AuditRecord.action == action))


def test_closing_asks_first_and_says_what_will_happen(client, login_as, campaign):
    login_as("leader")
    page = client.get(f"/assessments/campaigns/{campaign.id}").get_data(as_text=True)
    assert f'href="/assessments/campaigns/{campaign.id}/close"' in page  # a link to the question, not a POST

    question = client.get(f"/assessments/campaigns/{campaign.id}/close")
    text = question.get_data(as_text=True)
    assert question.status_code == 200 and _status(campaign) == "open"
    invited = campaign.invited_count
    assert f"{invited - 5} invited people who have not answered yet can no longer answer" in text
    assert "The results of the 5 answers are computed" in text
    assert "You can reopen it" in text and 'name="confirm" value="yes"' in text

    # Before: one click closed it. Now a POST without the confirmation changes nothing and says so.
    refused = client.post(f"/assessments/campaigns/{campaign.id}/close")
    assert refused.status_code == 400 and "Nothing has been changed yet" in refused.get_data(as_text=True)
    assert _status(campaign) == "open" and _audit("campaign.closed") == 0

    assert client.post(f"/assessments/campaigns/{campaign.id}/close", data=CONFIRM).status_code == 302
    assert _status(campaign) == "closing" and _audit("campaign.closed") == 1


def test_opening_asks_first_and_counts_the_people_mailed(client, login_as, demo):
    instrument = sync_shipped_instruments()[0]
    draft = Campaign(organisation_id=demo["demo-retail"].id, instrument=instrument, title="Draft check",
                     opens_on=TODAY, closes_on=TODAY + timedelta(days=7))
    db.session.add(draft)
    db.session.commit()
    login_as("admin")
    invited = service.invitation_count(draft)
    text = client.get(f"/assessments/campaigns/{draft.id}/open").get_data(as_text=True)
    assert f"{invited} people are invited and each receives an e-mail" in text and "cannot be undone" in text
    refused = client.post(f"/assessments/campaigns/{draft.id}/open")
    assert refused.status_code == 400 and _status(draft) == "draft"
    assert client.post(f"/assessments/campaigns/{draft.id}/open", data=CONFIRM).status_code == 302
    assert _status(draft) == "open"


def test_the_owner_reopens_a_campaign_nobody_has_read(client, login_as, campaign):
    service.close_campaign(campaign)
    db.session.commit()
    login_as("leader")
    page = client.get(f"/assessments/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Nobody has read its results yet" in page and f"/assessments/campaigns/{campaign.id}/reopen" in page

    text = client.get(f"/assessments/campaigns/{campaign.id}/reopen").get_data(as_text=True)
    assert "The 5 answers already given are kept" in text and "nobody new is invited" in text
    assert client.post(f"/assessments/campaigns/{campaign.id}/reopen").status_code == 400
    assert _status(campaign) == "closed"

    assert client.post(f"/assessments/campaigns/{campaign.id}/reopen", data=CONFIRM).status_code == 302
    campaign = db.session.get(Campaign, campaign.id)
    assert campaign.status == "open" and campaign.closed_at is None
    assert db.session.scalar(select(func.count()).select_from(FrozenResult)
                             .where(FrozenResult.campaign_id == campaign.id)) == 0
    assert _audit("campaign.reopened") == 1 and _audit("campaign.closed") == 1
    # Who answered before closing still cannot answer twice; someone who had not can.
    earlier = db.session.scalar(select(Participation.person_id).where(Participation.campaign_id == campaign.id))
    with pytest.raises(Refused):
        submit(campaign, db.session.get(Person, earlier))
    _answer(campaign, _invited(campaign)[:1])
    service.close_campaign(campaign)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Response)
                             .where(Response.campaign_id == campaign.id)) == 6


def test_reopening_is_refused_once_anyone_has_read_the_results(client, login_as, campaign):
    service.close_campaign(campaign)
    db.session.commit()
    login_as("leader")
    assert client.get(f"/assessments/{campaign.id}/results").status_code == 200  # read
    db.session.expire_all()
    campaign = db.session.get(Campaign, campaign.id)
    assert campaign.results_read_at is not None
    assert db.session.scalar(select(func.count()).select_from(Participation)
                             .where(Participation.campaign_id == campaign.id)) == 0

    page = client.get(f"/assessments/campaigns/{campaign.id}").get_data(as_text=True)
    assert "closing is final" in page and "/reopen" not in page
    for method, data in (("GET", None), ("POST", CONFIRM)):
        response = client.open(f"/assessments/campaigns/{campaign.id}/reopen", method=method, data=data)
        assert response.status_code == 400
        assert "Its results have already been read" in response.get_data(as_text=True)
    assert _status(campaign) == "closed" and _audit("campaign.reopened") == 0


def test_only_the_owner_reopens(client, login_as, campaign):
    service.close_campaign(campaign)
    db.session.commit()
    login_as("admin")
    response = client.post(f"/assessments/campaigns/{campaign.id}/reopen", data=CONFIRM)
    assert response.status_code == 400 and "Only its owner" in response.get_data(as_text=True)
    assert _status(campaign) == "closed"


def test_what_counts_as_reading_the_results(client, login_as, campaign):
    """Training plans picking modules from the weakest pillars show no figure: not a read. The employees'
    summary shows the organisation's scores: a read."""
    service.close_campaign(campaign)
    db.session.commit()
    login_as("employee")
    assert client.get("/home/employee").status_code == 200  # My learning: the plan asks for the weakest pillars
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).results_read_at is None
    assert client.get(f"/assessments/{campaign.id}/summary").status_code == 200
    db.session.expire_all()
    assert db.session.get(Campaign, campaign.id).results_read_at is not None


def test_who_answered_is_forgotten_at_night_once_the_campaign_can_no_longer_be_reopened(client, login_as, campaign):
    """Unread results or not: past its closing date a closed campaign cannot be reopened, so nothing needs to know
    who answered it any more."""
    from cxculture.jobs.housekeeping import sweep_expired

    service.close_campaign(campaign)
    db.session.commit()
    login_as("leader")
    respondents = select(func.count()).select_from(Participation).where(Participation.campaign_id == campaign.id)
    assert db.session.scalar(respondents) == 5
    assert sweep_expired()["participation"] == 0  # its closing date is a week away: a reopen may still need them
    campaign.closes_on = TODAY - timedelta(days=1)
    db.session.commit()
    assert sweep_expired()["participation"] > 0
    assert db.session.scalar(respondents) == 0
    assert client.get(f"/assessments/campaigns/{campaign.id}/reopen").status_code in (200, 400)
    assert client.post(f"/assessments/campaigns/{campaign.id}/reopen", data=CONFIRM).status_code == 400
