"""A campaign's results page as one viewer may see it: overview, breakdowns, statements, comments, trend.

The leader's and admin's view covers the organisation, a manager's their own teams; a filter narrows the
overview to one team or job role. Every figure comes from analysis.analyse(), so what suppression hides is
never shown; comments are shown only for shown groups, in a random order, without their group or date.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from ...extensions import db
from ...orgs.models import Person
from ...pillars import PILLAR_LABELS, PILLARS
from ..answers import Comment, Response
from ..models import Campaign
from ..retention import comments_expired, comments_kept
from ..scoring import Reliability, Tally
from .access import manager_team_ids, results_campaign_for, results_refused, sees_organisation
from .analysis import Analysis, analyse, gaps, role_name, role_rows, team_rows
from .figures import (
    HIDDEN,
    CampaignResults,
    Figure,
    ItemResult,
    PillarItems,
    PillarResult,
    QuestionComments,
)
from .freezing import focus_moments

_shuffle = random.SystemRandom().shuffle


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


def _focus(analysis: Analysis, kind: str, key: int | None, language: str) -> _Focus:
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
            role_name(analysis, key, language),
            analysis.role_visible(key),
            analysis.role_tallies.get(key, {}),
            (Response.job_role_id == key,),
            (Comment.job_role_id == key,),
            "job_role",
            key,
        )
    return _Focus(_("The whole organisation"), analysis.visible, analysis.overall, (), ())


def _comparison(analysis: Analysis, focus: _Focus, reach: set[int] | None,
                language: str) -> tuple[str, list[Figure]]:
    """The group a filtered overview is drawn against, and its pillar figures; ("", []) when there is none.

    A viewer who sees the organisation compares a team or a job role with the whole organisation. A manager sees
    only their teams: when one of them holds all the others (their own team with its sub-teams), its figure is
    their teams together, already shown in their heatmap, and a sub-team is compared with it; otherwise their
    teams together are no group anyone has checked against the anonymity rules, so nothing is compared.
    """
    if reach is None:
        label, tallies = _focus(analysis, "organisation", None, language).label, analysis.overall
    else:
        mine = reach & set(analysis.team_n)
        top = next((team for team in mine if mine <= analysis.subtree(team)), None)
        if top is None or top == focus.key or not analysis.team_visible(top):
            return "", []
        label, tallies = analysis.path(top), analysis.team_tallies.get(top, {})
    if not analysis.visible:
        return "", []
    return label, [Figure.of(tallies.get(p), analysis.threshold) for p in PILLARS]


def _previous_campaign(campaign: Campaign) -> Campaign | None:
    return db.session.scalar(
        select(Campaign)
        .where(
            Campaign.organisation_id == campaign.organisation_id,
            Campaign.status == "closed",
            Campaign.kind == campaign.kind,
            Campaign.series_id.is_(campaign.series_id) if campaign.series_id is None
            else Campaign.series_id == campaign.series_id,
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


def _items(campaign: Campaign, tallies: dict[str, Tally], language: str, threshold: int) -> list[PillarItems]:
    return [
        PillarItems(
            pillar["key"],
            str(PILLAR_LABELS.get(pillar["key"], pillar["key"])),
            tuple(
                ItemResult(
                    item["key"],
                    item["text"].get(language) or item["text"]["en"],
                    item["reverse"],
                    Figure.of(tallies.get(item["key"]), threshold),
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

    Refuses when the viewer may not see results at all, or when a filter names a group that is
    hidden or outside the viewer's reach.
    """
    if not results_campaign_for(viewer, campaign):
        raise results_refused("no-access")
    if team_id is not None and job_role_id is not None:
        raise results_refused("one-filter")
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
            raise results_refused("unknown")
        if not analysis.team_visible(team_id):
            raise results_refused("hidden")
        focus = _focus(analysis, "team", team_id, language)
        result.filter = ("team", team_id)
    elif job_role_id is not None:
        if not organisation_wide or job_role_id not in analysis.roles:
            raise results_refused("unknown")
        if not analysis.role_visible(job_role_id):
            raise results_refused("hidden")
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
    result.team_rows = team_rows(analysis, reach)
    result.team_choices = [(row.key, row.label) for row in result.team_rows if not row.hidden]
    if organisation_wide:
        result.role_rows = role_rows(analysis, language)
        result.role_choices = [(row.key, row.label) for row in result.role_rows if not row.hidden]
        result.gaps, result.gap_hidden = gaps(analysis)
    if not focus.visible:
        result.pillars = [PillarResult(p, str(PILLAR_LABELS[p]), HIDDEN) for p in PILLARS]
        return result

    focus_figures = focus_moments(campaign, focus.kind, focus.key, focus.where)
    reliability = focus_figures.reliability()
    item_tallies = focus_figures.item_tallies()
    trend = _trend(campaign, analysis, focus, item_tallies, language)
    result.pillars = [
        PillarResult(
            p, str(PILLAR_LABELS[p]), Figure.of(focus.tallies.get(p), analysis.threshold),
            *_alpha(reliability.get(p)), *trend.changes.get(p, (None, None))
        )
        for p in PILLARS
    ]
    if result.filter is not None:
        result.comparison_label, result.comparison = _comparison(analysis, focus, reach, language)
    result.previous_title = trend.previous_title
    result.shared_statements = trend.shared
    result.dont_know_offered = campaign.instrument.offers_dont_know
    result.items = _items(campaign, item_tallies, language, analysis.threshold)
    comment_where = focus.comment_where
    if reach is not None:
        # A manager reads only comments whose own team is one of theirs and shown.
        teams = reach if result.filter is None else reach & analysis.subtree(focus.key)
        comment_where = (Comment.team_id.in_([t for t in teams if analysis.team_visible(t)]),)
    result.comments = _comments(campaign, comment_where, language)
    result.comments_expired = comments_expired(campaign)
    return result


