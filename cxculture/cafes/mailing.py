"""Café invitations by e-mail, each with the café as an iCalendar file (.ics) to add to a calendar.

The host's leaders are mailed when they are put on a café's list; a leader of another organisation is mailed when
an address the host typed turns out to be theirs (invite_by_email). The host is never told whether an address
reached anyone: the message goes out, or not, exactly as the invitation stays "pending" either way.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Collection

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..mail import Attachment, external_url, queue_mails
from ..mail.ical import event_calendar
from ..orgs.models import Organisation, Person
from ..orgs.recipients import recipient_of
from .models import Cafe


def cafe_calendar(cafe: Cafe, host_name: str, link: str) -> Attachment:
    """The café as an .ics attachment (METHOD:PUBLISH; the UID stays the same for the café's life)."""
    domain = current_app.config["MAIL_FROM"].rpartition("@")[2] or "cxculture"
    content = event_calendar(
        uid=f"cafe-{cafe.id}@{domain}", starts_at=cafe.starts_at, minutes=cafe.duration_minutes or 90,
        summary=cafe.title, description=f"{host_name}\n{link}", location=cafe.location or cafe.video_link or "",
        url=link, organiser_name=host_name)
    return Attachment("cafe.ics", content, "text", "calendar", {"method": "PUBLISH", "charset": "utf-8"})


def mail_cafe_invitations(cafe: Cafe, person_ids: Collection[int], guests: bool = False) -> int:
    """Invite `person_ids` to the café by e-mail, in each one's language (flushes only). Guests (leaders of
    another organisation) get the host's name and a link to their own cafés page."""
    if not person_ids or cafe.status != "planned":
        return 0
    host = db.session.get(Organisation, cafe.organisation_id)
    people = db.session.scalars(select(Person).where(Person.id.in_(set(person_ids)), Person.active.is_(True))
                                .options(joinedload(Person.organisation)).order_by(Person.id)).all()
    link = external_url("cafes.list_cafes") if guests else external_url("cafes.show_cafe", cafe_id=cafe.id)
    context = {"host": host.name, "title": cafe.title, "starts_at": cafe.starts_at,
               "minutes": cafe.duration_minutes or 90, "location": cafe.location, "video_link": cafe.video_link,
               "link": link}
    batch = []
    for person in people:
        recipient = recipient_of(person)
        if guests:  # the host invites: its name signs the message, and the row is the host's
            recipient = dataclasses.replace(recipient, organisation_id=host.id, organisation_name=host.name)
        batch.append((recipient, context))
    rows = queue_mails(batch, "cafe", "cafe", _l("Invitation: %(title)s", title=cafe.title),
                       attachments=(cafe_calendar(cafe, host.name, link),))
    return len(rows)
