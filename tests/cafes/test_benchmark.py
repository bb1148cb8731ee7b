"""The benchmark network: only opted-in organisations above their threshold, at least three, never a name."""
from __future__ import annotations

import pytest

from cxculture.cafes.benchmark import (
    ABOVE_Q3,
    BELOW_Q1,
    MEDIAN_TO_Q3,
    Q1_TO_MEDIAN,
    organisation_benchmark,
    quartiles,
)
from tests.cafes.helpers import organisation_with_scores


@pytest.mark.parametrize("values, expected", [
    ([1, 2, 3], (1.5, 2, 2.5)),
    ([4, 1, 3, 2], (1.75, 2.5, 3.25)),
    ([2, 2, 2, 2, 2], (2, 2, 2)),
    ([1, 2, 3, 4, 5], (2, 3, 4)),
])
def test_quartiles_interpolate_between_sorted_values(values, expected):
    assert quartiles(values) == pytest.approx(expected)


def test_fewer_than_three_organisations_show_nothing(app, make_organisation):
    own = organisation_with_scores(make_organisation, "Alpha", 3)
    organisation_with_scores(make_organisation, "Beta", 4)
    benchmark = organisation_benchmark(own.id)
    assert benchmark.status == "not-enough" and benchmark.pillars == []


def test_three_organisations_give_median_and_quartiles_and_our_position(app, make_organisation):
    own = organisation_with_scores(make_organisation, "Alpha", 2)
    organisation_with_scores(make_organisation, "Beta", 3)
    organisation_with_scores(make_organisation, "Gamma", 4, listening=5)
    benchmark = organisation_benchmark(own.id)
    assert benchmark.status == "ok" and benchmark.own_included
    by_pillar = {p.pillar: p for p in benchmark.pillars}
    assert (by_pillar["vision"].q1, by_pillar["vision"].median, by_pillar["vision"].q3) == pytest.approx((2.5, 3, 3.5))
    assert by_pillar["listening"].q3 == pytest.approx(4)
    assert by_pillar["vision"].own == pytest.approx(2)
    assert by_pillar["vision"].position == BELOW_Q1


def test_positions_by_quartile_band(app, make_organisation):
    orgs = [organisation_with_scores(make_organisation, name, score)
            for name, score in (("A", 1), ("B", 2), ("C", 3), ("D", 4), ("E", 5))]
    positions = [organisation_benchmark(o.id).pillars[0].position for o in orgs]
    assert positions == [BELOW_Q1, Q1_TO_MEDIAN, MEDIAN_TO_Q3, MEDIAN_TO_Q3, ABOVE_Q3]


def test_organisations_that_opted_out_are_left_out(app, make_organisation):
    own = organisation_with_scores(make_organisation, "Alpha", 2)
    organisation_with_scores(make_organisation, "Beta", 3)
    organisation_with_scores(make_organisation, "Gamma", 4, opt_in=False)
    assert organisation_benchmark(own.id).status == "not-enough"
    outsider = organisation_with_scores(make_organisation, "Delta", 5, opt_in=False)
    assert organisation_benchmark(outsider.id).status == "not-opted-in"


def test_an_organisation_below_its_threshold_is_left_out(app, make_organisation):
    own = organisation_with_scores(make_organisation, "Alpha", 2)
    organisation_with_scores(make_organisation, "Beta", 3)
    organisation_with_scores(make_organisation, "Gamma", 1, respondents=6, threshold=7)  # 6 < its threshold 7
    assert organisation_benchmark(own.id).status == "not-enough"
    organisation_with_scores(make_organisation, "Delta", 4, respondents=7, threshold=7)
    benchmark = organisation_benchmark(own.id)
    assert benchmark.status == "ok"
    assert benchmark.pillars[0].median == pytest.approx(3)  # 2, 3, 4: Gamma's 1 never counts


def test_our_own_small_campaign_is_compared_but_not_shown(app, make_organisation):
    own = organisation_with_scores(make_organisation, "Alpha", 5, respondents=3)
    for name, score in (("Beta", 2), ("Gamma", 3), ("Delta", 4)):
        organisation_with_scores(make_organisation, name, score)
    benchmark = organisation_benchmark(own.id)
    assert benchmark.status == "ok" and not benchmark.own_included
    assert all(p.own is None and p.position is None for p in benchmark.pillars)


def test_the_snapshot_names_no_organisation(app, make_organisation):
    own = organisation_with_scores(make_organisation, "Alpha", 2)
    organisation_with_scores(make_organisation, "Beta Corp", 3)
    organisation_with_scores(make_organisation, "Gamma Corp", 4)
    snapshot = organisation_benchmark(own.id).as_snapshot()
    assert "Beta" not in repr(snapshot) and "Gamma" not in repr(snapshot)
    # Only the network's quartiles and our own figure: no list of the other organisations' scores.
    assert all(set(p) == {"pillar", "q1", "median", "q3", "own", "position"} for p in snapshot["pillars"])
