"""Action items, café invitations (with their .ics), training reminders and the managers' digest, and the choices
on /account: each as a person causes it through the pages, delivered through a real SMTP server."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from cxculture.assessments.reminders import mail_actions_due
from cxculture.extensions import db
from cxculture.mail.models import MailOptOut
from cxculture.modules.assignments import assign_module
from cxculture.modules.models import Module
from cxculture.modules.reminders import mail_team_digests, mail_training_due
from cxculture.orgs.service import person_by_email
from tests.cafes.helpers import new_cafe
from tests.conftest import login
from tests.mail.conftest import deliver, parts

TODAY = date.today()


def _action_form(owner, **overrides):
    data = {"title": "Share customer verbatims at the Monday huddle", "pillar": "listening",
            "owner_id": str(owner.id), "due_date": (TODAY + timedelta(days=30)).isoformat(), "status": "open",
            "campaign_id": ""}
    data.update(overrides)
    return data


def test_assigning_an_action_mails_its_owner_then_once_before_it_falls_due(client, login_as, outbox, smtp_server):
    login_as("leader")
    owner = person_by_email("manager@retail.example.com")
    owner.language = "en"
    db.session.commit()
    assert client.post("/assessments/actions/new", data=_action_form(owner)).status_code == 302
    deliver()
    [message] = smtp_server.to(owner.email)
    assert message["Subject"] == "Action item for you: Share customer verbatims at the Monday huddle"
    body = parts(message)
    assert "An action item is now yours" in body["text"] and "Listening" in body["text"]
    assert "/account" in body["text"]  # an optional e-mail says where to turn it off

    smtp_server.received.clear()
    assert mail_actions_due() == 0  # due in 30 days: not yet
    assert mail_actions_due(today=TODAY + timedelta(days=28)) == 1
    assert mail_actions_due(today=TODAY + timedelta(days=29)) == 0  # once per item, owner and due date
    deliver()
    [message] = smtp_server.to(owner.email)
    assert message["Subject"] == "Action item due soon: Share customer verbatims at the Monday huddle"


def test_a_refused_action_mails_nobody(client, login_as, outbox, smtp_server):
    login_as("leader")
    owner = person_by_email("manager@retail.example.com")
    response = client.post("/assessments/actions/new", data=_action_form(owner, title=" "))
    assert response.status_code == 400
    deliver()
    assert smtp_server.received == []


def test_planning_a_cafe_mails_each_invited_leader_an_ics(client, login_as, outbox, smtp_server):
    host = login_as("leader")
    retail = host.organisation
    cafe = new_cafe(retail, title="Café; listening, together", location="Sala riunioni, 2° piano")
    deliver()
    invited = {a.person.email for a in cafe.attendees} - {host.email}
    assert invited and set(smtp_server.addresses) == invited
    message = smtp_server.to(sorted(invited)[0])[0]
    assert message.get_content_type() == "multipart/mixed"
    assert "Café; listening, together" in message["Subject"]
    body = parts(message)
    assert "Demo Retail" in body["text"] and "Sala riunioni" in body["html"]
    [calendar] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert calendar.get_filename() == "cafe.ics" and calendar.get_param("method") == "PUBLISH"
    ics = calendar.get_payload(decode=True)
    assert ics.startswith(b"BEGIN:VCALENDAR\r\n") and ics.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in ics.replace(b"\r\n", b"")  # every line ends CRLF
    assert all(len(line) <= 75 for line in ics.split(b"\r\n"))
    unfolded = ics.replace(b"\r\n ", b"").decode()
    assert "SUMMARY:Café\\; listening\\, together" in unfolded
    assert "LOCATION:Sala riunioni\\, 2° piano" in unfolded
    assert f"DTSTART:{cafe.starts_at:%Y%m%dT%H%M%S}\r\n" in unfolded
    assert f"UID:cafe-{cafe.id}@cxculture.example" in unfolded


def test_a_guest_leader_is_mailed_only_when_the_address_is_theirs(client, login_as, outbox, smtp_server):
    host = login_as("leader")
    db.session.get(type(host.organisation), host.organisation_id).benchmark_opt_in = True
    guest = person_by_email("leader@bank.example.com")
    guest.organisation.benchmark_opt_in = True
    cafe = new_cafe(host.organisation, title="Summer café", language="en")
    deliver()
    smtp_server.received.clear()
    for address in (guest.email, "nobody@elsewhere.example.com"):
        response = client.post(f"/leadership/cafes/{cafe.id}/guests", data={"email": address})
        assert response.status_code == 302
    deliver()
    assert smtp_server.addresses == [guest.email]
    message = smtp_server.to(guest.email)[0]
    assert message["From"].startswith("Demo Retail ")  # the host invites
    assert any(p.get_content_type() == "text/calendar" for p in message.walk())


def test_the_account_page_turns_optional_mail_off_and_on(client, demo, outbox):
    login(client, "manager@retail.example.com")
    page = client.get("/account").get_data(as_text=True)
    assert page.count('name="wanted"') == 4 and page.count("checked") == 4
    response = client.post("/account/mail", data={"wanted": ["team_digest"]})
    assert response.status_code == 302
    person = person_by_email("manager@retail.example.com")
    off = set(db.session.scalars(select(MailOptOut.topic).where(MailOptOut.person_id == person.id)))
    assert off == {"campaign_reminders", "training_reminders", "action_reminders"}
    page = client.get("/account").get_data(as_text=True)
    assert page.count("checked") == 1
    assert client.post("/account/mail", data={"wanted": []}).status_code == 302
    assert client.post("/account/mail", data={"wanted": ["campaign_reminders", "training_reminders",
                                                         "team_digest", "action_reminders"]}).status_code == 302
    assert db.session.scalars(select(MailOptOut).where(MailOptOut.person_id == person.id)).all() == []


def test_only_managers_are_offered_the_team_digest(client, demo, outbox):
    login(client, "employee@retail.example.com")
    page = client.get("/account").get_data(as_text=True)
    assert page.count('name="wanted"') == 3 and 'value="team_digest"' not in page
    assert client.post("/account/mail", data={"wanted": ["training_reminders"]}).status_code == 302
    person = person_by_email("employee@retail.example.com")
    off = set(db.session.scalars(select(MailOptOut.topic).where(MailOptOut.person_id == person.id)))
    assert off == {"campaign_reminders", "action_reminders"}


@pytest.mark.parametrize("wanted", [["invitations"], ["campaign_reminders", "security"], ["x" * 300],
                                    ["team_digest"]])
def test_the_account_page_refuses_unknown_choices_and_changes_nothing(client, demo, outbox, wanted):
    login(client, "employee@retail.example.com")
    response = client.post("/account/mail", data={"wanted": wanted})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'id="wanted-error"' in page
    assert db.session.scalars(select(MailOptOut)).all() == []


@pytest.fixture
def assigned(trained, outbox):
    """Two modules assigned by Demo Retail's manager to an employee of their team: one overdue, one due soon."""
    manager = person_by_email("manager@retail.example.com")
    member = person_by_email("employee@retail.example.com")
    modules = db.session.scalars(select(Module).order_by(Module.slug)).all()[:2]
    assign_module(manager, [member.id], modules[0].id, TODAY + timedelta(days=2), today=TODAY)
    assign_module(manager, [member.id], modules[1].id, TODAY + timedelta(days=10), today=TODAY)
    db.session.commit()
    return manager, member, modules


