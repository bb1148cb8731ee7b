"""A campaign's opening is mailed to everyone invited; reminders go only to the invited who have not answered,
decided inside the job, at most once per round, and leave no row, page or log line saying who they were."""
from __future__ import annotations

import logging
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cxculture.assessments.answering import save_draft, submit
from cxculture.assessments.answers import Invitee
from cxculture.assessments.instruments import sync_shipped_instruments
from cxculture.assessments.models import Campaign
from cxculture.assessments.reminders import mail_campaigns, reminder_round
from cxculture.extensions import db
from cxculture.mail.models import MailMessage, MailOccasion
from cxculture.orgs.models import Person
from cxculture.orgs.service import team_paths
from tests.mail.conftest import deliver, parts

TODAY = date.today()


@pytest.fixture
def opened(client, login_as, outbox, smtp_server):
    """The Milano store's campaign (12 people), created and opened by the administrator through the pages."""
    instrument = sync_shipped_instruments()[0]
    db.session.commit()
    retail = login_as("admin").organisation
    store = next(tid for tid, path in team_paths(retail.id).items() if path == "Vendite/Milano Store")
    response = client.post("/assessments/campaigns/new", data={
        "title": "Spring culture check", "opens_on": TODAY.isoformat(),
        "closes_on": (TODAY + timedelta(days=10)).isoformat(), "threshold_override": "",
        "instrument_id": str(instrument.id), "team_ids": [str(store)]})
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign).where(Campaign.organisation_id == retail.id))
    assert client.post(f"/assessments/campaigns/{campaign.id}/open", data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    return campaign


def _invited(campaign) -> list[Person]:
    return list(db.session.scalars(select(Person).join(Invitee, Invitee.person_id == Person.id)
                                   .where(Invitee.campaign_id == campaign.id).order_by(Person.id)))


def _answer(campaign, people):
    values = {item["key"]: 4 for item in campaign.instrument.items}
    for person in people:
        save_draft(campaign, person, values, {})
        submit(campaign, person)
    db.session.commit()


def test_opening_a_campaign_mails_everyone_invited_once(opened, smtp_server):
    invited = _invited(opened)
    assert len(invited) == 12
    assert mail_campaigns() == {"announced": 1, "reminded": 0, "messages": 12}
    assert mail_campaigns() == {"announced": 0, "reminded": 0, "messages": 0}  # a repeated round sends nothing
    deliver()
    deliver()
    assert sorted(smtp_server.addresses) == sorted(p.email for p in invited)
    message = smtp_server.to(invited[0].email)[0]
    assert message["Content-Language"] == "it"  # Demo Retail's people read Italian
    assert message["Subject"] == "L’autovalutazione della cultura “Spring culture check” è aperta"
    body = parts(message)
    assert f"/assessments/{opened.id}/answer" in body["text"] and "Demo Retail" in body["html"]


def test_reminders_go_only_to_those_who_have_not_answered(opened, smtp_server, cx_logs):
    caplog = cx_logs
    invited = _invited(opened)
    mail_campaigns()
    deliver()
    smtp_server.received.clear()
    answered, waiting = invited[:7], invited[7:]
    _answer(opened, answered)
    halfway = opened.opens_on + timedelta(days=5)
    assert reminder_round(opened, halfway) == "halfway"

    caplog.set_level(logging.INFO)
    assert mail_campaigns(today=halfway) == {"announced": 0, "reminded": 1, "messages": 5}
    assert mail_campaigns(today=halfway) == {"announced": 0, "reminded": 0, "messages": 0}
    deliver()
    assert sorted(smtp_server.addresses) == sorted(p.email for p in waiting)
    body = parts(smtp_server.to(waiting[0].email)[0])
    assert "non abbiamo ancora ricevuto le tue risposte" in body["text"]

    # Nothing left behind names them: no outbox row, no occasion but the campaign's round, no log line.
    assert db.session.scalars(select(MailMessage.kind).distinct()).all() == ["campaign_opened"]
    assert db.session.scalars(select(MailOccasion.key).where(MailOccasion.kind == "campaign-reminder")).all() == [
        f"{opened.id}:halfway"]
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("cxculture"))
    assert "halfway reminder queued for 5 people" in logged
    for person in invited:
        assert person.email not in logged and person.name not in logged and f"person {person.id}" not in logged

    # The closing round reminds again whoever still has not answered; the halfway round never comes back.
    smtp_server.received.clear()
    _answer(opened, waiting[:2])
    closing = opened.closes_on - timedelta(days=1)
    assert mail_campaigns(today=closing)["messages"] == 3
    deliver()
    assert sorted(smtp_server.addresses) == sorted(p.email for p in waiting[2:])


def test_a_reminder_not_sent_in_a_day_is_dropped(opened, smtp_server):
    mail_campaigns()
    deliver()
    mail_campaigns(today=opened.opens_on + timedelta(days=5))
    later = db.session.scalar(select(func.max(MailMessage.created_at))) + timedelta(hours=25)
    from cxculture.mail.outbox import deliver_mail

    report = deliver_mail(now=later)
    assert report.dropped == 12 and report.sent == 0
    assert db.session.scalar(select(func.count()).select_from(MailMessage).where(MailMessage.kind == "reminder")) == 0


def test_people_who_turned_reminders_off_get_none(opened, client, smtp_server):
    waiting = _invited(opened)[0]
    client.post("/logout")
    from tests.conftest import login

    login(client, waiting.email)
    response = client.post("/account/mail", data={"wanted": ["training_reminders"]})
    assert response.status_code == 302
    mail_campaigns()
    deliver()
    smtp_server.received.clear()
    mail_campaigns(today=opened.opens_on + timedelta(days=5))
    deliver()
    assert waiting.email not in smtp_server.addresses and len(smtp_server.addresses) == 11


def test_nobody_is_reminded_of_a_closed_campaign(opened, client, smtp_server):
    mail_campaigns()
    assert client.post(f"/assessments/campaigns/{opened.id}/close", data={"confirm": "yes"}).status_code == 302
    assert mail_campaigns(today=opened.closes_on - timedelta(days=1)) == {"announced": 0, "reminded": 0,
                                                                            "messages": 0}
