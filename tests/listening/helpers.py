"""Shared helpers of the listening tests: the demo organisations' journeys and a remark logged as someone."""
from __future__ import annotations

from sqlalchemy import select

from cxculture.extensions import db
from cxculture.listening.journey import ensure_journey
from cxculture.listening.models import Touchpoint
from cxculture.listening.remarks import RemarkEntry, log_remark
from cxculture.orgs.service import person_by_email
from cxculture.orgs.teams import teams_by_path


def touchpoint(organisation, key: str, owner_path: str | None = None) -> Touchpoint:
    """The organisation's starter touchpoint `key` (the journey given first), owned by the team at `owner_path`."""
    ensure_journey(organisation.id)
    found = db.session.scalar(select(Touchpoint).where(Touchpoint.organisation_id == organisation.id,
                                                       Touchpoint.key == key))
    if owner_path is not None:
        found.owner_team_id = teams_by_path(organisation.id)[owner_path].id
    db.session.commit()
    return found


def remark_by(email: str, point: Touchpoint, words: str = "The queue at the till was far too long",
              feeling: str = "unhappy"):
    """A remark logged (and committed) by the person with `email`."""
    remark, _ = log_remark(person_by_email(email), RemarkEntry(point.id, "in_person", words, feeling))
    db.session.commit()
    return remark
