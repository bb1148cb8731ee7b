"""Who may open a café: the one deliberate exception to tenancy lives here.

The host organisation's leaders run a café. A leader of another organisation may open it only when the host
invited them (by e-mail address), they accepted from their own organisation, which made them a guest attendee,
and their own organisation takes part in the benchmark network; a guest sees the
agenda's titles and prompts and their own organisation's anonymous benchmark, never the host's figures.
Everybody else — the host's other people, any other account — gets 404, as for any other organisation's row.
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from ..extensions import db
from ..orgs.models import Organisation, Person
from .models import Cafe, CafeAttendee

HOST, GUEST = "host", "guest"


def cafe_role(cafe: Cafe, person: Person) -> str | None:
    """HOST, GUEST or None (no access at all)."""
    if not person.can("leader"):
        return None
    if person.organisation_id == cafe.organisation_id:
        return HOST
    opted_in = db.session.scalar(select(Organisation.benchmark_opt_in).where(Organisation.id == person.organisation_id))
    invited = db.session.scalar(select(CafeAttendee.id).where(
        CafeAttendee.cafe_id == cafe.id, CafeAttendee.person_id == person.id, CafeAttendee.guest.is_(True)))
    return GUEST if opted_in and invited is not None and person.active else None


def load_cafe(cafe_id: int, allow_guest: bool = False) -> tuple[Cafe, str]:
    """The café and the current person's role in it; 404 when they may not open it (or only as a guest, and
    the page is for hosts)."""
    cafe = db.session.get(Cafe, cafe_id)
    role = cafe_role(cafe, current_user) if cafe is not None else None
    if role is None or (role == GUEST and not allow_guest):
        abort(404)
    return cafe, role
