"""Which optional e-mails a person has turned off. Invitations, a campaign's opening, café invitations and
security mail are not optional: they are never looked up here."""
from __future__ import annotations

from collections.abc import Collection, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ..extensions import db
from .models import MailOptOut

#: The optional kinds of e-mail, in the order the account page lists them, with what the page says of each.
OPTIONAL_TOPICS = {
    "campaign_reminders": _l("Reminders to answer an open culture assessment"),
    "training_reminders": _l("Training due soon or overdue"),
    "team_digest": _l("A weekly summary of your team's overdue training (managers)"),
    "action_reminders": _l("Action items assigned to you, and before they fall due"),
}


def topics_off(person_id: int) -> set[str]:
    """The optional topics the person has turned off."""
    return set(db.session.scalars(select(MailOptOut.topic).where(MailOptOut.person_id == person_id)))


def opted_out(person_ids: Iterable[int], topic: str) -> set[int]:
    """Of `person_ids`, those who turned `topic` off (one query)."""
    if topic not in OPTIONAL_TOPICS:
        raise LookupError(f"no optional e-mail topic is called {topic!r}")
    ids = set(person_ids)
    if not ids:
        return set()
    return set(db.session.scalars(select(MailOptOut.person_id).where(
        MailOptOut.topic == topic, MailOptOut.person_id.in_(ids))))


def set_opt_outs(person_id: int, off: Collection[str]) -> None:
    """Make the person's turned-off topics exactly `off` (unknown topics are ignored); flushes only."""
    wanted = set(off) & set(OPTIONAL_TOPICS)
    db.session.execute(delete(MailOptOut).where(MailOptOut.person_id == person_id))
    db.session.add_all(MailOptOut(person_id=person_id, topic=topic) for topic in sorted(wanted))
    db.session.flush()
