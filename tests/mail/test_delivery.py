"""Delivery: the .eml fallback without an SMTP host, retries while the server is down, a permanent refusal, the
lease that stops two workers sending one message, and the iCalendar writer."""
from __future__ import annotations

from datetime import datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import select, update

from cxculture.extensions import db
from cxculture.mail import Recipient, queue_mail
from cxculture.mail.ical import escape_text, event_calendar, fold
from cxculture.mail.models import MailMessage
from cxculture.mail.outbox import deliver_mail
from cxculture.util import utcnow


def _recipient(organisation, language="en") -> Recipient:
    return Recipient(email="ada@example.com", name="Ada Lovelace", language=language,
                     organisation_id=organisation.id, organisation_name=organisation.name)


def _queue(organisation, language="en"):
    row = queue_mail(_recipient(organisation, language), "invitation", "invitation", "Welcome",
                     {"link": "http://localhost/invitation/x", "days": 14})
    db.session.commit()
    return row


@pytest.fixture
def no_smtp(app, tmp_path):
    app.config.update(SMTP_HOST=None, MAIL_DIR=str(tmp_path / "mail"))
    return tmp_path / "mail"


def test_without_an_smtp_host_each_message_is_an_eml_file(no_smtp, make_organisation):
    organisation = make_organisation("Acme Italia")
    _queue(organisation, "it")
    assert deliver_mail().sent == 1
    [path] = list(Path(no_smtp).glob("*.eml"))
    raw = path.read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    message = message_from_bytes(raw, policy=policy.default)
    assert message["From"] == "Acme Italia <cx@cxculture.example>" and message["Content-Language"] == "it"
    text = message.get_body(("plain",)).get_content()
    assert "Ciao Ada Lovelace," in text and "Acme Italia" in text
    assert deliver_mail().sent == 0  # sent once


def test_a_server_that_is_down_is_retried_later(app, make_organisation):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=1, SMTP_STARTTLS=False)  # nothing listens on port 1
    row = _queue(make_organisation())
    report = deliver_mail()
    assert (report.sent, report.retrying) == (0, 1)
    db.session.refresh(row)
    assert row.status == "pending" and row.attempts == 1 and "ConnectionRefused" in row.last_error
    assert row.next_attempt_at > utcnow()
    assert deliver_mail().retrying == 0  # not due again yet


class _RefusingInbox:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        return "550 No such user here"


def test_a_refused_recipient_is_not_retried(app, make_organisation):
    from aiosmtpd.controller import Controller

    from tests.mail.conftest import _free_port

    controller = Controller(_RefusingInbox(), hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, SMTP_STARTTLS=False)
        row = _queue(make_organisation())
        assert deliver_mail().rejected == 1
    finally:
        controller.stop()
    db.session.refresh(row)
    assert row.status == "rejected" and row.message is None and "550" in row.last_error


def test_a_leased_message_is_not_sent_by_a_second_worker(no_smtp, make_organisation):
    row = _queue(make_organisation())
    now = utcnow()
    db.session.execute(update(MailMessage).where(MailMessage.id == row.id)
                       .values(next_attempt_at=now + timedelta(seconds=60)))  # another worker holds it
    db.session.commit()
    assert deliver_mail(now=now).sent == 0
    assert deliver_mail(now=now + timedelta(seconds=61)).sent == 1
    assert db.session.scalar(select(MailMessage.status)) == "sent"


@pytest.mark.parametrize("text, escaped", [
    ("a;b,c", "a\\;b\\,c"),
    ("back\\slash", "back\\\\slash"),
    ("two\nlines", "two\\nlines"),
    ("crlf\r\nline", "crlf\\nline"),
])
def test_ical_text_is_escaped(text, escaped):
    assert escape_text(text) == escaped


def test_ical_lines_fold_at_75_octets_never_inside_a_character():
    line = "SUMMARY:" + "è" * 100
    folded = fold(line)
    pieces = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in pieces)
    assert all(p.startswith(" ") for p in pieces[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(pieces)) == line


def test_ical_event_has_the_required_properties():
    ics = event_calendar(uid="cafe-1@x", starts_at=datetime(2026, 12, 10, 9, 30), minutes=90, summary="Café",
                         stamp=datetime(2026, 12, 1, 8, 0)).decode()
    assert ics.split("\r\n")[:2] == ["BEGIN:VCALENDAR", "VERSION:2.0"]
    for expected in ("PRODID:", "UID:cafe-1@x", "DTSTAMP:20261201T080000Z", "DTSTART:20261210T093000",
                     "DTEND:20261210T110000", "SUMMARY:Café", "END:VEVENT"):
        assert expected in ics


def test_the_sweep_forgets_mail_sent_more_than_30_days_ago(no_smtp, make_organisation):
    from cxculture.mail.outbox import sweep_sent_mail

    old, recent, waiting = (_queue(make_organisation(name)) for name in ("Old", "Recent", "Waiting"))
    deliver_mail()
    db.session.execute(update(MailMessage).where(MailMessage.id.in_([old.id, waiting.id]))
                       .values(created_at=utcnow() - timedelta(days=31)))
    db.session.execute(update(MailMessage).where(MailMessage.id == waiting.id).values(status="pending"))
    assert sweep_sent_mail() == 1
    db.session.commit()
    assert set(db.session.scalars(select(MailMessage.id))) == {recent.id, waiting.id}
