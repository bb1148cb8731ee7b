"""A campaign's results as each viewer may see them: scores, breakdowns, gaps, trend, reliability, comments.

Everything is computed from scoring.py's grouped SQL tallies (one GROUP BY per breakdown, whatever the number of
teams) and every group figure passes through suppression.suppressed(): the team tree, the job roles and the
leadership split each form one suppression problem under the organisation total. A hidden figure is a `HIDDEN`
value with no number at all, not even its number of respondents.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from flask import g, has_request_context
from sqlalchemy import func, or_, select

from ..extensions import db
from ..modules.personalisation import PillarFocus
from ..orgs.models import JobRole, Person, Team
from ..pillars import PILLAR_LABELS, PILLARS
from .answering import campaign_team_ids
from .campaigns import LOW_TURNOUT_PERCENT, campaign_threshold
from .models import Campaign, Comment, Response
from .scoring import Reliability, Tally, cronbach_alpha, item_tallies, pillar_tallies, respondent_counts
from .suppression import ROOT, Group, across_breakdowns, suppressed

#: A reliability below this is flagged.
ACCEPTABLE_ALPHA = 0.7
#: How many of the widest leadership/everyone gaps are highlighted.
WIDEST_GAPS = 2
LEADERSHIP, OTHERS = "leadership", "others"

_shuffle = random.SystemRandom().shuffle


class ResultsRefused(Exception):
    """A results request that must not be answered with data.

    code: "hidden" (the filter would isolate a group below the threshold), "unknown" (no such group in the
    viewer's reach), "one-filter" (team and job role together would isolate their intersection), "no-access".
    """

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# What pages, CSV and PDF receive ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Figure:
    """One group's result on one pillar (or item); when hidden, every number is None."""

    hidden: bool
    score: float | None = None
    favourable: float | None = None
    neutral: float | None = None
    unfavourable: float | None = None
    respondents: int | None = None
    small_sample: bool = False

    @classmethod
    def of(cls, tally: Tally | None) -> Figure:
        if tally is None or not tally.answers:
            return HIDDEN
        return cls(False, tally.mean, tally.percent("favourable"), tally.percent("neutral"),
                   tally.percent("unfavourable"), tally.respondents, tally.small_sample)


HIDDEN = Figure(hidden=True)


@dataclass(frozen=True)
class PillarResult:
    key: str
    label: str
    figure: Figure
    alpha: float | None = None
    alpha_n: int | None = None
    #: Change of the score since the previous closed campaign; None unless both are shown.
    change: float | None = None

    @property
    def alpha_flagged(self) -> bool:
        return self.alpha is None or self.alpha < ACCEPTABLE_ALPHA


@dataclass(frozen=True)
class HeatmapRow:
    key: int | str | None
    label: str
    hidden: bool
    #: Figures in PILLARS order.
    cells: tuple[Figure, ...]
    respondents: int | None = None
    depth: int = 0
    #: The label within its parent's row (a sub-team's own name); `label` is the full path.
    short_label: str = ""

    @property
    def display_label(self) -> str:
        return self.short_label or self.label


@dataclass(frozen=True)
class GapRow:
    pillar: str
    label: str
    leadership: Figure
    others: Figure
    #: Leadership's score minus everyone else's.
    gap: float | None
    widest: bool = False


@dataclass(frozen=True)
class ItemResult:
    key: str
    text: str
    reverse: bool
    figure: Figure


@dataclass(frozen=True)
class PillarItems:
    key: str
    label: str
    items: tuple[ItemResult, ...]


@dataclass(frozen=True)
class QuestionComments:
    key: str
    text: str
    #: In a random order, without their group or date.
    comments: tuple[str, ...]


@dataclass
class CampaignResults:
    campaign_id: int
    title: str
    status: str
    closes_on: date
    threshold: int
    #: "organisation" (leaders, admins and the employee summary) or "teams" (a manager's own teams).
    scope: str
    #: False when even the organisation total is below the threshold: nothing but that is said.
    visible: bool
    #: What the overview describes: the organisation, a filtered team or job role, or a manager's team.
    focus_label: str = ""
    #: ("team" | "job_role", id) when a filter is applied.
    filter: tuple[str, int] | None = None
    respondents: int | None = None
    invited: int | None = None
    pillars: list[PillarResult] = field(default_factory=list)
    team_rows: list[HeatmapRow] = field(default_factory=list)
    role_rows: list[HeatmapRow] = field(default_factory=list)
    gaps: list[GapRow] = field(default_factory=list)
    gap_hidden: bool = False
    items: list[PillarItems] = field(default_factory=list)
    comments: list[QuestionComments] = field(default_factory=list)
    previous_title: str | None = None
    #: Teams a manager may filter on (id, label), or every team for leaders; job roles likewise.
    team_choices: list[tuple[int, str]] = field(default_factory=list)
    role_choices: list[tuple[int, str]] = field(default_factory=list)

    @property
    def focus_visible(self) -> bool:
        return any(not p.figure.hidden for p in self.pillars)

    @property
    def turnout_percent(self) -> int | None:
        if self.respondents is None or not self.invited:
            return None
        return round(100 * self.respondents / self.invited)

    @property
    def turnout_low(self) -> bool:
        percent = self.turnout_percent
        return percent is not None and percent < LOW_TURNOUT_PERCENT

    @property
    def widest_gaps(self) -> list[GapRow]:
        return [row for row in self.gaps if row.widest]

    def scores(self) -> list[float | None]:
        return [None if p.figure.hidden else p.figure.score for p in self.pillars]


# The analysis: every tally and what suppression hides ----------------------------------------------------

@dataclass
class _Analysis:
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


def analyse(campaign: Campaign) -> _Analysis:
    """Every tally of a campaign and the groups suppression hides, in a fixed number of queries."""
    cache = g.setdefault("_campaign_analyses", {}) if has_request_context() else {}
    if campaign.id in cache:
        return cache[campaign.id]
    threshold = campaign_threshold(campaign)
    overall = {pillar: tally for (_none, pillar), tally in pillar_tallies(campaign.id).items()}
    teams = {team_id: (parent_id, name) for team_id, parent_id, name in db.session.execute(
        select(Team.id, Team.parent_id, Team.name).where(Team.organisation_id == campaign.organisation_id))}
    direct_n = respondent_counts(campaign.id, Response.team_id)
    total = sum(direct_n.values())
    direct_tallies = _by_group(pillar_tallies(campaign.id, group_by=Response.team_id))

    invited = campaign_team_ids(campaign)
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

    role_names = select(JobRole.id, JobRole.name_en, JobRole.name_it).where(
        JobRole.organisation_id == campaign.organisation_id)
    roles = {role_id: (en, it) for role_id, en, it in db.session.execute(role_names)}
    role_n = {
        role_id: n for role_id, n in respondent_counts(campaign.id, Response.job_role_id).items() if role_id is not None
    }
    role_n.update({role_id: 0 for role_id in roles if role_id not in role_n})
    role_tallies = _by_group(pillar_tallies(campaign.id, group_by=Response.job_role_id))
    # Respondents without a job role are the remainder under the organisation total.
    role_groups = [Group(r, n) for r, n in role_n.items()]

    split = respondent_counts(campaign.id, Response.leadership)
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
        side = LEADERSHIP if leadership else OTHERS
        if role_id is not None:
            role_split[(role_id, side)] = role_split.get((role_id, side), 0) + n
        node = team_id
        while node is not None and node in teams:
            if node in team_n:
                if role_id is not None:
                    team_role[(node, role_id)] = team_role.get((node, role_id), 0) + n
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
    analysis = _Analysis(
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
    cache[campaign.id] = analysis
    return analysis


# Who may see what ----------------------------------------------------------------------------------------


def sees_organisation(viewer: Person) -> bool:
    return viewer.can("leader") or viewer.can("admin")


def manager_team_ids(viewer: Person) -> set[int]:
    """A manager's teams: their own team with its sub-teams, and the teams of their direct reports."""
    rows = db.session.execute(
        select(Team.id, Team.parent_id).where(Team.organisation_id == viewer.organisation_id)
    ).all()
    children: dict[int | None, list[int]] = {}
    for team_id, parent_id in rows:
        children.setdefault(parent_id, []).append(team_id)
    result: set[int] = set()
    stack = [viewer.team_id] if viewer.team_id is not None else []
    while stack:
        node = stack.pop()
        if node not in result:
            result.add(node)
            stack.extend(children.get(node, []))
    result |= set(db.session.scalars(
            select(Person.team_id).where(
                Person.manager_id == viewer.id, Person.active.is_(True), Person.team_id.is_not(None)
            )
        ))
    return result


def results_campaign_for(viewer: Person, campaign: Campaign) -> bool:
    """Whether the viewer may open the results pages of the campaign at all (not what they show)."""
    return campaign.organisation_id == viewer.organisation_id and (sees_organisation(viewer) or viewer.can("manager"))


# Building the results -------------------------------------------------------------------------------------


def _role_name(analysis: _Analysis, role_id: int, language: str) -> str:
    en, it = analysis.roles.get(role_id, ("", ""))
    return it if language == "it" and it else en


def _row(
    key, label, hidden: bool, tallies: dict[str, Tally], n: int | None, depth: int = 0, short_label: str = ""
) -> HeatmapRow:
    if hidden:
        return HeatmapRow(key, label, True, tuple(HIDDEN for _ in PILLARS), None, depth, short_label)
    return HeatmapRow(key, label, False, tuple(Figure.of(tallies.get(p)) for p in PILLARS), n, depth, short_label)


def _team_rows(analysis: _Analysis, reach: set[int] | None) -> list[HeatmapRow]:
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
                    depth,
                    analysis.teams[team_id][1] if depth else "",
                )
            )
            walk(team_id, depth + 1)

    walk(ROOT, 0)
    return rows


