"""The team tree: paths like "Sales/Milano Store"."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from .models import Organisation, Team

PATH_SEPARATOR = "/"
MAX_DEPTH = 5
MAX_TEAM_NAME_LENGTH = 120


class InvalidTeamPath(ValueError):
    """A team path that cannot be read; `reason` says why, translatable."""

    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


def split_team_path(path: str) -> list[str]:
    """The names along a path; raises InvalidTeamPath when the path is malformed."""
    names = [name.strip() for name in path.split(PATH_SEPARATOR)]
    if any(not name for name in names):
        raise InvalidTeamPath(_l('a part of the path is empty (check for a doubled or trailing "/")'))
    if len(names) > MAX_DEPTH:
        raise InvalidTeamPath(_l("it has %(depth)s levels; the limit is %(limit)s", depth=len(names), limit=MAX_DEPTH))
    if any(len(name) > MAX_TEAM_NAME_LENGTH for name in names):
        raise InvalidTeamPath(_l("a team name is longer than %(limit)s characters", limit=MAX_TEAM_NAME_LENGTH))
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
