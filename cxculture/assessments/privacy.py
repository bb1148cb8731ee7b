"""The culture assessment's privacy provider.

Answers and comments are stored without any link to the person who gave them (answers.py): they cannot be
exported as theirs nor erased as theirs, and the export says so. What is linked to the person is that they were
invited to a campaign and took part (for turnout), an unfinished draft, and the action items they own or wrote.
Erasing keeps the invitation and participation rows on the anonymous tombstone (a campaign's turnout does not
move), deletes drafts, and hands open action items to the successor. Flushes only: the caller commits.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update

from ..extensions import db
from ..orgs.models import Person
from ..personal_data import Erasure, Holding, json_ready
from .answers import Invitee, Participation
from .models import ActionItem, ActionUpdate, Campaign, Draft

AREA = "assessment"
TITLE = _l("Culture assessment")
#: Action items still to be done: someone must own them.
OPEN_STATUSES = ("open", "in_progress")

HOLDINGS = (
    Holding("campaign_invitee", ("person_id",),
            what=_l("That you were invited to an open campaign, with the group your answers will be counted in."),
            why=_l("To count turnout; deleted when the campaign closes."),
            who_sees=_l("Nobody by name: administrators see turnout per group."),
            on_erase=_l("Kept without the name until the campaign closes, so turnout does not change."),
            kept="campaign"),
    Holding("participation", ("person_id",),
            what=_l("That you answered an open campaign: not what, nor when."),
            why=_l("To stop a second answer and count turnout; deleted when the campaign closes."),
            who_sees=_l("Nobody by name: administrators see turnout per group."),
            on_erase=_l("Kept without the name until the campaign closes, so turnout does not change."),
            kept="campaign"),
    Holding("assessment_draft", ("person_id", "answers"),
            what=_l("Answers you saved but have not submitted yet."),
            why=_l("So you can finish later; deleted when you submit."),
            who_sees=_l("You."), on_erase=_l("Deleted."), kept="campaign"),
    Holding("response_comment", ("text",),
            what=_l("Answers to the open questions, stored with no link to who wrote them."),
            why=_l("To report what groups say, only for groups at or above the anonymity threshold."),
            who_sees=_l("Leaders and administrators, only for groups at or above the anonymity threshold."),
            on_erase=_l("Not linked to anyone, so they cannot be found as anyone's: they stay."),
            kept="survey_comments", anonymous=True),
    Holding("response", (),
            what=_l("Answers to the questionnaire, stored with no link to who gave them."),
            why=_l("To compute the organisation's culture results."),
            who_sees=_l("Leaders, managers and administrators, only as figures of groups at or above the "
                        "anonymity threshold."),
            on_erase=_l("Not linked to anyone: they stay, and results do not change."),
            kept="survey", anonymous=True),
    Holding("action_item", ("owner_id", "created_by_id", "title"),
            what=_l("Action items you own or wrote."),
            why=_l("To follow up what leadership agreed to do."),
            who_sees=_l("Leaders and the owner."),
            on_erase=_l("Open items go to the person who takes over; the others are kept without the name."),
            kept="cafes"),
    Holding("action_update", ("author_id", "note"),
            what=_l("Progress updates you wrote on action items."),
            why=_l("To follow up what leadership agreed to do."),
            who_sees=_l("Leaders, managers, HR and the action's owner; everyone of the organisation when the action "
                        "is shared on “You said, we did” (without your name)."),
            on_erase=_l("Kept without the name."), kept="cafes"),
    Holding("campaign", ("created_by_id",),
            what=_l("Who created a campaign."), why=_l("To know who set it up."),
            who_sees=_l("Administrators."), on_erase=_l("Kept without the name."), kept="campaign"),
    Holding("pulse_series", ("created_by_id",),
            what=_l("Who created a pulse series."), why=_l("To know who set it up."),
            who_sees=_l("Leaders and administrators."), on_erase=_l("Kept without the name."), kept="campaign"),
)
NOT_PERSONAL = ()

#: Said in every export, in the person's language.
ANSWERS_NOT_LINKED = _l(
    "Your answers to the culture self-assessment are not in this export: they are stored with no link to you, so "
    "nobody, not even the administrators, can find which answers are yours. We only know that you took part.")


def export(person: Person) -> dict:
    titles = dict(db.session.execute(select(Campaign.id, Campaign.title)
                                     .where(Campaign.organisation_id == person.organisation_id)).all())
    invited = db.session.scalars(select(Invitee.campaign_id).where(Invitee.person_id == person.id))
    answered = db.session.scalars(select(Participation.campaign_id).where(Participation.person_id == person.id))
    drafts = db.session.scalars(select(Draft).where(Draft.person_id == person.id).order_by(Draft.id))
    actions = db.session.scalars(select(ActionItem).where(
        (ActionItem.owner_id == person.id) | (ActionItem.created_by_id == person.id)).order_by(ActionItem.id))
    return {
        "about_your_answers": str(ANSWERS_NOT_LINKED),
        "campaigns_invited_to": sorted(titles.get(i, "") for i in invited),
        "campaigns_answered": sorted(titles.get(i, "") for i in answered),
        "drafts": [{"campaign": titles.get(d.campaign_id), "answers": d.answers,
                    "updated_at": json_ready(d.updated_at)} for d in drafts],
        "action_items": [{"title": a.title, "pillar": a.pillar, "status": a.status,
                          "due_date": json_ready(a.due_date), "owner": a.owner_id == person.id,
                          "written_by_you": a.created_by_id == person.id} for a in actions],
        "action_updates": [{"action": u.action.title, "note": u.note, "status": u.status,
                            "written_at": json_ready(u.created_at)}
                           for u in db.session.scalars(select(ActionUpdate).where(ActionUpdate.author_id == person.id)
                                                       .order_by(ActionUpdate.id))],
    }


def _open_actions(person: Person):
    return select(func.count(ActionItem.id)).where(ActionItem.owner_id == person.id,
                                                   ActionItem.status.in_(OPEN_STATUSES))


def erasure(person: Person) -> list[Erasure]:
    drafts = db.session.scalar(select(func.count(Draft.id)).where(Draft.person_id == person.id))
    return [
        Erasure(_l("Unsubmitted survey drafts"), drafts),
        Erasure(_l("Open action items they own (they go to the person who takes over)"),
                db.session.scalar(_open_actions(person)), needs_successor=True),
    ]


def erase(person: Person, successor: Person | None) -> None:
    db.session.execute(delete(Draft).where(Draft.person_id == person.id))
    db.session.execute(update(ActionUpdate).where(ActionUpdate.author_id == person.id).values(author_id=None)
                       .execution_options(synchronize_session="fetch"))
    db.session.execute(update(ActionItem).where(ActionItem.owner_id == person.id,
                                                ActionItem.status.in_(OPEN_STATUSES))
                       .values(owner_id=successor.id if successor else None)
                       .execution_options(synchronize_session="fetch"))
