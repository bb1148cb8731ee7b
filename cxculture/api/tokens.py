"""API tokens: made by an administrator (the secret shown once), listed by their hint, revoked, and checked on
every API request. Flushes only: the caller commits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit import record
from ..extensions import db
from ..refusals import refuse_if
from ..secret_tokens import digest, hint, new_secret
from ..util import utcnow
from .models import ApiToken

#: The prefix secret scanners and people recognise an API token by.
PREFIX = "cxapi"
#: What each scope lets a token do; every endpoint needs exactly one of them.
SCOPES: dict[str, object] = {
    "people:read": _l("Read people and teams"),
    "people:write": _l("Create and update people (not their permissions), as the roster import does"),
    "training:read": _l("Read training progress and certificates"),
    "actions:read": _l("Read action items"),
    "kpis:read": _l("Read KPI values and scorecards"),
    "kpis:write": _l("Write KPI values"),
    "results:read": _l("Read culture-assessment results (as suppressed on the results pages)"),
}
DEFAULT_DAYS = 90
MAX_DAYS = 365
#: A token's last use is written at most this often, not on every request.
LAST_USED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class MadeToken:
    token: ApiToken
    #: The secret, to show once; it is not stored anywhere.
    plain: str


def tokens_of(organisation_id: int) -> list[ApiToken]:
    """The organisation's tokens, the usable ones first, newest first."""
    rows = db.session.scalars(select(ApiToken).where(ApiToken.organisation_id == organisation_id)
                              .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(),
                                        ApiToken.id.desc()))
    return list(rows)


def create_token(organisation_id: int, *, name: str, scopes: list[str], days: int | None,
                 now: datetime | None = None) -> MadeToken:
    """A new token of the organisation; refuses (per field) an empty name, no or unknown scopes, a bad expiry."""
    name = (name or "").strip()
    chosen = list(dict.fromkeys(scopes or []))
    errors: dict[str | None, object] = {}
    if not name:
        errors["name"] = _l("Name the token after the system that will use it, such as “Power BI”.")
    elif len(name) > 120:
        errors["name"] = _l("The name is too long: at most 120 characters.")
    if not chosen:
        errors["scopes"] = _l("Choose at least one thing the token may do.")
    elif unknown := [scope for scope in chosen if scope not in SCOPES]:
        errors["scopes"] = _l("Unknown scope: %(scopes)s.", scopes=", ".join(unknown))
    if days is None or not 1 <= days <= MAX_DAYS:
        errors["days"] = _l("A token lasts from 1 to %(max)s days.", max=MAX_DAYS)
    refuse_if(errors)
    now = now or utcnow()
    plain, stored = new_secret(PREFIX)
    token = ApiToken(organisation_id=organisation_id, name=name, token_digest=stored, token_hint=hint(plain),
                     scopes=[scope for scope in SCOPES if scope in chosen], created_at=now,
                     expires_at=now + timedelta(days=days))
    db.session.add(token)
    db.session.flush()
    record("api_token.created", target=token, organisation_id=organisation_id,
           after={"name": token.name, "hint": token.token_hint, "scopes": token.scopes,
                  "expires_at": token.expires_at})
    return MadeToken(token, plain)


def revoke_token(token: ApiToken, now: datetime | None = None) -> None:
    """Stop a token working at once; a revoked token stays listed as revoked."""
    if token.revoked_at is not None:
        return
    token.revoked_at = now or utcnow()
    db.session.flush()
    record("api_token.revoked", target=token, organisation_id=token.organisation_id,
           before={"hint": token.token_hint, "scopes": token.scopes})


def authenticate(plain: str | None, now: datetime | None = None) -> ApiToken | None:
    """The usable token whose secret this is (not expired, not revoked), its last use noted; else None."""
    if not plain or not plain.startswith(f"{PREFIX}_"):
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_digest == digest(plain)))
    now = now or utcnow()
    if token is None or not token.usable(now):
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        token.last_used_at = now
        db.session.flush()
    return token
