"""Single sign-on: an organisation's settings, its provider's discovery document and keys, and the sign-in itself.

A sign-in is OpenID Connect's authorisation code flow with PKCE (S256), `state` and `nonce`. The ID token is
accepted only when its signature verifies with a key the provider publishes (asymmetric algorithms only), its
issuer is the configured one, its audience is our client id, it has not expired and it carries our nonce. Then
the person is found by issuer + `sub` once linked; the first time by a verified e-mail address within the
organisation only; created as a plain employee only when the administrator allows it. The provider never grants
a permission, and a deactivated person is refused.

Flushes only: the caller commits.
"""
from __future__ import annotations

import re
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import KeySet
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit import changes, record
from ..extensions import db
from ..orgs.models import Organisation, Permission, Person
from ..orgs.operations import audited_values
from ..orgs.service import person_by_email
from ..refusals import Refused, refuse_if
from ..util import utcnow
from .models import SsoIdentity, SsoSettings

DISCOVERY_PATH = "/.well-known/openid-configuration"
#: Seconds to wait for the provider (discovery, keys, token endpoint).
TIMEOUT = 10
#: Signature algorithms an ID token may use: asymmetric only, as the keys come from the provider's key set.
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
#: Seconds a sign-in may take between leaving for the provider and coming back.
SIGN_IN_MAX_AGE = 600
#: Seconds of clock difference tolerated on the token's times.
LEEWAY = 60
#: A discovery document older than this is read again when a sign-in starts (providers move endpoints rarely).
METADATA_MAX_AGE = timedelta(hours=24)
SCOPES = "openid email profile"
_CLAIM_NAME = re.compile(r"^[A-Za-z0-9_.:/-]{1,100}$")


# Settings ---------------------------------------------------------------------------------------------------------

@dataclass
class SettingsData:
    """What the administrator enters; an empty `client_secret` keeps the stored one."""

    enabled: bool
    provider_name: str
    issuer: str
    client_id: str
    client_secret: str
    email_claim: str = "email"
    emails_verified: bool = False
    password_login: bool = True
    create_people: bool = False


def settings_of(organisation_id: int) -> SsoSettings | None:
    return db.session.scalar(select(SsoSettings).where(SsoSettings.organisation_id == organisation_id))


def enabled_settings(organisation_id: int) -> SsoSettings | None:
    """The organisation's settings when single sign-on is switched on, else None."""
    settings = settings_of(organisation_id)
    return settings if settings is not None and settings.enabled else None


def secret_hint(secret: str) -> str:
    """What a page may show of the stored client secret: its last four characters."""
    return f"…{secret[-4:]}" if len(secret) >= 12 else "…"


def issuer_from(text: str) -> str:
    """The issuer an administrator meant: pasted with or without the discovery path or a final slash."""
    issuer = (text or "").strip()
    if issuer.endswith(DISCOVERY_PATH):
        issuer = issuer[: -len(DISCOVERY_PATH)]
    return issuer.rstrip("/")


def _valid_url(value, allow_http: bool) -> bool:
    parts = urlsplit(value) if isinstance(value, str) else None
    return parts is not None and parts.scheme in (("https", "http") if allow_http else ("https",)) \
        and bool(parts.netloc)


def _audited(settings: SsoSettings) -> dict:
    return {"enabled": settings.enabled, "provider_name": settings.provider_name, "issuer": settings.issuer,
            "client_id": settings.client_id, "email_claim": settings.email_claim,
            "emails_verified": settings.emails_verified, "password_login": settings.password_login,
            "create_people": settings.create_people}


