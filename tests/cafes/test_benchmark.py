"""The benchmark network: only opted-in organisations above their threshold, at least five, coarse figures only,
and no participant can work out another organisation's score, not even across joins, leaves and its own moves."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from cxculture.cafes import benchmark as benchmark_module
from cxculture.cafes.benchmark import (
    AHEAD,
    BEHIND,
    IN_LINE,
    MIN_ORGANISATIONS,
    coarse,
    network_figures,
    order_statistic,
    organisation_benchmark,
)
from cxculture.extensions import db
from cxculture.orgs.models import Organisation
from cxculture.pillars import PILLARS
from tests.cafes.helpers import new_cafe, organisation_with_scores


@pytest.mark.parametrize("score, expected", [
    (1.0, 1.0), (1.24, 1.0), (1.25, 1.5), (3.24, 3.0), (3.26, 3.5), (3.74, 3.5), (3.75, 4.0), (4.8, 5.0), (5.0, 5.0),
])
def test_scores_are_rounded_to_the_nearest_half_point(score, expected):
    assert coarse(score) == expected


@pytest.mark.parametrize("values, expected", [
    ([1, 2, 3, 4, 5], (2, 3, 4)),
    ([5, 4, 3, 2, 1, 1], (1, 2, 4)),
    ([3.3, 3.3, 3.3, 3.3, 3.3], (3.5, 3.5, 3.5)),
    ([2.74, 3.1, 3.6, 3.8, 4.4], (3.0, 3.5, 4.0)),  # each figure a rounded value, never a mean of two
])
def test_network_figures_are_order_statistics_of_rounded_scores(values, expected):
    assert network_figures(values) == pytest.approx(expected)
    assert order_statistic(sorted(values), 0.5) in values


@pytest.mark.parametrize("others", [2, 3])
def test_fewer_than_five_organisations_show_nothing(app, make_organisation, others):
    """With three, the old median and quartiles were the organisations' own scores."""
    own = organisation_with_scores(make_organisation, "Alpha", 2)
    for number in range(others):
        organisation_with_scores(make_organisation, f"Other {number}", 3 + number % 3)
    benchmark = organisation_benchmark(own.id)
    assert MIN_ORGANISATIONS == 5
    assert benchmark.status == "not-enough" and benchmark.pillars == []
    assert benchmark.as_snapshot()["min_organisations"] == 5


def test_five_organisations_give_coarse_quartiles_median_and_where_we_stand(app, make_organisation):
    own = organisation_with_scores(make_organisation, "Alpha", 1)
    for name, score in (("Beta", 2), ("Gamma", 3), ("Delta", 4)):
        organisation_with_scores(make_organisation, name, score)
    organisation_with_scores(make_organisation, "Epsilon", 4, listening=5)
    benchmark = organisation_benchmark(own.id)
    assert benchmark.status == "ok" and benchmark.own_included
    by_pillar = {p.pillar: p for p in benchmark.pillars}
    assert (by_pillar["vision"].q1, by_pillar["vision"].median, by_pillar["vision"].q3) == pytest.approx((2, 3, 4))
    assert by_pillar["vision"].own == pytest.approx(1)
    assert by_pillar["vision"].position == BEHIND


def test_positions_against_the_networks_middle_half(app, make_organisation):
    orgs = [organisation_with_scores(make_organisation, name, score)
            for name, score in (("A", 1), ("B", 2), ("C", 3), ("D", 4), ("E", 5))]
    positions = [organisation_benchmark(o.id).pillars[0].position for o in orgs]
    assert positions == [BEHIND, IN_LINE, IN_LINE, IN_LINE, AHEAD]


def test_organisations_that_opted_out_are_left_out(app, make_organisation):
    own = organisation_with_scores(make_organisation, "Alpha", 2)
    for name in ("Beta", "Gamma", "Delta"):
        organisation_with_scores(make_organisation, name, 3)
    organisation_with_scores(make_organisation, "Epsilon", 4, opt_in=False)
    assert organisation_benchmark(own.id).status == "not-enough"
    outsider = organisation_with_scores(make_organisation, "Zeta", 5, opt_in=False)
    assert organisation_benchmark(outsider.id).status == "not-opted-in"


