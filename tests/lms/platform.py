"""A real LTI 1.3 platform for the tests, built from the lti1p3platform package and served over HTTP on
loopback: OIDC authorisation, signed launches (resource links and deep linking), JWKS, the OAuth2 token
endpoint and an AGS score endpoint. Tests steer the next launch (user, roles, claims) and may tamper with it."""
from __future__ import annotations

import json
import threading
import typing as t
from html import escape
from urllib.parse import urlsplit

from jwcrypto.jwk import JWK
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from werkzeug.serving import make_server
from werkzeug.wrappers import Request as WsgiRequest
from werkzeug.wrappers import Response


def new_key_pem() -> tuple[str, str]:
    key = JWK.generate(kty="RSA", size=2048)
    return key.export_to_pem(private_key=True, password=None).decode(), key.export_to_pem().decode()


class PlatformConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, **kwargs):
        self._registration = kwargs["registration"]

    def get_registration_by_params(self, **kwargs):
        return self._registration


class PlainRequest(Request):
    def build_metadata(self, request: WsgiRequest):
        return {"method": request.method, "form_data": request.form.to_dict(), "get_data": request.args.to_dict(),
                "headers": dict(request.headers), "content_type": request.content_type, "path": request.path,
                "json": None}


class OIDCLogin(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class Launch(LTIAdvantageMessageLaunchAbstract):
    """A launch whose claims and signature the platform's `tamper` hook may change."""

    platform: Platform

    def render_launch_form(self, launch_data, **kwargs):
        return launch_data

    def generate_launch_request(self):
        registration = self._platform_config.get_registration()
        if self._dl and registration.get_deeplink_launch_url():
            self.set_launch_url(registration.get_deeplink_launch_url())
        message, state = self.get_launch_data()
        if self._dl:
            message["https://purl.imsglobal.org/spec/lti/claim/message_type"] = "LtiDeepLinkingRequest"
            message.update(self._deep_linking_launch_data or {})
        plan = self.platform.next
        if plan.get("tamper"):
            return plan["tamper"](self.platform, registration, message, state)
        return {"state": state, "id_token": registration.platform_encode_and_sign(message, expiration=300)}


class Platform:
    """The platform server; `url` is its issuer."""

    def __init__(self, client_id: str = "cx-client", deployment_id: str = "deployment-1"):
        self.private_pem, self.public_pem = new_key_pem()
        self.client_id, self.deployment_id = client_id, deployment_id
        self.scores: list[dict] = []
        self.deep_link_items: list[list[dict]] = []
        self.score_failures = 0  # answer this many score posts with 503 before accepting
        self.next: dict[str, t.Any] = {}
        self.jwks_requests = 0
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> Platform:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    # The registration the platform holds for the tool ------------------------------------------------------------

    def registration(self, tool_url: str, org_slug: str) -> Registration:
        registration = Registration()
        (registration.set_iss(self.url).set_client_id(self.client_id).set_deployment_id(self.deployment_id)
         .set_oidc_login_url(f"{tool_url}/lti/login").set_launch_url(f"{tool_url}/lti/launch")
         .set_deeplink_launch_url(f"{tool_url}/lti/launch")
         .set_tool_key_set_url(f"{tool_url}/lti/{org_slug}/jwks.json")
         .set_platform_private_key(self.private_pem).set_platform_public_key(self.public_pem))
        return registration

    def configure(self, tool_url: str, org_slug: str) -> None:
        self.tool_url, self.org_slug = tool_url, org_slug
        self.scores.clear()
        self.deep_link_items.clear()
        self.score_failures = 0

    def conf(self) -> PlatformConf:
        return PlatformConf(registration=self.registration(self.tool_url, self.org_slug))

    def rotate_key(self) -> None:
        self.private_pem, self.public_pem = new_key_pem()

    def login_url(self, *, user_id: str = "user-1", **plan) -> str:
        """Where the browser goes to start a launch (the tool's OIDC login URL); `plan` shapes the launch."""
        self.next = {"user_id": user_id, **plan}
        login = OIDCLogin(None, self.conf())
        login.set_lti_message_hint(hint="resource-link-1")
        return login.initiate_login(user_id)

    # HTTP ------------------------------------------------------------------------------------------------------------

    def _wsgi(self, environ, start_response):
        request = WsgiRequest(environ)
        handler = {"/auth": self._auth, "/jwks": self._jwks, "/token": self._token,
                   "/lineitems/1/lineitem/scores": self._score, "/deep-link-return": self._deep_link_return,
                   }.get(request.path)
        response = handler(request) if handler else Response("not found", status=404)
        return response(environ, start_response)

    def _json(self, data, status=200) -> Response:
        return Response(json.dumps(data), status=status, mimetype="application/json")

    def _auth(self, request: WsgiRequest) -> Response:
        """The OIDC authorisation endpoint: answers the tool's redirect with the signed launch (as JSON the test
        browser posts, instead of an auto-submitting form)."""
        plan = self.next
        launch = Launch(PlainRequest(request), self.conf())
        launch.platform = self
        launch.set_user_data(plan["user_id"], plan.get("roles", ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]),
                             full_name=plan.get("name"), email_address=plan.get("email"))
        launch.set_resource_link_claim("resource-link-1", title="CX Culture")
        launch.set_launch_context_claim("course-1", context_title="Customer experience academy")
        if plan.get("custom"):
            launch.set_custom_parameters_claim(plan["custom"])
        if plan.get("ags", True):
            launch.set_ags(lineitems_url=f"{self.url}/lineitems", lineitem_url=f"{self.url}/lineitems/1/lineitem")
        if plan.get("deep_link"):
            launch.set_dl(f"{self.url}/deep-link-return", title="Choose content", accept_types={"ltiResourceLink"})
        try:
            data = launch.lti_launch()
        except Exception as error:
            return self._json({"error": f"{type(error).__name__}: {error}"}, 400)
        if plan.get("browser"):  # as a real platform does: a form the browser posts to the tool
            return Response(
                f'<!doctype html><title>Launching</title><form method="post" action="{escape(data["launch_url"])}">'
                f'<input type="hidden" name="id_token" value="{escape(data["id_token"])}">'
                f'<input type="hidden" name="state" value="{escape(data["state"])}"><button>Continue</button></form>'
                '<script>document.forms[0].submit()</script>', mimetype="text/html")
        return self._json(data)

    def _jwks(self, request: WsgiRequest) -> Response:
        self.jwks_requests += 1
        return self._json({"keys": [Registration.get_jwk(self.public_pem) | {"kid": JWK.from_pem(
            self.public_pem.encode()).thumbprint()}]})

    def _token(self, request: WsgiRequest) -> Response:
        conf = self.conf()
        try:
            return self._json(conf.get_access_token(request.form.to_dict()))
        except Exception as error:
            return self._json({"error": "invalid_client", "error_description": str(error)}, 400)

    def _score(self, request: WsgiRequest) -> Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        conf = self.conf()
        conf.get_registration()
        try:
            allowed = conf.validate_token(token, allowed_scopes=["https://purl.imsglobal.org/spec/lti-ags/scope/score"])
        except Exception:
            allowed = False
        if not allowed:
            return self._json({"error": "unauthorised"}, 401)
        if self.score_failures > 0:
            self.score_failures -= 1
            return self._json({"error": "try later"}, 503)
        self.scores.append(json.loads(request.get_data(as_text=True)))
        return self._json({}, 200)

    def _deep_link_return(self, request: WsgiRequest) -> Response:
        conf = self.conf()
        conf.get_registration()
        try:
            items = conf.validate_deeplinking_resp(request.form.to_dict())
        except Exception as error:
            return self._json({"error": str(error)}, 400)
        self.deep_link_items.append(items)
        return self._json({"received": len(items)})


def host_of(url: str) -> str:
    return urlsplit(url).netloc