def _role_rows(analysis: _Analysis, language: str) -> list[HeatmapRow]:
    rows = [
        _row(
            role_id,
            _role_name(analysis, role_id, language),
            not analysis.role_visible(role_id),
            analysis.role_tallies.get(role_id, {}),
            analysis.role_n[role_id],
        )
        for role_id in analysis.role_n
    ]
    return sorted(rows, key=lambda r: r.label.lower())


def _gaps(analysis: _Analysis) -> tuple[list[GapRow], bool]:
    hidden = not analysis.visible or bool({LEADERSHIP, OTHERS} & analysis.hidden_split)
    rows = []
    for pillar in PILLARS:
        if hidden:
            rows.append(GapRow(pillar, str(PILLAR_LABELS[pillar]), HIDDEN, HIDDEN, None))
            continue
        lead = Figure.of(analysis.split_tallies[LEADERSHIP].get(pillar))
        others = Figure.of(analysis.split_tallies[OTHERS].get(pillar))
        gap = lead.score - others.score if lead.score is not None and others.score is not None else None
        rows.append(GapRow(pillar, str(PILLAR_LABELS[pillar]), lead, others, gap))
    ranked = sorted((r for r in rows if r.gap is not None), key=lambda r: -abs(r.gap))[:WIDEST_GAPS]
    widest = {r.pillar for r in ranked if abs(r.gap) > 0}
    return [GapRow(r.pillar, r.label, r.leadership, r.others, r.gap, r.pillar in widest) for r in rows], hidden


