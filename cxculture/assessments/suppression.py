"""Which groups' results may be shown: the one place every output (page, chart, CSV, PDF, agenda) asks.

Primary suppression hides a group with fewer respondents than the threshold. Complementary suppression then
hides more, wherever a hidden group could be recovered by subtraction: when a shown parent's total minus its
shown parts would leave exactly one small unknown (a hidden child, or the parent's own members outside every
child), the smallest shown sibling is hidden too — or, if there is none, the parent itself. This repeats
until nothing changes, so a hidden parent's own parent is checked again. Across breakdowns (teams, job
roles, leadership), a shown group that contains another shown group and differs from it by fewer people than
the threshold hides the smaller one (across_breakdowns); callers repeat both checks until nothing changes.
Not covered: differences that need three or more groups of different breakdowns at once.
"""
from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

#: The whole organisation: the root of every breakdown.
ROOT = "__organisation__"


@dataclass(frozen=True)
class Group:
    key: Hashable
    #: Respondents in the group, its sub-groups included.
    n: int
    #: The group whose total includes this one; ROOT for a top-level group.
    parent: Hashable = ROOT


def suppressed(groups: list[Group], total: int, threshold: int,
               also_hidden: frozenset | set = frozenset()) -> set[Hashable]:
    """Keys of the groups that must not be shown (ROOT among them when even the total is too small).

    `also_hidden` are groups another breakdown requires hidden (see across_breakdowns); their siblings are
    then protected like any hidden group's.
    """
    if total < threshold:
        return {g.key for g in groups} | {ROOT}
    sizes = {g.key: g.n for g in groups}
    sizes[ROOT] = total
    children: dict[Hashable, list[Hashable]] = {}
    for group in groups:
        children.setdefault(group.parent, []).append(group.key)
    hidden = {key for key, n in sizes.items() if 0 < n < threshold or (n == 0 and key != ROOT)}
    hidden |= set(also_hidden) & set(sizes)
    changed = True
    while changed:
        changed = False
        for parent, kids in children.items():
            if parent in hidden:
                continue
            remainder = sizes[parent] - sum(sizes[k] for k in kids)
            unknown = [k for k in kids if k in hidden and sizes[k] > 0]
            small_remainder = 0 < remainder < threshold
            unknown_parts = len(unknown) + (1 if remainder > 0 else 0)
            if unknown_parts != 1 or not (unknown or small_remainder):
                continue
            shown = sorted((k for k in kids if k not in hidden), key=lambda k: (sizes[k], str(k)))
            hidden.add(shown[0] if shown else parent)
            changed = True
    return hidden


def across_breakdowns(sizes_a: dict, sizes_b: dict, overlap: dict[tuple, int], hidden_a: set, hidden_b: set,
                      threshold: int) -> tuple[set, set]:
    """Groups to hide because two breakdowns of the same people give one away by subtraction.

    When a shown group of one breakdown (a team) contains a shown group of the other (a job role) and they
    differ by fewer people than the threshold, the difference would be a small group's figure: the smaller of
    the two is hidden. `overlap` counts respondents in both, by (key of a, key of b).
    """
    more_a, more_b = set(), set()
    for (key_a, key_b), both in overlap.items():
        if key_a in hidden_a or key_b in hidden_b or not both:
            continue
        n_a, n_b = sizes_a.get(key_a, 0), sizes_b.get(key_b, 0)
        if both == n_b and 0 < n_a - both < threshold:
            more_b.add(key_b)
        elif both == n_a and 0 < n_b - both < threshold:
            more_a.add(key_a)
    return more_a, more_b


def visible(key: Hashable, hidden: set[Hashable]) -> bool:
    return key not in hidden
