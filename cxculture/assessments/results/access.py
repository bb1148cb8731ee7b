"""Who may open which campaign's results, and how far a manager's view reaches."""
from __future__ import annotations

from sqlalchemy import select

from ...extensions import db
from ...orgs.models import Person, Team
from ..models import Campaign


class ResultsRefused(Exception):
    """A results request that must not be answered with data.

    code: "hidden" (the filter would isolate a group below the threshold), "unknown" (no such group in the
    viewer's reach), "one-filter" (team and job role together would isolate their intersection), "no-access".
    """

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


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
