"""A message from Jinja templates (templates/mail/<name>.txt and .html), in the recipient's language.

The text and HTML parts are rendered with flask_babel's force_locale, inside a request context (the current one,
or one for PUBLIC_URL when a job composes), so `url_for(..., _external=True)` gives links people can follow.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid

from flask import current_app, has_request_context, render_template, url_for
from flask_babel import force_locale


@dataclass(frozen=True)
class Recipient:
    """Whom a message is for, as the area knows them: plain values, so this package knows no area."""

    email: str
    name: str
    #: "en" or "it": the language the message is written in.
    language: str
    organisation_id: int
    organisation_name: str
    person_id: int | None = None


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str
    subtype: str
    params: dict = field(default_factory=dict)


def _url_context():
    if has_request_context():
        return contextlib.nullcontext()
    return current_app.test_request_context("/", base_url=current_app.config["PUBLIC_URL"])


def external_url(endpoint: str, **values) -> str:
    """A full address of a page, for a message: this request's host, or PUBLIC_URL when a job composes."""
    with _url_context():
        return url_for(endpoint, _external=True, **values)


def compose(recipient: Recipient, template: str, subject, context: dict | None = None,
            attachments: tuple[Attachment, ...] = (), optional_topic: str | None = None) -> EmailMessage:
    """The message: multipart/alternative (text, HTML), with `attachments` beside it in a multipart/mixed.

    `subject` is a lazy string (flask_babel's lazy_gettext, with its values): it is translated here, in the
    recipient's language. `optional_topic` adds a line saying where the person can turn such mail off.
    """
    values = dict(context or {}, recipient=recipient, organisation_name=recipient.organisation_name,
                  optional_topic=optional_topic)
    with _url_context(), force_locale(recipient.language):
        subject_text = " ".join(str(subject).split())
        values["subject"] = subject_text
        text = render_template(f"mail/{template}.txt", **values)
        html = render_template(f"mail/{template}.html", **values)
    message = EmailMessage()
    message["Subject"] = subject_text
    message["From"] = formataddr((recipient.organisation_name, current_app.config["MAIL_FROM"]))
    message["To"] = formataddr((recipient.name, recipient.email))
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=current_app.config["MAIL_FROM"].rpartition("@")[2] or None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    for attachment in attachments:
        message.add_attachment(attachment.content, maintype=attachment.maintype, subtype=attachment.subtype,
                               filename=attachment.filename, params=attachment.params)
    message["Content-Language"] = recipient.language  # after the content: set_content drops Content-* headers
    return message
