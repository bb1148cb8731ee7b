"""What every template can use: the navigation, the language switch, formatting."""
from __future__ import annotations

from flask import Flask, request
from flask_babel import get_locale
from flask_login import current_user

from .home.navigation import is_current, navigation_for
from .orgs.forms import LANGUAGE_LABELS, PERMISSION_LABELS


def init_templating(app: Flask) -> None:
    @app.context_processor
    def inject_layout():
        return {
            "nav_items": navigation_for(current_user) if current_user.is_authenticated else [],
            "current_language": str(get_locale() or "en"),
            "languages": app.config["LANGUAGES"],
            "current_path": request.full_path.rstrip("?"),
            "is_current_nav": is_current,
            "permission_labels": PERMISSION_LABELS,
            "language_labels": LANGUAGE_LABELS,
        }
