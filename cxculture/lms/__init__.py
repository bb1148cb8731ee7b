"""The LMS plugin: an LTI 1.3 tool (launch, deep linking, grade passback) and xAPI statements via an outbox.

No other area imports this package: it listens to the learning events in cxculture/events.py.
"""
from __future__ import annotations

import time

from flask import Flask, request


def init_app(app: Flask) -> None:
    """Blueprint, framing inside registered platforms, iframe-friendly cookies under https."""
    from .. import SessionInterface
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


_origins_cache: dict = {"at": 0.0, "origins": []}
#: Seconds the list of platform origins is reused before it is read again.
ORIGINS_TTL = 30.0


def forget_origins() -> None:
    _origins_cache["at"] = 0.0


def _frame_ancestors(response):
    """Only the app itself and registered platforms may frame its pages."""
    if "Content-Security-Policy" in response.headers:
        return response
    now = time.monotonic()
    if now - _origins_cache["at"] > ORIGINS_TTL:
        from .registrations import platform_origins

        try:
            _origins_cache["origins"] = platform_origins()
            _origins_cache["at"] = now
        except Exception:  # noqa: BLE001 - no table yet (before `db upgrade`): frame nobody but ourselves
            _origins_cache["origins"] = []
    response.headers["Content-Security-Policy"] = " ".join(["frame-ancestors 'self'", *_origins_cache["origins"]])
    return response


def connect_signals(app: Flask) -> None:
    from .outbox import listen_for_commits
    from .subscribers import connect_signals as connect

    connect()
    listen_for_commits()