@dataclass(frozen=True)
class _Focus:
    """The group the overview describes and how to select its responses and comments."""

    label: str
    visible: bool
    tallies: dict[str, Tally]
    where: tuple
    comment_where: tuple
    kind: str = "organisation"
    key: int | None = None


def _focus(analysis: _Analysis, kind: str, key: int | None, language: str) -> _Focus:
    from flask_babel import gettext as _

    if kind == "team":
        subtree = analysis.subtree(key)
        visible_teams = [t for t in subtree if analysis.team_visible(t)]
        return _Focus(
            analysis.path(key),
            analysis.team_visible(key),
            analysis.team_tallies.get(key, {}),
            (Response.team_id.in_(subtree),),
            (Comment.team_id.in_(visible_teams),),
            "team",
            key,
        )
    if kind == "job_role":
        return _Focus(
            _role_name(analysis, key, language),
            analysis.role_visible(key),
            analysis.role_tallies.get(key, {}),
            (Response.job_role_id == key,),
            (Comment.job_role_id == key,),
            "job_role",
            key,
        )
    return _Focus(_("The whole organisation"), analysis.visible, analysis.overall, (), ())


def _previous_campaign(campaign: Campaign) -> Campaign | None:
    return db.session.scalar(
        select(Campaign)
        .where(
            Campaign.organisation_id == campaign.organisation_id,
            Campaign.status == "closed",
            Campaign.id != campaign.id,
            or_(
                Campaign.closes_on < campaign.closes_on,
                (Campaign.closes_on == campaign.closes_on) & (Campaign.id < campaign.id),
            ),
        )
        .order_by(Campaign.closes_on.desc(), Campaign.id.desc())
        .limit(1)
    )


