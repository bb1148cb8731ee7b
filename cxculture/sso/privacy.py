"""The single sign-on area's privacy provider: a person's account at their organisation's identity provider.

The link holds the provider's issuer and the person's opaque `sub` there, and when they last signed in with it.
Erasing a person removes the link: their provider account can then never sign in as them (nor, being erased, can
anyone). Flushes only: the caller commits.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from ..extensions import db
from ..orgs.models import Person
from ..personal_data import Erasure, Holding, NotPersonal, row_dict
from .models import SsoIdentity

AREA = "sso"
TITLE = _l("Single sign-on")

HOLDINGS = (
    Holding("sso_identity", ("person_id", "subject"),
            what=_l("Your account at your organisation's identity provider (its id for you) linked to this app, and "
                    "when you last signed in with it."),
            why=_l("To sign you in with your work account."),
            who_sees=_l("Administrators."), on_erase=_l("Removed."), kept="account"),
)
NOT_PERSONAL = (NotPersonal("sso_settings", "the organisation's identity provider and its client credentials"),)


def export(person: Person) -> dict:
    identities = db.session.scalars(select(SsoIdentity).where(SsoIdentity.person_id == person.id)
                                    .order_by(SsoIdentity.id))
    return {"provider_accounts": [row_dict(i, ("issuer", "subject", "created_at", "last_login_at"))
                                  for i in identities]}


def erasure(person: Person) -> list[Erasure]:
    count = db.session.scalar(select(func.count(SsoIdentity.id)).where(SsoIdentity.person_id == person.id))
    return [Erasure(_l("Links to your organisation's identity provider"), count)]


def erase(person: Person, successor: Person | None) -> None:
    db.session.execute(delete(SsoIdentity).where(SsoIdentity.person_id == person.id))
