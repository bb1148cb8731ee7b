"""E-mail about campaigns and action items: a campaign's opening, reminders to the invited who have not answered,
and action items to their owners.

Who has not answered is decided here, inside the job, and nowhere else: the reminder round reads the invitees and
the participation rows, queues one message per person who has not answered, and logs only counts. Its occasion
("campaign-reminder", "<campaign>:<round>") names the campaign and the round, never a person, and the outbox
deletes a reminder's row once it is sent (mail/outbox.py), so no page, log or row left behind tells who had not
answered. Each round claims its occasion in the transaction that queues its messages: a repeated or overlapping
round sends nothing twice. Rounds commit per occasion, like the outbox's delivery.
"""
from __future__ import annotations

import logging
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import events
from ..background import run_after_commit
from ..extensions import db
from ..mail import claim_occasion, external_url, occasions_claimed, queue_mail, queue_mails
from ..orgs.models import Person
from ..orgs.recipients import recipient_of
from ..pillars import PILLAR_LABELS
from .answers import Invitee, Participation
from .models import PULSE, ActionItem, Campaign

log = logging.getLogger(__name__)

#: The job that mails about open campaigns (their opening, then the reminders); asked for when a campaign opens
#: and run every day by the scheduler.
CAMPAIGN_MAIL_JOB = "assessments.mail_campaigns"
#: A reminder goes halfway through a campaign, and again this many days before it closes.
CLOSING_REMINDER_DAYS = 2
#: Action items are mailed to their owner when assigned and this many days before they fall due.
ACTION_REMINDER_DAYS = 3
ACTION_STATUSES = ("open", "in_progress")
#: Action items overdue by more than this many days when the round first sees them are not announced (a backlog
#: from before anyone listened is not replayed).
OVERDUE_LOOKBACK_DAYS = 7


def ask_to_announce() -> None:
    """Ask for the campaign mail round once the current transaction commits (a campaign has just opened)."""
    run_after_commit(CAMPAIGN_MAIL_JOB)


def reminder_round(campaign: Campaign, today: date) -> str | None:
    """Which reminder is due today: "closing" (CLOSING_REMINDER_DAYS before it closes), "halfway", or None."""
    if campaign.closes_on - today <= timedelta(days=CLOSING_REMINDER_DAYS):
        return "closing"
    halfway = campaign.opens_on + (campaign.closes_on - campaign.opens_on) / 2
    return "halfway" if today >= halfway else None


def _campaign_context(campaign: Campaign) -> dict:
    return {"title": campaign.title, "closes_on": campaign.closes_on, "pulse": campaign.kind == PULSE}


def _announce(campaign: Campaign) -> int:
    people = db.session.scalars(
        select(Person).join(Invitee, Invitee.person_id == Person.id)
        .where(Invitee.campaign_id == campaign.id, Person.active.is_(True))
        .options(joinedload(Person.organisation)).order_by(Person.id)).all()
    link = _answer_link(campaign)
    return len(queue_mails([(recipient_of(p), dict(_campaign_context(campaign), link=link)) for p in people],
                           "campaign_opened", "campaign_opened",
                           _l("The pulse survey “%(title)s” is open", title=campaign.title) if campaign.kind == PULSE
                           else _l("The culture assessment “%(title)s” is open", title=campaign.title)))


def _remind(campaign: Campaign) -> int:
    answered = select(Participation.person_id).where(Participation.campaign_id == campaign.id)
    people = db.session.scalars(
        select(Person).join(Invitee, Invitee.person_id == Person.id)
        .where(Invitee.campaign_id == campaign.id, Person.active.is_(True), Person.id.not_in(answered))
        .options(joinedload(Person.organisation)).order_by(Person.id)).all()
    link = _answer_link(campaign)
    return len(queue_mails([(recipient_of(p), dict(_campaign_context(campaign), link=link)) for p in people],
                           "reminder", "reminder",
                           _l("Reminder: “%(title)s” is waiting for your answers", title=campaign.title),
                           optional_topic="campaign_reminders"))


def _answer_link(campaign: Campaign) -> str:
    return external_url("assessments.answer_intro", campaign_id=campaign.id)


