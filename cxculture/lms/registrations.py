"""Platform registrations per organisation: create, change, remove; what the LMS administrator must enter."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit import changes, record
from ..extensions import db
from ..orgs.models import Organisation
from ..refusals import Refused
from . import forget_origins
from .models import LrsSettings, LtiIdentity, LtiRegistration, LtiRoleMapping
from .roles import DEFAULT_MAPPINGS, RoleMappingData, check_role_mappings

URL_FIELDS = ("auth_login_url", "auth_token_url", "key_set_url")


@dataclass
class RegistrationData:
    """What an administrator enters for a platform."""

    name: str
    issuer: str
    client_id: str
    deployment_ids: list[str]
    auth_login_url: str
    auth_token_url: str
    key_set_url: str
    #: The administrator vouches that the platform's e-mail addresses are verified.
    emails_verified: bool = False
    #: The role table; None keeps the stored one (the defaults for a new registration).
    role_mappings: list[RoleMappingData] | None = None


def parse_deployment_ids(text: str | None) -> list[str]:
    """One deployment id per line or comma; blanks and repeats dropped, order kept."""
    seen: list[str] = []
    for part in (text or "").replace(",", "\n").splitlines():
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


def _valid_url(value: str, allow_http: bool) -> bool:
    parts = urlsplit(value)
    return parts.scheme in (("https", "http") if allow_http else ("https",)) and bool(parts.netloc)


def _check(organisation_id: int, data: RegistrationData, allow_http: bool,
           registration: LtiRegistration | None = None) -> list[RoleMappingData] | None:
    """Refused naming each bad field; else the role table to store (None: keep it)."""
    errors: dict[str | None, str] = {}
    mappings = None
    if data.role_mappings is not None:
        mappings, mapping_errors = check_role_mappings(data.role_mappings)
        errors.update(mapping_errors)
    if not data.name.strip():
        errors["name"] = _("Give the platform a name, such as “Moodle – HR academy”.")
    if not _valid_url(data.issuer, allow_http):
        errors["issuer"] = _("The issuer is the platform's address, starting with https://.")
    if not data.client_id.strip():
        errors["client_id"] = _("Enter the client id the platform generated for this tool.")
    if not data.deployment_ids:
        errors["deployment_ids"] = _("Enter at least one deployment id.")
    for field in URL_FIELDS:
        if not _valid_url(getattr(data, field), allow_http):
            errors[field] = _("Enter a full address starting with https://.")
    if "issuer" not in errors and "client_id" not in errors:
        clash = db.session.scalar(select(LtiRegistration).where(
            LtiRegistration.issuer == data.issuer.strip(), LtiRegistration.client_id == data.client_id.strip()))
        if clash is not None and clash is not registration:
            errors["client_id"] = _("This issuer and client id are already registered.")
    if errors:
        raise Refused(errors)
    return mappings


def _store_role_mappings(registration: LtiRegistration, rows: list[RoleMappingData]) -> None:
    """The table becomes `rows`: unchanged lines stay, others go, new ones are added."""
    wanted = {(r.kind, r.role, r.permission) for r in rows}
    kept = [m for m in registration.role_mappings if (m.kind, m.role, m.permission) in wanted]
    held = {(m.kind, m.role, m.permission) for m in kept}
    registration.role_mappings = kept + [
        LtiRoleMapping(organisation_id=registration.organisation_id, kind=r.kind, role=r.role, permission=r.permission)
        for r in rows if (r.kind, r.role, r.permission) not in held
    ]


def save_registration(organisation_id: int, data: RegistrationData, *, allow_http: bool = False,
                      registration: LtiRegistration | None = None) -> LtiRegistration:
    """Create (or change) a registration; Refused names each bad field and nothing is stored."""
    mappings = _check(organisation_id, data, allow_http, registration)
    before = _audited(registration) if registration is not None else {}
    if registration is None:
        registration = LtiRegistration(organisation_id=organisation_id, role_mappings=[])
        db.session.add(registration)
        if mappings is None:
            mappings = [RoleMappingData(*default) for default in DEFAULT_MAPPINGS]
    if mappings is not None:
        _store_role_mappings(registration, mappings)
    registration.emails_verified = data.emails_verified
    if registration.key_set_url != data.key_set_url.strip():
        registration.key_set, registration.key_set_fetched_at = None, None
    registration.name = data.name.strip()
    registration.issuer = data.issuer.strip()  # compared byte for byte with the token's `iss`
    registration.client_id = data.client_id.strip()
    registration.deployment_ids = data.deployment_ids
    for field in URL_FIELDS:
        setattr(registration, field, getattr(data, field).strip())
    db.session.flush()
    old, new = changes(before, _audited(registration))
    if new:
        record("lti.registration_saved", target=registration, before=old, after=new)
    forget_origins()
    return registration


def _audited(registration: LtiRegistration) -> dict:
    """What the audit trail records of a registration: everything but fetched keys, with its role table."""
    return {"name": registration.name, "issuer": registration.issuer, "client_id": registration.client_id,
            "deployment_ids": list(registration.deployment_ids or []),
            "emails_verified": bool(registration.emails_verified),
            **{field: getattr(registration, field) for field in URL_FIELDS},
            "role_mappings": sorted(f"{m.kind} {m.role} -> {m.permission}" for m in registration.role_mappings)}


def registrations_of(organisation_id: int) -> list[LtiRegistration]:
    return list(db.session.scalars(select(LtiRegistration).where(LtiRegistration.organisation_id == organisation_id)
                                   .order_by(LtiRegistration.name, LtiRegistration.id)))


def registration_by_client(issuer: str, client_id: str | None) -> LtiRegistration | None:
    """The registration for a platform's issuer and our client id (the only one of the issuer if no id)."""
    query = select(LtiRegistration).where(LtiRegistration.issuer == issuer)
    if client_id:
        return db.session.scalar(query.where(LtiRegistration.client_id == client_id))
    found = list(db.session.scalars(query.limit(2)))
    return found[0] if len(found) == 1 else None


