"""A course's members brought in from its platform (LTI Names and Role Provisioning Services 2.0).

A launch whose platform offers the members service leaves the course (its context and members URL) with the
registration. An administrator asks for a course's members; the job queue (SYNC_JOB) fetches every page with an
OAuth2 client-credentials token signed with the tool's key, then creates or links people: a member is found by
their platform identity (issuer + sub), or by e-mail only where the administrator vouched for the platform's
addresses (and never a privileged account); anyone else is created as an employee. Roles map through the
registration's table, exactly as a launch's do. Members who have left the course are reported, never deactivated.
A sync run twice creates nobody twice: the first linked everyone it created.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from pylti1p3.names_roles import NamesRolesProvisioningService
from sqlalchemy import select, update

from ..audit import record
from ..background import run_after_commit
from ..extensions import db
from ..orgs.models import Person
from ..orgs.service import person_by_email
from ..util import utcnow
from .launches import (
    ROLES_CLAIM,
    display_name,
    grant_launch_permissions,
    link_identity,
    may_link_by_email,
    placeholder_email,
)
from .models import LtiCourse, LtiIdentity, LtiRegistration

NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
CONTEXT_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/context"
#: The job that brings a course's members in (cxculture/jobs registers it).
SYNC_JOB = "lms.sync_course_members"
#: A sync queued or running for longer than this is taken as lost: it may be asked for (and run) again.
STALE_MINUTES = 15

#: Why a member was not brought in, as the page says it.
REASONS = {
    "no-id": lambda: _("The platform sent this member without a user id."),
    "other-organisation": lambda: _("This platform account is linked to a person of another organisation."),
    "inactive": lambda: _("Their CX Culture account is deactivated."),
    "email-unverified": lambda: _("An account with this e-mail exists, and this platform's e-mail addresses are not "
                                  "marked as verified: they link it themselves at their first launch."),
    "privileged": lambda: _("An account with this e-mail exists and holds administrator, HR or leadership rights: "
                            "they link it themselves at their first launch."),
}


def reason_text(code: str) -> str:
    return REASONS.get(code, lambda: code)()


def remember_course(registration: LtiRegistration, claims: dict) -> LtiCourse | None:
    """Keep (or refresh) the course of a validated launch that carries the members service claim; flushes."""
    service, context = claims.get(NRPS_CLAIM), claims.get(CONTEXT_CLAIM)
    if not isinstance(service, dict) or not isinstance(context, dict):
        return None
    url, context_id = service.get("context_memberships_url"), context.get("id")
    if not isinstance(url, str) or not url.startswith(("https://", "http://")) or len(url) > 500:
        return None
    if not isinstance(context_id, str) or not context_id or len(context_id) > 255:
        return None
    course = db.session.scalar(select(LtiCourse).where(LtiCourse.registration_id == registration.id,
                                                       LtiCourse.context_id == context_id))
    if course is None:
        course = LtiCourse(organisation_id=registration.organisation_id, registration_id=registration.id,
                           context_id=context_id, sync_status="")
        db.session.add(course)
    title = context.get("title") or context.get("label") or context_id
    course.title, course.memberships_url, course.seen_at = str(title)[:255], url, utcnow()
    db.session.flush()
    return course


def courses_of(organisation_id: int) -> list[LtiCourse]:
    return list(db.session.scalars(select(LtiCourse).where(LtiCourse.organisation_id == organisation_id)
                                   .order_by(LtiCourse.title, LtiCourse.id)))


def _stale() -> datetime:
    return utcnow() - timedelta(minutes=STALE_MINUTES)


def sync_in_progress(course: LtiCourse) -> bool:
    """A sync was asked for and is still expected to finish (neither done, failed nor lost)."""
    return course.sync_status in ("queued", "running") and course.sync_requested_at is not None \
        and course.sync_requested_at > _stale()


def request_sync(course: LtiCourse) -> None:
    """Ask the job queue to bring the course's members in, once this transaction commits."""
    course.sync_status, course.sync_error, course.sync_requested_at = "queued", None, utcnow()
    record("lti.course_sync_requested", target=("lti_course", course.id, course.title),
           organisation_id=course.organisation_id,
           details={"registration": course.registration.name, "context_id": course.context_id})
    db.session.flush()
    run_after_commit(SYNC_JOB, course.id)


@dataclass
class SyncReport:
    created: list[dict] = field(default_factory=list)
    linked: list[dict] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)
    left: list[dict] = field(default_factory=list)
    unchanged: int = 0


def fetch_members(course: LtiCourse) -> list[dict]:
    """Every member on every page of the course's members URL (Link: rel="next")."""
    from .outbox import TokenPerRoundConnector
    from .tool import TimeoutSession, pylti_registration

    connector = TokenPerRoundConnector(pylti_registration(course.registration), TimeoutSession())
    service = NamesRolesProvisioningService(connector, {"context_memberships_url": course.memberships_url})
    return [member for member in service.get_members() if isinstance(member, dict)]


def _entry(person: Person | None, member: dict, reason: str | None = None) -> dict:
    name = person.name if person else (display_name(member) if member.get("name") or member.get("given_name")
                                       else str(member.get("email") or member.get("user_id") or "?"))
    return {"person_id": person.id if person else None, "name": name[:200], "reason": reason}


