"""The team tree: paths like "Sales/Milano Store"."""
from __future__ import annotations

from sqlalchemy import select

from ..extensions import db
from .models import Organisation, Team

PATH_SEPARATOR = "/"
MAX_DEPTH = 5


def split_team_path(path: str) -> list[str]:
    """The names along a path; raises ValueError with the reason when the path is malformed."""
    names = [name.strip() for name in path.split(PATH_SEPARATOR)]
    if any(not name for name in names):
        raise ValueError("empty team name in the path")
    if len(names) > MAX_DEPTH:
        raise ValueError(f"more than {MAX_DEPTH} levels")
    if any(len(name) > 120 for name in names):
        raise ValueError("a team name is longer than 120 characters")
    return names


def teams_by_path(organisation_id: int) -> dict[str, Team]:
    """Every team of the organisation by its path, loaded in one query."""
    teams = list(db.session.scalars(select(Team).where(Team.organisation_id == organisation_id)))
    by_id = {t.id: t for t in teams}

    def path(team: Team) -> str:
        names = []
        node = team
        while node is not None:
            names.append(node.name)
            node = by_id.get(node.parent_id)
        return PATH_SEPARATOR.join(reversed(names))

    return {path(t): t for t in teams}


def ensure_team_path(organisation: Organisation, path: str, known: dict[str, Team] | None = None) -> Team:
    """The team at `path`, creating it and its missing parents."""
    known = known if known is not None else teams_by_path(organisation.id)
    parent = None
    prefix = []
    for name in split_team_path(path):
        prefix.append(name)
        key = PATH_SEPARATOR.join(prefix)
        team = known.get(key)
        if team is None:
            team = Team(organisation=organisation, parent=parent, name=name)
            db.session.add(team)
            known[key] = team
        parent = team
    return parent
