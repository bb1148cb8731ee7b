"""Number and date formats in the reader's language, shared by the templates of several areas (registered as
template filters by templating.py)."""
from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from functools import cache

from babel.numbers import format_percent as babel_percent
from babel.numbers import get_decimal_symbol
from flask_babel import format_date, format_decimal, format_time, get_locale

_TENTH = Decimal("0.1")


def round_half_up(value: float) -> int:
    """12.5 -> 13, as readers expect (Python's round() gives 12)."""
    return int(Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@cache
def _decimal_symbol(locale: str) -> str:
    return get_decimal_symbol(locale)


def format_score(value: float | None) -> str:
    """A score with one decimal in the reader's language ("3.7", "3,7").

    The same as Babel's format_decimal(value, "0.0") (half-even rounding of the shortest decimal form), without
    its pattern parsing: a results page formats over a thousand scores.
    """
    if value is None:
        return ""
    text = str(Decimal(str(value)).quantize(_TENTH, rounding=ROUND_HALF_EVEN))
    if text.startswith("-"):
        text = text.lstrip("-")
        text = text if text.strip("0.") == "" else "-" + text
    return text.replace(".", _decimal_symbol(str(get_locale() or "en")))


def format_percent(value: float | None, decimals: int = 0, locale: str | None = None) -> str:
    """A percentage given in points (35.5 for 35.5%) as the reader's language writes it: "36%", or with
    `decimals` > 0 at most that many decimals ("35.5%", Italian "35,5%"; "35%" for 35.0), rounded half up.

    The one way pages, PDFs, charts and e-mails write a percentage (the template filter `percent`): Babel's
    percent pattern of the language, so the sign and its spacing are the language's own. `locale` defaults to the
    language of the page being rendered.
    """
    if value is None:
        return ""
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return babel_percent(rounded / 100, locale=locale or str(get_locale() or "en"), decimal_quantization=False)


def format_change(value: float | None) -> str:
    """A signed change ("+0.3", "−0.2")."""
    if value is None:
        return ""
    text = format_decimal(abs(value), "0.0")
    return ("+" if value >= 0.05 else "−" if value <= -0.05 else "±") + text


def format_date_and_time(value: datetime | None) -> str:
    """A date and start time in the reader's language ("6 Dec 2026, 09:30")."""
    return "" if value is None else f"{format_date(value.date(), 'medium')}, {format_time(value.time(), 'short')}"
