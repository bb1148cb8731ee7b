"""What each permission's dashboard shows, gathered from the areas' services (read-only, plain data).

Every dashboard costs a fixed number of SQL statements whatever the size of the organisation: the areas' services
are set-based (training plans, grouped counts, one query for a list), and nothing here runs a query per person,
team or row (tests/home/test_dashboards.py holds each dashboard to its count). Culture figures come only from the
assessment area's summary (already suppressed below the anonymity threshold).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import Flask, current_app
from sqlalchemy import func, or_, select

from ..assessments.actions import ActionCounts, action_counts, actions_query, open_actions_owned_by
from ..assessments.campaigns import Turnout, campaign_turnout, open_campaign_of
from ..assessments.models import FULL, ActionItem, Campaign
from ..assessments.results.summary import (
    PillarOverview,
    PillarTrend,
    latest_closed_campaign,
    pillar_overview,
    pillar_trend,
)
from ..cafes.models import Cafe
from ..cafes.service import invited_cafes, next_cafe, pending_invitations
from ..extensions import db
from ..imports import waiting_uploads
from ..kpis.alignment import CUSTOMER_SHARE_GOAL, PlanAlignment, alignment_review
from ..kpis.conflicts import current_plan_period
from ..kpis.models import KpiImport
from ..kpis.periods import last_closed_period
from ..kpis.scorecards import ScorecardCounts, scorecard_counts
from ..mail.outbox import DeliveryTrouble, delivery_trouble
from ..modules import reports as training
from ..orgs.models import Person, RosterImport
from ..orgs.service import OrganisationCounts, organisation_counts, team_members_query, team_paths
from ..util import utcnow

#: An upload previewed but not confirmed for longer than this is taken as abandoned, not waiting.
UPLOAD_WAIT_DAYS = 30
#: Mails refused this recently are reported.
MAIL_TROUBLE_DAYS = 30
#: How many names, teams or items a card lists before "and N more" (the page it links to has them all).
LISTED = 6

EXTENSION_KEY = "cxculture.home.integration_status"


def set_integration_status_provider(app: Flask, provider: Callable[[int], object] | None) -> None:
    """The LMS area's status (platforms, LRS, deliveries) for the administrator's dashboard: the wiring registers it,
    as nothing outside the wiring imports the LMS area."""
    app.extensions[EXTENSION_KEY] = provider


def _integration_status(organisation_id: int):
    provider = current_app.extensions.get(EXTENSION_KEY)
    return provider(organisation_id) if provider else None


@dataclass(frozen=True)
class Attention:
    """A line of the administrator's "Needs your attention" from an area home does not import (SCIM provisioning's
    held changes, a webhook paused...): what, why, and the page that deals with it."""

    title: str
    detail: str
    url: str


ATTENTION_KEY = "cxculture.home.admin_attention"


def add_attention_provider(app: Flask, provider: Callable[[int], list[tuple[str, str, str]]]) -> None:
    """The wiring registers each area's `provider(organisation_id)`, which returns (title, detail, url) lines for
    the administrator's dashboard (areas beside home do not import it)."""
    app.extensions.setdefault(ATTENTION_KEY, []).append(provider)


def _attention(organisation_id: int) -> list[Attention]:
    return [Attention(*line) for provider in current_app.extensions.get(ATTENTION_KEY, ())
            for line in provider(organisation_id)]


def _latest_overview(viewer: Person, language: str) -> PillarOverview | None:
    campaign = latest_closed_campaign(viewer.organisation_id)
    return pillar_overview(campaign, viewer, language) if campaign is not None else None


# The manager ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportProgress:
    """One person a manager is responsible for: their training path and what of it is overdue."""

    row: training.Row
    #: Titles of the modules past their due date and not completed.
    overdue_modules: tuple[str, ...]


@dataclass
class ManagerDashboard:
    people: list[ReportProgress]
    training: training.Completion
    results: PillarOverview | None
    actions: list[ActionItem]
    today: date

    @property
    def overdue_actions(self) -> int:
        return sum(1 for a in self.actions if a.due_date is not None and a.due_date < self.today)


def manager_dashboard(manager: Person, language: str, today: date) -> ManagerDashboard:
    """Each person's progress (overdue first), the team's latest culture results, the team's open actions."""
    matrix = training.team_matrix(manager, language)
    people = [ReportProgress(row, tuple(column.title for column, cell in zip(matrix.columns, row.cells, strict=True)
                                        if cell.overdue))
              for row in matrix.rows]
    people.sort(key=lambda p: (-p.row.overdue, p.row.path_completed, p.row.percent, p.row.name.casefold()))
    team_ids = team_members_query(manager).with_only_columns(Person.id).order_by(None)
    owners = select(Person.id).where(or_(Person.id == manager.id, Person.id.in_(team_ids)))
    return ManagerDashboard(
        people=people,
        training=training.completion(matrix.rows),
        results=_latest_overview(manager, language),
        actions=open_actions_owned_by(manager.organisation_id, owners, today),
        today=today,
    )


# The leader -------------------------------------------------------------------------------------------------


