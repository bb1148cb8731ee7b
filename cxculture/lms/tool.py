"""The LTI 1.3 tool on top of pylti1p3: registrations from the database and a launch hardened where the
library is lenient (audience, authorised party, algorithm, nonce reuse, state cookie, token times, key refresh)."""
from __future__ import annotations

import json
import typing as t
from datetime import timedelta

import jwt
import requests
from jwcrypto.jwk import JWK
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
from pylti1p3.deployment import Deployment
from pylti1p3.registration import Registration
from pylti1p3.session import SessionService
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import delete, update

from ..extensions import db
from ..util import utcnow
from .keys import active_key
from .models import LtiNonce, LtiRegistration
from .registrations import registration_by_client

#: Seconds of clock difference tolerated on `exp` and `iat`.
LEEWAY_SECONDS = 60
#: How long a nonce sent in a login may wait for its launch.
NONCE_MINUTES = 10
#: Seconds before an HTTP call to a platform gives up.
HTTP_TIMEOUT = 10


class LaunchRefused(Exception):
    """A launch the tool will not accept; `code` picks the message on the 4xx page."""

    def __init__(self, code: str, detail: str = "", status: int = 400):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code, self.detail, self.status = code, detail, status


class TimeoutSession(requests.Session):
    """A requests session whose calls never wait longer than HTTP_TIMEOUT (pylti1p3 passes none)."""

    def request(self, *args, **kwargs):
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        return super().request(*args, **kwargs)


def pylti_registration(row: LtiRegistration) -> Registration:
    """The library's view of a registration, signing with the organisation's active key."""
    key = active_key(row.organisation_id)
    registration = Registration()
    (registration.set_issuer(row.issuer).set_client_id(row.client_id).set_key_set_url(row.key_set_url)
     .set_key_set(row.key_set).set_auth_token_url(row.auth_token_url).set_auth_login_url(row.auth_login_url)
     .set_tool_private_key(key.private_pem).set_tool_public_key(key.public_pem))
    registration.row = row  # type: ignore[attr-defined]
    return registration


class DatabaseToolConf(ToolConfAbstract):
    """Registrations looked up in the database by issuer and client id."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args, **kwargs):
        row = registration_by_client(iss, None)
        return pylti_registration(row) if row else None

    def find_registration_by_params(self, iss: str, client_id: str | None, *args, **kwargs):
        row = registration_by_client(iss, client_id)
        return pylti_registration(row) if row else None

    def find_deployment(self, iss: str, deployment_id: str):
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss: str, deployment_id: str, client_id: str | None, *args, **kwargs):
        row = registration_by_client(iss, client_id)
        if row is None or deployment_id not in (row.deployment_ids or []):
            return None
        return Deployment().set_deployment_id(deployment_id)


class DatabaseSessionService(SessionService):
    """Nonces live in the database (every worker sees them); nothing goes into the browser session."""

    def save_nonce(self, nonce: str) -> None:
        now = utcnow()  # expired nonces are swept by the job queue (sweep_expired_nonces)
        db.session.add(LtiNonce(nonce=nonce, created_at=now, expires_at=now + timedelta(minutes=NONCE_MINUTES)))
        db.session.flush()

    def check_nonce(self, nonce: str) -> bool:
        return consume_nonce(nonce)

    def save_state_params(self, state, params) -> None:
        pass

    def save_launch_data(self, key, jwt_body) -> None:
        pass  # the launch is stored by launches.py once the person is known

    def set_state_valid(self, state, id_token_hash) -> None:
        pass

    def check_state_is_valid(self, state, id_token_hash) -> bool:
        return False  # never skip the cookie check


def consume_nonce(nonce: str) -> bool:
    """Mark the nonce used; True only for the first use of a nonce we issued that has not expired."""
    now = utcnow()
    result = db.session.execute(
        update(LtiNonce).where(LtiNonce.nonce == nonce, LtiNonce.used_at.is_(None), LtiNonce.expires_at > now)
        .values(used_at=now).execution_options(synchronize_session=False))
    return result.rowcount == 1


def sweep_expired_nonces() -> int:
    """Delete the nonces that can no longer be accepted (expired, used or not); flushes only. Returns how many."""
    return db.session.execute(delete(LtiNonce).where(LtiNonce.expires_at <= utcnow())
                              .execution_options(synchronize_session=False)).rowcount


def oidc_login() -> FlaskOIDCLogin:
    request = FlaskRequest()
    return FlaskOIDCLogin(request, DatabaseToolConf(), session_service=DatabaseSessionService(request))


def fetch_key_set(row: LtiRegistration) -> dict:
    """Download the platform's JWKS and keep it on the registration."""
    try:
        response = TimeoutSession().get(row.key_set_url)
        response.raise_for_status()
        key_set = response.json()
    except (requests.RequestException, ValueError) as error:
        raise LaunchRefused("keys-unavailable", f"{row.key_set_url}: {error}", status=502) from error
    if not isinstance(key_set, dict) or not isinstance(key_set.get("keys"), list):
        raise LaunchRefused("keys-unavailable", f"{row.key_set_url} is not a JSON Web Key Set", status=502)
    row.key_set, row.key_set_fetched_at = key_set, utcnow()
    db.session.flush()
    return key_set


