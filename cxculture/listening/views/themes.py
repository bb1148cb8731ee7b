"""The themes page: what comments say, grouped by theme and tone, for leaders, admins and managers."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import pgettext
from flask_login import current_user

from ...auth.access import permission_required
from ...i18n import current_language
from ..themes.grouping import group_by_theme
from ..themes.reading import TONES
from ..themes.sources import comments_for
from . import bp

#: A longer search is cut: it is a few words, not a text.
MAX_QUERY = 100


def tone_labels() -> dict[str, str]:
    """Each tone's name as a comment's tag and a filter's choice (a context of its own: "neutral" of one comment)."""
    return {"positive": pgettext("tone", "Positive"), "negative": pgettext("tone", "Negative"),
            "neutral": pgettext("tone", "Neutral")}


@bp.route("/themes")
@permission_required("leader", "admin", "manager")
def show_themes():
    """Every comment the viewer may read (each source suppresses its own), grouped by theme, searched and filtered
    by tone through the query string (?q=, ?tone=)."""
    language = current_language()
    query = request.args.get("q", "").strip()[:MAX_QUERY]
    tone = request.args.get("tone", "")
    tone = tone if tone in TONES else ""
    sources = comments_for(current_user, language)
    report = group_by_theme((text for source in sources for text in source.texts), language, query, tone or None)
    return render_template("listening/themes.html", sources=sources, report=report, query=query, tone=tone,
                           tones=TONES, tone_labels=tone_labels(), may_start_action=current_user.can("leader"))
