"""Security headers on every response, inline scripts that carry the CSP nonce, and cookies in production."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from cxculture.config import PROJECT_ROOT
from tests.conftest import DEMO_PASSWORD

EXPECTED = {
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def _csp(response) -> dict[str, str]:
    parts = (part.strip().partition(" ") for part in response.headers["Content-Security-Policy"].split(";"))
    return {name: value for name, _, value in parts}


@pytest.mark.parametrize(("account", "path"), [
    (None, "/login"), (None, "/no-such-page"), (None, "/healthz"), ("admin", "/"), ("admin", "/admin/people"),
    ("employee", "/"),
])
def test_every_response_carries_the_security_headers(client, login_as, account, path):
    if account:
        login_as(account)
    response = client.get(path)
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    assert "camera=()" in response.headers["Permissions-Policy"]
    policy = _csp(response)
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'"
    assert re.fullmatch(r"'self' 'nonce-[\w-]{20,}'", policy["script-src"])
    assert policy["frame-ancestors"] == "'self'"  # the LMS area's list, kept
    assert "Strict-Transport-Security" not in response.headers  # plain http


def test_each_response_has_its_own_nonce(client):
    assert _csp(client.get("/login"))["script-src"] != _csp(client.get("/login"))["script-src"]


def test_https_responses_ask_for_https_from_then_on(client):
    response = client.get("/login", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


#: Documents the app writes into files rather than serves (the data export's summary, opened from the ZIP; a
#: content package's player, played from its ZIP by an LMS).
NOT_SERVED = {"privacy/export_summary.html", "modules/packages/player.html"}
WEB_TEMPLATES = [path for path in (PROJECT_ROOT / "templates").rglob("*.html") if not path.stem.endswith("_pdf")
                 and str(path.relative_to(PROJECT_ROOT / "templates")) not in NOT_SERVED]


@pytest.mark.parametrize("template", WEB_TEMPLATES, ids=lambda path: str(path.relative_to(PROJECT_ROOT)))
def test_inline_scripts_carry_the_nonce_and_there_are_no_style_elements(template: Path):
    text = template.read_text()
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert 'nonce="{{ csp_nonce() }}"' in tag or "src=" in tag, f"{tag} would be blocked by the CSP"
    assert "<style" not in text, "a <style> element is blocked by the CSP: put the rules in static/css"
    assert not re.search(r"\son[a-z]+=", text), "an event-handler attribute is blocked by the CSP"


def test_the_deep_linking_return_script_runs_under_the_policy(app):
    from types import SimpleNamespace

    from flask import render_template

    from cxculture.security import csp_nonce

    with app.test_request_context():
        html = render_template("lms/deep_link_return.html", chosen=SimpleNamespace(title="M"),
                               answer=SimpleNamespace(return_url="https://lms.example/return", jwt="x"))
        assert f'<script nonce="{csp_nonce()}">' in html


def _cookies(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_development_over_http_keeps_cookies_usable_on_127_0_0_1(client, demo):
    """`make run` serves plain http: a Secure cookie would never come back and nobody could log in."""
    response = client.post("/login", data={"email": "admin@retail.example.com", "password": DEMO_PASSWORD})
    cookies = _cookies(response)
    assert cookies
    for cookie in cookies:
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie, cookie
    assert client.get("/admin/people").status_code == 200


@pytest.mark.parametrize("app_config", [{"ENV_NAME": "production"}])
@pytest.mark.parametrize("base_url", ["http://localhost", "https://localhost"])
def test_production_cookies_are_always_secure_httponly_and_samesite(client, demo, base_url):
    response = client.post("/login", data={"email": "admin@retail.example.com", "password": DEMO_PASSWORD},
                           base_url=base_url)
    assert response.status_code == 302
    cookies = _cookies(response)
    assert cookies
    for cookie in cookies:  # the session's and any other the login sets
        attributes = {part.strip().split("=")[0] for part in cookie.split(";")[1:]}
        assert {"Secure", "HttpOnly", "SameSite"} <= attributes, cookie


@pytest.mark.parametrize("app_config", [{"ENV_NAME": "production"}])
def test_production_hardens_a_cookie_a_library_sets(app):
    """pylti1p3 sets its own state cookie: in production it is Secure and HttpOnly too."""
    from flask import make_response

    from cxculture.security import add_security_headers

    with app.test_request_context():
        response = make_response("x")
        response.set_cookie("lti1p3-state", "abc")
        response.set_cookie("third-party", "abc", samesite="None", secure=True)
        plain, framed = _cookies(add_security_headers(response))
    assert plain.endswith("; Secure; HttpOnly; SameSite=Lax")
    assert "SameSite=None" in framed and framed.count("Secure") == 1 and "HttpOnly" in framed


def test_production_configuration_marks_every_cookie_secure(monkeypatch, tmp_path):
    from cxculture.config import load_config

    monkeypatch.setenv("CXCULTURE_ENV", "production")
    monkeypatch.setenv("CXCULTURE_SECRET_KEY", "x")
    config = load_config(tmp_path)
    assert config["SESSION_COOKIE_SECURE"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["SESSION_COOKIE_HTTPONLY"] and config["REMEMBER_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