def save_settings(organisation_id: int, data: SettingsData, *, allow_http: bool = False) -> SsoSettings:
    """Store the organisation's provider. Switching it on reads the discovery document first: a provider that
    cannot be read is refused, naming the field, and nothing changes. Records the change in the audit trail."""
    settings = settings_of(organisation_id)
    stored_secret = settings.client_secret if settings is not None else ""
    issuer, name = issuer_from(data.issuer), (data.provider_name or "").strip()
    client_id, claim = (data.client_id or "").strip(), (data.email_claim or "").strip()
    errors: dict[str | None, str] = {}
    if issuer and not _valid_url(issuer, allow_http):
        errors["issuer"] = _("Enter the issuer as a full address starting with https://, for example "
                             "https://login.microsoftonline.com/TENANT-ID/v2.0.")
    if len(issuer) > 500:
        errors["issuer"] = _("Use at most %(num)s characters.", num=500)
    if len(name) > 100:
        errors["provider_name"] = _("Use at most %(num)s characters.", num=100)
    if not _CLAIM_NAME.match(claim):
        errors["email_claim"] = _("Enter the name of one claim, like email, upn or preferred_username.")
    if data.enabled:
        for field, value, message in (
            ("provider_name", name, _("Give the provider the name people know it by, like Microsoft or Google.")),
            ("issuer", issuer, _("Enter the provider's issuer to switch single sign-on on.")),
            ("client_id", client_id, _("Enter the client id the provider gave you.")),
            ("client_secret", data.client_secret or stored_secret, _("Enter the client secret the provider gave "
                                                                     "you.")),
        ):
            if not value:
                errors.setdefault(field, message)
    if not data.password_login and not data.enabled:
        errors["password_login"] = _("Keep password login while single sign-on is off: nobody could log in.")
    refuse_if(errors)
    metadata = None
    if data.enabled:
        try:
            metadata = discover(issuer, allow_http=allow_http)
        except ProviderProblem as problem:
            raise Refused({"issuer": str(problem)}) from None
    if settings is None:
        settings = SsoSettings(organisation_id=organisation_id, client_secret="")
        db.session.add(settings)
        before = {}
    else:
        before = {**_audited(settings), "client_secret": "(unchanged)"}
    if issuer != settings.issuer:
        settings.provider_metadata, settings.metadata_fetched_at = None, None
    settings.enabled, settings.provider_name, settings.issuer = bool(data.enabled), name, issuer
    settings.client_id, settings.email_claim = client_id, claim
    settings.emails_verified, settings.password_login = bool(data.emails_verified), bool(data.password_login)
    settings.create_people = bool(data.create_people)
    if data.client_secret:
        settings.client_secret = data.client_secret
    if metadata is not None:
        settings.provider_metadata, settings.metadata_fetched_at = metadata, utcnow()
    settings.updated_at = utcnow()
    db.session.flush()
    old, new = changes(before, {**_audited(settings),
                                "client_secret": "(changed)" if data.client_secret else "(unchanged)"})
    if new:
        record("sso.settings", target=("sso_settings", settings.id, settings.provider_name or None),
               organisation_id=organisation_id, before=old, after=new)
    return settings


# The provider -----------------------------------------------------------------------------------------------------

class ProviderProblem(Exception):
    """The provider cannot be used as it answers now; the message tells the administrator why."""


def _get_json(url: str, what: str):
    try:
        response = requests.get(url, timeout=TIMEOUT, headers={"Accept": "application/json"})
    except requests.RequestException as exc:
        raise ProviderProblem(_("CX Culture could not reach %(url)s to read %(what)s (%(reason)s).",
                                url=url, what=what, reason=type(exc).__name__)) from None
    if response.status_code != 200:
        raise ProviderProblem(_("%(url)s answered with status %(status)s instead of %(what)s.",
                                url=url, status=response.status_code, what=what))
    try:
        document = response.json()
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise ProviderProblem(_("%(url)s did not answer with %(what)s (JSON expected).", url=url, what=what))
    return document


def discover(issuer: str, *, allow_http: bool = False) -> dict:
    """The provider's discovery document, checked: it names this issuer and has the endpoints a sign-in needs."""
    what = _("the discovery document")
    document = _get_json(issuer + DISCOVERY_PATH, what)
    if document.get("issuer") != issuer:
        raise ProviderProblem(_("The discovery document names the issuer %(found)s, not %(issuer)s: enter the issuer "
                                "exactly as the provider writes it.", found=document.get("issuer"), issuer=issuer))
    missing = [key for key in ("authorization_endpoint", "token_endpoint", "jwks_uri")
               if not _valid_url(document.get(key), allow_http)]
    if missing:
        raise ProviderProblem(_("The discovery document has no usable %(fields)s.", fields=", ".join(missing)))
    if "code" not in document.get("response_types_supported", ["code"]):
        raise ProviderProblem(_("The provider does not offer the authorisation code flow (response type code)."))
    if not _algorithms(document):
        raise ProviderProblem(_("The provider signs its tokens with none of the algorithms CX Culture accepts "
                                "(%(algs)s).", algs=", ".join(ALGORITHMS)))
    return document


def _algorithms(metadata: dict) -> list[str]:
    offered = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    return [alg for alg in offered if alg in ALGORITHMS]


