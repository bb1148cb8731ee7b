"""Every tally of a campaign and what suppression hides, and the breakdowns built from them.

Everything is computed from scoring.py's grouped SQL tallies (one GROUP BY per breakdown, whatever the number of
teams) and every group figure passes through suppression.suppressed(): the team tree, the job roles and the
leadership split each form one suppression problem under the organisation total, and across_breakdowns() keeps
one breakdown from being subtracted from another. The heatmap rows and the perception gaps only read this.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_request_context
from sqlalchemy import func, select

from ...extensions import db
from ...orgs.models import JobRole, Team
from ...pillars import PILLAR_LABELS, PILLARS
from ..anonymity import campaign_threshold
from ..answering import campaign_team_ids
from ..answers import Response
from ..closing import note_results_read
from ..models import Campaign, FrozenResult
from ..scoring import Tally, pillar_tallies, respondent_counts, tally_list
from ..snapshot import population_of
from ..suppression import ROOT, Group, across_breakdowns, suppressed
from .figures import HIDDEN, Figure, GapRow, HeatmapRow

#: How many of the widest leadership/everyone gaps are highlighted.
WIDEST_GAPS = 2
LEADERSHIP, OTHERS = "leadership", "others"


@dataclass
class Analysis:
    """Every tally of one campaign by breakdown, and the groups suppression hides (built by analyse())."""

    campaign: Campaign
    threshold: int
    total: int
    overall: dict[str, Tally]
    teams: dict[int, tuple[int | None, str]]  #: id -> (parent id, name) of every team of the organisation
    team_parent: dict[int, object]  #: included team -> its parent in the suppression tree (or ROOT)
    team_n: dict[int, int]  #: rolled up: a team and its sub-teams
    team_tallies: dict[int, dict[str, Tally]]  #: rolled up likewise
    hidden_teams: set
    roles: dict[int, tuple[str, str]]  #: id -> (English name, Italian name)
    role_n: dict[int, int]
    role_tallies: dict[int, dict[str, Tally]]
    hidden_roles: set
    split_n: dict[str, int]
    split_tallies: dict[str, dict[str, Tally]]
    hidden_split: set

    @property
    def visible(self) -> bool:
        return ROOT not in self.hidden_teams

    def team_visible(self, team_id) -> bool:
        return self.visible and team_id in self.team_n and team_id not in self.hidden_teams

    def role_visible(self, role_id) -> bool:
        return self.visible and role_id in self.role_n and role_id not in self.hidden_roles

    def subtree(self, team_id: int) -> set[int]:
        children: dict[int | None, list[int]] = {}
        for key, (parent, _name) in self.teams.items():
            children.setdefault(parent, []).append(key)
        result, stack = set(), [team_id]
        while stack:
            node = stack.pop()
            if node not in result:
                result.add(node)
                stack.extend(children.get(node, []))
        return result

    def path(self, team_id: int) -> str:
        names, node, seen = [], team_id, set()
        while node is not None and node in self.teams and node not in seen:
            seen.add(node)
            parent, name = self.teams[node]
            names.append(name)
            node = parent
        return "/".join(reversed(names))


def _by_group(tallies: dict[tuple, Tally]) -> dict[object, dict[str, Tally]]:
    result: dict[object, dict[str, Tally]] = {}
    for (group, pillar), tally in tallies.items():
        result.setdefault(group, {})[pillar] = tally
    return result


def analyse(campaign: Campaign, read: bool = True) -> Analysis:
    """Every tally of a campaign and the groups suppression hides: a closed campaign's as frozen when it closed
    (one query), an open one's computed from its answers in a fixed number of queries.

    A closed campaign's results count as read (closing.note_results_read) unless `read` is False: only the
    training hook passes that, as it shows nobody a figure (it picks the modules a team's weakest pillars add).
    """
    if read and campaign.status == "closed":
        note_results_read([campaign.id])
    cache = g.setdefault("_campaign_analyses", {}) if has_request_context() else {}
    if campaign.id in cache:
        return cache[campaign.id]
    frozen = frozen_focus(campaign, "analysis") if campaign.status == "closed" else None
    analysis = analysis_from_data(campaign, frozen) if frozen is not None else compute_analysis(campaign)
    cache[campaign.id] = analysis
    return analysis


def frozen_focus(campaign: Campaign, focus: str) -> dict | None:
    """One of the figures kept when the campaign closed (closing.freeze_results), or None."""
    return db.session.scalar(select(FrozenResult.data).where(FrozenResult.campaign_id == campaign.id,
                                                             FrozenResult.focus == focus))


def compute_analysis(campaign: Campaign) -> Analysis:
    """The analysis from the campaign's answers and its frozen population."""
    threshold = campaign_threshold(campaign)
    overall = {pillar: tally for (_none, pillar), tally in pillar_tallies(campaign.id).items()}
    population = population_of(campaign)
    if population is not None:
        teams, roles, invited = population.teams, population.roles, population.invited_teams
    else:
        teams = {team_id: (parent_id, name) for team_id, parent_id, name in db.session.execute(
            select(Team.id, Team.parent_id, Team.name).where(Team.organisation_id == campaign.organisation_id))}
        role_names = select(JobRole.id, JobRole.name_en, JobRole.name_it).where(
            JobRole.organisation_id == campaign.organisation_id)
        roles = {role_id: (en, it) for role_id, en, it in db.session.execute(role_names)}
        invited = campaign_team_ids(campaign)
    direct_n = respondent_counts(campaign.id, Response.team_id)
    total = sum(direct_n.values())
    direct_tallies = _by_group(pillar_tallies(campaign.id, group_by=Response.team_id))

    included = set(teams) if invited is None else (invited & set(teams))
    included |= {t for t in direct_n if t in teams}
    # A team's figures include its sub-teams': a department is its teams plus its own people.
    team_n = dict.fromkeys(included, 0)
    team_tallies: dict[int, dict[str, Tally]] = {t: {} for t in included}
    for team_id in direct_n:
        node = team_id
        while node is not None and node in teams:
            if node in team_n:
                team_n[node] += direct_n[team_id]
                for pillar, tally in direct_tallies.get(team_id, {}).items():
                    team_tallies[node].setdefault(pillar, Tally()).add(tally)
            node = teams[node][0]

    def tree_parent(team_id: int):
        node = teams[team_id][0]
        while node is not None and node in teams:
            if node in included:
                return node
            node = teams[node][0]
        return ROOT

    team_parent = {t: tree_parent(t) for t in included}
    team_groups = [Group(t, team_n[t], team_parent[t]) for t in included]

    role_n = {
        role_id: n for role_id, n in respondent_counts(campaign.id, Response.job_role_id).items() if role_id is not None
    }
    role_n.update({role_id: 0 for role_id in roles if role_id not in role_n})
    by_role = _by_group(pillar_tallies(campaign.id, group_by=Response.job_role_id))
    role_tallies = {role_id: tallies for role_id, tallies in by_role.items() if role_id is not None}
    # Respondents without a job role are the remainder under the organisation total.
    role_groups = [Group(r, n) for r, n in role_n.items()]

    split = respondent_counts(campaign.id, Response.leadership)
    # Responses whose group was generalised past leadership (None) are in neither side.
    split_n = {LEADERSHIP: split.get(True, 0), OTHERS: split.get(False, 0)}
    split_by_flag = _by_group(pillar_tallies(campaign.id, group_by=Response.leadership))
    split_tallies = {LEADERSHIP: split_by_flag.get(True, {}), OTHERS: split_by_flag.get(False, {})}
    split_groups = [Group(LEADERSHIP, split_n[LEADERSHIP]), Group(OTHERS, split_n[OTHERS])]

    # How the breakdowns overlap (a team's sub-teams included), so one cannot be subtracted from another.
    team_role: dict[tuple, int] = {}
    team_split: dict[tuple, int] = {}
    role_split: dict[tuple, int] = {}
    for team_id, role_id, leadership, n in db.session.execute(
        select(Response.team_id, Response.job_role_id, Response.leadership, func.count(Response.id))
        .where(Response.campaign_id == campaign.id)
        .group_by(Response.team_id, Response.job_role_id, Response.leadership)
    ):
        side = None if leadership is None else LEADERSHIP if leadership else OTHERS
        if role_id is not None and side is not None:
            role_split[(role_id, side)] = role_split.get((role_id, side), 0) + n
        node = team_id
        while node is not None and node in teams:
            if node in team_n:
                if role_id is not None:
                    team_role[(node, role_id)] = team_role.get((node, role_id), 0) + n
                if side is not None:
                    team_split[(node, side)] = team_split.get((node, side), 0) + n
            node = teams[node][0]

    extra_teams: set = set()
    extra_roles: set = set()
    extra_split: set = set()
    while True:
        hidden_teams = suppressed(team_groups, total, threshold, extra_teams)
        hidden_roles = suppressed(role_groups, total, threshold, extra_roles)
        hidden_split = suppressed(split_groups, total, threshold, extra_split)
        found = [
            across_breakdowns(team_n, role_n, team_role, hidden_teams, hidden_roles, threshold),
            across_breakdowns(team_n, split_n, team_split, hidden_teams, hidden_split, threshold),
            across_breakdowns(role_n, split_n, role_split, hidden_roles, hidden_split, threshold),
        ]
        new_teams = found[0][0] | found[1][0]
        new_roles = found[0][1] | found[2][0]
        new_split = found[1][1] | found[2][1]
        if not (new_teams - extra_teams or new_roles - extra_roles or new_split - extra_split):
            break
        extra_teams |= new_teams
        extra_roles |= new_roles
        extra_split |= new_split
    analysis = Analysis(
        campaign,
        threshold,
        total,
        overall,
        teams,
        team_parent,
        team_n,
        team_tallies,
        hidden_teams,
        roles,
        role_n,
        role_tallies,
        hidden_roles,
        split_n,
        split_tallies,
        hidden_split,
    )
    return analysis


def _tallies_data(tallies: dict[str, Tally]) -> dict[str, list[int]]:
    return {pillar: tally_list(tally) for pillar, tally in tallies.items()}


def _tallies(data: dict[str, list[int]]) -> dict[str, Tally]:
    return {pillar: Tally(*numbers) for pillar, numbers in data.items()}


def _key(value: str):
    """A JSON object key back to a team or job role id (ROOT and the split's names stay strings)."""
    return int(value) if value.lstrip("-").isdigit() else value


def analysis_data(analysis: Analysis) -> dict:
    """The analysis as JSON-ready values, to keep (closing.freeze_results)."""
    return {
        "threshold": analysis.threshold, "total": analysis.total, "overall": _tallies_data(analysis.overall),
        "teams": {str(k): list(v) for k, v in analysis.teams.items()},
        "team_parent": {str(k): v for k, v in analysis.team_parent.items()},
        "team_n": {str(k): v for k, v in analysis.team_n.items()},
        "team_tallies": {str(k): _tallies_data(v) for k, v in analysis.team_tallies.items()},
        "hidden_teams": sorted(map(str, analysis.hidden_teams)),
        "roles": {str(k): list(v) for k, v in analysis.roles.items()},
        "role_n": {str(k): v for k, v in analysis.role_n.items()},
        "role_tallies": {str(k): _tallies_data(v) for k, v in analysis.role_tallies.items()},
        "hidden_roles": sorted(map(str, analysis.hidden_roles)),
        "split_n": analysis.split_n,
        "split_tallies": {k: _tallies_data(v) for k, v in analysis.split_tallies.items()},
        "hidden_split": sorted(analysis.hidden_split),
    }


def analysis_from_data(campaign: Campaign, data: dict) -> Analysis:
    return Analysis(
        campaign, data["threshold"], data["total"], _tallies(data["overall"]),
        {int(k): (v[0], v[1]) for k, v in data["teams"].items()},
        {int(k): _key(str(v)) if v is not None else None for k, v in data["team_parent"].items()},
        {int(k): v for k, v in data["team_n"].items()},
        {int(k): _tallies(v) for k, v in data["team_tallies"].items()},
        {_key(k) for k in data["hidden_teams"]},
        {int(k): (v[0], v[1]) for k, v in data["roles"].items()},
        {int(k): v for k, v in data["role_n"].items()},
        {int(k): _tallies(v) for k, v in data["role_tallies"].items()},
        {_key(k) for k in data["hidden_roles"]},
        dict(data["split_n"]),
        {k: _tallies(v) for k, v in data["split_tallies"].items()},
        set(data["hidden_split"]),
    )


# Breakdowns: the heatmaps and the perception gaps ---------------------------------------------------------


def role_name(analysis: Analysis, role_id: int, language: str) -> str:
    en, it = analysis.roles.get(role_id, ("", ""))
    return it if language == "it" and it else en


def _row(
    key, label, hidden: bool, tallies: dict[str, Tally], n: int | None, threshold: int, depth: int = 0,
    short_label: str = ""
) -> HeatmapRow:
    if hidden:
        return HeatmapRow(key, label, True, tuple(HIDDEN for _ in PILLARS), None, depth, short_label)
    cells = tuple(Figure.of(tallies.get(p), threshold) for p in PILLARS)
    return HeatmapRow(key, label, False, cells, n, depth, short_label)


def team_rows(analysis: Analysis, reach: set[int] | None) -> list[HeatmapRow]:
    """Teams as a tree (each under its parent, by name); only the teams in `reach` when given."""
    included = set(analysis.team_n) if reach is None else set(analysis.team_n) & reach
    children: dict[object, list[int]] = {}
    for team_id in included:
        parent = analysis.team_parent[team_id]
        children.setdefault(parent if parent in included else ROOT, []).append(team_id)
    rows: list[HeatmapRow] = []

    def walk(parent, depth):
        for team_id in sorted(children.get(parent, []), key=lambda t: analysis.teams[t][1].lower()):
            rows.append(
                _row(
                    team_id,
                    analysis.path(team_id),
                    not analysis.team_visible(team_id),
                    analysis.team_tallies[team_id],
                    analysis.team_n[team_id],
                    analysis.threshold,
                    depth,
                    analysis.teams[team_id][1] if depth else "",
                )
            )
            walk(team_id, depth + 1)

    walk(ROOT, 0)
    return rows


def role_rows(analysis: Analysis, language: str) -> list[HeatmapRow]:
    rows = [
        _row(
            role_id,
            role_name(analysis, role_id, language),
            not analysis.role_visible(role_id),
            analysis.role_tallies.get(role_id, {}),
            analysis.role_n[role_id],
            analysis.threshold,
        )
        for role_id in analysis.role_n
    ]
    return sorted(rows, key=lambda r: r.label.lower())


def gaps(analysis: Analysis) -> tuple[list[GapRow], bool]:
    hidden = not analysis.visible or bool({LEADERSHIP, OTHERS} & analysis.hidden_split)
    rows = []
    for pillar in PILLARS:
        if hidden:
            rows.append(GapRow(pillar, str(PILLAR_LABELS[pillar]), HIDDEN, HIDDEN, None))
            continue
        lead = Figure.of(analysis.split_tallies[LEADERSHIP].get(pillar), analysis.threshold)
        others = Figure.of(analysis.split_tallies[OTHERS].get(pillar), analysis.threshold)
        gap = lead.score - others.score if lead.score is not None and others.score is not None else None
        rows.append(GapRow(pillar, str(PILLAR_LABELS[pillar]), lead, others, gap))
    ranked = sorted((r for r in rows if r.gap is not None), key=lambda r: -abs(r.gap))[:WIDEST_GAPS]
    widest = {r.pillar for r in ranked if abs(r.gap) > 0}
    return [GapRow(r.pillar, r.label, r.leadership, r.others, r.gap, r.pillar in widest) for r in rows], hidden
