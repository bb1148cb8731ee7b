"""The listening area's privacy provider: the remarks a person logged about customers, and those they followed up.

Who logged a remark is personal data of the employee; what the customer said is stored with customers' e-mail
addresses, phone numbers, fiscal codes, IBANs and card numbers masked (masking.py), and is about no employee.
Erasing a person keeps their remarks as the organisation's record of what customers said, no longer linked to
them (the owner team may still be following them up); the same for the remarks they acknowledged or closed.
The journey's stages and touchpoints hold no personal data. Flushes only: the caller commits.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..orgs.models import Person
from ..personal_data import Erasure, Holding, json_ready
from .models import Remark, Touchpoint

AREA = "listening"
TITLE = _l("Listening to customers")

HOLDINGS = (
    Holding("customer_remark", ("logged_by_id", "customer_words", "idea"),
            what=_l("What you logged that customers told you, with your idea to fix it; customers' contact details, "
                    "fiscal codes, IBANs and card numbers are masked before it is stored."),
            why=_l("So that the team that owns that part of the customer's journey acts on it and tells you what "
                   "it did."),
            who_sees=_l("You, the managers of the team that owns the touchpoint, leaders and administrators "
                        "(the CSV export leaves your name out)."),
            on_erase=_l("Kept as the organisation's record of what customers said, no longer linked to you."),
            kept="listening"),
    Holding("customer_remark", ("acknowledged_by_id", "closed_by_id", "outcome"),
            what=_l("Remarks you acknowledged or closed, and what you wrote was done."),
            why=_l("To tell the person who logged a remark what was done about it."),
            who_sees=_l("The person who logged the remark, the owner team's managers, leaders and administrators."),
            on_erase=_l("Kept without your name."), kept="listening"),
)
NOT_PERSONAL = ()


def export(person: Person) -> dict:
    remarks = db.session.scalars(select(Remark).where(Remark.logged_by_id == person.id)
                                 .options(joinedload(Remark.touchpoint).joinedload(Touchpoint.stage))
                                 .order_by(Remark.id))
    language = person.language or "en"
    answered = db.session.scalars(select(Remark).where(
        (Remark.acknowledged_by_id == person.id) | (Remark.closed_by_id == person.id)).order_by(Remark.id))
    return {
        "remarks_logged": [{"touchpoint": r.touchpoint.name(language), "stage": r.touchpoint.stage.name(language),
                            "channel": r.channel, "customer_words": r.customer_words, "feeling": r.feeling,
                            "idea": r.idea, "status": r.status, "outcome": r.outcome,
                            "logged_at": json_ready(r.logged_at), "closed_at": json_ready(r.closed_at)}
                           for r in remarks],
        "remarks_followed_up": [{"remark": r.id, "acknowledged": r.acknowledged_by_id == person.id,
                                 "closed": r.closed_by_id == person.id, "outcome": r.outcome
                                 if r.closed_by_id == person.id else None} for r in answered],
    }


def erasure(person: Person) -> list[Erasure]:
    logged = db.session.scalar(select(func.count(Remark.id)).where(Remark.logged_by_id == person.id))
    return [Erasure(_l("Remarks about customers they logged (kept without the name)"), logged)]


def erase(person: Person, successor: Person | None) -> None:
    for column in (Remark.logged_by_id, Remark.acknowledged_by_id, Remark.closed_by_id):
        db.session.execute(update(Remark).where(column == person.id).values({column.key: None})
                           .execution_options(synchronize_session="fetch"))