def signing_keys(metadata: dict) -> KeySet:
    """The provider's published signing keys."""
    document = _get_json(metadata["jwks_uri"], _("the signing keys"))
    try:
        keys = KeySet.import_key_set(document)
    except (JoseError, ValueError, TypeError, KeyError):
        raise ProviderProblem(_("The signing keys at %(url)s cannot be read.", url=metadata["jwks_uri"])) from None
    if not keys.keys:
        raise ProviderProblem(_("The provider publishes no signing key at %(url)s.", url=metadata["jwks_uri"]))
    return keys


@dataclass(frozen=True)
class ConnectionCheck:
    ok: bool
    text: str


def check_connection(issuer_text: str, *, allow_http: bool = False) -> list[ConnectionCheck]:
    """What "Test the connection" reports: the discovery document, the sign-in endpoint, the signing keys. Reads
    only: nothing is stored."""
    issuer = issuer_from(issuer_text)
    if not _valid_url(issuer, allow_http):
        return [ConnectionCheck(False, _("Enter the issuer as a full address starting with https:// first."))]
    try:
        metadata = discover(issuer, allow_http=allow_http)
    except ProviderProblem as problem:
        return [ConnectionCheck(False, str(problem))]
    checks = [ConnectionCheck(True, _("Discovery document read: the issuer is %(issuer)s.", issuer=issuer)),
              ConnectionCheck(True, _("People will sign in at %(url)s.", url=metadata["authorization_endpoint"]))]
    try:
        keys = signing_keys(metadata)
    except ProviderProblem as problem:
        return [*checks, ConnectionCheck(False, str(problem))]
    checks.append(ConnectionCheck(True, ngettext("%(num)s signing key published at %(url)s.",
                                                 "%(num)s signing keys published at %(url)s.",
                                                 len(keys.keys), url=metadata["jwks_uri"])))
    return checks


def _current_metadata(settings: SsoSettings) -> dict:
    """The discovery document, read again when older than a day (the stored one serves while the provider is
    unreachable)."""
    stale = settings.metadata_fetched_at is None or utcnow() - settings.metadata_fetched_at > METADATA_MAX_AGE
    if stale or not settings.provider_metadata:
        try:
            settings.provider_metadata = discover(settings.issuer, allow_http=_http_allowed(settings))
            settings.metadata_fetched_at = utcnow()
        except ProviderProblem:
            if not settings.provider_metadata:
                raise
    return settings.provider_metadata


def _http_allowed(settings: SsoSettings) -> bool:
    """An issuer stored with http:// was accepted outside production (a provider on loopback)."""
    return settings.issuer.startswith("http://")


def _client(settings: SsoSettings, metadata: dict, redirect_uri: str) -> OAuth2Session:
    methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    method = "client_secret_basic" if "client_secret_basic" in methods else "client_secret_post"
    return OAuth2Session(settings.client_id, settings.client_secret, scope=SCOPES, redirect_uri=redirect_uri,
                         code_challenge_method="S256", token_endpoint_auth_method=method)


# Signing in -------------------------------------------------------------------------------------------------------

class SignInRefused(Exception):
    """A sign-in that does not log anyone in: `reason` for the log and the tests, `message` for the person."""

    def __init__(self, reason: str, message: str, status: int = 403):
        super().__init__(reason)
        self.reason, self.message, self.status = reason, message, status


@dataclass(frozen=True)
class SignInStart:
    #: Where the browser goes: the provider's authorisation endpoint with our request.
    url: str
    #: What the browser's session keeps until it comes back: state, nonce, PKCE verifier, when it left.
    pending: dict


def start_sign_in(settings: SsoSettings, redirect_uri: str) -> SignInStart:
    """Send the browser to the provider. Raises ProviderProblem when the provider cannot be read."""
    metadata = _current_metadata(settings)
    state, nonce, verifier = secrets.token_urlsafe(32), secrets.token_urlsafe(32), secrets.token_urlsafe(48)
    with _client(settings, metadata, redirect_uri) as client:
        url, _state = client.create_authorization_url(metadata["authorization_endpoint"], state=state, nonce=nonce,
                                                      code_verifier=verifier)
    return SignInStart(url, {"organisation_id": settings.organisation_id, "state": state, "nonce": nonce,
                             "verifier": verifier, "at": int(time.time())})


