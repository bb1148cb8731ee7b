"""The shipped, bilingual library of discussion prompts (prompts.yaml), per pillar and per agenda kind."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from ..pillars import PILLARS

PROMPTS_PATH = Path(__file__).with_name("prompts.yaml")
#: Keys besides the six pillars: the general agenda items.
GENERAL_KEYS = ("perception_gap", "training", "kpis", "follow_up", "benchmark", "customer_voice", "drivers")
LANGUAGES = ("en", "it")


class PromptLibraryError(ValueError):
    """The prompt file is broken; the message names the key and the entry."""


@lru_cache(maxsize=1)
def prompt_library() -> dict[str, list[dict[str, str]]]:
    """Every prompt, checked: each pillar and general key has 3-4 prompts with an English and Italian text."""
    data = yaml.safe_load(PROMPTS_PATH.read_text(encoding="utf-8")) or {}
    for key in (*PILLARS, *GENERAL_KEYS):
        entries = data.get(key)
        if not isinstance(entries, list) or not 3 <= len(entries) <= 4:
            raise PromptLibraryError(f"{PROMPTS_PATH.name}: {key!r} needs 3 or 4 prompts")
        for number, entry in enumerate(entries, 1):
            for language in LANGUAGES:
                if not isinstance(entry, dict) or not str(entry.get(language) or "").strip():
                    raise PromptLibraryError(
                        f"{PROMPTS_PATH.name}: {key!r} prompt {number} lacks its {language!r} text"
                    )
    unknown = set(data) - {*PILLARS, *GENERAL_KEYS}
    if unknown:
        raise PromptLibraryError(f"{PROMPTS_PATH.name}: unknown keys {sorted(unknown)}")
    return data


def prompts_for(key: str, language: str) -> list[str]:
    """The prompts of a pillar or general key, in `language` (English when it is neither)."""
    language = language if language in LANGUAGES else "en"
    return [entry[language].strip() for entry in prompt_library().get(key, [])]