def _bring_in(registration: LtiRegistration, member: dict, report: SyncReport) -> None:
    """Create, link or leave one active member; refusals are reported."""
    subject = member.get("user_id")
    if not isinstance(subject, str) or not subject:
        report.refused.append(_entry(None, member, "no-id"))
        return
    claims = {ROLES_CLAIM: member.get("roles") or []}
    identity = db.session.scalar(select(LtiIdentity).where(LtiIdentity.issuer == registration.issuer,
                                                           LtiIdentity.subject == subject))
    if identity is not None:
        if identity.organisation_id != registration.organisation_id:
            report.refused.append(_entry(None, member, "other-organisation"))
        elif not identity.person.active:
            report.refused.append(_entry(identity.person, member, "inactive"))
        else:
            grant_launch_permissions(registration, identity.person, claims, add_only=True)
            report.unchanged += 1
        return
    email = str(member.get("email") or "").strip().lower()[:254]
    existing = person_by_email(email) if email else None
    if existing is not None and existing.organisation_id == registration.organisation_id:
        if not existing.active:
            report.refused.append(_entry(existing, member, "inactive"))
        elif not may_link_by_email(registration, existing):
            report.refused.append(_entry(None, member, "email-unverified" if not registration.emails_verified
                                         else "privileged"))
        else:
            link_identity(registration, existing, subject)
            grant_launch_permissions(registration, existing, claims, add_only=True)
            report.linked.append(_entry(existing, member))
        return
    if existing is not None:
        email = ""  # the address belongs to someone of another organisation: never link across
    person = Person(organisation_id=registration.organisation_id, name=display_name(member),
                    email=email or placeholder_email(registration.issuer, subject))
    db.session.add(person)
    grant_launch_permissions(registration, person, claims)
    db.session.flush()
    link_identity(registration, person, subject)
    record("person.created", target=person, details={"source": "lms", "registration": registration.name})
    report.created.append(_entry(person, member))


def sync_course(course_id: int) -> dict | None:
    """The job: bring the course's members in (commits). Only a queued course is run (or one whose run was lost, see
    STALE_MINUTES): a repeated message finds it running or done and does nothing. Returns the report as stored,
    or None when there was nothing to do."""
    runnable = (LtiCourse.sync_status == "queued") | (
        (LtiCourse.sync_status == "running") & (LtiCourse.sync_requested_at <= _stale()))
    claimed = db.session.execute(update(LtiCourse).where(LtiCourse.id == course_id, runnable)
                                 .values(sync_status="running", sync_requested_at=utcnow())
                                 .execution_options(synchronize_session=False))
    db.session.commit()
    if claimed.rowcount != 1:
        return None
    course = db.session.get(LtiCourse, course_id)
    try:
        report = _apply(course, fetch_members(course))
    except Exception as error:  # the platform refused or did not answer, or a member broke: all or nothing
        db.session.rollback()
        course = db.session.get(LtiCourse, course_id)
        course.sync_status, course.sync_error = "failed", f"{type(error).__name__}: {error}"[:500]
        db.session.commit()
        return None
    record("lti.course_synced", target=("lti_course", course.id, course.title), organisation_id=course.organisation_id,
           details={"created": len(report.created), "linked": len(report.linked), "unchanged": report.unchanged,
                    "refused": len(report.refused), "left": len(report.left)})
    db.session.commit()
    return course.sync_report


def _apply(course: LtiCourse, members: list[dict]) -> SyncReport:
    """Bring the active members in, tell who left since the last sync, and keep the report on the course."""
    registration = course.registration
    report = SyncReport()
    present: list[str] = []
    for member in members:
        if str(member.get("status") or "Active") != "Active":
            continue  # inactive or deleted in the course: counted among those who left, below
        _bring_in(registration, member, report)
        if isinstance(member.get("user_id"), str) and member["user_id"]:
            present.append(member["user_id"])
    for subject in sorted(set(course.member_subjects or []) - set(present)):
        identity = db.session.scalar(select(LtiIdentity).where(LtiIdentity.issuer == registration.issuer,
                                                               LtiIdentity.subject == subject))
        if identity is not None and identity.organisation_id == course.organisation_id:
            report.left.append(_entry(identity.person, {}))
    course.member_subjects = sorted(set(present))
    course.sync_report = asdict(report)
    course.sync_status, course.synced_at, course.sync_error = "done", utcnow(), None
    return report


def forget_person(person: Person, subjects: set[str]) -> None:
    """Erase a person from their organisation's courses: their entries in the last reports, and their platform
    user ids (`subjects`) among the members (the privacy provider's erase); flushes only."""
    for course in db.session.scalars(select(LtiCourse).where(LtiCourse.organisation_id == person.organisation_id)):
        if course.member_subjects and subjects & set(course.member_subjects):
            course.member_subjects = [s for s in course.member_subjects if s not in subjects]
        if course.sync_report:
            course.sync_report = {key: [entry for entry in value if entry.get("person_id") != person.id]
                                  if isinstance(value, list) else value
                                  for key, value in course.sync_report.items()}
