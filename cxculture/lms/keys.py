"""The tool's own RSA key pairs (one active per organisation) and the JWKS platforms verify our messages with."""
from __future__ import annotations

import json
from datetime import timedelta

from jwcrypto.jwk import JWK
from sqlalchemy import select

from ..extensions import db
from ..util import utcnow
from .models import ToolKey

#: How long a replaced key stays in the JWKS, so messages signed just before a rotation still verify.
RETIRED_KEY_DAYS = 7


def _new_key(organisation_id: int) -> ToolKey:
    pair = JWK.generate(kty="RSA", size=2048)
    # The kid is the key's RFC 7638 thumbprint: pylti1p3 derives the same one when it signs.
    key = ToolKey(organisation_id=organisation_id, kid=pair.thumbprint(),
                  private_pem=pair.export_to_pem(private_key=True, password=None).decode(),
                  public_pem=pair.export_to_pem().decode())
    db.session.add(key)
    db.session.flush()
    return key


def active_key(organisation_id: int) -> ToolKey:
    """The key the tool signs with for the organisation, created on first use."""
    key = db.session.scalar(select(ToolKey).where(ToolKey.organisation_id == organisation_id,
                                                  ToolKey.retired_at.is_(None)).order_by(ToolKey.id.desc()))
    return key or _new_key(organisation_id)


def rotate_key(organisation_id: int) -> ToolKey:
    """Retire the active key (it stays published for RETIRED_KEY_DAYS) and start signing with a new one."""
    now = utcnow()
    for key in db.session.scalars(select(ToolKey).where(ToolKey.organisation_id == organisation_id,
                                                        ToolKey.retired_at.is_(None))):
        key.retired_at = now
    db.session.flush()
    return _new_key(organisation_id)


def published_keys(organisation_id: int) -> list[ToolKey]:
    """The active key and the recently retired ones, newest first."""
    cutoff = utcnow() - timedelta(days=RETIRED_KEY_DAYS)
    return list(db.session.scalars(
        select(ToolKey).where(ToolKey.organisation_id == organisation_id,
                              (ToolKey.retired_at.is_(None)) | (ToolKey.retired_at > cutoff))
        .order_by(ToolKey.id.desc())))


def public_jwk(key: ToolKey) -> dict:
    jwk = json.loads(JWK.from_pem(key.public_pem.encode()).export_public())
    jwk.update(kid=key.kid, alg="RS256", use="sig")
    return jwk


def jwks(organisation_id: int) -> dict:
    """The organisation's JSON Web Key Set, as served at its JWKS URL."""
    return {"keys": [public_jwk(key) for key in published_keys(organisation_id)]}
