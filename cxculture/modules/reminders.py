"""E-mail about training: to each learner, modules due soon and overdue; to each manager, a weekly digest of the
overdue training of the people they manage.

Both are rounds the scheduler runs (cxculture/jobs/schedule.py). Each claims an occasion per thing it mails about
(a learner's module and its due date, when due soon and again when overdue; a manager's ISO week) in the
transaction that queues the message, so a repeated or overlapping round sends nothing twice. Plans are loaded once
per organisation (reports.plans_for); rounds commit per organisation.
"""
from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import select

from ..extensions import db
from ..i18n import person_language
from ..mail import claim_occasion, external_url, occasions_claimed, queue_mail
from ..orgs.models import Organisation, Permission, Person, PersonPermission
from ..orgs.recipients import recipient_of
from .plan import Plan, PlanEntry
from .reports import plans_for

log = logging.getLogger(__name__)

#: A module is "due soon" this many days before its due date.
DUE_SOON_DAYS = 3


@dataclass
class Due:
    key: str
    entry: PlanEntry


def _learners(organisation_id: int):
    """Active people who have accepted their invitation: the only ones who can follow a link to their plan."""
    return (select(Person).where(Person.organisation_id == organisation_id, Person.active.is_(True),
                                 Person.password_hash.is_not(None)).order_by(Person.id))


def _entry_item(entry: PlanEntry, language: str) -> dict:
    return {"title": entry.version.text("title", language), "due_on": entry.due_date,
            "url": external_url("modules.learn_module", slug=entry.module.slug)}


def _due(plan: Plan, today: date) -> tuple[list[Due], list[Due]]:
    """(overdue, due soon) entries of a plan, each with its occasion key."""
    overdue, soon = [], []
    for entry in plan.entries:
        if entry.due_date is None or entry.status == "completed":
            continue
        who = f"{plan.person.id}:{entry.module.id}:{entry.due_date.isoformat()}"
        if entry.overdue(today):
            overdue.append(Due(f"overdue:{who}", entry))
        elif entry.due_date <= today + timedelta(days=DUE_SOON_DAYS):
            soon.append(Due(f"soon:{who}", entry))
    return overdue, soon


def mail_training_due(today: date | None = None) -> int:
    """Mail each learner their modules newly due soon or overdue (one message per person and round, each module
    and due date at most once as "due soon" and once as "overdue"). Returns the messages queued."""
    today = today or date.today()
    queued = 0
    for organisation_id in db.session.scalars(select(Organisation.id).order_by(Organisation.id)).all():
        plans = plans_for(_learners(organisation_id))
        pending = {plan.person.id: _due(plan, today) for plan in plans}
        done = occasions_claimed("training-due", [d.key for o, s in pending.values() for d in o + s])
        for plan in plans:
            overdue, soon = ([d for d in group if d.key not in done] for group in pending[plan.person.id])
            overdue = [d for d in overdue if claim_occasion(organisation_id, "training-due", d.key)]
            soon = [d for d in soon if claim_occasion(organisation_id, "training-due", d.key)]
            if not overdue and not soon:
                continue
            language = person_language(plan.person)
            subject = (lazy_ngettext("Training overdue: %(num)s module", "Training overdue: %(num)s modules",
                                     len(overdue)) if overdue
                       else lazy_ngettext("Training due soon: %(num)s module", "Training due soon: %(num)s modules",
                                          len(soon)))
            row = queue_mail(recipient_of(plan.person), "training_due", "training_due", subject,
                             {"overdue": [_entry_item(d.entry, language) for d in overdue],
                              "due_soon": [_entry_item(d.entry, language) for d in soon]},
                             optional_topic="training_reminders")
            queued += row is not None
        db.session.commit()
    log.info("training reminders: %s queued", queued)
    return queued


def mail_team_digests(today: date | None = None) -> int:
    """Mail each manager, once per ISO week, the overdue training of the people they manage (those who report to
    them and those of their own team, as the team training page shows). Nothing is sent to a manager whose people
    have nothing overdue. Returns the messages queued."""
    today = today or date.today()
    year, week, _ = today.isocalendar()
    queued = 0
    for organisation_id in db.session.scalars(select(Organisation.id).order_by(Organisation.id)).all():
        plans = plans_for(_learners(organisation_id))
        overdue = {plan.person.id: [d.entry for d in _due(plan, today)[0]] for plan in plans}
        people = [plan.person for plan in plans]
        manager_ids = set(db.session.scalars(select(PersonPermission.person_id).join(Person).where(
            Person.organisation_id == organisation_id, PersonPermission.name == Permission.MANAGER.value)))
        managers = [p for p in people if p.id in manager_ids]
        keys = {m.id: f"{m.id}:{year}-W{week:02d}" for m in managers}
        done = occasions_claimed("team-digest", keys.values())
        members: dict[int, list[Person]] = defaultdict(list)
        for manager in managers:
            members[manager.id] = [p for p in people if p.id != manager.id and overdue[p.id] and (
                p.manager_id == manager.id or (manager.team_id is not None and p.team_id == manager.team_id))]
        for manager in managers:
            if not members[manager.id] or keys[manager.id] in done:
                continue
            if not claim_occasion(organisation_id, "team-digest", keys[manager.id]):
                continue
            language = person_language(manager)
            row = queue_mail(recipient_of(manager), "team_digest", "team_digest",
                             _l("Your team's overdue training this week"),
                             {"people": [{"name": p.name, "entries": [_entry_item(e, language) for e in overdue[p.id]]}
                                         for p in sorted(members[manager.id], key=lambda p: (p.name, p.id))]},
                             optional_topic="team_digest")
            queued += row is not None
        db.session.commit()
    log.info("team digests: %s queued", queued)
    return queued
