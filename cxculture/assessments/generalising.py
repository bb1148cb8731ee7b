"""Generalising stored groups until each holds enough people: pure functions, no database.

A response is stored under a group (team, job role, leadership). Someone who reads the database knows every
person's team, job role and leadership, so a group of one would name its respondent. `generalise` maps every
group to a coarser one until each stored group holds at least `threshold` people (invited people when a campaign
opens, responses when it closes). One step coarser means, in this order: forget the job role; replace the team
by its parent (up to no team at all); forget leadership. The smallest, most specific group is generalised first,
so large groups keep all their detail. When even everything together is too small, everything ends in the one
group (None, None, None).
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping

StoredGroup = tuple[int | None, int | None, bool | None]
ANY: StoredGroup = (None, None, None)


def coarser(group: StoredGroup, parents: Mapping[int, int | None]) -> StoredGroup:
    """The group one step coarser; ANY stays ANY."""
    team, role, leadership = group
    if role is not None:
        return team, None, leadership
    if team is not None:
        return parents.get(team), None, leadership
    return ANY


def generalise(counts: Mapping[StoredGroup, int], parents: Mapping[int, int | None],
               threshold: int) -> dict[StoredGroup, StoredGroup]:
    """{group: the group it is stored under} so that every stored group with anyone in it holds at least
    `threshold` (unless all of them together hold fewer: then everything is stored under ANY).

    One pass from the most specific groups to the least: a group receives people only from more specific ones,
    so its size is final when its turn comes. O(groups x depth of the team tree).
    """
    mapping = {group: group for group, n in counts.items() if n > 0}
    stored: Counter = Counter()
    members: dict[StoredGroup, list[StoredGroup]] = defaultdict(list)
    for group in mapping:
        stored[group] += counts[group]
        members[group].append(group)

    def move(victim: StoredGroup, target: StoredGroup) -> None:
        for group in members.pop(victim):
            mapping[group] = target
            members[target].append(group)
        stored[target] += stored.pop(victim)

    for group in [g for g in stored if g[1] is not None]:  # 1. the job role, within its team
        if stored[group] < threshold:
            move(group, coarser(group, parents))
    depth = _depths(parents)
    by_depth: dict[int, list[StoredGroup]] = defaultdict(list)
    for group in list(stored):
        by_depth[depth.get(group[0], 0) if group[0] is not None else 0].append(group)
    for level in sorted(by_depth, reverse=True):  # 2. the team, deepest first, up to no team at all
        if level == 0:
            continue
        for group in by_depth[level]:
            if group in stored and stored[group] < threshold:
                target = coarser(group, parents)
                move(group, target)
                by_depth[depth.get(target[0], 0) if target[0] is not None else 0].append(target)
    for group in [g for g in stored if g != ANY]:  # 3. leadership, with no team left
        if group in stored and stored[group] < threshold:
            move(group, ANY)
    while ANY in stored and stored[ANY] < threshold and len(stored) > 1:  # 4. everything else, smallest first
        move(min((g for g in stored if g != ANY), key=lambda g: (stored[g], repr(g))), ANY)
    return mapping


def _depths(parents: Mapping[int, int | None]) -> dict[int, int]:
    """Each team's depth in the tree (a top-level team is 1)."""
    depth: dict[int, int] = {}
    for team in parents:
        chain, node = [], team
        while node is not None and node not in depth and node not in chain:
            chain.append(node)
            node = parents.get(node)
        base = depth.get(node, 0) if node is not None else 0
        for offset, member in enumerate(reversed(chain), start=1):
            depth[member] = base + offset
    return depth
