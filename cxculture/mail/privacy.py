"""E-mail's privacy provider: messages addressed to a person and the reminders they turned off."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select

from ..extensions import db
from ..personal_data import Erasure, Holding, row_dict
from .models import MailMessage, MailOptOut

AREA = "mail"
TITLE = _l("E-mail")

HOLDINGS = (
    Holding("mail_message", ("person_id", "recipient", "subject", "message"),
            what=_l("E-mail sent to a person: kind, address, subject and time (the message itself only until it "
                    "is sent; a reminder's record is deleted once it is sent)."),
            why=_l("To send invitations, reminders and notices, retry them when the mail server is away, and send "
                   "none twice."),
            who_sees=_l("Nobody in the app: the job queue reads it to send the mail."),
            on_erase=_l("Deleted."), kept="mail"),
    Holding("mail_opt_out", ("person_id",),
            what=_l("The reminders and digests a person turned off."),
            why=_l("To respect that choice."), who_sees=_l("The person, on their account page."),
            on_erase=_l("Deleted."), kept="account"),
)
NOT_PERSONAL = ()


def _messages_of(person):
    return or_(MailMessage.person_id == person.id, MailMessage.recipient == person.email)


def export(person) -> dict:
    messages = db.session.scalars(select(MailMessage).where(_messages_of(person)).order_by(MailMessage.id))
    topics = db.session.scalars(select(MailOptOut.topic).where(MailOptOut.person_id == person.id))
    return {"mail": [row_dict(m, ("kind", "recipient", "subject", "status", "created_at", "sent_at"))
                     for m in messages],
            "reminders_turned_off": sorted(topics)}


def erasure(person) -> list[Erasure]:
    count = len(db.session.scalars(select(MailMessage.id).where(_messages_of(person))).all())
    return [Erasure(_l("E-mail sent to them"), count)]


def erase(person, successor) -> None:
    db.session.execute(delete(MailMessage).where(_messages_of(person)).execution_options(synchronize_session=False))
    db.session.execute(delete(MailOptOut).where(MailOptOut.person_id == person.id))
