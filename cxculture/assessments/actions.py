"""Action items: what leadership agreed to do about a pillar, who owns it and by when.

Started from where the problem is seen in a campaign's results (a pillar, one statement, a team's cell of the
heatmap) or on their own, listed with open and overdue filters, followed up with progress updates by leaders and
the owner, and followed up in training cafés, which reuse `open_actions` and `overdue_actions`. Those a leader
shares are what everyone of the organisation reads on "You said, we did" (`shared_actions`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..orgs.models import Person, Team
from ..pillars import PILLARS
from ..refusals import Refused
from ..util import utcnow
from .action_sources import unknown_sources
from .models import FULL, ActionItem, ActionUpdate, Campaign
from .reminders import mail_action_assigned

STATUSES = ("open", "in_progress", "done", "dropped")
#: Statuses of an action still to be done: only these can be overdue.
ACTIVE_STATUSES = ("open", "in_progress")
#: The list's filters: "open" (open or in progress), "overdue", "closed" (done or dropped), "all".
FILTERS = ("open", "overdue", "closed", "all")
MAX_TITLE_LENGTH = 200
MAX_NOTE_LENGTH = 1000


#: What to say next to a field for each reason an action item is refused (cafés' actions use them too).
ACTION_REFUSALS = {
    ("title", "missing"): _l("Write what will be done."),
    ("title", "too-long"): _l("Keep it under %(max)s characters.", max=MAX_TITLE_LENGTH),
    ("pillar", "unknown"): _l("Choose one of the six pillars."),
    ("status", "unknown"): _l("Choose a status from the list."),
    ("owner_id", "missing"): _l("Choose who owns this action."),
    ("owner_id", "unknown"): _l("Choose the owner from the list: an active person of your organisation."),
    ("due_date", "missing"): _l("Choose a due date."),
    ("due_date", "past"): _l("The due date is in the past. Choose today or a later day."),
    ("campaign_id", "unknown"): _l("Choose a campaign from the list."),
    ("item_key", "unknown"): _l("The statement this action should answer is not in the campaign's questionnaire "
                                "under that pillar: start again from the campaign's results."),
    ("team_id", "unknown"): _l("The team this action should answer is not a team of your organisation: start "
                               "again from the campaign's results."),
    ("touchpoint_id", "unknown"): _l("The touchpoint this action should answer is not one of your organisation's "
                                     "journey: start again from the journey map."),
    ("theme_key", "unknown"): _l("The theme this action should answer is not one of the comment themes: start again "
                                 "from the themes page."),
    ("driver_outcome", "unknown"): _l("The outcome whose drivers this action should answer is not NPS, CSAT or CES: "
                                      "start again from the drivers page."),
    ("note", "missing"): _l("Write what was done or found, or change the status."),
    ("note", "too-long"): _l("Keep it under %(max)s characters.", max=MAX_NOTE_LENGTH),
}


def refused_with(messages: dict[tuple[str, str], object], problems: dict[str, str]) -> Refused:
    """A refusal naming each field's problem (`problems`: field -> code) in the words of `messages`."""
    return Refused({name: messages.get((name, code), code) for name, code in problems.items()}, codes=problems)


def _check_owner(organisation_id: int, owner_id, problems: dict) -> None:
    if owner_id is None:
        problems["owner_id"] = "missing"
        return
    owner = db.session.get(Person, owner_id)
    if owner is None or owner.organisation_id != organisation_id or not owner.active:
        problems["owner_id"] = "unknown"


def _check_campaign(organisation_id: int, campaign_id, problems: dict) -> None:
    if campaign_id is None:
        return
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.organisation_id != organisation_id:
        problems["campaign_id"] = "unknown"


def _check_context(organisation_id: int, campaign_id, pillar: str, item_key, team_id, problems: dict) -> None:
    """The statement must be one of the campaign's questionnaire, under the action's pillar; the team one of the
    organisation's."""
    if item_key:
        campaign = db.session.get(Campaign, campaign_id) if campaign_id else None
        if (campaign is None or campaign.organisation_id != organisation_id
                or statement_pillar(campaign, item_key) != pillar):
            problems["item_key"] = "unknown"
    if team_id is not None:
        team = db.session.get(Team, team_id)
        if team is None or team.organisation_id != organisation_id:
            problems["team_id"] = "unknown"


def statement_pillar(campaign: Campaign, item_key: str) -> str | None:
    """The pillar of a statement of the campaign's questionnaire; None when it has no such statement."""
    return next((item["pillar"] for item in campaign.instrument.items if item["key"] == item_key), None)