def test_an_organisation_below_its_threshold_is_left_out(app, make_organisation):
    own = organisation_with_scores(make_organisation, "Alpha", 2)
    for name in ("Beta", "Gamma", "Delta"):
        organisation_with_scores(make_organisation, name, 3)
    organisation_with_scores(make_organisation, "Low", 1, respondents=6, threshold=7)  # 6 < its threshold 7
    assert organisation_benchmark(own.id).status == "not-enough"
    organisation_with_scores(make_organisation, "Epsilon", 4, respondents=7, threshold=7)
    benchmark = organisation_benchmark(own.id)
    assert benchmark.status == "ok"
    assert benchmark.pillars[0].q1 == pytest.approx(3)  # 2, 3, 3, 3, 4: Low's 1 never counts


def test_our_own_small_campaign_is_compared_but_not_shown(app, make_organisation):
    own = organisation_with_scores(make_organisation, "Alpha", 5, respondents=3)
    for name, score in (("Beta", 2), ("Gamma", 3), ("Delta", 4), ("Epsilon", 4), ("Zeta", 3)):
        organisation_with_scores(make_organisation, name, score)
    benchmark = organisation_benchmark(own.id)
    assert benchmark.status == "ok" and not benchmark.own_included
    assert all(p.own is None and p.position is None for p in benchmark.pillars)


def test_the_snapshot_names_no_organisation_and_lists_no_score(app, make_organisation):
    own = organisation_with_scores(make_organisation, "Alpha", 2)
    for name, score in (("Beta Corp", 3), ("Gamma Corp", 4), ("Delta Corp", 3), ("Epsilon Corp", 5)):
        organisation_with_scores(make_organisation, name, score)
    snapshot = organisation_benchmark(own.id).as_snapshot()
    assert "Corp" not in repr(snapshot)
    # Only the network's coarse quartiles and median and our own figure: no list, no mean, no count.
    assert all(set(p) == {"pillar", "q1", "median", "q3", "own", "position"} for p in snapshot["pillars"])
    assert all(p[key] % 0.5 == 0 for p in snapshot["pillars"] for key in ("q1", "median", "q3"))


# The attacker ---------------------------------------------------------------------------------------------------
#
# Alpha knows its own score, moves it as it likes (a new campaign), and reads the benchmark before and after an
# organisation joins and another leaves. Two networks in which every other organisation's score differs by more
# than 0.2 (0.4 to 0.48) must give Alpha exactly the same readings: then whatever Alpha guesses for any of them,
# the guess is more than 0.1 away in one of the two networks, so no score can be pinned within 0.1.

#: Per other organisation, its score in network A and in network B.
NETWORKS = {"Beta": (2.76, 3.24), "Gamma": (3.27, 3.72), "Delta": (3.30, 3.70), "Epsilon": (3.74, 3.26),
            "Joiner": (4.26, 4.74)}
#: Alpha's own scores as it probes: 1.0, 1.1, ... 5.0.
OWN_SCORES = [round(1 + step / 10, 2) for step in range(41)]


@pytest.fixture
def network(app, make_organisation, monkeypatch):
    """Alpha and the others opted in (Joiner not yet); their pillar scores come from `world`, set by the test."""
    organisations = {name: make_organisation(name, benchmark_opt_in=name != "Joiner")
                     for name in ("Alpha", *NETWORKS)}
    world: dict[str, float] = {}

    def network_pillar_scores(organisation_ids):
        ids = set(db.session.scalars(organisation_ids))
        # Listening sits one point lower than the other pillars, so two pillars tell different stories.
        return {organisations[name].id: {p: world[name] - (1 if p == "listening" else 0) for p in PILLARS}
                for name in organisations if organisations[name].id in ids}

    monkeypatch.setattr(benchmark_module, "network_pillar_scores", network_pillar_scores)
    return organisations, world


