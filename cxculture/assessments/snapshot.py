"""A campaign's population, frozen when it opens: every figure it ever shows comes from this.

At opening the campaign keeps the team tree (ids, parents, names), the invited teams, the job roles, how many
people were invited per team, and the threshold in force. Each invited person gets an Invitee row saying which
group their answers will be stored under: their team, job role and leadership, generalised until the group
holds `threshold` invited people. Moving a person or a team, renaming or lowering the organisation's threshold
afterwards changes nothing a campaign shows.

Flushes only: the caller commits.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..orgs.models import JobRole, Person, Team
from .anonymity import campaign_threshold
from .answers import Invitee
from .generalising import generalise
from .models import Campaign


@dataclass(frozen=True)
class Population:
    """The frozen population as plain values (from Campaign.population)."""

    #: team id -> (parent id, name), every team of the organisation at opening.
    teams: dict[int, tuple[int | None, str]]
    #: The invited teams with their sub-teams; None when the whole organisation was invited.
    invited_teams: set[int] | None
    #: job role id -> (English name, Italian name).
    roles: dict[int, tuple[str, str]]
    #: Invited people per team (the team's own members, sub-teams not included).
    invited_per_team: dict[int, int]
    #: Who answered, per team, counted when the campaign closed; None while it is open.
    answered_per_team: dict[int, int] | None

    @property
    def parents(self) -> dict[int, int | None]:
        return {team_id: parent for team_id, (parent, _name) in self.teams.items()}


def is_leadership(person: Person) -> bool:
    """Leadership, for the perception gap: the leader permission or the executive job role."""
    return person.can("leader") or (person.job_role is not None and person.job_role.key == "executive")


def population_of(campaign: Campaign) -> Population | None:
    """The campaign's frozen population; None for a draft."""
    data = campaign.population
    if not data:
        return None
    answered = data.get("answered_per_team")
    return Population(
        teams={int(k): (v[0], v[1]) for k, v in data["teams"].items()},
        invited_teams=None if data["invited_teams"] is None else set(data["invited_teams"]),
        roles={int(k): (v[0], v[1]) for k, v in data["roles"].items()},
        invited_per_team={int(k): v for k, v in data["invited_per_team"].items()},
        answered_per_team=None if answered is None else {int(k): v for k, v in answered.items()},
    )


def freeze_population(campaign: Campaign, invited_ids) -> None:
    """Freeze the campaign's population and threshold, and write its invitees with their stored groups.

    `invited_ids` is a SELECT (or list) of the ids of the people invited (answering.invited_people_query).
    """
    from .answering import campaign_team_ids

    organisation_id = campaign.organisation_id
    teams = {team_id: (parent_id, name) for team_id, parent_id, name in db.session.execute(
        select(Team.id, Team.parent_id, Team.name).where(Team.organisation_id == organisation_id))}
    roles = {role_id: (en, it) for role_id, en, it in db.session.execute(
        select(JobRole.id, JobRole.name_en, JobRole.name_it).where(JobRole.organisation_id == organisation_id))}
    people = list(db.session.scalars(
        select(Person).where(Person.id.in_(invited_ids))
        .options(selectinload(Person.job_role), selectinload(Person.permission_rows))))
    invited_teams = campaign_team_ids(campaign)
    campaign.threshold = campaign_threshold(campaign)
    groups = {person.id: (person.team_id, person.job_role_id, is_leadership(person)) for person in people}
    parents = {team_id: parent for team_id, (parent, _name) in teams.items()}
    stored = generalise(Counter(groups.values()), parents, campaign.threshold)
    per_team = Counter(person.team_id for person in people if person.team_id is not None)
    campaign.population = {
        "teams": {str(k): [parent, name] for k, (parent, name) in teams.items()},
        "invited_teams": None if invited_teams is None else sorted(invited_teams),
        "roles": {str(k): [en, it] for k, (en, it) in roles.items()},
        "invited_per_team": {str(k): n for k, n in per_team.items()},
        "answered_per_team": None,
    }
    campaign.invited_count = len(people)
    if people:
        db.session.execute(insert(Invitee), [
            {"campaign_id": campaign.id, "person_id": person.id, "team_id": person.team_id,
             "group_team_id": stored[groups[person.id]][0], "group_job_role_id": stored[groups[person.id]][1],
             "group_leadership": stored[groups[person.id]][2]}
            for person in people
        ])
    db.session.flush()
