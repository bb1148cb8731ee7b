"""Where a person's team is weakest: the interface the culture assessment fills.

The assessment area registers a provider with `set_pillar_focus_provider(app, provider)`; the provider gets
a person and returns the weakest pillars of their team — only from results above the anonymity threshold —
or, when the team is too small to show, of their organisation. Individual answers never reach here.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from flask import Flask, current_app

from ..orgs.models import Person

EXTENSION_KEY = "cxculture.pillar_focus"


@dataclass(frozen=True)
class PillarFocus:
    #: Weakest first; at most two are used.
    pillars: tuple[str, ...]
    #: Whose results they are: the person's team, or the whole organisation.
    scope: Literal["team", "organisation"]


PillarFocusProvider = Callable[[Person], "PillarFocus | None"]


def set_pillar_focus_provider(app: Flask, provider: PillarFocusProvider | None) -> None:
    app.extensions[EXTENSION_KEY] = provider


def pillar_focus(person: Person) -> PillarFocus | None:
    provider = current_app.extensions.get(EXTENSION_KEY)
    return provider(person) if provider else None
