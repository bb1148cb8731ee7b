"""What an administrator's dashboard says of the LMS links: platforms registered, the LRS, deliveries in trouble."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from ..extensions import db
from ..util import utcnow
from .models import GradePassback, LrsSettings, LtiRegistration, XapiStatement

#: A statement or grade still waiting after this long is late: the LRS or the platform is not taking it.
LATE_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class IntegrationStatus:
    platforms: int
    lrs_enabled: bool
    #: xAPI statements and grades waiting longer than LATE_AFTER, and those refused for good.
    statements_late: int
    statements_rejected: int
    grades_late: int
    grades_failed: int

    @property
    def troubled(self) -> bool:
        return bool(self.statements_late or self.statements_rejected or self.grades_late or self.grades_failed)


def integration_status(organisation_id: int, now: datetime | None = None) -> IntegrationStatus:
    """The organisation's LMS links in one statement (the administrator's dashboard)."""
    late = (now or utcnow()) - LATE_AFTER

    def count(model, *where):
        return (select(func.count()).select_from(model)
                .where(model.organisation_id == organisation_id, *where).scalar_subquery())

    row = db.session.execute(select(
        count(LtiRegistration),
        select(LrsSettings.enabled).where(LrsSettings.organisation_id == organisation_id).scalar_subquery(),
        count(XapiStatement, XapiStatement.status == "pending", XapiStatement.created_at < late),
        count(XapiStatement, XapiStatement.status == "rejected"),
        count(GradePassback, GradePassback.status == "pending", GradePassback.scored_at < late),
        count(GradePassback, GradePassback.status == "failed"),
    )).one()
    return IntegrationStatus(row[0], bool(row[1]), *row[2:])
