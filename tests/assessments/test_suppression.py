"""Suppression: small groups and everything that would let them be recovered by subtraction."""
import pytest

from cxculture.assessments.suppression import ROOT, Group, suppressed


def test_small_group_is_hidden_and_its_only_sibling_too():
    # The issue's own example: parent 12 = 9 + 3 hides both.
    groups = [Group("dept", 12), Group("a", 9, "dept"), Group("b", 3, "dept")]
    assert suppressed(groups, total=20, threshold=5) == {"b", "a"}


def test_next_smallest_sibling_is_the_one_hidden():
    groups = [Group("a", 20), Group("b", 8), Group("c", 6), Group("d", 2)]
    assert suppressed(groups, total=36, threshold=5) == {"d", "c"}


def test_two_hidden_siblings_need_nothing_more():
    groups = [Group("a", 20), Group("b", 3), Group("c", 4)]
    assert suppressed(groups, total=27, threshold=5) == {"b", "c"}


def test_everything_shown_when_large_enough():
    groups = [Group("a", 10), Group("b", 7)]
    assert suppressed(groups, total=17, threshold=5) == set()


def test_small_remainder_of_direct_members_counts_as_a_hidden_part():
    # Department of 12: one team of 10 plus 2 people directly in the department.
    groups = [Group("dept", 12), Group("team", 10, "dept")]
    assert suppressed(groups, total=12, threshold=5) == {"team"}


def test_large_remainder_protects_a_single_hidden_child():
    # 20 = team (3) + 17 unknown direct members: two unknowns, nothing more to hide.
    groups = [Group("dept", 20), Group("team", 3, "dept")]
    assert suppressed(groups, total=20, threshold=5) == {"team"}


def test_hidden_only_child_with_no_sibling_hides_the_parent():
    # dept = 8: team 4 + 4 direct. Remainder (4) and team (4) are both small: two unknowns -> fine.
    assert suppressed([Group("dept", 8), Group("team", 4, "dept")], total=30, threshold=5) == {"team"}
    # dept = 4 + nothing else: the dept itself is small.
    assert suppressed([Group("dept", 4), Group("team", 4, "dept")], total=30, threshold=5) >= {"dept", "team"}


def test_suppression_climbs_the_tree():
    # Hiding "sales" (complementary) leaves "ops" as the only other hidden part under the root? No:
    # root 30 = sales 12 + ops 18; sales = milano 9 + roma 3 -> roma, milano hidden; sales stays shown.
    groups = [Group("sales", 12), Group("ops", 18), Group("milano", 9, "sales"), Group("roma", 3, "sales")]
    assert suppressed(groups, total=30, threshold=5) == {"roma", "milano"}
    # Now sales itself is small: root 22 = sales 4 + ops 18 -> sales hidden, ops hidden to protect it.
    groups = [Group("sales", 4), Group("ops", 18), Group("roma", 4, "sales")]
    assert suppressed(groups, total=22, threshold=5) == {"sales", "ops", "roma"}


def test_root_below_threshold_hides_everything():
    assert suppressed([Group("a", 2), Group("b", 2)], total=4, threshold=5) == {"a", "b", ROOT}


def test_perception_gap_split_is_protected():
    # Leadership (3) vs everyone else (40) under the organisation total: both must go.
    groups = [Group("leadership", 3), Group("others", 40)]
    assert suppressed(groups, total=43, threshold=5) == {"leadership", "others"}


def test_empty_groups_are_not_shown_but_do_not_force_more_hiding():
    groups = [Group("a", 10), Group("b", 0), Group("c", 7)]
    assert suppressed(groups, total=17, threshold=5) == {"b"}


@pytest.mark.parametrize("threshold", [3, 5, 8])
def test_no_hidden_group_is_recoverable_by_subtraction(threshold):
    """Brute force over small trees: for every shown parent, its shown parts never pin one hidden part."""
    import itertools

    for sizes in itertools.product([0, 2, 3, 4, 6, 9], repeat=3):
        a, b, c = sizes
        direct = 1
        groups = [Group("dept", a + b + direct), Group("a", a, "dept"), Group("b", b, "dept"), Group("c", c)]
        total = a + b + direct + c
        hidden = suppressed(groups, total, threshold)
        if ROOT in hidden:
            continue
        for parent, parts, rest in (("dept", ["a", "b"], direct), (ROOT, ["dept", "c"], 0)):
            if parent in hidden:
                continue
            unknown = [p for p in parts if p in hidden and {"a": a, "b": b, "c": c, "dept": a + b + direct}[p] > 0]
            if rest:
                unknown.append("rest")
            small = [u for u in unknown if (u == "rest" and rest < threshold) or
                     (u != "rest" and {"a": a, "b": b, "c": c, "dept": a + b + direct}[u] < threshold)]
            assert not (len(unknown) == 1 and small), (sizes, threshold, hidden)


def test_a_group_inside_another_breakdowns_group_cannot_be_subtracted():
    from cxculture.assessments.suppression import across_breakdowns

    # Team "back office" (6 respondents) holds all 5 of job role "back_office": 6 - 5 = one person.
    teams, roles = {"back office": 6, "stores": 20}, {"back_office": 5, "frontline": 21}
    overlap = {("back office", "back_office"): 5, ("back office", "frontline"): 1, ("stores", "frontline"): 20}
    more_teams, more_roles = across_breakdowns(teams, roles, overlap, set(), set(), threshold=5)
    # ... and front line (21) = the stores team (20) + the one front-line person in the back office.
    assert (more_teams, more_roles) == ({"stores"}, {"back_office"})
    # A difference at or above the threshold is safe.
    teams, roles = {"back office": 10, "stores": 20}, {"back_office": 5, "frontline": 25}
    overlap = {("back office", "back_office"): 5, ("back office", "frontline"): 5, ("stores", "frontline"): 20}
    assert across_breakdowns(teams, roles, overlap, set(), set(), 5) == (set(), set())
    # Already hidden groups are not counted twice.
    assert across_breakdowns({"t": 6}, {"r": 5}, {("t", "r"): 5}, set(), {"r"}, 5) == (set(), set())


def test_also_hidden_groups_get_their_siblings_protected():
    groups = [Group("a", 10), Group("b", 9), Group("c", 20)]
    assert suppressed(groups, total=39, threshold=5) == set()
    assert suppressed(groups, total=39, threshold=5, also_hidden={"a"}) == {"a", "b"}
