"""LTI Dynamic Registration 1.0: an administrator makes a one-time URL, pastes it into the LMS (Moodle's "Tool
URL"), and the platform opens it with its OpenID configuration and a registration token. The tool reads the
configuration, checks its issuer, posts its own configuration to the platform's registration endpoint (pylti1p3's
DynamicRegistration), and keeps the client id and deployment id it gets back as a registration of the URL's
organisation, with the safe default role table. A URL works once, until it expires, and only for its
organisation; what the platform answers wrongly is refused and stores nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from flask import url_for
from flask_babel import gettext as _
from pylti1p3.dynamic_registration import DynamicRegistration
from pylti1p3.exception import LtiException
from sqlalchemy import select, update

from ..audit import record
from ..extensions import db
from ..orgs.models import Organisation, Person
from ..refusals import Refused
from ..secret_tokens import digest, hint, new_secret
from ..util import utcnow
from .models import LtiRegistration, LtiRegistrationUrl
from .registrations import RegistrationData, save_registration
from .tool import TimeoutSession

#: How long a registration URL may wait to be pasted into an LMS.
URL_DAYS = 7
TOKEN_PREFIX = "cxltireg"
PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
#: What the tool asks for: grades (AGS), the course's members (NRPS); deep linking is a message, not a scope.
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
)


class RegistrationRefused(Exception):
    """A dynamic registration the tool will not complete; `code` picks the message on the page."""

    def __init__(self, code: str, detail: str = "", status: int = 400):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail, self.status = code, detail, status


MESSAGES = {
    "unknown": lambda: _("This registration URL is not valid. Make a new one on CX Culture's LMS page."),
    "expired": lambda: _("This registration URL has expired. Make a new one on CX Culture's LMS page."),
    "used": lambda: _("This registration URL was already used (each works once). Make a new one on CX Culture's "
                      "LMS page."),
    "not-from-platform": lambda: _("Open this URL from your LMS: in Moodle, paste it into “Tool URL” under "
                                   "Site administration › Plugins › Activity modules › External tool › Manage "
                                   "tools, then choose “Add LTI Advantage”."),
    "configuration": lambda: _("The LMS's OpenID configuration could not be read or is incomplete."),
    "issuer": lambda: _("The LMS's configuration names an issuer on another host than the one it was fetched from, "
                        "so it cannot be trusted. Nothing was registered."),
    "platform-error": lambda: _("The LMS refused the registration. Nothing was registered; check the LMS's "
                                "message below and try again with the same URL."),
    "already-registered": lambda: _("This LMS already registered CX Culture with the same client id."),
}


@dataclass
class NewUrl:
    url: str
    row: LtiRegistrationUrl


def make_url(organisation: Organisation, created_by: Person | None) -> NewUrl:
    """A new one-time URL (its secret is in the URL, shown once; only its digest is kept; needs a request context
    for the absolute address). Flushes."""
    plain, stored = new_secret(TOKEN_PREFIX)
    now = utcnow()
    row = LtiRegistrationUrl(organisation_id=organisation.id, token_digest=stored, token_hint=hint(plain),
                             created_by_id=created_by.id if created_by else None, created_at=now,
                             expires_at=now + timedelta(days=URL_DAYS))
    db.session.add(row)
    db.session.flush()
    record("lti.registration_url_created", target=("lti_registration_url", row.id, row.token_hint),
           organisation_id=organisation.id, details={"expires_at": row.expires_at})
    return NewUrl(url_for("lms.dynamic_registration", token=plain, _external=True), row)


def urls_of(organisation_id: int) -> list[LtiRegistrationUrl]:
    """The organisation's registration URLs of the last month, newest first."""
    since = utcnow() - timedelta(days=30)
    return list(db.session.scalars(select(LtiRegistrationUrl).where(
        LtiRegistrationUrl.organisation_id == organisation_id, LtiRegistrationUrl.created_at > since)
        .order_by(LtiRegistrationUrl.id.desc())))


def withdraw_url(row: LtiRegistrationUrl) -> None:
    """The URL stops working now (an unused one only)."""
    if row.used_at is None:
        row.used_at = utcnow()
        record("lti.registration_url_withdrawn", target=("lti_registration_url", row.id, row.token_hint),
               organisation_id=row.organisation_id)
        db.session.flush()


def url_for_token(token: str) -> LtiRegistrationUrl:
    """The URL row behind a token, if it may still be used; RegistrationRefused otherwise."""
    row = db.session.scalar(select(LtiRegistrationUrl).where(LtiRegistrationUrl.token_digest == digest(token)))
    if row is None:
        raise RegistrationRefused("unknown", status=404)
    if row.used_at is not None:
        raise RegistrationRefused("used", status=410)
    if row.expires_at <= utcnow():
        raise RegistrationRefused("expired", status=410)
    return row


def _valid_url(value: object, allow_http: bool) -> bool:
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in (("https", "http") if allow_http else ("https",)) and bool(parts.hostname)


