"""The theme and tone engine against comments labelled by hand (tests/listening/data), per language.

The floors sit just under what was measured (cxculture/listening/themes/__init__.py): a lexicon change that makes
the engine agree less with people fails here. The lexicons were tuned on the first half of each set only; the
second half is held out and has floors of its own.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cxculture.listening.themes.agreement import agreement, cohen_kappa
from cxculture.listening.themes.lexicon import themes
from cxculture.listening.themes.reading import TONES

DATA = Path(__file__).parent / "data"
TUNED_ON = 105

#: (language, part): (theme micro-F1, tone accuracy, tone kappa) at least.
FLOORS = {
    ("en", "all"): (0.84, 0.80, 0.69),
    ("en", "held out"): (0.75, 0.73, 0.60),
    ("it", "all"): (0.82, 0.77, 0.63),
    ("it", "held out"): (0.70, 0.70, 0.55),
}


def labelled(language: str) -> list[dict]:
    return yaml.safe_load((DATA / f"comments_{language}.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("language", ["en", "it"])
def test_each_set_has_at_least_200_well_formed_comments(language):
    items = labelled(language)
    keys = {theme.key for theme in themes()}
    assert len(items) >= 200
    assert len({item["text"] for item in items}) == len(items)
    for item in items:
        assert set(item["themes"]) <= keys, item
        assert item["tone"] in TONES, item
    # Every theme and every tone is labelled somewhere.
    assert {key for item in items for key in item["themes"]} == keys
    assert {item["tone"] for item in items} == set(TONES)


@pytest.mark.parametrize("language, part", list(FLOORS))
def test_agreement_with_the_hand_labels(language, part):
    items = labelled(language)
    measured = agreement(items if part == "all" else items[TUNED_ON:], language)
    f1, accuracy, kappa = FLOORS[language, part]
    assert measured.theme_f1 >= f1, measured
    assert measured.tone_accuracy >= accuracy, measured
    assert measured.tone_kappa >= kappa, measured


def test_cohen_kappa():
    # Perfect agreement is 1; agreement no better than chance is 0.
    assert cohen_kappa(["a", "b", "a", "b"], ["a", "b", "a", "b"], "ab") == 1
    assert cohen_kappa(["a", "a", "b", "b"], ["a", "b", "a", "b"], "ab") == 0
    # The textbook example: 20 yes-yes, 5 yes-no, 10 no-yes, 15 no-no -> 0.4.
    first = ["y"] * 25 + ["n"] * 25
    second = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    assert cohen_kappa(first, second, "yn") == pytest.approx(0.4)