def results_version(campaign: Campaign, viewer: Person, language: str, team_id: int | None = None,
                    job_role_id: int | None = None) -> tuple | None:
    """What a closed campaign's results page for this viewer depends on, as a key that changes whenever the page
    would; None for an open campaign, whose figures change with every answer.

    A closed campaign's figures are kept (closing.py) and change only when its threshold is raised (its comments
    go when the organisation's retention deletes them); the trend
    also reads the previous closed campaign; the rest is who may see what (the organisation, or a manager's
    teams), the filter and the language.
    """
    if campaign.status != "closed" or not results_campaign_for(viewer, campaign):
        return None
    previous = _previous_campaign(campaign)
    scope = "organisation" if sees_organisation(viewer) else tuple(sorted(manager_team_ids(viewer)))
    return (campaign.id, campaign.threshold, campaign.closed_at,
            previous and (previous.id, previous.threshold), scope, team_id, job_role_id, language,
            comments_expired(campaign), comments_kept(campaign))


def _alpha(reliability: Reliability | None) -> tuple[float | None, int | None]:
    if reliability is None:
        return None, None
    return reliability.alpha, reliability.n


@dataclass
class _Trend:
    """The change of each pillar since the previous closed campaign."""

    previous_title: str | None = None
    #: pillar -> (change, the previous score it is measured from), where both groups are shown.
    changes: dict[str, tuple[float, float]] = field(default_factory=dict)
    #: The number of statements both campaigns' questionnaires share, when they differ (None when they do not).
    shared: int | None = None


def shared_statements(campaign: Campaign, previous: Campaign) -> dict[str, str] | None:
    """{item key: pillar} of the statements both campaigns ask (same key, same pillar); None when both ask
    exactly the same ones."""
    now = {item["key"]: item["pillar"] for item in campaign.instrument.items}
    then = {item["key"]: item["pillar"] for item in previous.instrument.items}
    if now == then:
        return None
    return {key: pillar for key, pillar in now.items() if then.get(key) == pillar}


