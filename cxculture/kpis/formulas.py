"""The standard survey formulas: NPS, CSAT and CES computed from answer distributions.

A distribution maps each score to how many customers gave it ({9: 41, 10: 57, ...}).
"""
from __future__ import annotations

from dataclasses import dataclass

#: Below this many answers a figure is shown with a small-sample warning.
SMALL_SAMPLE = 30

#: The scores each survey accepts.
SCALES = {"nps": range(11), "csat": range(1, 6), "ces": range(1, 8)}


@dataclass(frozen=True)
class SurveyResult:
    value: float
    answers: int

    @property
    def small_sample(self) -> bool:
        return self.answers < SMALL_SAMPLE


def _total(distribution: dict[int, int]) -> int:
    total = sum(distribution.values())
    if total <= 0:
        raise ValueError("a distribution needs at least one answer")
    return total


def nps(distribution: dict[int, int]) -> SurveyResult:
    """% promoters (9–10) minus % detractors (0–6), from −100 to 100."""
    total = _total(distribution)
    promoters = sum(n for score, n in distribution.items() if score >= 9)
    detractors = sum(n for score, n in distribution.items() if score <= 6)
    return SurveyResult(round(100 * (promoters - detractors) / total, 1), total)


def csat(distribution: dict[int, int]) -> SurveyResult:
    """% of answers 4 or 5 on a 1–5 scale."""
    total = _total(distribution)
    satisfied = sum(n for score, n in distribution.items() if score >= 4)
    return SurveyResult(round(100 * satisfied / total, 1), total)


def ces(distribution: dict[int, int]) -> SurveyResult:
    """Mean agreement on a 1–7 scale."""
    total = _total(distribution)
    return SurveyResult(round(sum(score * n for score, n in distribution.items()) / total, 2), total)


FORMULAS = {"nps": nps, "csat": csat, "ces": ces}


def compute(survey: str, distribution: dict[int, int]) -> SurveyResult:
    return FORMULAS[survey](distribution)
