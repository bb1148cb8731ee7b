"""The provisioning area's privacy provider: what the identity provider calls a person, and the deactivations and
e-mail changes it asked for. Erasing a person deletes both; the provider may send them again, as a new person.
Flushes only: the caller commits."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from ..extensions import db
from ..orgs.models import Person
from ..personal_data import Erasure, Holding, row_dict
from .models import ScimHeldChange, ScimUser

AREA = "scim"
TITLE = _l("Provisioning from the identity provider")

HOLDINGS = (
    Holding("scim_user", ("person_id", "user_name", "external_id", "given_name", "family_name", "preferred_language"),
            what=_l("What your organisation's identity provider calls you: user name, id, name and language."),
            why=_l("To keep your account in step with the organisation's directory."),
            who_sees=_l("Administrators, and the identity provider that sent it."), on_erase=_l("Removed."),
            kept="account"),
    Holding("scim_change", ("person_id", "new_email"),
            what=_l("Deactivations and e-mail changes the identity provider asked for."),
            why=_l("To hold a sync that would change too many accounts at once until an administrator checks it."),
            who_sees=_l("Administrators."), on_erase=_l("Removed."), kept="account"),
)
NOT_PERSONAL = ()


def export(person: Person) -> dict:
    row = db.session.get(ScimUser, person.id)
    changes = db.session.scalars(select(ScimHeldChange).where(ScimHeldChange.person_id == person.id)
                                 .order_by(ScimHeldChange.id))
    return {
        "identity_provider_account": row_dict(row, ("user_name", "external_id", "given_name", "family_name",
                                                    "preferred_language", "deleted_at")) if row else None,
        "identity_provider_changes": [row_dict(c, ("kind", "new_email", "held", "status", "requested_at",
                                                   "decided_at")) for c in changes],
    }


def erasure(person: Person) -> list[Erasure]:
    rows = db.session.scalar(select(func.count(ScimUser.person_id)).where(ScimUser.person_id == person.id)) or 0
    rows += db.session.scalar(select(func.count(ScimHeldChange.id)).where(ScimHeldChange.person_id == person.id)) or 0
    return [Erasure(_l("Identity provider records"), rows)]


def erase(person: Person, successor: Person | None) -> None:
    db.session.execute(delete(ScimHeldChange).where(ScimHeldChange.person_id == person.id))
    db.session.execute(delete(ScimUser).where(ScimUser.person_id == person.id))
