"""A real SMTP server on loopback (aiosmtpd) that the app sends to, and helpers to read what it received."""
from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import delete

from cxculture.extensions import db
from cxculture.mail.models import MailMessage, MailOccasion
from cxculture.mail.outbox import deliver_mail
from cxculture.util import utcnow


class Inbox:
    """What the SMTP server received: (envelope recipients, parsed message), in order."""

    def __init__(self):
        self.received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for recipients, message in self.received if address in recipients]

    @property
    def addresses(self) -> list[str]:
        return [address for recipients, _ in self.received for address in recipients]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    inbox.port = controller.port
    try:
        yield inbox
    finally:
        controller.stop()


@pytest.fixture
def app_config(smtp_server, tmp_path):
    return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": smtp_server.port, "SMTP_STARTTLS": False,
            "MAIL_FROM": "cx@cxculture.example", "MAIL_DIR": str(tmp_path / "mail")}


@pytest.fixture
def outbox(demo):
    """The demo's own queued mail (its cafés and actions) set aside: a test reads only what it caused."""
    db.session.execute(delete(MailMessage))
    db.session.execute(delete(MailOccasion))
    db.session.commit()


def deliver() -> None:
    """Do what a worker does with the outbox (the job its commit asked for), and what the next rounds do with a
    message that failed for a passing reason (on a loaded machine the loopback server can be slow to answer):
    tests then still see every message once, or twice when the first try did arrive."""
    report = deliver_mail()
    for _ in range(3):
        if not report.retrying:
            break
        report = deliver_mail(now=utcnow() + timedelta(days=1))
    db.session.expire_all()


def parts(message: EmailMessage) -> dict[str, str]:
    """The text and HTML of a message, checked to be a multipart/alternative of exactly those two."""
    alternative = next(part for part in message.walk() if part.get_content_type() == "multipart/alternative")
    types = [part.get_content_type() for part in alternative.iter_parts()]
    assert types == ["text/plain", "text/html"]
    return {kind: part.get_content() for kind, part in zip(("text", "html"), alternative.iter_parts(), strict=True)}
