"""Action items: what leadership agreed to do about a pillar, who owns it and by when.

Created from a campaign's results (or on their own), listed with open and overdue filters, and followed up in
training cafés, which reuse `open_actions` and `overdue_actions`.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..orgs.models import Person
from ..pillars import PILLARS
from ..refusals import Refused
from .models import ActionItem, Campaign
from .reminders import mail_action_assigned

STATUSES = ("open", "in_progress", "done", "dropped")
#: Statuses of an action still to be done: only these can be overdue.
ACTIVE_STATUSES = ("open", "in_progress")
#: The list's filters: "open" (open or in progress), "overdue", "closed" (done or dropped), "all".
FILTERS = ("open", "overdue", "closed", "all")
MAX_TITLE_LENGTH = 200


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


def create_action(organisation_id: int, *, title: str, pillar: str, owner_id: int | None, due_date: date | None,
                  status: str = "open", campaign_id: int | None = None, created_by: Person | None = None,
                  today: date | None = None) -> ActionItem:
    """A new action item; refuses naming every problem and changes nothing then."""
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
    if problems:
        raise refused_with(ACTION_REFUSALS, problems)
    action = ActionItem(organisation_id=organisation_id, title=title, pillar=pillar, owner_id=owner_id,
                        due_date=due_date, status=status, campaign_id=campaign_id,
                        created_by_id=created_by.id if created_by else None)
    db.session.add(action)
    db.session.flush()
    mail_action_assigned(action)
    return action


def update_action(action: ActionItem, *, status: str, owner_id: int | None, due_date: date | None,
                  today: date | None = None) -> ActionItem:
    """Change an action's status, owner and due date; a due date may stay in the past but not move there."""
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
    action.status, action.owner_id, action.due_date = status, owner_id, due_date
    db.session.flush()
    mail_action_assigned(action, previous_owner_id)
    return action


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
    return list(db.session.scalars(select(Campaign).where(Campaign.organisation_id == organisation_id)
        .order_by(Campaign.opens_on.desc(), Campaign.id.desc())))


def campaign_titles(organisation_id: int) -> dict[int, str]:
    return dict(db.session.execute(
        select(Campaign.id, Campaign.title).where(Campaign.organisation_id == organisation_id)).all())
