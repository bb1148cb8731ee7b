"""LMS pages, split by audience: tool.py (what platforms and launched people reach), admin.py (administrators)."""
from flask import Blueprint

bp = Blueprint("lms", __name__)

from . import admin, tool  # noqa: E402,F401  (routes register on bp)