def linked_people(registration: LtiRegistration) -> int:
    """How many people have signed in through the registration's platform (its issuer)."""
    return db.session.scalar(select(func.count(func.distinct(LtiIdentity.person_id))).where(
        LtiIdentity.organisation_id == registration.organisation_id, LtiIdentity.issuer == registration.issuer)) or 0


def delete_registration(registration: LtiRegistration) -> None:
    record("lti.registration_deleted", target=registration, before=_audited(registration))
    db.session.delete(registration)
    db.session.flush()
    forget_origins()


def platform_origins() -> list[str]:
    """Every registered platform's origin: the pages may be framed by these."""
    return sorted({r.origin for r in db.session.scalars(select(LtiRegistration))})


@dataclass
class ToolField:
    label: str
    value: str
    hint: str = ""


def tool_configuration(organisation: Organisation) -> list[ToolField]:
    """What an LMS administrator enters in the external-tool form, in the order Moodle asks for it
    (needs a request context: the addresses are absolute URLs)."""
    login = url_for("lms.oidc_login", _external=True)
    launch = url_for("lms.launch", _external=True)
    return [
        ToolField(_l("Tool name"), "CX Culture"),
        ToolField(_l("Tool URL"), launch),
        ToolField(_l("LTI version"), "LTI 1.3"),
        ToolField(_l("Public key type"), _l("Keyset URL")),
        ToolField(
            _l("Public keyset"),
            url_for("lms.tool_jwks", org_slug=organisation.slug, _external=True),
            _l("Keys are rotated from this page; the previous key stays published for a week."),
        ),
        ToolField(_l("Initiate login URL"), login),
        ToolField(_l("Redirection URI(s)"), launch),
        ToolField(_l("Supports Deep Linking (Content-Item Message)"), _l("Yes")),
        ToolField(_l("Content Selection URL"), launch),
        ToolField(
            _l("IMS LTI Assignment and Grade Services"), _l("Use this service for grade sync and column management")
        ),
        ToolField(_l("Share launcher's name with tool"), _l("Always")),
        ToolField(
            _l("Share launcher's email with tool"),
            _l("As you prefer: without it people are created without an e-mail address"),
        ),
        ToolField(_l("Default launch container"), _l("Embed, without blocks")),
    ]


def lrs_settings(organisation_id: int) -> LrsSettings:
    """The organisation's LRS settings, created (switched off) on first use."""
    settings = db.session.scalar(select(LrsSettings).where(LrsSettings.organisation_id == organisation_id))
    if settings is None:
        settings = LrsSettings(
            organisation_id=organisation_id,
            enabled=False,
            endpoint="",
            key="",
            secret="",
            actor_mode="pseudonymous",
            pseudonym_salt=secrets.token_hex(16),
        )
        db.session.add(settings)
        db.session.flush()
    return settings


def save_lrs_settings(
    organisation_id: int,
    *,
    enabled: bool,
    endpoint: str,
    key: str,
    secret: str | None,
    actor_mode: str,
    allow_http: bool = False,
) -> LrsSettings:
    """Change where statements go; an empty secret keeps the stored one."""
    settings = lrs_settings(organisation_id)
    errors: dict[str | None, str] = {}
    endpoint = (endpoint or "").strip().rstrip("/")
    if endpoint and not _valid_url(endpoint, allow_http):
        errors["endpoint"] = _("Enter the LRS address starting with https://, ending before /statements.")
    if enabled and not endpoint:
        errors["endpoint"] = _("Enter the LRS address to switch sending on.")
    if enabled and not (key or "").strip():
        errors["key"] = _("Enter the key the LRS gave you.")
    if enabled and not (secret or settings.secret):
        errors["secret"] = _("Enter the secret the LRS gave you.")
    if actor_mode not in ("pseudonymous", "email"):
        errors["actor_mode"] = _("Choose how people are named in statements.")
    if errors:
        raise Refused(errors)
    before = {"enabled": settings.enabled, "endpoint": settings.endpoint, "key": settings.key,
              "actor_mode": settings.actor_mode, "secret": "(unchanged)"}
    settings.enabled, settings.endpoint, settings.key, settings.actor_mode = enabled, endpoint, key.strip(), actor_mode
    if secret:
        settings.secret = secret
    db.session.flush()
    old, new = changes(before, {"enabled": settings.enabled, "endpoint": settings.endpoint, "key": settings.key,
                                "actor_mode": settings.actor_mode, "secret": "(changed)" if secret else "(unchanged)"})
    if new:
        record("lti.lrs_settings", target=("lrs_settings", settings.id, settings.endpoint or None),
               organisation_id=organisation_id, before=old, after=new)
    return settings
