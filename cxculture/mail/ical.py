"""An iCalendar (RFC 5545) file of one event, written by hand: CRLF line ends, lines folded at 75 octets, TEXT
values escaped. No library: the format needs these three rules and a dozen properties."""
from __future__ import annotations

from datetime import datetime, timedelta

from ..util import utcnow

PRODUCT_ID = "-//CX Culture//Training cafés//EN"


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 3.3.11): backslash, semicolon and comma escaped, line breaks as \\n."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """A content line folded so no physical line exceeds 75 octets (RFC 5545 3.1), never inside a UTF-8
    character; continuation lines start with a space."""
    pieces, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not pieces else 74  # a continuation line's leading space counts
        if size + width > limit:
            pieces.append(current)
            current, size = "", 0
        current += char
        size += width
    pieces.append(current)
    return "\r\n ".join(pieces)


def _floating(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _utc(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def event_calendar(*, uid: str, starts_at: datetime, minutes: int, summary: str, description: str = "",
                   location: str = "", url: str = "", organiser_name: str = "", sequence: int = 0,
                   stamp: datetime | None = None) -> bytes:
    """A VCALENDAR (METHOD:PUBLISH) with one VEVENT. `starts_at` is wall-clock time without a zone, and stays
    so (a "floating" time: the café happens at that time wherever it is read), as the café's own page says it."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODUCT_ID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{_utc(stamp or utcnow())}",
        f"SEQUENCE:{sequence}",
        f"DTSTART:{_floating(starts_at)}",
        f"DTEND:{_floating(starts_at + timedelta(minutes=minutes))}",
        f"SUMMARY:{escape_text(summary)}",
    ]
    if description:
        lines.append(f"DESCRIPTION:{escape_text(description)}")
    if location:
        lines.append(f"LOCATION:{escape_text(location)}")
    if url:
        lines.append(f"URL:{url}")
    if organiser_name:
        lines.append(f"X-CXCULTURE-ORGANISATION:{escape_text(organiser_name)}")
    lines += ["STATUS:CONFIRMED", "TRANSP:OPAQUE", "END:VEVENT", "END:VCALENDAR"]
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
