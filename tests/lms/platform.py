"""A real LTI 1.3 platform for the tests, built from the lti1p3platform package and served over HTTP on
loopback: OIDC authorisation, signed launches (resource links and deep linking), JWKS, the OAuth2 token
endpoint, an AGS score endpoint, a Names and Role Provisioning Services memberships endpoint (paged with
`Link: rel="next"`), and the platform side of LTI Dynamic Registration as Moodle has it (an OpenID configuration
document and a registration endpoint). Tests steer the next launch (user, roles, claims) and may tamper with it."""
from __future__ import annotations

import json
import secrets
import threading
import typing as t
from html import escape
from urllib.parse import urlencode, urlsplit

from jwcrypto.jwk import JWK
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from werkzeug.serving import make_server
from werkzeug.wrappers import Request as WsgiRequest
from werkzeug.wrappers import Response

from tests.conftest import POLL_SECONDS


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
        #: The course's members as the memberships endpoint lists them, `page_size` a page.
        self.members: list[dict] = []
        self.page_size = 2
        self.membership_requests: list[str] = []
        #: Dynamic registration: the token the next registration must carry, what the tool sent, how the platform
        #: answers (`registration_error`: an error status and body) and what its configuration says differently.
        self.registration_token: str | None = None
        self.tool_config: dict | None = None
        self.registration_error: tuple[int, dict] | None = None
        self.openid_overrides: dict = {}
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": POLL_SECONDS},
                                        daemon=True)

    def start(self) -> Platform:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)

    # The registration the platform holds for the tool ------------------------------------------------------------

    def registration(self, tool_url: str, org_slug: str) -> Registration:
        """The tool as the platform knows it: entered by hand (`configure`), or as it registered itself."""
        login, launch, keys = f"{tool_url}/lti/login", f"{tool_url}/lti/launch", f"{tool_url}/lti/{org_slug}/jwks.json"
        if self.tool_config is not None:
            tool = self.tool_config["https://purl.imsglobal.org/spec/lti-tool-configuration"]
            login, launch, keys = (self.tool_config["initiate_login_uri"], tool["target_link_uri"],
                                   self.tool_config["jwks_uri"])
        registration = Registration()
        (registration.set_iss(self.url).set_client_id(self.client_id).set_deployment_id(self.deployment_id)
         .set_oidc_login_url(login).set_launch_url(launch).set_deeplink_launch_url(launch)
         .set_tool_key_set_url(keys)
         .set_platform_private_key(self.private_pem).set_platform_public_key(self.public_pem))
        return registration

    def configure(self, tool_url: str, org_slug: str) -> None:
        self.tool_url, self.org_slug = tool_url, org_slug
        self.scores.clear()
        self.deep_link_items.clear()
        self.score_failures = 0

    def conf(self) -> PlatformConf:
        return PlatformConf(registration=self.registration(getattr(self, "tool_url", ""),
                                                           getattr(self, "org_slug", "")))

    def open_registration_url(self, url: str) -> str:
        """What Moodle opens when an administrator pastes the tool's registration URL: the URL with the
        platform's OpenID configuration and a fresh one-time registration token."""
        self.registration_token = secrets.token_urlsafe(16)
        query = urlencode({"openid_configuration": f"{self.url}/.well-known/openid-configuration",
                           "registration_token": self.registration_token})
        return f"{url}{'&' if '?' in url else '?'}{query}"

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
                   "/memberships": self._memberships, "/.well-known/openid-configuration": self._openid_configuration,
                   "/register": self._register}.get(request.path)
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
        context_id, context_title = plan.get("context", ("course-1", "Customer experience academy"))
        launch.set_launch_context_claim(context_id, context_title=context_title)
        if plan.get("nrps"):
            launch.set_nrps(f"{self.url}/memberships?context={context_id}")
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


    def _memberships(self, request: WsgiRequest) -> Response:
        """The course's members, `page_size` a page, the next page named in a Link header (NRPS 2.0)."""
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        conf = self.conf()
        conf.get_registration()
        scope = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
        try:
            allowed = conf.validate_token(token, allowed_scopes=[scope])
        except Exception:
            allowed = False
        if not allowed:
            return self._json({"error": "unauthorised"}, 401)
        self.membership_requests.append(request.full_path)
        page = int(request.args.get("page", "1"))
        start = (page - 1) * self.page_size
        body = {"id": request.url, "context": {"id": request.args.get("context", "course-1"),
                                               "title": "Customer experience academy"},
                "members": self.members[start:start + self.page_size]}
        response = Response(json.dumps(body), mimetype="application/vnd.ims.lti-nrps.v2.membershipcontainer+json")
        if start + self.page_size < len(self.members):
            following = f"{self.url}/memberships?{urlencode({**request.args.to_dict(), 'page': page + 1})}"
            response.headers["Link"] = f'<{following}>; rel="next"'
        return response

    def _openid_configuration(self, request: WsgiRequest) -> Response:
        """The platform's OpenID configuration, as Moodle publishes it for dynamic registration."""
        return self._json({
            "issuer": self.url, "token_endpoint": f"{self.url}/token",
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"], "jwks_uri": f"{self.url}/jwks",
            "authorization_endpoint": f"{self.url}/auth", "registration_endpoint": f"{self.url}/register",
            "scopes_supported": ["openid", "https://purl.imsglobal.org/spec/lti-ags/scope/score",
                                 "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"],
            "response_types_supported": ["id_token"], "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"], "claims_supported": ["sub", "iss", "name", "email"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "moodle", "version": "4.1",
                "messages_supported": [{"type": "LtiResourceLinkRequest"}, {"type": "LtiDeepLinkingRequest"}],
            },
            **self.openid_overrides,
        })

    def _register(self, request: WsgiRequest) -> Response:
        """The registration endpoint: the one-time token, a tool configuration with what Moodle requires; the
        tool gets a client id and a deployment id, and the platform now launches it with them."""
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if request.method != "POST" or not self.registration_token or token != self.registration_token:
            return self._json({"error": "invalid_token"}, 401)
        self.registration_token = None  # one registration per token
        if self.registration_error is not None:
            status, body = self.registration_error
            return self._json(body, status)
        config = request.get_json(silent=True) or {}
        tool = config.get("https://purl.imsglobal.org/spec/lti-tool-configuration") or {}
        missing = [name for name in ("client_name", "initiate_login_uri", "jwks_uri", "redirect_uris")
                   if not config.get(name)] + [name for name in ("domain", "target_link_uri") if not tool.get(name)]
        if missing or config.get("token_endpoint_auth_method") != "private_key_jwt":
            return self._json({"error": "invalid_client_metadata", "error_description": f"missing {missing}"}, 400)
        self.tool_config = config
        self.client_id, self.deployment_id = f"dyn-{secrets.token_hex(4)}", "dyn-deployment-7"
        answer = {**tool, "deployment_id": self.deployment_id, "version": "1.3.0"}
        return self._json({**config, "client_id": self.client_id,
                           "https://purl.imsglobal.org/spec/lti-tool-configuration": answer})


def host_of(url: str) -> str:
    return urlsplit(url).netloc
