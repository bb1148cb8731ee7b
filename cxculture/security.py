"""Security headers on every response, and cookies that are always Secure, HttpOnly and SameSite in production.

The Content-Security-Policy allows the app's own scripts, styles, images and fonts only; the one inline script
(the LTI deep-linking return, which submits itself) carries the request's nonce (`csp_nonce()` in templates).
Inline `style` attributes stay allowed (`style-src-attr`: progress bars set their width), `<style>` elements do
not. `frame-ancestors` is the LMS area's (the app itself and the registered platforms): it is kept as it comes.
There is no `form-action`: the LTI login and the deep-linking return post to the platform.

Production is `CXCULTURE_ENV=production` (the setting that already refuses to start without a secret key):
there every cookie the app or a library sets is marked Secure and HttpOnly, and gets SameSite=Lax unless it
already says (the LTI iframe's session and state cookies need SameSite=None). In development (`make run`, plain
http on 127.0.0.1) cookies are Secure whenever the request came over https, so a new user can still log in.
"""
from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, request

#: The policy of every page; frame-ancestors comes from the LMS area (see cxculture/lms/__init__.py).
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self' 'nonce-{nonce}'",
    "style-src": "'self'",
    "style-src-attr": "'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
}

HEADERS = {
    # Invitation and certificate links carry tokens in their path: no address leaves the app in a Referer.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}

#: One year; sent only on https responses (a browser ignores it over http anyway).
HSTS = "max-age=31536000"


def is_production(app: Flask) -> bool:
    """`CXCULTURE_ENV=production` (or ENV_NAME in the app's configuration)."""
    return app.config.get("ENV_NAME") == "production"


def csp_nonce() -> str:
    """The nonce an inline script of this response must carry: `<script nonce="{{ csp_nonce() }}">`."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


def content_security_policy(existing: str, nonce: str) -> str:
    """The app's policy, keeping any directive already on the response (the LMS area's frame-ancestors)."""
    directives = {}
    for part in existing.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name.lower()] = value.strip()
    for name, value in CONTENT_SECURITY_POLICY.items():
        directives.setdefault(name, value.format(nonce=nonce))
    directives.setdefault("frame-ancestors", "'self'")
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


def harden_cookie(header: str) -> str:
    """A Set-Cookie header with Secure and HttpOnly, and SameSite=Lax unless it names its own."""
    attributes = {part.strip().split("=", 1)[0].lower() for part in header.split(";")[1:]}
    if "secure" not in attributes:
        header += "; Secure"
    if "httponly" not in attributes:
        header += "; HttpOnly"
    if "samesite" not in attributes:
        header += "; SameSite=Lax"
    return header


def add_security_headers(response: Response) -> Response:
    """Every response: the headers above, the CSP, HSTS over https, and hardened cookies in production."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["Content-Security-Policy"] = content_security_policy(
        response.headers.get("Content-Security-Policy", ""), csp_nonce())
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    if is_production(current_app):
        cookies = response.headers.getlist("Set-Cookie")
        if cookies:
            response.headers.remove("Set-Cookie")
            for cookie in cookies:
                response.headers.add("Set-Cookie", harden_cookie(cookie))
    return response


def init_app(app: Flask) -> None:
    """Register before the LMS area: after_request functions run last-registered first, so this one sees the
    frame-ancestors the LMS area has set."""
    app.after_request(add_security_headers)
    app.add_template_global(csp_nonce)
