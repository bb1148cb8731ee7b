"""Deliveries to a real HTTP receiver on loopback: signed as Standard Webhooks says (checked with its reference
library), retried with backoff, logged, paused when failing for days; the events the areas publish, with ids and
names only, never survey answers or comments; through the job queue as it runs them."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from standardwebhooks import Webhook

from cxculture import events
from cxculture.assessments.answering import save_draft, submit
from cxculture.assessments.answers import Invitee
from cxculture.assessments.campaigns import close_campaign
from cxculture.assessments.models import ActionItem
from cxculture.assessments.reminders import announce_overdue_actions
from cxculture.audit import AuditRecord
from cxculture.cafes.service import record_attendance
from cxculture.extensions import db
from cxculture.jobs.housekeeping import SWEEPS
from cxculture.listening.remarks import close_remark
from cxculture.mail.models import MailMessage
from cxculture.modules.models import Certificate
from cxculture.orgs.models import Person
from cxculture.orgs.service import person_by_email
from cxculture.util import utcnow
from cxculture.webhooks.delivery import (
    AUTO_PAUSE_AFTER,
    DELIVERY_JOB,
    KEEP_DAYS,
    MAX_ATTEMPTS,
    RETRY_AFTER,
    deliver_webhooks,
    queue_test_event,
)
from cxculture.webhooks.models import WebhookDelivery
from cxculture.webhooks.service import pause_subscription, resume_subscription, rotate_secret
from tests.assessments.results_factories import open_campaign_in
from tests.cafes.helpers import new_cafe
from tests.conftest import login
from tests.listening.helpers import remark_by, touchpoint
from tests.lms.test_xapi import _learn

pytestmark = pytest.mark.slow


def _deliveries() -> list[WebhookDelivery]:
    return list(db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)))


def _verified(received, secret: str) -> dict:
    """The body, once the reference library has checked its signature and timestamp (raises otherwise)."""
    return Webhook(secret).verify(received.body, received.headers)


def test_a_test_event_arrives_signed_and_is_logged(client, login_as, demo, receiver, subscribe):
    subscription, secret = subscribe(demo["demo-bank"], receiver.url)
    queue_test_event(subscription)
    db.session.commit()
    report = deliver_webhooks()
    assert report.delivered == 1
    [received] = receiver.requests
    assert received.path == "/hook" and received.headers["content-type"] == "application/json"
    assert received.headers["webhook-id"].startswith("msg_")
    assert received.headers["webhook-signature"].startswith("v1,")
    body = _verified(received, secret)
    assert body["type"] == "webhook.test" and body["data"] == {"subscription": {"id": subscription.id}}
    with pytest.raises(Exception, match="No matching signature"):
        Webhook("whsec_" + "QUJD" * 8).verify(received.body, received.headers)
    [delivery] = _deliveries()
    assert (delivery.status, delivery.attempts, delivery.last_status_code, delivery.payload) == \
        ("delivered", 1, 200, None)
    assert delivery.message_id == received.headers["webhook-id"]
    login_as("admin", org="bank")
    log = client.get(f"/admin/webhooks/{subscription.id}").text
    assert delivery.message_id in log and "HTTP 200" in log and "Delivered" in log


def test_a_failing_receiver_is_retried_on_the_backoff_schedule_with_the_same_id(demo, receiver, subscribe):
    subscription, secret = subscribe(demo["demo-bank"], receiver.url)
    receiver.statuses = [500, 503]
    queue_test_event(subscription)
    db.session.commit()
    now = utcnow()
    assert deliver_webhooks(now).retrying == 1
    [delivery] = _deliveries()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at == now + RETRY_AFTER[0]
    assert deliver_webhooks(now + timedelta(seconds=30)).retrying == 0  # not due yet: nothing is sent
    assert len(receiver.requests) == 1
    later = now + RETRY_AFTER[0]
    deliver_webhooks(later)
    db.session.refresh(delivery)
    assert (delivery.attempts, delivery.last_status_code, delivery.next_attempt_at) == \
        (2, 503, later + RETRY_AFTER[1])
    deliver_webhooks(later + RETRY_AFTER[1])
    db.session.refresh(delivery)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 3, 200)
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1
    assert all(_verified(r, secret)["type"] == "webhook.test" for r in receiver.requests[-1:])


def test_a_delivery_is_given_up_after_the_last_retry(demo, receiver, subscribe):
    subscription, _ = subscribe(demo["demo-bank"], receiver.url)
    receiver.statuses = [500] * 10
    queue_test_event(subscription)
    db.session.commit()
    moment = utcnow()
    waits = []
    for _ in range(MAX_ATTEMPTS):
        deliver_webhooks(moment)
        delivery = _deliveries()[0]
        if delivery.next_attempt_at:
            waits.append(delivery.next_attempt_at - moment)
            moment = delivery.next_attempt_at
    assert waits == list(RETRY_AFTER)  # 1 min, 5 min, 30 min, 2 h, 12 h
    assert (delivery.status, delivery.attempts, delivery.payload) == ("failed", MAX_ATTEMPTS, None)
    assert len(receiver.requests) == MAX_ATTEMPTS
    deliver_webhooks(moment + timedelta(days=1))
    assert len(receiver.requests) == MAX_ATTEMPTS


def test_a_receiver_that_never_answers_is_retried(demo, subscribe):
    subscription, _ = subscribe(demo["demo-bank"], "http://127.0.0.1:9/closed")  # nothing listens on port 9
    queue_test_event(subscription)
    db.session.commit()
    assert deliver_webhooks().retrying == 1
    [delivery] = _deliveries()
    assert delivery.last_status_code is None and delivery.last_error == "ConnectionError"


def test_a_receiver_that_does_not_answer_holds_back_only_its_own_deliveries(demo, receiver, subscribe):
    down, _ = subscribe(demo["demo-bank"], "http://127.0.0.1:9/closed")
    up, _ = subscribe(demo["demo-bank"], receiver.url)
    for subscription in (down, down, down, up):
        queue_test_event(subscription)
    db.session.commit()
    report = deliver_webhooks()
    assert (report.retrying, report.delivered) == (1, 1)  # one try of the receiver that is down, then on
    assert sorted(d.attempts for d in _deliveries()) == [0, 0, 1, 1]


def test_a_subscription_failing_for_days_is_paused_and_the_administrators_told(app, demo, receiver, subscribe):
    organisation = demo["demo-bank"]
    subscription, _ = subscribe(organisation, receiver.url, events=["campaign.closed"])
    receiver.statuses = [500] * 10
    queue_test_event(subscription)
    db.session.commit()
    start = utcnow()
    deliver_webhooks(start)
    db.session.refresh(subscription)
    assert subscription.failing_since == start and subscription.status == "active"
    queue_test_event(subscription)
    db.session.commit()
    deliver_webhooks(start + AUTO_PAUSE_AFTER)
    db.session.refresh(subscription)
    assert (subscription.status, subscription.paused_reason) == ("paused", "failing")
    admins = {p.email for p in db.session.scalars(select(Person).where(Person.organisation_id == organisation.id))
              if p.can("admin") and p.active}
    mails = list(db.session.scalars(select(MailMessage).where(MailMessage.kind == "webhook")))
    assert {m.recipient for m in mails} == admins and receiver.url in mails[0].subject
    assert db.session.scalar(select(func.count()).select_from(AuditRecord).where(
        AuditRecord.action == "webhook.paused")) == 1
    # The administrator's home page says so, with the way to the subscription.
    client = app.test_client()
    login(client, "admin@bank.example.com")
    home = client.get("/home/admin").get_data(as_text=True)
    assert f"Webhook paused: {receiver.url}" in home and f"/admin/webhooks/{subscription.id}" in home
    # Paused: new events are not queued (test events still go, to check the receiver before resuming).
    events.campaign_closed.send(open_campaign_in(organisation))
    db.session.commit()
    assert [d.event for d in _deliveries()] == ["webhook.test", "webhook.test"]


def test_a_paused_subscriptions_waiting_events_are_sent_when_it_is_resumed(demo, receiver, subscribe):
    organisation = demo["demo-bank"]
    subscription, _ = subscribe(organisation, receiver.url, events=["campaign.closed"])
    events.campaign_closed.send(open_campaign_in(organisation))
    pause_subscription(subscription)
    db.session.commit()
    deliver_webhooks()
    assert receiver.requests == [] and _deliveries()[0].status == "pending"
    resume_subscription(subscription)
    db.session.commit()
    deliver_webhooks()
    assert len(receiver.requests) == 1 and _deliveries()[0].status == "delivered"


def test_a_success_clears_the_failing_mark(demo, receiver, subscribe):
    subscription, _ = subscribe(demo["demo-bank"], receiver.url)
    receiver.statuses = [500]
    queue_test_event(subscription)
    queue_test_event(subscription)
    db.session.commit()
    deliver_webhooks()
    db.session.refresh(subscription)
    assert subscription.failing_since is None and subscription.status == "active"


def test_after_a_rotation_both_secrets_sign_for_a_day(demo, receiver, subscribe):
    subscription, first = subscribe(demo["demo-bank"], receiver.url)
    second = rotate_secret(subscription)
    queue_test_event(subscription)
    db.session.commit()
    deliver_webhooks()
    [received] = receiver.requests
    assert received.headers["webhook-signature"].count("v1,") == 2
    assert _verified(received, first) == _verified(received, second)
    queue_test_event(subscription)
    db.session.commit()
    deliver_webhooks(utcnow() + timedelta(days=1, seconds=1))
    late = receiver.requests[-1]
    assert late.headers["webhook-signature"].count("v1,") == 1
    with pytest.raises(Exception, match=r"No matching signature|too old"):
        _verified(late, first)


def test_delivery_rejects_an_address_that_became_private(demo, receiver, subscribe, app):
    subscription, _ = subscribe(demo["demo-bank"], receiver.url)
    queue_test_event(subscription)
    db.session.commit()
    app.config["WEBHOOKS_ALLOW_LOOPBACK"] = False  # as in production: checked again at every delivery
    deliver_webhooks()
    assert receiver.requests == []
    assert "private or local address" in _deliveries()[0].last_error


# The events ------------------------------------------------------------------------------------------------------

def test_a_completed_module_is_sent_with_ids_only(trained, receiver, subscribe):
    employee = person_by_email("employee@retail.example.com")
    _, secret = subscribe(trained["demo-retail"], receiver.url, events=["module.completed"])
    subscribe(trained["demo-bank"], receiver.url + "/bank", events=["module.completed"])
    _learn(employee)
    deliver_webhooks()
    [received] = receiver.requests  # one organisation's event reaches only its own subscriptions
    body = _verified(received, secret)
    assert body["type"] == "module.completed"
    assert body["data"] == {"person": {"id": employee.id}, "module": {"slug": "what-is-cx", "version": 1},
                            "via": "quiz"}
    assert employee.email not in received.body.decode() and employee.name not in received.body.decode()


def test_a_certificate_and_an_erased_person(demo, receiver, subscribe):
    organisation = demo["demo-retail"]
    _, secret = subscribe(organisation, receiver.url, events=["certificate.issued"])
    person = person_by_email("employee@retail.example.com")
    certificate = Certificate(organisation_id=organisation.id, person_id=person.id, job_role_id=person.job_role_id,
                              person_name=person.name, organisation_name=organisation.name, role_name_en="x",
                              role_name_it="x", modules=[])
    db.session.add(certificate)
    db.session.flush()
    events.certificate_issued.send(person, certificate=certificate)
    db.session.commit()
    deliver_webhooks()
    body = _verified(receiver.requests[0], secret)
    assert body["data"] == {"person": {"id": person.id}, "certificate": {
        "id": certificate.id, "code": certificate.code, "job_role_id": person.job_role_id}}
    person.erased_at = utcnow()
    events.certificate_issued.send(person, certificate=certificate)
    db.session.commit()
    assert len(_deliveries()) == 1  # nothing more about an erased person


def test_a_closed_campaign_carries_its_turnout_and_never_an_answer_or_comment(demo, receiver, subscribe):
    organisation = demo["demo-retail"]
    _, secret = subscribe(organisation, receiver.url, events=["campaign.closed"])
    campaign = open_campaign_in(organisation, "Spring check")
    db.session.commit()
    ids = select(Invitee.person_id).where(Invitee.campaign_id == campaign.id)
    people = list(db.session.scalars(select(Person).where(Person.id.in_(ids)).order_by(Person.id).limit(6)))
    for number, person in enumerate(people):
        save_draft(campaign, person, {item["key"]: 2 for item in campaign.instrument.items},
                   {"obstacles": f"Secret comment {number}"})
        submit(campaign, person)
    db.session.commit()
    close_campaign(campaign)
    db.session.commit()
    deliver_webhooks()
    [received] = receiver.requests
    body = _verified(received, secret)
    invited = campaign.invited_count
    assert body == {"type": "campaign.closed", "timestamp": body["timestamp"], "data": {
        "campaign": {"id": campaign.id, "title": "Spring check", "kind": "full"},
        "turnout_percent": round(100 * len(people) / invited)}}
    assert "Secret comment" not in received.body.decode()


def test_an_overdue_action_is_announced_once(demo, receiver, subscribe):
    organisation = demo["demo-retail"]
    _, secret = subscribe(organisation, receiver.url, events=["action.overdue"])
    owner = person_by_email("manager@retail.example.com")
    action = ActionItem(organisation_id=organisation.id, pillar="listening", title="Call back within a day",
                        owner_id=owner.id, due_date=date.today() - timedelta(days=1), status="open")
    done = ActionItem(organisation_id=organisation.id, pillar="vision", title="Done already", owner_id=owner.id,
                      due_date=date.today() - timedelta(days=1), status="done")
    db.session.add_all([action, done])
    db.session.commit()
    assert announce_overdue_actions() == 1
    assert announce_overdue_actions() == 0  # the next night's round announces nothing twice
    deliver_webhooks()
    [received] = receiver.requests
    assert _verified(received, secret)["data"] == {"action": {
        "id": action.id, "title": "Call back within a day", "pillar": "listening",
        "due_date": action.due_date.isoformat(), "status": "open", "owner_id": owner.id}}


def test_a_closed_remark_carries_neither_the_customers_words_nor_the_outcome(demo, receiver, subscribe):
    organisation = demo["demo-retail"]
    _, secret = subscribe(organisation, receiver.url, events=["remark.closed"])
    point = touchpoint(organisation, "store", "Vendite/Milano Store")
    remark = remark_by("employee@retail.example.com", point, "The card was charged twice")
    close_remark(remark, person_by_email("manager@retail.example.com"), "Refund made")
    db.session.commit()
    deliver_webhooks()
    [received] = receiver.requests
    data = _verified(received, secret)["data"]
    assert data["remark"]["id"] == remark.id and data["touchpoint"] == {"id": point.id, "name": point.name("en")}
    assert "charged twice" not in received.body.decode() and "Refund" not in received.body.decode()


def test_a_held_cafe_is_sent_once_with_how_many_were_present(demo, receiver, subscribe):
    organisation = demo["demo-retail"]
    _, secret = subscribe(organisation, receiver.url, events=["cafe.held"])
    cafe = new_cafe(organisation)
    leader = person_by_email("leader@retail.example.com")
    record_attendance(cafe, {leader.id})
    record_attendance(cafe, {leader.id})  # marking attendance again does not hold it again
    db.session.commit()
    deliver_webhooks()
    [received] = receiver.requests
    assert _verified(received, secret)["data"] == {"cafe": {
        "id": cafe.id, "title": cafe.title, "starts_at": cafe.starts_at.isoformat(timespec="minutes"),
        "focus_pillars": list(cafe.focus_pillars)}, "present": 1}
    assert leader.name not in received.body.decode()


def test_an_event_nobody_chose_is_not_queued(demo, subscribe):
    organisation = demo["demo-retail"]
    subscription, _ = subscribe(organisation, "http://127.0.0.1:9/x", events=["remark.closed"])
    events.campaign_closed.send(open_campaign_in(organisation))
    pause_subscription(subscription)
    events.campaign_closed.send(open_campaign_in(organisation, "Another"))
    db.session.commit()
    assert _deliveries() == []


# The job queue and the sweep ---------------------------------------------------------------------------------

def test_the_job_queue_delivers_after_the_commit(app, demo, receiver, subscribe, sent):
    subscription, secret = subscribe(demo["demo-bank"], receiver.url)
    queue_test_event(subscription)
    assert sent == []  # nothing before the commit
    db.session.commit()
    assert sent == [(DELIVERY_JOB, ())]
    app.extensions["celery"].tasks[DELIVERY_JOB].apply()  # the task, as a worker runs it
    app.extensions["celery"].tasks[DELIVERY_JOB].apply()  # a repeated message sends nothing twice
    db.session.expire_all()
    assert len(receiver.requests) == 1 and _deliveries()[0].status == "delivered"
    assert _verified(receiver.requests[0], secret)["type"] == "webhook.test"


def test_the_schedule_runs_the_delivery_every_round(app):
    from cxculture.jobs import celery_config

    entry = celery_config(app)["beat_schedule"]["deliver-webhooks"]
    assert entry["task"] == DELIVERY_JOB and DELIVERY_JOB in app.extensions["celery"].tasks


def test_the_sweep_deletes_the_log_after_30_days_but_keeps_what_waits(demo, subscribe):
    subscription, _ = subscribe(demo["demo-bank"], "http://127.0.0.1:9/x")
    old = utcnow() - timedelta(days=KEEP_DAYS + 1)
    for status in ("delivered", "failed", "pending"):
        queue_test_event(subscription).status = status
    db.session.flush()
    for delivery in _deliveries():
        delivery.created_at = old
    queue_test_event(subscription).status = "delivered"  # recent
    db.session.commit()
    assert SWEEPS["webhook_delivery"]() == 2
    assert sorted(d.status for d in _deliveries()) == ["delivered", "pending"]


def test_a_delivery_holds_no_body_once_done_and_the_log_shows_no_body(client, login_as, demo, receiver, subscribe):
    subscription, _ = subscribe(demo["demo-bank"], receiver.url)
    queue_test_event(subscription)
    db.session.commit()
    deliver_webhooks()
    login_as("admin", org="bank")
    page = client.get(f"/admin/webhooks/{subscription.id}").text
    assert json.dumps({"subscription": {"id": subscription.id}}) not in page and '"data"' not in page
