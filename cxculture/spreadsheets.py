"""CSV files people open in a spreadsheet: formula-safe cells, Excel's BOM and the delimiter Excel expects."""
from __future__ import annotations

import csv
import io
from datetime import date

from flask import Response
from flask_babel import get_locale
from flask_login import current_user

#: Cell starts a spreadsheet would run as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def escape_cell(value: str) -> str:
    """Prefix a cell a spreadsheet would run as a formula with a quote."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def unescape_cell(value: str) -> str:
    """Undo the quote an export puts before a formula-like cell, so an export re-imports unchanged."""
    if value.startswith("'") and value[1:2] and value[1] in FORMULA_STARTS:
        return value[1:]
    return value


def csv_bytes(header, rows, delimiter: str = ",") -> bytes:
    """A CSV file for spreadsheets: UTF-8 with a BOM, CRLF, formula-like cells quoted."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([escape_cell(str(cell)) for cell in row] for row in rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def csv_delimiter() -> str:
    """Excel set to Italian splits columns on ";": Italian pages download ";"-separated files."""
    return ";" if str(get_locale() or "en") == "it" else ","


def csv_download(content: bytes, what: str) -> Response:
    """A download named after the organisation, what it holds and today; never cached (it may hold links)."""
    filename = f"{current_user.organisation.slug}-{what}-{date.today().isoformat()}.csv"
    return Response(content, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
