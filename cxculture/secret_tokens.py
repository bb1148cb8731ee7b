"""Secrets that other systems present as a bearer token (API tokens, an organisation's SCIM provisioning token).

A secret is shown once, when it is made, and stored only as its SHA-256 digest: whoever reads the database cannot
use it. Lookups compare digests, so the plain secret never meets the database. Each kind of secret has its own
prefix (`cxapi_`, `cxscim_`), so a leaked one is recognised by secret scanners and by a person reading a log.
"""
from __future__ import annotations

import hashlib
import secrets

from flask import Request


def new_secret(prefix: str) -> tuple[str, str]:
    """A fresh secret `<prefix>_<43 url-safe characters>` (256 bits) and the digest to store."""
    plain = f"{prefix}_{secrets.token_urlsafe(32)}"
    return plain, digest(plain)


def digest(plain: str) -> str:
    """The stored form of a secret: its SHA-256 in hex."""
    return hashlib.sha256(plain.encode()).hexdigest()


def hint(plain: str) -> str:
    """What a list may show of a secret so that people tell them apart: its prefix and last four characters."""
    prefix, _, rest = plain.partition("_")
    return f"{prefix}_…{rest[-4:]}"


def bearer(request: Request) -> str | None:
    """The secret of an `Authorization: Bearer <secret>` header, or None when there is none."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    value = value.strip()
    return value if scheme.lower() == "bearer" and value else None
