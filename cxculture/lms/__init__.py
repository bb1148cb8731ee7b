"""The LMS plugin: an LTI 1.3 tool (launch, deep linking, grade passback) and xAPI statements via an outbox.

No other area imports this package: it listens to the learning events in cxculture/events.py.
"""
from __future__ import annotations

import time

from flask import Flask, current_app, request


def init_app(app: Flask) -> None:
    """Blueprint, framing inside registered platforms, iframe-friendly cookies under https."""
    from ..sessions import SessionInterface
    from .views import bp

    app.register_blueprint(bp)

    class FramedSessionInterface(SessionInterface):
        """Inside an LMS iframe the session cookie is third-party: SameSite=None (with Secure) under https."""

        def get_cookie_samesite(self, app: Flask):
            if request.is_secure:
                return "None"
            return super().get_cookie_samesite(app)

    app.session_interface = FramedSessionInterface()
    app.after_request(_frame_ancestors)


#: Seconds the list of platform origins is reused before it is read again (config: LMS_ORIGINS_TTL).
ORIGINS_TTL = 30.0
_ORIGINS_KEY = "cxculture.lms.frame_origins"


def _origins_cache(app: Flask) -> dict:
    """Each app keeps its own list (tests build many apps; a server has one per worker)."""
    return app.extensions.setdefault(_ORIGINS_KEY, {"at": None, "origins": []})


def forget_origins() -> None:
    """Read the platforms again on the next response (this worker; others within the TTL)."""
    _origins_cache(current_app)["at"] = None


def _frame_ancestors(response):
    """Only the app itself and registered platforms may frame its pages."""
    if "Content-Security-Policy" in response.headers:
        return response
    cache = _origins_cache(current_app)
    now = time.monotonic()
    if cache["at"] is None or now - cache["at"] > current_app.config.get("LMS_ORIGINS_TTL", ORIGINS_TTL):
        from .registrations import platform_origins

        try:
            cache["origins"] = platform_origins()
            cache["at"] = now
        except Exception:
            cache["origins"] = []
    response.headers["Content-Security-Policy"] = " ".join(["frame-ancestors 'self'", *cache["origins"]])
    return response


def connect_signals(app: Flask) -> None:
    from .subscribers import connect_signals as connect

    connect()