def _pillar_tallies_of(item_tallies: dict[str, Tally], statements: dict[str, str]) -> dict[str, Tally]:
    """Pillar tallies added up from the given statements' tallies only.

    Respondents are counted per statement, so a pillar's count is the largest of its statements' (a lower bound
    of the people who scored any of them): never more than are known to have answered.
    """
    result: dict[str, Tally] = {}
    for key, pillar in statements.items():
        tally = item_tallies.get(key)
        if tally is None:
            continue
        total = result.setdefault(pillar, Tally())
        respondents = max(total.respondents, tally.respondents)
        total.add(tally)
        total.respondents = respondents
    return result


def _trend(campaign: Campaign, analysis: Analysis, focus: _Focus, item_tallies: dict[str, Tally],
           language: str) -> _Trend:
    """Per pillar change since the previous closed campaign, where the same group is shown in both.

    When the two campaigns used different questionnaires (version 1 and version 2 of the shipped one, or an
    edited copy), both pillar scores are computed again on the statements the two share, and nothing is compared
    when they share none.
    """
    previous = _previous_campaign(campaign)
    if previous is None:
        return _Trend()
    before = analyse(previous)
    shared = shared_statements(campaign, previous)
    trend = _Trend(previous.title, shared=None if shared is None else len(shared))
    if focus.kind == "team":
        shown, tallies = before.team_visible(focus.key), before.team_tallies.get(focus.key, {})
    elif focus.kind == "job_role":
        shown, tallies = before.role_visible(focus.key), before.role_tallies.get(focus.key, {})
    else:
        shown, tallies = before.visible, before.overall
    if not shown or shared == {}:
        return trend
    now_tallies = focus.tallies
    if shared is not None:
        then_focus = _focus(before, focus.kind, focus.key, language)
        then_items = focus_moments(previous, then_focus.kind, then_focus.key, then_focus.where).item_tallies()
        now_tallies, tallies = _pillar_tallies_of(item_tallies, shared), _pillar_tallies_of(then_items, shared)
    for pillar in PILLARS:
        now = Figure.of(now_tallies.get(pillar), analysis.threshold)
        then = Figure.of(tallies.get(pillar), before.threshold)
        if now.score is not None and then.score is not None:
            trend.changes[pillar] = (now.score - then.score, then.score)
    return trend


# What a dashboard shows ----------------------------------------------------------------------------------------


@dataclass
class PillarOverview:
    """A campaign's pillar figures as a dashboard shows them to one viewer: the group their results page opens on
    (the organisation for leaders and admins, a manager's own team), with each pillar's change since the previous
    closed campaign. Nothing but the group's name when its figures may not be shown."""

    campaign_id: int
    title: str
    threshold: int
    #: The group described: the organisation, or the manager's team ("" when the manager has no team in it).
    focus_label: str
    #: False when the group is hidden (too few respondents, or its figures could be worked out from others').
    visible: bool = False
    pillars: list[PillarResult] = field(default_factory=list)
    previous_title: str | None = None


def pillar_overview(campaign: Campaign, viewer: Person, language: str = "en") -> PillarOverview:
    """The pillar scores and trend of the group the viewer's results page opens on; every figure from analyse()
    and _trend(), as that page shows it. Refuses ("no-access") a viewer who may not see results at all."""
    if not results_campaign_for(viewer, campaign):
        raise results_refused("no-access")
    analysis = analyse(campaign)
    if sees_organisation(viewer):
        focus = _focus(analysis, "organisation", None, language)
    elif viewer.team_id is not None and viewer.team_id in analysis.team_n:
        focus = _focus(analysis, "team", viewer.team_id, language)
    else:
        focus = None
    overview = PillarOverview(campaign.id, campaign.title, analysis.threshold, focus.label if focus else "")
    if focus is None or not analysis.visible or not focus.visible:
        return overview
    item_tallies = focus_moments(campaign, focus.kind, focus.key, focus.where).item_tallies()
    trend = _trend(campaign, analysis, focus, item_tallies, language)
    overview.visible = True
    overview.previous_title = trend.previous_title
    overview.pillars = [
        PillarResult(p, str(PILLAR_LABELS[p]), Figure.of(focus.tallies.get(p), analysis.threshold),
                     None, None, *trend.changes.get(p, (None, None)))
        for p in PILLARS
    ]
    return overview