def statement_text(campaign: Campaign | None, item_key: str | None, language: str) -> str | None:
    """A statement of the campaign's questionnaire in `language` (English when it has no such text)."""
    if campaign is None or not item_key:
        return None
    item = next((item for item in campaign.instrument.items if item["key"] == item_key), None)
    return (item["text"].get(language) or item["text"]["en"]) if item else None


def create_action(organisation_id: int, *, title: str, pillar: str, owner_id: int | None, due_date: date | None,
                  status: str = "open", campaign_id: int | None = None, item_key: str | None = None,
                  team_id: int | None = None, touchpoint_id: int | None = None, theme_key: str | None = None,
                  driver_outcome: str | None = None, shared: bool = False, created_by: Person | None = None,
                  today: date | None = None) -> ActionItem:
    """A new action item; refuses naming every problem and changes nothing then. Besides a campaign's results, it
    may answer a touchpoint, a comment theme or an outcome's drivers (action_sources)."""
    today = today or date.today()
    title = (title or "").strip()
    problems: dict[str, str] = {}
    if not title:
        problems["title"] = "missing"
    elif len(title) > MAX_TITLE_LENGTH:
        problems["title"] = "too-long"
    if pillar not in PILLARS:
        problems["pillar"] = "unknown"
    if status not in STATUSES:
        problems["status"] = "unknown"
    _check_owner(organisation_id, owner_id, problems)
    if due_date is None:
        problems["due_date"] = "missing"
    elif due_date < today:
        problems["due_date"] = "past"
    _check_campaign(organisation_id, campaign_id, problems)
    if "campaign_id" not in problems:
        _check_context(organisation_id, campaign_id, pillar, item_key or None, team_id, problems)
    sources = {"touchpoint_id": touchpoint_id, "theme_key": theme_key or None, "driver_outcome": driver_outcome or None}
    problems.update(dict.fromkeys(unknown_sources(organisation_id, sources), "unknown"))
    if problems:
        raise refused_with(ACTION_REFUSALS, problems)
    action = ActionItem(organisation_id=organisation_id, title=title, pillar=pillar, owner_id=owner_id,
                        due_date=due_date, status=status, campaign_id=campaign_id, item_key=item_key or None,
                        team_id=team_id, shared=bool(shared), created_by_id=created_by.id if created_by else None,
                        **sources)
    db.session.add(action)
    db.session.flush()
    mail_action_assigned(action)
    return action


def update_action(action: ActionItem, *, status: str, owner_id: int | None, due_date: date | None,
                  shared: bool | None = None, by: Person | None = None, today: date | None = None) -> ActionItem:
    """Change an action's status, owner, due date and whether staff see it; a due date may stay in the past but
    not move there. A change of status is recorded as an update by `by`."""
    today = today or date.today()
    problems: dict[str, str] = {}
    if status not in STATUSES:
        problems["status"] = "unknown"
    _check_owner(action.organisation_id, owner_id, problems)
    if owner_id is not None and owner_id == action.owner_id and "owner_id" in problems:
        problems.pop("owner_id")  # the current owner has left since: closing their action must still work
    if due_date is None:
        problems["due_date"] = "missing"
    elif due_date < today and due_date != action.due_date:
        problems["due_date"] = "past"
    if problems:
        raise refused_with(ACTION_REFUSALS, problems)
    previous_owner_id = action.owner_id
    if status != action.status:
        _record(action, by, None, status)
    action.status, action.owner_id, action.due_date = status, owner_id, due_date
    if shared is not None:
        action.shared = shared
    db.session.flush()
    mail_action_assigned(action, previous_owner_id)
    return action


def may_follow_up(person: Person, action: ActionItem) -> bool:
    """Leaders follow up every action of their organisation; the owner follows up their own."""
    return action.organisation_id == person.organisation_id and (
        person.can("leader") or (action.owner_id is not None and action.owner_id == person.id))


def add_update(action: ActionItem, author: Person, *, note: str | None, status: str | None) -> ActionUpdate:
    """Record progress on an action: a note, a new status, or both. Refuses (changing nothing) an empty update,
    an unknown status or a note too long."""
    note = (note or "").strip() or None
    status = status or action.status
    problems: dict[str, str] = {}
    if status not in STATUSES:
        problems["status"] = "unknown"
    if note is None and status == action.status:
        problems["note"] = "missing"
    elif note is not None and len(note) > MAX_NOTE_LENGTH:
        problems["note"] = "too-long"
    if problems:
        raise refused_with(ACTION_REFUSALS, problems)
    update = _record(action, author, note, status if status != action.status else None)
    action.status = status
    db.session.flush()
    return update


def _record(action: ActionItem, author: Person | None, note: str | None, status: str | None) -> ActionUpdate:
    update = ActionUpdate(organisation_id=action.organisation_id, author_id=author.id if author else None,
                          note=note, status=status, created_at=utcnow())
    action.updates.append(update)
    return update


