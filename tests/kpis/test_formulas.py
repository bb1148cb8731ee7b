"""The standard survey formulas."""
import pytest

from cxculture.kpis.formulas import ces, compute, csat, nps


def test_nps_is_promoters_minus_detractors():
    # 50 promoters (9–10), 30 passives (7–8), 20 detractors (0–6) of 100.
    result = nps({10: 30, 9: 20, 8: 15, 7: 15, 6: 10, 0: 10})
    assert result.value == 30.0
    assert result.answers == 100 and not result.small_sample


@pytest.mark.parametrize("distribution, expected", [
    ({10: 5}, 100.0), ({0: 5, 6: 5}, -100.0), ({7: 3, 8: 3}, 0.0), ({9: 1, 6: 2}, -33.3),
])
def test_nps_bounds_and_rounding(distribution, expected):
    assert nps(distribution).value == expected


def test_csat_is_the_share_of_four_and_five():
    result = csat({5: 12, 4: 9, 3: 6, 2: 2, 1: 1})
    assert result.value == 70.0 and result.answers == 30 and not result.small_sample


def test_ces_is_the_mean_on_one_to_seven():
    result = ces({7: 10, 5: 10, 1: 9})
    assert result.value == round((70 + 50 + 9) / 29, 2)
    assert result.small_sample  # 29 < 30


def test_a_distribution_without_answers_is_refused():
    with pytest.raises(ValueError, match="at least one answer"):
        compute("nps", {9: 0, 10: 0})
