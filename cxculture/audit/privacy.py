"""The audit trail's privacy provider: privileged changes a person made or that were made to them."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from ..extensions import db
from ..personal_data import Erasure, Holding, row_dict
from .models import AuditRecord
from .service import forget_person

AREA = "audit"
TITLE = _l("Audit trail")

HOLDINGS = (
    Holding("audit_record", ("actor_id", "actor_label", "target_label", "before", "after"),
            what=_l("Privileged changes (permissions, teams, imports, campaigns, settings): who made them, when, "
                    "and the values before and after. Never survey answers."),
            why=_l("To account for every privileged change, as the organisation's controls require."),
            who_sees=_l("The organisation's administrators."),
            on_erase=_l("Kept as the organisation's record, with the person's name and e-mail replaced by "
                        "“Erased person”."), kept="audit"),
)
NOT_PERSONAL = ()


def _about(person):
    return or_(AuditRecord.actor_id == person.id,
               (AuditRecord.target_type == "person") & (AuditRecord.target_id == str(person.id)))


def export(person) -> dict:
    rows = db.session.scalars(select(AuditRecord).where(_about(person)).order_by(AuditRecord.id))
    return {"audit_trail": [row_dict(r, ("at", "action", "actor_label", "target_label", "before", "after"))
                            for r in rows]}


def erasure(person) -> list[Erasure]:
    count = db.session.scalar(select(func.count(AuditRecord.id)).where(_about(person)))
    return [Erasure(_l("Audit records about them (kept, with their name replaced)"), count)]


def erase(person, successor) -> None:
    """Runs after the person's own row became the tombstone: its name replaces theirs in the trail."""
    forget_person(person.id, person.name)
