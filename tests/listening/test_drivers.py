"""The drivers arithmetic with known answers: the exact Shapley shares of R² and the "where to focus" rule."""
from __future__ import annotations

import math
import random

import pytest

from cxculture.listening.drivers import PillarDriver, focus_pillars, shapley_r_squared


def _pillars(count: int, seed: int = 7) -> list[list[float]]:
    rng = random.Random(seed)
    return [[rng.gauss(3.5, 0.5) for _ in range(6)] for _ in range(count)]


def test_an_outcome_made_of_two_pillars_is_explained_by_them_alone():
    rows = _pillars(200)
    outcome = [2 * row[1] + row[4] for row in rows]
    r_squared, shares = shapley_r_squared(rows, outcome)
    assert r_squared == pytest.approx(1.0)
    assert math.fsum(shares) == pytest.approx(r_squared)
    ranked = sorted(range(6), key=lambda j: -shares[j])
    assert ranked[:2] == [1, 4]
    # Nearly independent pillars: each gets about its coefficient² share (4 : 1).
    assert shares[1] == pytest.approx(0.8, abs=0.05) and shares[4] == pytest.approx(0.2, abs=0.05)
    assert all(shares[j] < 0.02 for j in (0, 2, 3, 5))


def test_with_noise_the_shares_still_add_up_to_r_squared():
    rng = random.Random(3)
    rows = _pillars(300)
    outcome = [row[0] + rng.gauss(0, 0.5) for row in rows]
    r_squared, shares = shapley_r_squared(rows, outcome)
    assert 0.3 < r_squared < 0.7
    assert math.fsum(shares) == pytest.approx(r_squared)
    assert max(range(6), key=lambda j: shares[j]) == 0


def test_two_identical_pillars_split_what_they_explain():
    rows = [[row[0], row[0], *row[2:]] for row in _pillars(100)]
    outcome = [row[0] + row[3] for row in rows]
    r_squared, shares = shapley_r_squared(rows, outcome)
    assert r_squared == pytest.approx(1.0)
    assert shares[0] == pytest.approx(shares[1])
    assert math.fsum(shares) == pytest.approx(1.0)


def test_a_constant_pillar_explains_nothing():
    rows = [[row[0], 3.0, *row[2:]] for row in _pillars(100)]
    outcome = [row[0] for row in rows]
    r_squared, shares = shapley_r_squared(rows, outcome)
    assert shares[1] == 0
    assert r_squared == pytest.approx(1.0) and shares[0] > 0.95


def test_a_constant_outcome_is_refused():
    with pytest.raises(ValueError, match="does not vary"):
        shapley_r_squared(_pillars(30), [40.0] * 30)


def _driver(pillar: str, raw: float, score: float | None, positive: bool = True) -> PillarDriver:
    return PillarDriver(pillar, pillar, raw, 0.0, score, positive)


def test_focus_is_important_low_scoring_and_a_lever():
    drivers = [
        _driver("vision", 0.30, 3.1),  # important, low: focus
        _driver("listening", 0.25, 4.2),  # important, but a strength
        _driver("communication", 0.02, 3.0),  # low, but barely matters
        _driver("rewards", 0.20, 3.2, positive=False),  # important and low, but goes with a worse outcome
        _driver("hiring", 0.02, 4.0),
        _driver("improvement", 0.01, None),  # hidden score
    ]
    assert focus_pillars(drivers, 0.8) == {"vision"}
    assert focus_pillars(drivers, 0.0) == set()
