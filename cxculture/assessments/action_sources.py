"""Where else an action item can start: what the listening area shows (a touchpoint, a comment theme, a driver).

Listening sits above assessments, so this area cannot ask it what a touchpoint or a theme is. Listening registers an
`ActionSource` per field of `ActionItem` it can fill (`register_action_source`, from the app's wiring); actions.py
checks a value through it and the action's pages describe it through it. A field nobody registered refuses every
value: an action cannot answer what this installation cannot show.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: The fields of ActionItem an outside area may fill, in the order the action's page lists them.
SOURCE_FIELDS = ("touchpoint_id", "theme_key", "driver_outcome")


@dataclass(frozen=True)
class ActionSource:
    """How an area names one kind of place an action starts from."""

    #: The ActionItem column (one of SOURCE_FIELDS).
    field: str
    #: The term on the action's page ("Touchpoint").
    label: object
    #: (organisation_id, value, language) -> the value in words, or None when it is not the organisation's.
    describe: Callable[[int, object, str], str | None]
    #: Where the action's page links for it: value -> URL, or None for no link.
    link: Callable[[object], str | None] | None = None


_sources: dict[str, ActionSource] = {}


def register_action_source(source: ActionSource) -> None:
    """An area above this one says what it can start actions from (see the module's docstring)."""
    if source.field not in SOURCE_FIELDS:
        raise ValueError(f"{source.field!r} is not a field an action can start from")
    _sources[source.field] = source


def unknown_sources(organisation_id: int, values: dict[str, object]) -> list[str]:
    """The fields of `values` (field -> value, None for unset) whose value the organisation does not have."""
    return [name for name, value in values.items() if value is not None and (
        name not in _sources or _sources[name].describe(organisation_id, value, "en") is None)]


@dataclass(frozen=True)
class SourceFact:
    label: object
    words: str
    url: str | None


def described_sources(organisation_id: int, values: dict[str, object], language: str) -> list[SourceFact]:
    """What an action answers outside the campaign's results, in words for its pages (unknown values left out)."""
    facts = []
    for name in SOURCE_FIELDS:
        value, source = values.get(name), _sources.get(name)
        if value is None or source is None or (words := source.describe(organisation_id, value, language)) is None:
            continue
        facts.append(SourceFact(source.label, words, source.link(value) if source.link else None))
    return facts
