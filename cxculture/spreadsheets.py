"""CSV files people open in a spreadsheet: reading uploads (UTF-8, Excel's ";" and BOM, errors by row and
column) and writing downloads (formula-safe cells, the BOM and the delimiter Excel expects)."""
from __future__ import annotations

import csv
import io
import posixpath
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask import Response
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .i18n import current_language

#: Cell starts a spreadsheet would run as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: What a spreadsheet may split a line on, whatever the file's own delimiter: Excel in English splits on ",", in
#: Italian on ";", a paste on tabs; a line break ends the row wherever quotes are not honoured.
SEPARATORS = ",;\t\r\n"
#: A formula start right after a separator (and any spaces or double quotes): "Rossi;=1+2" opened by a
#: spreadsheet that splits on ";" would otherwise run "=1+2".
_FORMULA_AFTER_SEPARATOR = re.compile(r'([,;\t\r\n][ "]*)(?=[=+\-@])')
_QUOTED_FORMULA_AFTER_SEPARATOR = re.compile(r'([,;\t\r\n][ "]*)\'(?=[=+\-@])')
_LEADING = ' "'


def escape_cell(value: str) -> str:
    """A cell no spreadsheet runs as a formula, in any locale: a quote before a formula start at the beginning
    (after any spaces or double quotes) and after every separator a spreadsheet might split the cell on."""
    value = _FORMULA_AFTER_SEPARATOR.sub(r"\1'", value)
    return "'" + value if value.lstrip(_LEADING).startswith(FORMULA_STARTS) else value


def unescape_cell(value: str) -> str:
    """Undo the quotes an export puts before formula-like text, so an export re-imports unchanged."""
    if value.startswith("'") and value[1:].lstrip(_LEADING)[:1] and value[1:].lstrip(_LEADING)[0] in FORMULA_STARTS:
        value = value[1:]
    return _QUOTED_FORMULA_AFTER_SEPARATOR.sub(r"\1", value)


def _csv_field(cell: str) -> str:
    """A field quoted whenever it holds a separator of any locale, so it stays one cell in every spreadsheet."""
    if any(character in cell for character in SEPARATORS + '"'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def csv_bytes(header, rows, delimiter: str = ",", cell: Callable[[str], str] = escape_cell) -> bytes:
    """A CSV file for spreadsheets: UTF-8 with a BOM, CRLF, every cell made safe by `cell` (formula-like text
    quoted) and quoted when it holds ",", ";", a tab or a line break, whichever the delimiter.

    Every CSV download goes through here."""
    lines = (delimiter.join(_csv_field(cell(str(value))) for value in row) for row in [header, *rows])
    return ("\ufeff" + "".join(line + "\r\n" for line in lines)).encode("utf-8")


def csv_delimiter() -> str:
    """Excel set to Italian splits columns on ";": Italian pages download ";"-separated files."""
    return ";" if current_language() == "it" else ","


def csv_download(content: bytes, what: str) -> Response:
    """A download named after the organisation, what it holds and today; never cached (it may hold links)."""
    filename = f"{current_user.organisation.slug}-{what}-{date.today().isoformat()}.csv"
    return Response(content, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


# --- reading uploads ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """What is wrong, and where: `line` counts the header as row 1; None for the whole file."""

    message: object
    line: int | None = None
    column: str | None = None


@dataclass
class ParsedCsv:
    #: Column names, stripped and lower-case.
    header: list[str]
    #: (line number, cells) of every non-blank row after the header.
    records: list[tuple[int, list[str]]]
    delimiter: str


def format_megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def check_upload(content: bytes, max_bytes: int) -> list[RowError]:
    """The checks made before a file is stored or parsed: not empty, not too large."""
    if len(content) > max_bytes:
        return [RowError(_l("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files.",
                            size=format_megabytes(len(content)), limit=max_bytes // (1024 * 1024)))]
    if not content.removeprefix(b"\xef\xbb\xbf").strip():
        return [RowError(_l("The file is empty."))]
    return []


def read_upload(storage, max_bytes: int) -> tuple[str, bytes, list[RowError]]:
    """An uploaded file's bare name (no client path) and content, and why it cannot be taken (empty, too big)."""
    content = storage.read()
    filename = posixpath.basename((storage.filename or "").replace("\\", "/"))
    return filename, content, check_upload(content, max_bytes)


def _decode(content: bytes) -> tuple[str | None, RowError | None]:
    try:
        return content.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        return None, RowError(
            _l('The file is not in UTF-8: line %(line)s has a character that cannot be read. In Excel, use '
               '"Save as" and choose "CSV UTF-8 (comma delimited)".', line=line),
            line=line,
        )


def _sniff_delimiter(text: str) -> str:
    """";" when the header line has more semicolons than commas (Excel in Italy), else ","."""
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def read_csv(content: bytes, max_rows: int) -> tuple[ParsedCsv | None, list[RowError]]:
    """The header and rows of an uploaded CSV file, or why it cannot be read.

    Reading stops counting carefully past `max_rows`; the caller refuses such a file with the count it gets.
    """
    text, error = _decode(content)
    if error:
        return None, [error]
    delimiter = _sniff_delimiter(text)
    records: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    line = 0
    try:
        for line, cells in enumerate(reader, start=1):
            records.append((line, cells))
            if len(records) > max_rows + 1:  # the header and the limit; counting the rest is enough
                records.extend((n, c) for n, c in enumerate(reader, start=line + 1) if any(x.strip() for x in c))
                break
    except csv.Error:
        return None, [RowError(_l("Row %(line)s cannot be read as CSV: check its quotes.", line=line + 1),
                               line=line + 1)]
    # Skip blank lines before the header and blank rows anywhere (spreadsheets leave them at the end).
    records = [(n, cells) for n, cells in records if any(cell.strip() for cell in cells)]
    if not records:
        return None, [RowError(_l("The file is empty."))]
    (_, header), *rows = records
    return ParsedCsv([cell.strip().lower() for cell in header], rows, delimiter), []


def check_header(parsed: ParsedCsv, columns, required) -> list[RowError]:
    """Unknown, missing, repeated or unnamed-but-filled columns, reported on row 1."""
    header = parsed.header
    errors = []
    named = [name for name in header if name]
    unknown = [name for name in named if name not in columns]
    if unknown:
        errors.append(RowError(
            _l("Unknown columns: %(columns)s. The columns are: %(known)s.",
               columns=", ".join(unknown), known=", ".join(columns)), line=1))
    missing = [name for name in required if name not in header]
    if missing:
        errors.append(RowError(_l("Missing required columns: %(columns)s.", columns=", ".join(missing)), line=1))
    twice = sorted(name for name, count in Counter(named).items() if count > 1)
    if twice:
        errors.append(RowError(_l("These columns appear more than once: %(columns)s.", columns=", ".join(twice)),
                               line=1))
    for position, name in enumerate(header):
        # Spreadsheets often add empty columns at the right; they are fine as long as they stay empty.
        if not name and any(position < len(cells) and cells[position].strip() for _, cells in parsed.records):
            errors.append(RowError(_l("Column %(position)s has values but no name in the header.",
                                      position=position + 1), line=1))
    return errors
