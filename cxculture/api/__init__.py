"""The REST API (/api/v1) and the administrators' pages for its tokens.

Other systems (HR systems, BI tools) read an organisation's people, teams, training, action items, KPI values
and culture-assessment results, and write KPI values, with a token an administrator made (tokens.py). The API
reads every area through its services and queries (reads.py); the results come from the assessments area's
summary, suppressed exactly as on the results pages. Nothing imports this area: the app's wiring registers it.
"""
from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter

from ..extensions import csrf


def rate_limit_storage(broker_url: str) -> str:
    """Where the rate limits count: the job queue's Redis, shared by every web process and host; memory when
    the broker is in memory (tests)."""
    if broker_url.startswith("redis+socket://"):
        return "redis+unix://" + broker_url.removeprefix("redis+socket://")
    if broker_url.startswith(("redis://", "rediss://")):
        return broker_url
    return "memory://"


def init_app(app: Flask) -> None:
    """Register the token pages and /api/v1 (CSRF-exempt: a bearer token, never a cookie, authenticates it)."""
    from .v1 import bp as api_v1_bp
    from .v1 import rate_limit_key
    from .views import bp as api_bp

    app.config.setdefault("RATELIMIT_STORAGE_URI", rate_limit_storage(app.config["BROKER_URL"]))
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "cxculture-api")
    # A limiter of the app's own (not one in extensions.py): a limit set on a blueprint stays with the limiter,
    # and every app (each test's) must count its own.
    limiter = Limiter(rate_limit_key, app=app)
    limiter.limit(lambda: app.config["API_RATE_LIMIT"])(api_v1_bp)
    csrf.exempt(api_v1_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(api_v1_bp)