def _comments(campaign: Campaign, where: tuple, language: str) -> list[QuestionComments]:
    texts: dict[str, list[str]] = {}
    for question_key, text in db.session.execute(
        select(Comment.question_key, Comment.text).where(Comment.campaign_id == campaign.id, *where)
    ):
        texts.setdefault(question_key, []).append(text)
    result = []
    for question in campaign.instrument.open_questions:
        found = texts.get(question["key"], [])
        _shuffle(found)
        result.append(
            QuestionComments(question["key"], question["text"].get(language) or question["text"]["en"], tuple(found))
        )
    return result


def _items(campaign: Campaign, where: tuple, language: str) -> list[PillarItems]:
    tallies = item_tallies(campaign.id, where)
    return [
        PillarItems(
            pillar["key"],
            str(PILLAR_LABELS.get(pillar["key"], pillar["key"])),
            tuple(
                ItemResult(
                    item["key"],
                    item["text"].get(language) or item["text"]["en"],
                    item["reverse"],
                    Figure.of(tallies.get(item["key"])),
                )
                for item in pillar["items"]
            ),
        )
        for pillar in campaign.instrument.pillars
    ]


def campaign_results(
    campaign: Campaign, viewer: Person, language: str = "en", team_id: int | None = None, job_role_id: int | None = None
) -> CampaignResults:
    """The results the viewer may see, optionally for one team or one job role.

    Raises ResultsRefused when the viewer may not see results at all, or when a filter names a group that is
    hidden or outside the viewer's reach.
    """
    if not results_campaign_for(viewer, campaign):
        raise ResultsRefused("no-access")
    if team_id is not None and job_role_id is not None:
        raise ResultsRefused("one-filter")
    analysis = analyse(campaign)
    organisation_wide = sees_organisation(viewer)
    reach = None if organisation_wide else manager_team_ids(viewer)
    result = CampaignResults(
        campaign.id,
        campaign.title,
        campaign.status,
        campaign.closes_on,
        analysis.threshold,
        "organisation" if organisation_wide else "teams",
        analysis.visible,
    )
    if team_id is not None:
        if team_id not in analysis.team_n or (reach is not None and team_id not in reach):
            raise ResultsRefused("unknown")
        if not analysis.team_visible(team_id):
            raise ResultsRefused("hidden")
        focus = _focus(analysis, "team", team_id, language)
        result.filter = ("team", team_id)
    elif job_role_id is not None:
        if not organisation_wide or job_role_id not in analysis.roles:
            raise ResultsRefused("unknown")
        if not analysis.role_visible(job_role_id):
            raise ResultsRefused("hidden")
        focus = _focus(analysis, "job_role", job_role_id, language)
        result.filter = ("job_role", job_role_id)
    elif organisation_wide:
        focus = _focus(analysis, "organisation", None, language)
    else:
        own = viewer.team_id if viewer.team_id in analysis.team_n else None
        focus = (
            _focus(analysis, "team", own, language)
            if own is not None
            else _Focus("", False, {}, (Response.id.is_(None),), (Comment.id.is_(None),), "team")
        )
    if not analysis.visible:
        return result  # below the threshold as a whole: nothing else is said

    result.focus_label = focus.label
    if organisation_wide:
        result.respondents, result.invited = analysis.total, campaign.invited_count
    result.team_rows = _team_rows(analysis, reach)
    result.team_choices = [(row.key, row.label) for row in result.team_rows if not row.hidden]
    if organisation_wide:
        result.role_rows = _role_rows(analysis, language)
        result.role_choices = [(row.key, row.label) for row in result.role_rows if not row.hidden]
        result.gaps, result.gap_hidden = _gaps(analysis)
    if not focus.visible:
        result.pillars = [PillarResult(p, str(PILLAR_LABELS[p]), HIDDEN) for p in PILLARS]
        return result

    reliability = cronbach_alpha(campaign.id, focus.where)
    changes = _changes(campaign, focus, language)
    result.pillars = [
        PillarResult(
            p, str(PILLAR_LABELS[p]), Figure.of(focus.tallies.get(p)), *_alpha(reliability.get(p)), changes.get(p)
        )
        for p in PILLARS
    ]
    result.previous_title = changes.get("_title")
    result.items = _items(campaign, focus.where, language)
    comment_where = focus.comment_where
    if reach is not None:
        # A manager reads only comments whose own team is one of theirs and shown.
        teams = reach if result.filter is None else reach & analysis.subtree(focus.key)
        comment_where = (Comment.team_id.in_([t for t in teams if analysis.team_visible(t)]),)
    result.comments = _comments(campaign, comment_where, language)
    return result