def finish_sign_in(settings: SsoSettings, pending: dict | None, answer: Mapping[str, str],
                   redirect_uri: str) -> Person:
    """The person the provider's answer proves, linked or created as the settings allow; raises SignInRefused."""
    provider = settings.provider_name
    if not pending or pending.get("organisation_id") != settings.organisation_id:
        raise SignInRefused("no_sign_in", _("This sign-in was not started in this browser, or it has already been "
                                            "used. Start again from the sign-in page."), 400)
    state_matches = secrets.compare_digest(str(answer.get("state", "")), str(pending.get("state")))
    if answer.get("error") and (state_matches or "state" not in answer):
        # Some providers leave the state out of an error; an error logs nobody in, so it is shown either way.
        raise SignInRefused("provider_error", _("%(provider)s did not sign you in: %(error)s.", provider=provider,
                                                error=answer["error"]))
    if not state_matches:
        raise SignInRefused("state", _("The answer from %(provider)s does not belong to this sign-in. Start again "
                                       "from the sign-in page.", provider=provider), 400)
    if time.time() - pending.get("at", 0) > SIGN_IN_MAX_AGE:
        raise SignInRefused("expired", _("This sign-in took too long. Start again from the sign-in page."), 400)
    if not answer.get("code"):
        raise SignInRefused("no_code", _("%(provider)s sent no sign-in code. Start again from the sign-in page.",
                                         provider=provider), 400)
    try:
        metadata = _current_metadata(settings)
    except ProviderProblem as problem:
        raise SignInRefused("provider", str(problem), 502) from None
    with _client(settings, metadata, redirect_uri) as client:
        try:
            token = client.fetch_token(metadata["token_endpoint"], grant_type="authorization_code",
                                       code=answer["code"], code_verifier=pending.get("verifier"), timeout=TIMEOUT)
        except (AuthlibBaseError, requests.RequestException, ValueError) as exc:
            raise SignInRefused("token", _("%(provider)s refused the sign-in code (%(reason)s). Start again from the "
                                           "sign-in page; if it happens again, tell your administrator.",
                                           provider=provider, reason=getattr(exc, "error", None) or
                                           type(exc).__name__)) from None
    claims = _verified_claims(settings, metadata, token, pending.get("nonce", ""))
    return _person_for(settings, claims)


def _verified_claims(settings: SsoSettings, metadata: dict, token: Mapping, nonce: str) -> dict:
    """The ID token's claims once its signature, issuer, audience, expiry and nonce are checked."""
    provider = settings.provider_name
    if not token.get("id_token"):
        raise SignInRefused("no_id_token", _("%(provider)s sent no identity token.", provider=provider))
    try:
        keys = signing_keys(metadata)
    except ProviderProblem as problem:
        raise SignInRefused("keys", str(problem), 502) from None
    try:
        decoded = jwt.decode(token["id_token"], keys, algorithms=_algorithms(metadata))
    except (JoseError, ValueError):
        raise SignInRefused("signature", _("The identity token does not carry a valid signature from %(provider)s's "
                                           "published keys, so CX Culture cannot trust it. Tell your administrator.",
                                           provider=provider)) from None
    claims = CodeIDToken(decoded.claims, decoded.header,
                         {"iss": {"essential": True, "value": settings.issuer},
                          "aud": {"essential": True, "value": settings.client_id},
                          "sub": {"essential": True}, "exp": {"essential": True}},
                         {"nonce": nonce, "client_id": settings.client_id,
                          "access_token": token.get("access_token")})
    try:
        claims.validate(leeway=LEEWAY)
    except ExpiredTokenError:
        raise SignInRefused("expired_token", _("The identity token from %(provider)s has expired. Start again from "
                                               "the sign-in page.", provider=provider)) from None
    except JoseError as exc:
        claim = getattr(exc, "claim", "") or ""
        if claim == "iss":
            message = _("The identity token was issued by %(found)s, not by %(issuer)s as configured. Tell your "
                        "administrator.", found=decoded.claims.get("iss"), issuer=settings.issuer)
        else:
            message = _("The identity token from %(provider)s is not valid for CX Culture (claim %(claim)s). Tell "
                        "your administrator.", provider=provider, claim=claim or "?")
        raise SignInRefused(f"claim_{claim or 'invalid'}", message) from None
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise SignInRefused("claim_sub", _("The identity token names nobody (no sub)."))
    return dict(claims)


