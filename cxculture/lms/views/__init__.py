"""LMS pages, split by audience: tool.py (what platforms and launched people reach), admin.py (administrators)."""
from flask import Blueprint, current_app

bp = Blueprint("lms", __name__)


def allow_http() -> bool:
    """Plain-http addresses only outside production (a platform on loopback in development and tests)."""
    return current_app.config.get("ENV_NAME") != "production"


from . import admin, tool  # noqa: E402,F401  (routes register on bp)