def _alpha(reliability: Reliability | None) -> tuple[float | None, int | None]:
    if reliability is None:
        return None, None
    return reliability.alpha, reliability.n


def _changes(campaign: Campaign, focus: _Focus, language: str) -> dict:
    """Per pillar change since the previous closed campaign, where the same group is shown in both."""
    previous = _previous_campaign(campaign)
    if previous is None:
        return {}
    before = analyse(previous)
    if focus.kind == "team":
        shown, tallies = before.team_visible(focus.key), before.team_tallies.get(focus.key, {})
    elif focus.kind == "job_role":
        shown, tallies = before.role_visible(focus.key), before.role_tallies.get(focus.key, {})
    else:
        shown, tallies = before.visible, before.overall
    if not shown:
        return {"_title": previous.title}
    changes: dict = {"_title": previous.title}
    for pillar in PILLARS:
        now, then = focus.tallies.get(pillar), tallies.get(pillar)
        if now is not None and then is not None and now.mean is not None and then.mean is not None:
            changes[pillar] = now.mean - then.mean
    return changes


def organisation_summary(campaign: Campaign) -> CampaignResults:
    """What every employee sees once the campaign is closed: the organisation's pillar figures, no breakdowns."""
    analysis = analyse(campaign)
    result = CampaignResults(
        campaign.id,
        campaign.title,
        campaign.status,
        campaign.closes_on,
        analysis.threshold,
        "organisation",
        analysis.visible and campaign.status == "closed",
    )
    if result.visible:
        from flask_babel import gettext as _

        result.focus_label = _("The whole organisation")
        result.respondents = analysis.total
        result.pillars = [PillarResult(p, str(PILLAR_LABELS[p]), Figure.of(analysis.overall.get(p))) for p in PILLARS]
    return result


def latest_closed_campaign(organisation_id: int) -> Campaign | None:
    return db.session.scalar(
        select(Campaign)
        .where(Campaign.organisation_id == organisation_id, Campaign.status == "closed")
        .order_by(Campaign.closes_on.desc(), Campaign.id.desc())
        .limit(1)
    )


# The training hook ----------------------------------------------------------------------------------------


def weakest_pillars_for(person: Person) -> PillarFocus | None:
    """The two lowest pillars of the person's team in the latest closed campaign, else of the organisation.

    Only figures that may be shown are used (the team must be visible in the team tree; the organisation
    total at or above the threshold); never anybody's individual answers.
    """
    # Team reports ask once per team: within a request, the campaign is looked up once.
    latest = g.setdefault("_latest_closed_campaign", {}) if has_request_context() else {}
    if person.organisation_id not in latest:
        latest[person.organisation_id] = latest_closed_campaign(person.organisation_id)
    campaign = latest[person.organisation_id]
    if campaign is None:
        return None
    analysis = analyse(campaign)
    if person.team_id is not None and analysis.team_visible(person.team_id):
        tallies, scope = analysis.team_tallies[person.team_id], "team"
    elif analysis.visible:
        tallies, scope = analysis.overall, "organisation"
    else:
        return None
    scored = [(tallies[p].mean, p) for p in PILLARS if p in tallies and tallies[p].mean is not None]
    if not scored:
        return None
    weakest = sorted(scored, key=lambda pair: (pair[0], PILLARS.index(pair[1])))[:2]
    return PillarFocus(tuple(p for _score, p in weakest), scope)


# The scorecard hook ---------------------------------------------------------------------------------------


def team_snapshots(campaign: Campaign, team_ids) -> dict[int, dict[str, float] | None]:
    """Each team's pillar scores (its sub-teams included) in the campaign, or None where the team's figure may not
    be shown; one analysis for all the teams."""
    analysis = analyse(campaign)
    snapshots: dict[int, dict[str, float] | None] = {}
    for team_id in team_ids:
        if team_id is None or not analysis.team_visible(team_id):
            snapshots[team_id] = None
            continue
        tallies = analysis.team_tallies[team_id]
        snapshots[team_id] = {p: tallies[p].mean for p in PILLARS if p in tallies and tallies[p].mean is not None}
    return snapshots
