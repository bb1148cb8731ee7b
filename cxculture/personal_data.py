"""What an area's privacy provider declares: which tables hold personal data about a person, and why.

Each area has a module `privacy.py` (its provider) with:

- `AREA` (a short key, the name of its file in an export) and `TITLE` (for people),
- `HOLDINGS`: a `Holding` per table that references a person or holds free text a person wrote,
- `NOT_PERSONAL`: tables with free-text columns that are about no person, each with the reason,
- `export(person) -> dict`: everything the area holds about the person, JSON-ready,
- `erasure(person) -> list[Erasure]`: what erasing the person will do in the area, for the confirmation page,
- `erase(person, successor)`: remove or pseudonymise it (flushes only; the caller commits).

The privacy package (`cxculture/privacy`, a layer above the areas) collects the providers; a test walks the
models' metadata so that a new table referencing a person cannot be left out.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Holding:
    """One table's personal data, as its area declares it (the privacy page and the record of processing)."""

    table: str
    #: The columns that name the person (a foreign key to person.id) or hold what they are or wrote.
    columns: tuple[str, ...]
    #: What is stored, why, who sees it, and what erasure does: lazy strings, read in the reader's language.
    what: object
    why: object
    who_sees: object
    on_erase: object
    #: A key of cxculture.privacy.retention.RETENTION_DEFAULTS: how long it is kept.
    kept: str
    #: Stored without any link to the person (the anonymity rule applies).
    anonymous: bool = False


@dataclass(frozen=True)
class NotPersonal:
    """A table with free text that is about no person (a KPI's definition, a key), and why."""

    table: str
    reason: str


@dataclass(frozen=True)
class Erasure:
    """One line of an erasure's confirmation: what goes (or who takes it over), and how many."""

    text: object
    count: int
    #: Someone must take these over (people managed, open action items, planned cafés): a successor is asked.
    needs_successor: bool = False


def json_ready(value):
    """Dates and times as ISO text, for an export's JSON files."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def row_dict(row, columns) -> dict:
    """Named columns of a row as a JSON-ready dict."""
    return {name: json_ready(getattr(row, name)) for name in columns}
