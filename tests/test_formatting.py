"""Numbers and percentages in the reader's language: one helper, used by every page, PDF and chart."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask_babel import force_locale

from cxculture.formatting import format_percent

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pytest.mark.parametrize(("value", "decimals", "language", "expected"), [
    (35.0, 0, "en", "35%"),
    (35.0, 1, "en", "35%"),  # no "35.0%"
    (35.5, 1, "en", "35.5%"),
    (35.5, 1, "it", "35,5%"),
    (35.5, 0, "it", "36%"),  # half up, as readers round
    (12.5, 0, "en", "13%"),
    (33.333, 2, "it", "33,33%"),
    (1234.5, 1, "it", "1.234,5%"),
    (0, 0, "it", "0%"),
    (None, 0, "it", ""),
])
def test_percent_in_the_readers_language(app, value, decimals, language, expected):
    with app.test_request_context("/"), force_locale(language):
        assert format_percent(value, decimals) == expected
    assert format_percent(value, decimals, locale=language) == expected


def test_templates_write_percentages_through_the_filter():
    """`{{ x }}%` printed "35.0%" in Italian PDFs; `{{ x|percent }}` writes what the language writes."""
    written = [f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
               for path in TEMPLATES.rglob("*.html")
               for match in re.finditer(r"\{\{[^}]*\}\}\s*%(?![\"'])", path.read_text(encoding="utf-8"))
               if not re.search(r"(width|height|left|top):\s*$", path.read_text(encoding="utf-8")[:match.start()])]
    assert not written, "use the percent filter:\n" + "\n".join(written)