def shared_action_count(organisation_id: int) -> int:
    """How many actions "You said, we did" lists."""
    return db.session.scalar(select(func.count(ActionItem.id)).where(
        ActionItem.organisation_id == organisation_id, ActionItem.shared.is_(True), ActionItem.status != "dropped"))


def shared_actions(organisation_id: int) -> list[ActionItem]:
    """What leadership shared with everyone on "You said, we did": not dropped, most recently changed first, with
    their updates loaded."""
    latest = (select(func.max(ActionUpdate.created_at)).where(ActionUpdate.action_id == ActionItem.id)
              .correlate(ActionItem).scalar_subquery())
    return list(db.session.scalars(
        select(ActionItem).where(ActionItem.organisation_id == organisation_id, ActionItem.shared.is_(True),
                                 ActionItem.status != "dropped")
        .options(selectinload(ActionItem.updates))
        .order_by(func.coalesce(latest, ActionItem.created_at).desc(), ActionItem.id.desc())))


def is_overdue(action: ActionItem, today: date | None = None) -> bool:
    today = today or date.today()
    return action.status in ACTIVE_STATUSES and action.due_date is not None and action.due_date < today


def _overdue_condition(today: date):
    return ActionItem.status.in_(ACTIVE_STATUSES) & (ActionItem.due_date < today)


def actions_query(organisation_id: int, show: str = "open", pillar: str | None = None, today: date | None = None):
    """The organisation's action items for a filter of FILTERS and optionally one pillar: soonest due first."""
    today = today or date.today()
    query = select(ActionItem).where(ActionItem.organisation_id == organisation_id)
    if show == "open":
        query = query.where(ActionItem.status.in_(ACTIVE_STATUSES))
    elif show == "overdue":
        query = query.where(_overdue_condition(today))
    elif show == "closed":
        query = query.where(ActionItem.status.not_in(ACTIVE_STATUSES))
    if pillar is not None:
        query = query.where(ActionItem.pillar == pillar)
    return query.options(selectinload(ActionItem.owner)).order_by(
        ActionItem.due_date.is_(None), ActionItem.due_date, ActionItem.id)


def open_actions(organisation_id: int, pillar: str | None = None) -> list[ActionItem]:
    """Action items still to be done (open or in progress), soonest due first."""
    return list(db.session.scalars(actions_query(organisation_id, "open", pillar)))


def overdue_actions(organisation_id: int, pillar: str | None = None, today: date | None = None) -> list[ActionItem]:
    """Action items still to be done whose due date has passed, most overdue first."""
    return list(db.session.scalars(actions_query(organisation_id, "overdue", pillar, today)))


def open_actions_owned_by(organisation_id: int, owner_ids, today: date | None = None) -> list[ActionItem]:
    """Action items still to be done whose owner is one of `owner_ids` (ids, or a SELECT of ids kept in SQL),
    soonest due first: a manager's team's actions, in one query."""
    return list(db.session.scalars(actions_query(organisation_id, "open", today=today)
                                   .where(ActionItem.owner_id.in_(owner_ids))))


@dataclass(frozen=True)
class ActionCounts:
    open: int
    overdue: int


def action_counts(organisation_id: int, today: date | None = None) -> ActionCounts:
    """How many action items are still to be done, and how many of those are overdue, in one query."""
    today = today or date.today()
    open_count, overdue_count = db.session.execute(
        select(func.count(ActionItem.id), func.coalesce(func.sum(case((_overdue_condition(today), 1), else_=0)), 0))
        .where(ActionItem.organisation_id == organisation_id, ActionItem.status.in_(ACTIVE_STATUSES))
    ).one()
    return ActionCounts(int(open_count), int(overdue_count))


def owner_choices(organisation_id: int, keep: Person | None = None) -> list[Person]:
    """Who may own an action: the organisation's active people (and the current owner, even if they left)."""
    people = list(db.session.scalars(select(Person).where(
        Person.organisation_id == organisation_id, Person.active.is_(True)).order_by(Person.name)))
    if keep is not None and keep not in people:
        people.append(keep)
    return people


def campaign_choices(organisation_id: int) -> list[Campaign]:
    """The organisation's campaigns an action may come from, newest first."""
    return list(db.session.scalars(select(Campaign).where(Campaign.organisation_id == organisation_id,
                                                          Campaign.kind == FULL)
        .order_by(Campaign.opens_on.desc(), Campaign.id.desc())))


def campaign_titles(organisation_id: int) -> dict[int, str]:
    return dict(db.session.execute(
        select(Campaign.id, Campaign.title).where(Campaign.organisation_id == organisation_id)).all())
