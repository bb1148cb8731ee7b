"""What the KPI area tells a café: reward plans whose KPIs work against customer-centric behaviours.

The KPI area registers a provider with `set_reward_conflicts_provider(app, provider)`; the provider gets an
organisation id and a language and returns the conflicts its reward-alignment review found. Without a
provider (the KPI area not installed yet) a café simply has no KPI conflicts to discuss.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

EXTENSION_KEY = "cxculture.reward_conflicts"


@dataclass(frozen=True)
class RewardConflict:
    plan: str  #: reward plan name, e.g. "Contact centre · 2026-Q3"
    kpi: str  #: KPI name, in the requested language
    weight: float  #: the KPI's weight in the plan, in %
    behaviour: str  #: the customer-centric behaviour it works against, in the requested language
    rationale: str  #: one line, in the requested language


RewardConflictProvider = Callable[[int, str], list[RewardConflict]]  # (organisation_id, language)


def set_reward_conflicts_provider(app: Flask, provider: RewardConflictProvider | None) -> None:
    app.extensions[EXTENSION_KEY] = provider


def reward_conflicts(organisation_id: int, language: str) -> list[RewardConflict]:
    """The organisation's conflicting KPIs; [] when no provider is registered."""
    provider = current_app.extensions.get(EXTENSION_KEY)
    return list(provider(organisation_id, language)) if provider else []
