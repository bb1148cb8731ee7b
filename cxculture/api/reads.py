"""The API's queries: one organisation's rows, a page at a time, in id order (the cursor is the last id seen).

Every query is built here with the token's organisation in its WHERE clause; views never build one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from ..assessments.models import FULL, ActionItem, Campaign
from ..extensions import db
from ..kpis.models import Kpi, KpiValue
from ..modules.models import Certificate, Progress
from ..orgs.models import JobRole, Person, Team
from ..orgs.teams import teams_by_path


@dataclass
class Page:
    rows: list[Any]
    #: The last id of this page when another page follows, else None.
    next_after: int | None


def page(query: Select, after: int, limit: int) -> Page:
    """Up to `limit` rows with an id above `after`, and whether more follow (one query: limit + 1 rows)."""
    model = query.column_descriptions[0]["entity"]
    rows = list(db.session.scalars(query.where(model.id > after).order_by(model.id).limit(limit + 1)).unique())
    more = len(rows) > limit
    rows = rows[:limit]
    return Page(rows, rows[-1].id if more and rows else None)


def team_paths(organisation_id: int) -> dict[int, str]:
    return {team.id: path for path, team in teams_by_path(organisation_id).items()}


def role_keys(organisation_id: int) -> dict[int, str]:
    rows = db.session.execute(select(JobRole.id, JobRole.key).where(JobRole.organisation_id == organisation_id))
    return dict(rows.tuples().all())


def people(organisation_id: int) -> Select:
    return (select(Person).options(selectinload(Person.permission_rows))
            .where(Person.organisation_id == organisation_id, Person.erased_at.is_(None)))


def teams(organisation_id: int) -> Select:
    return select(Team).where(Team.organisation_id == organisation_id)


def training_progress(organisation_id: int, person_id: int | None) -> Select:
    query = (select(Progress).options(joinedload(Progress.module), joinedload(Progress.module_version))
             .where(Progress.organisation_id == organisation_id))
    return query if person_id is None else query.where(Progress.person_id == person_id)


def certificates(organisation_id: int, person_id: int | None) -> Select:
    query = select(Certificate).where(Certificate.organisation_id == organisation_id)
    return query if person_id is None else query.where(Certificate.person_id == person_id)


def action_items(organisation_id: int, status: str | None) -> Select:
    query = select(ActionItem).where(ActionItem.organisation_id == organisation_id)
    return query if status is None else query.where(ActionItem.status == status)


def kpi_values(organisation_id: int, period: str | None, kpi_key: str | None) -> Select:
    query = (select(KpiValue).join(Kpi, KpiValue.kpi_id == Kpi.id).options(joinedload(KpiValue.kpi))
             .where(KpiValue.organisation_id == organisation_id))
    if period is not None:
        query = query.where(KpiValue.period == period)
    if kpi_key is not None:
        query = query.where(Kpi.key == kpi_key)
    return query


def closed_campaigns(organisation_id: int) -> Select:
    """The organisation's closed culture assessments: the ones whose results are final."""
    return select(Campaign).where(Campaign.organisation_id == organisation_id, Campaign.kind == FULL,
                                  Campaign.status == "closed")


def closed_campaign(organisation_id: int, campaign_id: int) -> Campaign | None:
    return db.session.scalar(closed_campaigns(organisation_id).where(Campaign.id == campaign_id))


def scorecard_people(organisation_id: int, team_id: int | None) -> Select:
    """The people a scorecard listing pages through: active, optionally one team's."""
    query = select(Person).where(Person.organisation_id == organisation_id, Person.active.is_(True))
    return query if team_id is None else query.where(Person.team_id == team_id)


def these_people(organisation_id: int, people: list[Person]) -> Select:
    """A select of exactly `people` (a page already found), in id order."""
    return (select(Person).where(Person.organisation_id == organisation_id,
                                 Person.id.in_([person.id for person in people])).order_by(Person.id))
