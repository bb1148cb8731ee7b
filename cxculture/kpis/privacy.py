"""The KPI area's privacy provider: the values a person reached (their scorecards are made from them) and the
KPI files they uploaded.

Erasing a person deletes their own KPI values, every scorecard PDF and team pack that could show them, and empties
KPI files that list their e-mail address; team values are the team's and stay. Flushes only: the caller commits.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from ..downloads.models import Download
from ..downloads.privacy import forget_downloads
from ..extensions import db
from ..orgs.models import Person
from ..personal_data import Erasure, Holding, NotPersonal, json_ready
from .models import Kpi, KpiImport, KpiValue

AREA = "kpis"
TITLE = _l("KPIs and scorecards")
#: Downloads that hold several people's scorecards.
PACK_KINDS = ("kpis.team_pack", "kpis.scorecard_run")

HOLDINGS = (
    Holding("kpi_value", ("person_id", "updated_by_id"),
            what=_l("The values you reached on your KPIs each quarter; your scorecard is made from them."),
            why=_l("To show you and your manager how you did against the targets of your reward plan."),
            who_sees=_l("You, your manager and HR."),
            on_erase=_l("Deleted (team values stay), with every scorecard PDF and team pack that shows them."),
            kept="kpis"),
    Holding("kpi_import", ("uploaded_by_id", "content"),
            what=_l("KPI files HR uploaded: the values of the people they list."),
            why=_l("To preview an import before it is applied."),
            who_sees=_l("HR."),
            on_erase=_l("Files that list the person are emptied."), kept="imports"),
)
NOT_PERSONAL = (NotPersonal("kpi", "a KPI's definition, written for everyone, about no person"),)


def _values(person: Person):
    return select(KpiValue, Kpi.key).join(Kpi, Kpi.id == KpiValue.kpi_id).where(KpiValue.person_id == person.id)


def _uploads_listing(person: Person) -> list[KpiImport]:
    needle = person.email.lower().encode()
    rows = db.session.scalars(select(KpiImport).where(KpiImport.organisation_id == person.organisation_id))
    return [row for row in rows if row.content and needle in row.content.lower()]


def export(person: Person) -> dict:
    rows = db.session.execute(_values(person).order_by(KpiValue.period, Kpi.key))
    uploads = db.session.scalars(select(KpiImport).where(KpiImport.uploaded_by_id == person.id)
                                 .order_by(KpiImport.id))
    return {
        "kpi_values": [{"kpi": key, "period": value.period, "value": value.value, "answers": value.answers,
                        "updated_at": json_ready(value.updated_at)} for value, key in rows],
        "files_uploaded": [{"filename": u.filename, "kind": u.kind, "uploaded_at": json_ready(u.uploaded_at)}
                           for u in uploads],
    }


def erasure(person: Person) -> list[Erasure]:
    values = db.session.scalar(select(func.count(KpiValue.id)).where(KpiValue.person_id == person.id))
    return [Erasure(_l("KPI values (their scorecards)"), values),
            Erasure(_l("KPI files that list them (emptied)"), len(_uploads_listing(person)))]


def erase(person: Person, successor: Person | None) -> None:
    db.session.execute(delete(KpiValue).where(KpiValue.person_id == person.id))
    for upload in _uploads_listing(person):
        upload.content = b""
    forget_downloads(
        (Download.organisation_id == person.organisation_id) & Download.filename.like(f"scorecard-%-{person.id}.pdf"),
        (Download.organisation_id == person.organisation_id) & Download.kind.in_(PACK_KINDS))