class ToolRegistration(DynamicRegistration):
    """What CX Culture tells the platform about itself (needs a request context: the addresses are absolute)."""

    client_name = "CX Culture"
    description = "Customer-centric culture: training paths, culture assessment and results."

    def __init__(self, organisation: Organisation, openid_configuration: str, registration_token: str | None):
        self.organisation = organisation
        self.openid_configuration_url = openid_configuration
        self.registration_token = registration_token
        self.configuration: dict = {}

    def get_request_session(self):
        return TimeoutSession()

    def get_openid_configuration_endpoint(self) -> str:
        return self.openid_configuration_url

    def get_registration_token(self) -> str | None:
        return self.registration_token or None

    def get_openid_configuration(self) -> dict:
        return self.configuration  # fetched and checked before registering (read_configuration)

    def get_initiate_login_uri(self) -> str:
        return url_for("lms.oidc_login", _external=True)

    def get_jwks_uri(self) -> str:
        return url_for("lms.tool_jwks", org_slug=self.organisation.slug, _external=True)

    def get_redirect_uris(self) -> list[str]:
        return [url_for("lms.launch", _external=True)]

    def get_target_link_uri(self) -> str:
        return url_for("lms.launch", _external=True)

    def get_domain(self) -> str:
        return urlsplit(self.get_target_link_uri()).netloc

    def get_logo_uri(self) -> str:
        return ""  # no logo: left out of the configuration

    def lti_registration_data(self) -> dict:
        data = super().lti_registration_data()
        data.pop("logo_uri", None)
        return data

    def get_scopes(self) -> list[str]:
        return list(SCOPES)

    def get_claims(self) -> list[str]:
        return ["iss", "sub", "name", "given_name", "family_name", "email"]

    def get_messages(self) -> list[dict]:
        launch = self.get_target_link_uri()
        return [{"type": "LtiResourceLinkRequest", "target_link_uri": launch, "label": "CX Culture"},
                {"type": "LtiDeepLinkingRequest", "target_link_uri": launch, "label": "CX Culture",
                 "placements": ["ContentArea"], "supported_types": ["ltiResourceLink"]}]

    def complete_registration(self, openid_configuration: dict, openid_registration: dict) -> dict:
        return openid_registration


def read_configuration(url: str, allow_http: bool) -> dict:
    """The platform's OpenID configuration, checked: its issuer is on the host it came from, and it names the
    endpoints a registration needs."""
    if not _valid_url(url, allow_http):
        raise RegistrationRefused("configuration", f"{url!r} is not an address")
    try:
        response = TimeoutSession().get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        configuration = response.json()
    except (requests.RequestException, ValueError) as error:
        raise RegistrationRefused("configuration", f"{url}: {error}", status=502) from error
    if not isinstance(configuration, dict):
        raise RegistrationRefused("configuration", f"{url} did not answer a JSON object", status=502)
    issuer = configuration.get("issuer")
    if not _valid_url(issuer, allow_http):
        raise RegistrationRefused("configuration", "the configuration names no issuer")
    if urlsplit(issuer).netloc.lower() != urlsplit(url).netloc.lower():
        raise RegistrationRefused("issuer", f"issuer {issuer!r}, configuration fetched from {urlsplit(url).netloc}")
    for name in ("registration_endpoint", "authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not _valid_url(configuration.get(name), allow_http):
            raise RegistrationRefused("configuration", f"the configuration has no valid {name}")
    if not isinstance(configuration.get(PLATFORM_CONFIGURATION), dict):
        raise RegistrationRefused("configuration", "the configuration is not an LTI platform's")
    return configuration


def register(row: LtiRegistrationUrl, openid_configuration: str | None, registration_token: str | None, *,
             allow_http: bool) -> LtiRegistration:
    """Register with the platform through the URL `row` (flushes; the view commits, or rolls back on a refusal,
    which leaves the URL usable)."""
    if not openid_configuration:
        raise RegistrationRefused("not-from-platform")
    # Taken in this transaction: a second registration racing through the same URL finds it used.
    claimed = db.session.execute(update(LtiRegistrationUrl).where(LtiRegistrationUrl.id == row.id,
                                                                  LtiRegistrationUrl.used_at.is_(None))
                                 .values(used_at=utcnow()).execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise RegistrationRefused("used", status=410)
    organisation = db.session.get(Organisation, row.organisation_id)
    tool = ToolRegistration(organisation, openid_configuration, registration_token)
    tool.configuration = configuration = read_configuration(openid_configuration, allow_http)
    try:
        answer = tool.register()
    except (LtiException, AssertionError, requests.RequestException, ValueError) as error:
        detail = str(error)
        if getattr(error, "response", None) is not None:
            detail = f"HTTP {error.response.status_code}: {error.response.text[:300]}"
        raise RegistrationRefused("platform-error", detail, status=502) from error
    client_id = answer.get("client_id")
    tool_answer = answer.get(TOOL_CONFIGURATION) or {}
    deployment_id = tool_answer.get("deployment_id") if isinstance(tool_answer, dict) else None
    if not isinstance(client_id, str) or not client_id or not deployment_id:
        raise RegistrationRefused("platform-error", "the answer holds no client_id or deployment_id", status=502)
    platform = configuration[PLATFORM_CONFIGURATION]
    family = str(platform.get("product_family_code") or "LMS")
    name = f"{family.capitalize()} ({urlsplit(configuration['issuer']).netloc})"[:120]
    try:
        registration = save_registration(row.organisation_id, RegistrationData(
            name=name, issuer=configuration["issuer"], client_id=client_id, deployment_ids=[str(deployment_id)],
            auth_login_url=configuration["authorization_endpoint"], auth_token_url=configuration["token_endpoint"],
            key_set_url=configuration["jwks_uri"]), allow_http=allow_http)
    except Refused as refusal:
        raise RegistrationRefused("already-registered", "; ".join(map(str, refusal.errors.values()))) from refusal
    db.session.execute(update(LtiRegistrationUrl).where(LtiRegistrationUrl.id == row.id)
                       .values(registration_id=registration.id).execution_options(synchronize_session=False))
    record("lti.dynamic_registration", target=registration,
           details={"url": row.token_hint, "url_made_by_id": row.created_by_id, "issuer": registration.issuer,
                    "client_id": client_id, "deployment_id": str(deployment_id), "scopes": answer.get("scope", "")})
    return registration
