"""What every template can use: the navigation, the language switch, formatting."""
from __future__ import annotations

from flask import Flask, request
from flask_login import current_user

from .formatting import format_change, format_date_and_time, format_percent, format_score
from .home.navigation import is_current, navigation_for
from .i18n import current_language
from .orgs.forms import LANGUAGE_LABELS, PERMISSION_LABELS

#: Filters the templates of several areas use (an area's own filters stay with its blueprint).
FILTERS = {
    "score": format_score,
    "percent": format_percent,
    "change": format_change,
    "cafe_when": format_date_and_time,
    "datetime": format_date_and_time,
}


def init_templating(app: Flask) -> None:
    for name, function in FILTERS.items():
        app.add_template_filter(function, name)

    @app.context_processor
    def inject_layout():
        return {
            "nav_items": navigation_for(current_user) if current_user.is_authenticated else [],
            "current_language": current_language(),
            "languages": app.config["LANGUAGES"],
            "current_path": request.full_path.rstrip("?"),
            "is_current_nav": is_current,
            "permission_labels": PERMISSION_LABELS,
            "language_labels": LANGUAGE_LABELS,
        }