def _verified_email(settings: SsoSettings, claims: dict) -> str:
    value = claims.get(settings.email_claim)
    email = value.strip().lower() if isinstance(value, str) else ""
    if not email or "@" not in email or len(email) > 254:
        raise SignInRefused("no_email", _("%(provider)s did not send your e-mail address (claim %(claim)s), so CX "
                                          "Culture cannot tell which account is yours. Tell your administrator.",
                                          provider=settings.provider_name, claim=settings.email_claim))
    verified = claims.get("email_verified")
    # An address the provider says is unverified is refused even when the administrator vouched for the provider.
    if verified in (False, "false") or (not settings.emails_verified and verified not in (True, "true")):
        raise SignInRefused("unverified_email", _("%(provider)s has not verified your address %(email)s, so CX "
                                                  "Culture cannot link it to an account. Verify it with "
                                                  "%(provider)s, or tell your administrator.",
                                                  provider=settings.provider_name, email=email))
    return email


def _display_name(claims: dict, email: str) -> str:
    name = str(claims.get("name") or "").strip()
    if not name:
        name = " ".join(str(claims.get(k) or "").strip() for k in ("given_name", "family_name")).strip()
    return name[:200] or email.split("@")[0]


def _refuse_inactive(person: Person) -> None:
    if not person.is_active:
        raise SignInRefused("inactive", _("Your CX Culture account has been deactivated. Ask your administrator."))


def _person_for(settings: SsoSettings, claims: dict) -> Person:
    organisation = db.session.get(Organisation, settings.organisation_id)
    identity = db.session.scalar(select(SsoIdentity).where(
        SsoIdentity.organisation_id == settings.organisation_id, SsoIdentity.issuer == settings.issuer,
        SsoIdentity.subject == claims["sub"]))
    if identity is None:
        email = _verified_email(settings, claims)
        person = person_by_email(email)
        if person is not None and person.organisation_id != settings.organisation_id:
            # Never across organisations; the words name neither the other organisation nor the person.
            raise SignInRefused("other_organisation", _("The address %(email)s cannot sign in to %(organisation)s. "
                                                        "Ask your administrator.", email=email,
                                                        organisation=organisation.name))
        if person is None:
            if not settings.create_people:
                raise SignInRefused("unknown", _("%(email)s has no CX Culture account in %(organisation)s. Ask your "
                                                 "administrator to add you.", email=email,
                                                 organisation=organisation.name))
            person = _create_person(settings, email, claims)
        else:
            _refuse_inactive(person)
            linked = db.session.scalar(select(SsoIdentity.id).where(SsoIdentity.person_id == person.id,
                                                                    SsoIdentity.issuer == settings.issuer))
            if linked is not None:
                raise SignInRefused("linked_elsewhere", _("Your CX Culture account is already linked to another "
                                                          "%(provider)s account. Ask your administrator.",
                                                          provider=settings.provider_name))
        identity = SsoIdentity(organisation_id=settings.organisation_id, person_id=person.id,
                               issuer=settings.issuer, subject=claims["sub"])
        db.session.add(identity)
        db.session.flush()
        record("sso.linked", target=person, details={"issuer": settings.issuer, "subject": claims["sub"]})
    person = identity.person
    _refuse_inactive(person)
    identity.last_login_at = person.last_login_at = utcnow()
    db.session.flush()
    return person


def _create_person(settings: SsoSettings, email: str, claims: dict) -> Person:
    """A new employee in no team, with no permission but employee, whatever the provider says about them."""
    person = Person(organisation_id=settings.organisation_id, email=email, name=_display_name(claims, email))
    person.permissions = (Permission.EMPLOYEE.value,)
    try:
        with db.session.begin_nested():
            db.session.add(person)
            db.session.flush()
    except IntegrityError:  # another request created the address meanwhile
        raise SignInRefused("race", _("Your account is being created by another sign-in. Start again in a "
                                      "moment."), 409) from None
    record("person.created", target=person, after=audited_values(person), details={"via": "single sign-on"})
    return person


def password_login_refusal(person: Person) -> str | None:
    """Why `person` may not log in with a password: their organisation signs in through its provider and turned
    password login off. Administrators always may (the way back in when the provider is down or misconfigured)."""
    settings = enabled_settings(person.organisation_id)
    if settings is None or settings.password_login or person.can(Permission.ADMIN):
        return None
    return _("Your organisation signs you in with %(provider)s, not with a password: use %(url)s.",
             provider=settings.provider_name,
             url=url_for("sso.sign_in", org_slug=person.organisation.slug, _external=True))