def _attacker_readings(organisations, world, which: int) -> list[dict]:
    """Everything Alpha can read, in network A (`which`=0) or B (1), over all its own scores."""
    world.update({name: scores[which] for name, scores in NETWORKS.items()})
    alpha = organisations["Alpha"].id
    readings = []
    for own in OWN_SCORES:
        world["Alpha"] = own
        readings.append(organisation_benchmark(alpha).as_snapshot())
        organisations["Joiner"].benchmark_opt_in = True  # Joiner joins
        db.session.flush()
        readings.append(organisation_benchmark(alpha).as_snapshot())
        organisations["Beta"].benchmark_opt_in = False  # Beta leaves
        db.session.flush()
        readings.append(organisation_benchmark(alpha).as_snapshot())
        organisations["Joiner"].benchmark_opt_in, organisations["Beta"].benchmark_opt_in = False, True
        db.session.flush()
    return readings


def test_an_attacker_cannot_pin_another_organisations_score_across_joins_leaves_and_its_own_moves(network):
    organisations, world = network
    assert all(abs(a - b) > 0.2 for a, b in NETWORKS.values())
    readings_a = _attacker_readings(organisations, world, 0)
    readings_b = _attacker_readings(organisations, world, 1)
    assert all(r["status"] == "ok" and len(r["pillars"]) == len(PILLARS) for r in readings_a)  # still useful
    assert {r["pillars"][0]["position"] for r in readings_a} == {BEHIND, IN_LINE, AHEAD}
    assert readings_a == readings_b


def test_the_attacker_wins_against_the_old_design(network, monkeypatch):
    """The same attacker against exact, interpolated quartiles of at least three: the readings tell the two
    networks apart (so the test above can fail), and with three organisations Alpha reads the others' scores."""
    organisations, world = network

    def old_figures(values):
        ordered = sorted(values)

        def at(fraction):
            position = fraction * (len(ordered) - 1)
            low = int(position)
            high = min(low + 1, len(ordered) - 1)
            return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

        return at(0.25), at(0.5), at(0.75)

    monkeypatch.setattr(benchmark_module, "network_figures", old_figures)
    monkeypatch.setattr(benchmark_module, "MIN_ORGANISATIONS", 3)
    monkeypatch.setattr(benchmark_module, "coarse", lambda score: score)
    assert _attacker_readings(organisations, world, 0) != _attacker_readings(organisations, world, 1)

    for name in ("Delta", "Epsilon", "Joiner"):
        organisations[name].benchmark_opt_in = False
    db.session.flush()
    world.update({"Alpha": 2.0, "Beta": 2.76, "Gamma": 3.27})
    vision = organisation_benchmark(organisations["Alpha"].id).pillars[0]
    # Three values a <= b <= c with Alpha's 2.0 the lowest: the median is b, and c = 2 * q3 - b.
    assert vision.median == pytest.approx(2.76) and 2 * vision.q3 - vision.median == pytest.approx(3.27)


def test_the_cafe_page_shows_only_coarse_network_figures(client, login_as, make_organisation, demo):
    retail = demo["demo-retail"]
    from tests.assessments.results_factories import make_campaign, respond_many

    respond_many(make_campaign(retail, title="Retail check"), 6, default=2)
    for name, score in (("Beta", 3), ("Gamma", 4), ("Delta", 4), ("Epsilon", 5)):
        organisation_with_scores(make_organisation, name, score)
    cafe = new_cafe(retail, title="Benchmark café", language="en")
    login_as("leader")
    client.post(f"/leadership/cafes/{cafe.id}/redraft")
    page = client.get(f"/leadership/cafes/{cafe.id}").get_data(as_text=True)
    # Demo Retail's leader reads Italian: 2 against the network's 3, 4, 4 (of 2, 3, 4, 4, 5).
    assert "Mediana della rete" in page and "≈ 3,0" in page and "≈ 4,0" in page and "cf-pos-behind" in page
    assert "dietro la maggior parte della rete" in page
    assert "Beta" not in page and "Gamma" not in page
    opted_in = db.session.scalars(select(Organisation.name).where(Organisation.benchmark_opt_in.is_(True))).all()
    assert len(opted_in) >= MIN_ORGANISATIONS