def mail_campaigns(today: date | None = None) -> dict[str, int]:
    """Announce every campaign that is open for answers today, once, and send the reminder due today, once.
    Commits per occasion. Returns counts only: campaigns announced and reminded, messages queued."""
    today = today or date.today()
    counts = {"announced": 0, "reminded": 0, "messages": 0}
    campaigns = db.session.scalars(select(Campaign).where(
        Campaign.status == "open", Campaign.opens_on <= today, Campaign.closes_on >= today)).all()
    for campaign in campaigns:
        if claim_occasion(campaign.organisation_id, "campaign-opened", str(campaign.id)):
            counts["messages"] += _announce(campaign)
            counts["announced"] += 1
            db.session.commit()
        round_name = reminder_round(campaign, today)
        # A campaign announced today gets no reminder today; nor one whose "closing" round came first.
        if round_name is None or campaign.opens_on == today:
            continue
        if round_name == "halfway" and occasions_claimed("campaign-reminder", [f"{campaign.id}:closing"]):
            continue
        if claim_occasion(campaign.organisation_id, "campaign-reminder", f"{campaign.id}:{round_name}"):
            sent = _remind(campaign)
            db.session.commit()
            counts["reminded"] += 1
            counts["messages"] += sent
            log.info("campaign %s: %s reminder queued for %s people", campaign.id, round_name, sent)
    db.session.commit()
    return counts


# Action items --------------------------------------------------------------------------------------------------

def _action_context(action: ActionItem, occasion: str) -> dict:
    return {"title": action.title, "pillar": PILLAR_LABELS.get(action.pillar, action.pillar),
            "due_on": action.due_date, "occasion": occasion}


def mail_action_assigned(action: ActionItem, previous_owner_id: int | None = None) -> None:
    """Tell the owner an action item is now theirs (when it is new or changes owner); flushes only."""
    if action.owner_id is None or action.owner_id == previous_owner_id or action.status not in ACTION_STATUSES:
        return
    owner = db.session.get(Person, action.owner_id)
    if owner is None or not owner.active:
        return
    queue_mail(recipient_of(owner), "action", "action",
               _l("Action item for you: %(title)s", title=action.title), _action_context(action, "assigned"),
               optional_topic="action_reminders")


def mail_actions_due(today: date | None = None) -> int:
    """Remind owners of open action items due within ACTION_REMINDER_DAYS, once per item, owner and due date.
    Commits. Returns how many messages were queued."""
    today = today or date.today()
    actions = db.session.scalars(
        select(ActionItem).join(Person, Person.id == ActionItem.owner_id)
        .where(ActionItem.status.in_(ACTION_STATUSES), ActionItem.due_date >= today,
               ActionItem.due_date <= today + timedelta(days=ACTION_REMINDER_DAYS), Person.active.is_(True))
        .options(joinedload(ActionItem.owner).joinedload(Person.organisation)).order_by(ActionItem.id)).all()
    queued = 0
    for action in _claimed_now(actions, "action-due", lambda a: f"{a.id}:{a.owner_id}:{a.due_date.isoformat()}"):
        row = queue_mail(recipient_of(action.owner), "action", "action",
                         _l("Action item due soon: %(title)s", title=action.title),
                         _action_context(action, "due"), optional_topic="action_reminders")
        queued += row is not None
    db.session.commit()
    return queued


def announce_overdue_actions(today: date | None = None) -> int:
    """Publish each open action item whose due date has passed (events.action_overdue: webhooks), once per item
    and due date; an item given a new due date is announced again when that one passes. Commits. Returns how many
    were announced."""
    today = today or date.today()
    actions = db.session.scalars(
        select(ActionItem).where(ActionItem.status.in_(ACTION_STATUSES), ActionItem.due_date < today,
                                 ActionItem.due_date >= today - timedelta(days=OVERDUE_LOOKBACK_DAYS))
        .order_by(ActionItem.id)).all()
    announced = 0
    for action in _claimed_now(actions, "action-overdue", lambda a: f"{a.id}:{a.due_date.isoformat()}"):
        events.action_overdue.send(action)
        announced += 1
    db.session.commit()
    return announced


def _claimed_now(actions, kind: str, key):
    """The action items whose occasion (`kind`, key(action)) no round has claimed yet, each claimed as it is
    yielded (one query for those already claimed)."""
    keys = {a.id: key(a) for a in actions}
    done = occasions_claimed(kind, keys.values())
    for action in actions:
        if keys[action.id] not in done and claim_occasion(action.organisation_id, kind, keys[action.id]):
            yield action