def test_training_due_soon_then_overdue_is_mailed_once_each(assigned, smtp_server):
    _, member, modules = assigned
    assert mail_training_due() >= 1
    deliver()
    message = smtp_server.to(member.email)[0]
    assert message["Subject"] == "Formazione in scadenza: 1 modulo"
    text = parts(message)["text"]
    assert f"/learn/{modules[0].slug}" in text and f"/learn/{modules[1].slug}" not in text
    assert mail_training_due() == 0  # the same round again sends nothing

    smtp_server.received.clear()
    mail_training_due(today=TODAY + timedelta(days=3))  # the first is overdue now
    mail_training_due(today=TODAY + timedelta(days=3))
    deliver()
    [message] = smtp_server.to(member.email)
    assert f"/learn/{modules[0].slug}" in parts(message)["text"]


def test_the_managers_digest_goes_once_a_week(assigned, smtp_server):
    manager, member, _ = assigned
    later = TODAY + timedelta(days=3)
    assert mail_team_digests(today=later) >= 1
    assert mail_team_digests(today=later) == 0
    deliver()
    [message] = smtp_server.to(manager.email)
    text = parts(message)["text"]
    assert member.name in text
    smtp_server.received.clear()
    mail_team_digests(today=later + timedelta(days=7))
    deliver()
    assert len(smtp_server.to(manager.email)) == 1


def test_training_reminders_respect_the_opt_out(assigned, client, smtp_server):
    _, member, _ = assigned
    login(client, member.email)
    assert client.post("/account/mail", data={"wanted": []}).status_code == 302
    mail_training_due(today=TODAY + timedelta(days=3))
    deliver()
    assert member.email not in smtp_server.addresses


def test_adding_a_leader_to_a_planned_cafe_mails_only_them(client, login_as, outbox, smtp_server, make_person):
    host = login_as("leader")
    cafe = new_cafe(host.organisation, title="Autumn café", language="en")
    deliver()
    smtp_server.received.clear()
    newcomer = make_person(host.organisation, "new.leader@retail.example.com", name="New Leader",
                           permissions=("leader", "employee"))
    attendees = [a.person_id for a in cafe.attendees if not a.guest] + [newcomer.id]
    response = client.post(f"/leadership/cafes/{cafe.id}/edit", data={
        "title": cafe.title, "day": cafe.starts_at.date().isoformat(), "time": cafe.starts_at.strftime("%H:%M"),
        "duration_minutes": "90", "location": "Board room", "video_link": "",
        "facilitator_id": str(cafe.facilitator_id), "attendee_ids": [str(i) for i in attendees],
        "focus_pillars": [], "language": "en"})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    deliver()
    assert smtp_server.addresses == [newcomer.email]


def test_an_overlapping_round_sends_nothing_twice(assigned, smtp_server, monkeypatch):
    """A second round that looked before the first committed (it saw nothing claimed) still sends nothing: its
    claim hits the first round's unique (kind, key) row."""
    import cxculture.modules.reminders as reminders

    _, member, _ = assigned
    assert mail_training_due() >= 1
    monkeypatch.setattr(reminders, "occasions_claimed", lambda kind, keys: set())
    assert mail_training_due() == 0
    deliver()
    assert len(smtp_server.to(member.email)) == 1
