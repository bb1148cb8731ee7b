"""Who may open which campaign's results, and how far a manager's view reaches."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ...extensions import db
from ...orgs.models import Person, Team
from ...refusals import Refused
from ..models import Campaign

#: Why a results request is not answered with data, by code; "no-access" (the viewer may not see results at all)
#: carries no message: the view answers 403.
RESULTS_REFUSALS = {
    "hidden": _l("This filter would show a group with fewer respondents than the anonymity threshold (or one "
                 "whose figures could be worked out from the others), so it is refused. Choose a larger group."),
    "unknown": _l("There is no such team or job role among the results you can see."),
    "one-filter": _l("Filter by a team or by a job role, not both at once: together they could single out a "
                     "few people."),
    "bad-filter": _l("The filter must name a team or a job role by its number."),
    "no-access": _l("You may not see these results."),
}


def results_refused(code: str) -> Refused:
    """The refusal of a results request (the filter is the field it is about)."""
    return Refused({"filter": RESULTS_REFUSALS[code]}, code)


def sees_organisation(viewer: Person) -> bool:
    return viewer.can("leader") or viewer.can("admin")


def manager_team_ids(viewer: Person) -> set[int]:
    """A manager's teams: their own team with its sub-teams, and the teams of their direct reports."""
    rows = db.session.execute(
        select(Team.id, Team.parent_id).where(Team.organisation_id == viewer.organisation_id)
    ).all()
    children: dict[int | None, list[int]] = {}
    for team_id, parent_id in rows:
        children.setdefault(parent_id, []).append(team_id)
    result: set[int] = set()
    stack = [viewer.team_id] if viewer.team_id is not None else []
    while stack:
        node = stack.pop()
        if node not in result:
            result.add(node)
            stack.extend(children.get(node, []))
    result |= set(db.session.scalars(
            select(Person.team_id).where(
                Person.manager_id == viewer.id, Person.active.is_(True), Person.team_id.is_not(None)
            )
        ))
    return result


def results_campaign_for(viewer: Person, campaign: Campaign) -> bool:
    """Whether the viewer may open the results pages of the campaign at all (not what they show)."""
    return campaign.organisation_id == viewer.organisation_id and (sees_organisation(viewer) or viewer.can("manager"))
