"""Whole numbers from the address and from forms, checked once: a value out of range is a 400 or a 404, never
a database overflow (a 500).

- `<int:...>` in a route accepts 1 to MAX_ID only (an id the database cannot hold is a page that does not exist);
- `query_int("team")` reads a whole number from the query string: absent or empty gives the default, anything
  else that is not a whole number between `minimum` and `maximum` answers 400;
- `page_number()` is `?page=`: 1 to MAX_PAGE, else 404 (as a page past the last one);
- `form_id` is the `coerce` of form fields that carry ids without checking them against their choices.
"""
from __future__ import annotations

import re

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter

#: The largest id any table holds (PostgreSQL's INTEGER).
MAX_ID = 2**31 - 1
#: Far beyond any list the app shows; keeps OFFSET (page × size) well inside a BIGINT.
MAX_PAGE = 1_000_000
_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,12}")


class IdConverter(IntegerConverter):
    """`<int:...>` for ids: 0 to MAX_ID, so a longer number is a 404 rather than an overflow."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def whole_number(text: str | None, minimum: int, maximum: int) -> int | None:
    """The number `text` writes in plain ASCII digits when it lies in [minimum, maximum]; None otherwise."""
    text = (text or "").strip()
    if not _WHOLE_NUMBER.fullmatch(text):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def query_int(name: str, default: int | None = None, *, minimum: int = 1, maximum: int = MAX_ID,
              status: int = 400) -> int | None:
    """A whole number from the query string; `default` when absent or empty, `status` (400) when not valid."""
    text = request.args.get(name, "")
    if not text.strip():
        return default
    value = whole_number(text, minimum, maximum)
    if value is None:
        abort(status)
    return value


def page_number() -> int:
    """`?page=`: 1 when absent, 404 when not a page number."""
    return query_int("page", 1, maximum=MAX_PAGE, status=404)


def form_id(value) -> int:
    """`coerce` for id fields: a ValueError (the field's "invalid choice" message) unless 1 to MAX_ID."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value if 1 <= value <= MAX_ID else None
    else:
        number = whole_number(str(value), 1, MAX_ID)
    if number is None:
        raise ValueError(f"not an id: {value!r}")
    return number


def init_app(app: Flask) -> None:
    """Before any route is added: `<int:...>` becomes an id."""
    app.url_map.converters["int"] = IdConverter
