"""How far the engine agrees with people: theme micro-F1 and tone accuracy and Cohen's kappa on labelled comments.

The hand-labelled sets ship with the tests (tests/listening/data/comments_*.yaml); the measured figures are in
the package's docstring (cxculture/listening/themes/__init__.py).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .reading import TONES, read


@dataclass(frozen=True)
class Agreement:
    comments: int
    theme_precision: float
    theme_recall: float
    theme_f1: float
    tone_accuracy: float
    tone_kappa: float


def cohen_kappa(first: list[str], second: list[str], categories: Iterable[str]) -> float:
    """Cohen's kappa of two raters' labels of the same items: agreement beyond what chance gives."""
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    a_counts, b_counts = Counter(first), Counter(second)
    expected = sum(a_counts[c] * b_counts[c] for c in categories) / (n * n)
    return 1.0 if expected == 1 else (observed - expected) / (1 - expected)


def agreement(labelled: list[dict], language: str) -> Agreement:
    """Compare the engine's reading of each {"text", "themes", "tone"} with its labels."""
    true_positives = predicted = expected = 0
    tones_given, tones_read = [], []
    for item in labelled:
        reading = read(item["text"], language)
        found, wanted = set(reading.themes), set(item["themes"])
        true_positives += len(found & wanted)
        predicted += len(found)
        expected += len(wanted)
        tones_given.append(item["tone"])
        tones_read.append(reading.tone)
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / expected if expected else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    accuracy = sum(a == b for a, b in zip(tones_given, tones_read, strict=True)) / len(labelled)
    return Agreement(len(labelled), precision, recall, f1, accuracy, cohen_kappa(tones_given, tones_read, TONES))