def _public_pem(key_set: dict | None, kid: str) -> str | None:
    for key in (key_set or {}).get("keys", []):
        if isinstance(key, dict) and key.get("kid") == kid and key.get("kty") == "RSA" \
                and key.get("alg", "RS256") == "RS256" and key.get("use", "sig") == "sig":
            try:
                return JWK.from_json(json.dumps(key)).export_to_pem().decode()
            except (ValueError, TypeError):
                return None
    return None


class HardenedLaunch(FlaskMessageLaunch):
    """A launch validated in full: a failure raises LaunchRefused or a pylti1p3 LtiException, and stores nothing."""

    def __init__(self, request: FlaskRequest | None = None):
        request = request or FlaskRequest()
        super().__init__(request, DatabaseToolConf(), session_service=DatabaseSessionService(request),
                         requests_session=TimeoutSession())

    @property
    def registration_row(self) -> LtiRegistration:
        return self._registration.row  # type: ignore[union-attr]

    def validate(self):
        if self._restored:
            raise LaunchRefused("restored")
        self._validated = True
        try:
            # The nonce is consumed last: a forged or expired token cannot burn a genuine launch's nonce.
            return (self.validate_state().validate_jwt_format().validate_registration().validate_jwt_signature()
                    .validate_deployment().validate_message().validate_nonce())
        except Exception:
            self._validated = False
            raise

    def validate_state(self):
        state = self._get_request_param("state")
        if not state:
            raise LaunchRefused("state", "the launch carries no state")
        if self._cookie_service.get_cookie(state) != state:
            raise LaunchRefused("state", "the state does not match this browser's login cookie")
        return self

    def validate_jwt_format(self):
        super().validate_jwt_format()
        alg = self._jwt.get("header", {}).get("alg")
        if alg != "RS256":
            raise LaunchRefused("algorithm", f"id_token signed with {alg!r}; only RS256 is accepted")
        return self

    def get_client_id(self) -> str:
        """Our client id from `aud`; with several audiences `azp` must say which one is us."""
        body = self._jwt.get("body", {})
        aud, azp = body.get("aud"), body.get("azp")
        audiences = [aud] if isinstance(aud, str) else aud
        if not audiences or not isinstance(audiences, list) or not all(isinstance(a, str) for a in audiences):
            raise LaunchRefused("audience", "the id_token has no audience")
        if len(audiences) > 1:
            if not azp:
                raise LaunchRefused("audience", "several audiences and no authorised party (azp)")
            if azp not in audiences:
                raise LaunchRefused("audience", "the authorised party (azp) is not among the audiences")
            return azp
        if azp is not None and azp != audiences[0]:
            raise LaunchRefused("audience", "the authorised party (azp) is not the audience")
        return audiences[0]

    def validate_registration(self):
        iss = self._jwt.get("body", {}).get("iss")
        if not iss or not isinstance(iss, str):
            raise LaunchRefused("registration", "the id_token names no issuer")
        client_id = self.get_client_id()
        registration = self._tool_config.find_registration_by_params(iss, client_id)
        if registration is None:
            raise LaunchRefused("registration", f"no platform is registered with issuer {iss!r} and client id "
                                                f"{client_id!r}")
        self._registration = registration
        return self

    def validate_jwt_signature(self):
        row = self.registration_row
        kid = self._jwt.get("header", {}).get("kid")
        if not kid:
            raise LaunchRefused("signature", "the id_token header names no key (kid)")
        pem = _public_pem(row.key_set, kid)
        if pem is None:  # an unknown key: the platform may have rotated, so look once more
            pem = _public_pem(fetch_key_set(row), kid)
            self._registration.set_key_set(row.key_set)  # type: ignore[union-attr]
        if pem is None:
            raise LaunchRefused("signature", f"the platform publishes no RS256 key {kid!r}")
        try:
            jwt.decode(self._get_id_token(), pem, algorithms=["RS256"], audience=row.client_id, issuer=row.issuer,
                       leeway=LEEWAY_SECONDS,
                       options={"require": ["exp", "iat", "iss", "aud", "nonce"], "verify_signature": True})
        except jwt.ExpiredSignatureError as error:
            raise LaunchRefused("expired", str(error)) from error
        except jwt.ImmatureSignatureError as error:
            raise LaunchRefused("expired", str(error)) from error
        except jwt.InvalidTokenError as error:
            raise LaunchRefused("signature", str(error)) from error
        return self

    def validate_deployment(self):
        deployment_id = self._jwt.get("body", {}).get("https://purl.imsglobal.org/spec/lti/claim/deployment_id")
        if not deployment_id or deployment_id not in (self.registration_row.deployment_ids or []):
            raise LaunchRefused("deployment", f"deployment {deployment_id!r} is not registered")
        return self

    def validate_nonce(self):
        nonce = self._jwt.get("body", {}).get("nonce")
        if not nonce or not isinstance(nonce, str) or not consume_nonce(nonce):
            raise LaunchRefused("nonce", "this launch was already used, has expired or was not started here")
        return self

    def claims(self) -> dict[str, t.Any]:
        return dict(self._jwt.get("body", {}))