@dataclass
class LeaderDashboard:
    results: PillarOverview | None
    #: The organisation's pillar scores over its last closed campaigns (None with fewer than two to draw).
    trend: PillarTrend | None
    #: The campaign open now and its turnout (teams shown only as the campaign page shows them).
    open_campaign: Campaign | None
    turnout: Turnout | None
    actions: ActionCounts
    overdue: list[ActionItem]
    cafe: Cafe | None
    #: Other organisations' cafés: invitations waiting for an answer, and those accepted.
    pending_invitations: int
    invited_cafes: list[Cafe]
    leaders: list[training.Row]
    leadership: training.Completion

    @property
    def lowest_turnout(self) -> list:
        """The shown teams with the lowest turnout first (where a reminder helps most)."""
        teams = self.turnout.teams if self.turnout else []
        return sorted(teams, key=lambda t: (t.percent if t.percent is not None else 101, t.path))[:LISTED]


def leader_dashboard(leader: Person, language: str, today: date) -> LeaderDashboard:
    organisation_id = leader.organisation_id
    campaign = open_campaign_of(organisation_id)
    leaders = training.leadership_matrix(organisation_id, language).rows
    return LeaderDashboard(
        results=_latest_overview(leader, language),
        trend=pillar_trend(organisation_id, language),
        open_campaign=campaign,
        turnout=campaign_turnout(campaign, team_paths(organisation_id)) if campaign is not None else None,
        actions=action_counts(organisation_id, today),
        overdue=list(db.session.scalars(actions_query(organisation_id, "overdue", today=today).limit(LISTED))),
        cafe=next_cafe(organisation_id, today),
        pending_invitations=len(pending_invitations(leader)),
        invited_cafes=invited_cafes(leader),
        leaders=leaders,
        leadership=training.completion(leaders),
    )


# HR ---------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamScorecards:
    team_id: int | None
    label: str | None
    counts: ScorecardCounts


@dataclass
class HrDashboard:
    #: The newest quarter with reward plans, and its plans that pull away from customers (least on customers first).
    plan_period: str | None
    plans: int
    leaning_away: list[PlanAlignment]
    waiting_imports: list[KpiImport]
    #: The last closed quarter's scorecards, per team and in total.
    scorecard_period: str
    scorecard_teams: list[TeamScorecards]
    scorecards: ScorecardCounts
    customer_goal: float = CUSTOMER_SHARE_GOAL


def hr_dashboard(organisation_id: int, language: str, today: date) -> HrDashboard:
    period = current_plan_period(organisation_id)
    review = alignment_review(organisation_id, period, language) if period is not None else None
    plans = review.plans if review else []
    quarter = last_closed_period(today)
    paths = team_paths(organisation_id)
    counts = scorecard_counts(organisation_id, quarter)
    total = ScorecardCounts(None)
    for found in counts:
        total.people += found.people
        total.lines += found.lines
        total.with_value += found.with_value
        total.met += found.met
    teams = sorted((TeamScorecards(c.team_id, paths.get(c.team_id), c) for c in counts),
                   key=lambda t: (t.label is None, (t.label or "").casefold()))
    return HrDashboard(
        plan_period=period,
        plans=len(plans),
        leaning_away=sorted((p for p in plans if p.leans_away), key=lambda p: (p.customer_share, p.title)),
        waiting_imports=waiting_uploads(KpiImport, organisation_id, _days_ago(UPLOAD_WAIT_DAYS), same=("kind",)),
        scorecard_period=str(quarter),
        scorecard_teams=teams,
        scorecards=total,
    )


def _days_ago(days: int) -> datetime:
    return utcnow() - timedelta(days=days)


# The administrator ------------------------------------------------------------------------------------------


@dataclass
class AdminDashboard:
    counts: OrganisationCounts
    #: Active people without a team, without a job role (first few by name, and how many in all).
    without_team: list[Person]
    without_team_count: int
    without_role: list[Person]
    without_role_count: int
    waiting_imports: list[RosterImport]
    #: The LMS area's IntegrationStatus, or None when no LMS area is wired in.
    integrations: object | None
    mail: DeliveryTrouble
    campaigns: int
    #: What other areas ask the administrator to look at (add_attention_provider).
    attention: list[Attention]

    @property
    def needs_attention(self) -> bool:
        lms = self.integrations
        return bool(self.without_team_count or self.without_role_count or self.counts.invited
                    or self.waiting_imports or (lms is not None and lms.troubled) or self.mail.retrying
                    or self.mail.rejected or self.attention)


def admin_dashboard(organisation_id: int) -> AdminDashboard:
    active = (Person.organisation_id == organisation_id, Person.active.is_(True))
    without_team_count, without_role_count = db.session.execute(
        select(func.count(Person.id).filter(Person.team_id.is_(None)),
               func.count(Person.id).filter(Person.job_role_id.is_(None))).where(*active)).one()

    def first(condition) -> list[Person]:
        return list(db.session.scalars(select(Person).where(*active, condition)
                                       .order_by(Person.name, Person.id).limit(LISTED)))

    return AdminDashboard(
        counts=organisation_counts(organisation_id),
        without_team=first(Person.team_id.is_(None)) if without_team_count else [],
        without_team_count=without_team_count,
        without_role=first(Person.job_role_id.is_(None)) if without_role_count else [],
        without_role_count=without_role_count,
        waiting_imports=waiting_uploads(RosterImport, organisation_id, _days_ago(UPLOAD_WAIT_DAYS)),
        integrations=_integration_status(organisation_id),
        mail=delivery_trouble(organisation_id, _days_ago(MAIL_TROUBLE_DAYS)),
        campaigns=db.session.scalar(select(func.count(Campaign.id)).where(Campaign.organisation_id == organisation_id,
                                                                          Campaign.kind == FULL)),
        attention=_attention(organisation_id),
    )
