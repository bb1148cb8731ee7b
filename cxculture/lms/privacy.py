"""The LMS area's privacy provider: LTI links to a person's platform accounts, grades sent, xAPI statements.

xAPI statements carry no person id: a person's are found by their actor (the pseudonymous account name, or the
e-mail address). Erasing a person deletes their LTI links (identities, launches, pending links, grade links with
their pending passbacks) and every statement about them still in the outbox, sent or not; their tombstone
(`erased_at`) stops any later event being queued (subscribers.py). Statements an LRS already holds are the LRS's:
xAPI defines no erasure request, so the export lists them and the administrator asks the LRS's owner.
Flushes only: the caller commits.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, cast, delete, func, or_, select, update

from ..extensions import db
from ..orgs.models import Person
from ..personal_data import Erasure, Holding, NotPersonal, json_ready, row_dict
from .models import (
    GradeLink,
    GradePassback,
    LrsSettings,
    LtiIdentity,
    LtiLaunch,
    LtiPendingLink,
    LtiRegistrationUrl,
    XapiStatement,
)
from .rosters import forget_person
from .xapi import pseudonym

AREA = "lms"
TITLE = _l("LMS and learning records")

HOLDINGS = (
    Holding("lti_identity", ("person_id", "subject"),
            what=_l("Your account on an LMS (Moodle, Canvas, ...) linked to this app."),
            why=_l("To log you in when you open the app from the LMS."),
            who_sees=_l("Administrators."), on_erase=_l("Removed."), kept="account"),
    Holding("lti_launch", ("person_id", "claims"),
            what=_l("Launches from an LMS, with what the LMS said about you."),
            why=_l("To answer a content picker after you chose."),
            who_sees=_l("Nobody: the app reads them."), on_erase=_l("Removed."), kept="lms"),
    Holding("lti_pending_link", ("person_id", "claims"),
            what=_l("An LMS account waiting for you to sign in once to link it."),
            why=_l("To link the LMS account only when you prove the app account is yours."),
            who_sees=_l("Nobody: the app reads them."), on_erase=_l("Removed."), kept="lms"),
    Holding("lti_grade_link", ("person_id", "subject"),
            what=_l("Modules placed in an LMS course whose quiz scores go back to it."),
            why=_l("To send your quiz score to the LMS gradebook."),
            who_sees=_l("Administrators; your teachers in the LMS see the score."),
            on_erase=_l("Removed, with scores not yet sent."), kept="lms"),
    Holding("xapi_statement", ("statement",),
            what=_l("Learning records (xAPI) about you, waiting for or already sent to the learning record store."),
            why=_l("To send your training activity to the organisation's learning record store."),
            who_sees=_l("Administrators, and the learning record store's owner."),
            on_erase=_l("Removed from the outbox, and nothing more is sent."), kept="lms"),
    Holding("lti_course", ("sync_report", "member_subjects"),
            what=_l("Your name in the result of the last time an administrator brought an LMS course's members in, "
                    "and your LMS user id among the course's members."),
            why=_l("To show the administrator who was created, linked or refused, and who has left the course."),
            who_sees=_l("Administrators."), on_erase=_l("Your name is removed from the result."), kept="lms"),
    Holding("lti_registration_url", ("created_by_id",),
            what=_l("Registration URLs for an LMS that you made, as an administrator."),
            why=_l("To know who connected an LMS."),
            who_sees=_l("Administrators."), on_erase=_l("Your name is removed from them."), kept="lms"),
)
NOT_PERSONAL = (NotPersonal("lti_tool_key", "the tool's signing keys"),)


def _statements_about(person: Person):
    """A condition on XapiStatement: the statements whose actor is the person."""
    settings = db.session.scalar(select(LrsSettings).where(LrsSettings.organisation_id == person.organisation_id))
    text = cast(XapiStatement.statement, Text)
    conditions = [text.contains(f'"mailto:{person.email}"')]
    if settings is not None:
        conditions.append(text.contains(pseudonym(settings, person)))
    return (XapiStatement.organisation_id == person.organisation_id) & or_(*conditions)


def export(person: Person) -> dict:
    identities = db.session.scalars(select(LtiIdentity).where(LtiIdentity.person_id == person.id))
    links = db.session.scalars(select(GradeLink).where(GradeLink.person_id == person.id))
    grades = db.session.scalars(select(GradePassback).join(GradeLink).where(GradeLink.person_id == person.id))
    statements = db.session.scalars(select(XapiStatement).where(_statements_about(person))
                                    .order_by(XapiStatement.created_at))
    return {
        "lti_accounts": [row_dict(i, ("issuer", "subject", "created_at")) for i in identities],
        "grade_links": [row_dict(link, ("lineitem_url", "subject", "created_at")) for link in links],
        "grades": [row_dict(g, ("score", "score_maximum", "scored_at", "status", "sent_at")) for g in grades],
        "xapi_statements": [{"status": s.status, "created_at": json_ready(s.created_at),
                             "sent_at": json_ready(s.sent_at), "statement": s.statement} for s in statements],
    }


def erasure(person: Person) -> list[Erasure]:
    identities = db.session.scalar(select(func.count(LtiIdentity.id)).where(LtiIdentity.person_id == person.id))
    links = db.session.scalar(select(func.count(GradeLink.id)).where(GradeLink.person_id == person.id))
    statements = db.session.scalar(select(func.count(XapiStatement.id)).where(_statements_about(person)))
    return [Erasure(_l("LMS accounts and grade links"), identities + links),
            Erasure(_l("Learning records (xAPI) in the outbox"), statements)]


def erase(person: Person, successor: Person | None) -> None:
    db.session.execute(delete(XapiStatement).where(_statements_about(person))
                       .execution_options(synchronize_session=False))
    links = select(GradeLink.id).where(GradeLink.person_id == person.id)
    db.session.execute(delete(GradePassback).where(GradePassback.grade_link_id.in_(links)))
    db.session.execute(delete(GradeLink).where(GradeLink.person_id == person.id))
    db.session.execute(delete(LtiLaunch).where(LtiLaunch.person_id == person.id))
    db.session.execute(delete(LtiPendingLink).where(LtiPendingLink.person_id == person.id))
    subjects = set(db.session.scalars(select(LtiIdentity.subject).where(LtiIdentity.person_id == person.id)))
    db.session.execute(delete(LtiIdentity).where(LtiIdentity.person_id == person.id))
    forget_person(person, subjects)  # their name and platform ids in the courses' last member lists
    db.session.execute(update(LtiRegistrationUrl).where(LtiRegistrationUrl.created_by_id == person.id)
                       .values(created_by_id=None).execution_options(synchronize_session=False))
