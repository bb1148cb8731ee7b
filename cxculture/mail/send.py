"""Delivery of one composed message: through SMTP when CXCULTURE_SMTP_HOST is set, else as an .eml file under
MAIL_DIR (instance/mail/ by default), so a demo without a mail server shows what would have been sent."""
from __future__ import annotations

import smtplib
import ssl
from pathlib import Path

from flask import current_app

from ..util import utcnow

#: Seconds an SMTP conversation may take: a slow server must not hold the worker.
SMTP_TIMEOUT = 20


class Rejected(Exception):
    """The server refused the message for good (a 5xx answer): retrying would not help."""


def deliver(raw: str, recipient: str, message_id: int) -> str:
    """Send one message (`raw`, ASCII) to `recipient`; returns where it went. Raises Rejected for a permanent
    refusal, any other exception for a failure worth retrying."""
    config = current_app.config
    if not config.get("SMTP_HOST"):
        return _write_eml(raw, message_id)
    try:
        with _connect(config) as smtp:
            # A str (ASCII: the message is MIME-encoded) has its line ends made CRLF by smtplib; bytes would not.
            smtp.sendmail(config["MAIL_FROM"], [recipient], raw)
    except smtplib.SMTPRecipientsRefused as error:
        codes = [code for code, _ in error.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            raise Rejected(f"recipient refused: {codes}") from error
        raise
    except smtplib.SMTPResponseException as error:
        if 500 <= error.smtp_code < 600 and not isinstance(error, smtplib.SMTPAuthenticationError):
            raise Rejected(f"SMTP {error.smtp_code}: {error.smtp_error!r}"[:300]) from error
        raise
    return f"smtp://{config['SMTP_HOST']}:{config['SMTP_PORT']}"


def _connect(config) -> smtplib.SMTP:
    host, port = config["SMTP_HOST"], config["SMTP_PORT"]
    if config.get("SMTP_SSL"):
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(host, port, timeout=SMTP_TIMEOUT,
                                              context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(host, port, timeout=SMTP_TIMEOUT)
        if config.get("SMTP_STARTTLS"):
            smtp.starttls(context=ssl.create_default_context())
    if config.get("SMTP_USERNAME"):
        smtp.login(config["SMTP_USERNAME"], config.get("SMTP_PASSWORD") or "")
    return smtp


def _write_eml(raw: str, message_id: int) -> str:
    folder = Path(current_app.config.get("MAIL_DIR") or Path(current_app.instance_path) / "mail")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{utcnow():%Y%m%d-%H%M%S}-{message_id}.eml"
    # Written whole under a temporary name, then renamed: a reader never sees half a message.
    temporary = path.with_suffix(".part")
    temporary.write_text(raw, encoding="ascii", newline="\r\n")
    temporary.replace(path)
    return str(path)
