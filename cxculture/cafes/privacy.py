"""The training cafés' privacy provider: cafés a person was invited to, attended, facilitated, and what they wrote.

Erasing a person keeps attendance on the anonymous tombstone (a café's attendance count does not move), hands
planned cafés they facilitate to the successor, replaces the e-mail address on invitations to them, and deletes
the PDFs of their cafés (they list attendees by name). Decisions they wrote are the café's record: they stay,
no longer linked to a name. Flushes only: the caller commits.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ..downloads.models import Download
from ..downloads.privacy import forget_downloads
from ..extensions import db
from ..orgs.models import Person
from ..personal_data import Erasure, Holding, json_ready
from .models import Cafe, CafeAttendee, CafeDecision, CafeInvitation

AREA = "cafes"
TITLE = _l("Training cafés")

HOLDINGS = (
    Holding("cafe_attendee", ("person_id",),
            what=_l("Cafés you were invited to and whether you were present."),
            why=_l("To send the agenda and record attendance."),
            who_sees=_l("The café's facilitator and leaders."),
            on_erase=_l("Kept without the name, so attendance counts do not change."), kept="cafes"),
    Holding("cafe", ("facilitator_id", "created_by_id"),
            what=_l("Cafés you facilitate or created."), why=_l("To run the café."),
            who_sees=_l("Leaders."),
            on_erase=_l("Planned cafés go to the person who takes over; held ones are kept without the name."),
            kept="cafes"),
    Holding("cafe_invitation", ("person_id", "invited_by_id", "email"),
            what=_l("Invitations of a leader of another organisation, by e-mail address."),
            why=_l("To let a guest leader join a café."),
            who_sees=_l("The host's leaders and the invited leader."),
            on_erase=_l("The e-mail address is replaced."), kept="cafes"),
    Holding("cafe_decision", ("created_by_id", "text"),
            what=_l("Decisions you wrote down in a café."), why=_l("To share what the café decided."),
            who_sees=_l("Leaders; published decisions, everyone in the organisation."),
            on_erase=_l("Kept as the café's record, no longer linked to a name."), kept="cafes"),
    Holding("cafe_agenda_item", ("notes",),
            what=_l("Notes on the agenda, written by the facilitator."), why=_l("To prepare and run the café."),
            who_sees=_l("Leaders."),
            on_erase=_l("Kept as the café's record; they are not linked to a name."), kept="cafes"),
)
NOT_PERSONAL = ()


def export(person: Person) -> dict:
    attended = db.session.execute(
        select(Cafe.title, Cafe.starts_at, CafeAttendee.guest, CafeAttendee.present)
        .join(CafeAttendee, CafeAttendee.cafe_id == Cafe.id).where(CafeAttendee.person_id == person.id)
        .order_by(Cafe.starts_at))
    facilitated = db.session.execute(select(Cafe.title, Cafe.starts_at, Cafe.status)
                                     .where(Cafe.facilitator_id == person.id).order_by(Cafe.starts_at))
    invitations = db.session.execute(
        select(Cafe.title, CafeInvitation.email, CafeInvitation.status, CafeInvitation.invited_at)
        .join(Cafe, Cafe.id == CafeInvitation.cafe_id).where(CafeInvitation.person_id == person.id))
    decisions = db.session.execute(select(Cafe.title, CafeDecision.text, CafeDecision.created_at)
                                   .join(Cafe, Cafe.id == CafeDecision.cafe_id)
                                   .where(CafeDecision.created_by_id == person.id).order_by(CafeDecision.id))
    return {
        "attended": [{"cafe": r.title, "starts_at": json_ready(r.starts_at), "guest": r.guest,
                      "present": r.present} for r in attended],
        "facilitated": [{"cafe": r.title, "starts_at": json_ready(r.starts_at), "status": r.status}
                        for r in facilitated],
        "invitations": [{"cafe": r.title, "email": r.email, "status": r.status,
                         "invited_at": json_ready(r.invited_at)} for r in invitations],
        "decisions_written": [{"cafe": r.title, "text": r.text, "written_at": json_ready(r.created_at)}
                              for r in decisions],
    }


def _planned(person: Person):
    return select(func.count(Cafe.id)).where(Cafe.facilitator_id == person.id, Cafe.status == "planned")


def _their_cafes(person: Person):
    return select(CafeAttendee.cafe_id).where(CafeAttendee.person_id == person.id).union(
        select(Cafe.id).where(Cafe.facilitator_id == person.id))


def erasure(person: Person) -> list[Erasure]:
    attended = db.session.scalar(select(func.count(CafeAttendee.id)).where(CafeAttendee.person_id == person.id))
    return [
        Erasure(_l("Café attendance (kept without the name)"), attended),
        Erasure(_l("Planned cafés they facilitate (they go to the person who takes over)"),
                db.session.scalar(_planned(person)), needs_successor=True),
    ]


def erase(person: Person, successor: Person | None) -> None:
    cafe_ids = list(db.session.scalars(_their_cafes(person)))
    if cafe_ids:
        forget_downloads(*(Download.filename.in_((f"cafe-{i}-brief.pdf", f"cafe-{i}-summary.pdf"))
                           for i in cafe_ids))
    db.session.execute(update(Cafe).where(Cafe.facilitator_id == person.id, Cafe.status == "planned")
                       .values(facilitator_id=successor.id if successor else None)
                       .execution_options(synchronize_session="fetch"))
    db.session.execute(update(CafeInvitation).where(CafeInvitation.person_id == person.id)
                       .values(email=f"erased-{person.id}@erased.invalid")
                       .execution_options(synchronize_session="fetch"))

