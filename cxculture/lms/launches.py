"""What a validated launch does: find or create the person, map LTI roles to permissions, and decide where
they land (their plan, a module, a path or an open assessment campaign)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flask import url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..assessments.models import Campaign
from ..extensions import db
from ..modules.models import Assignment, Module, TrainingPath
from ..modules.plan import build_plan
from ..orgs.models import Person
from ..orgs.service import person_by_email
from ..util import utcnow
from .models import GradeLink, LtiIdentity, LtiLaunch, LtiRegistration
from .tool import HardenedLaunch, LaunchRefused

ROLES_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/roles"
CUSTOM_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/custom"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
MESSAGE_TYPE_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/message_type"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
#: The last part of an LTI role URI (membership, institution or system role) -> the app permission it grants.
ROLE_PERMISSIONS = {
    "Learner": "employee", "Student": "employee",
    "Instructor": "manager", "Faculty": "manager",
    "Administrator": "admin", "SysAdmin": "admin",
}
#: Roles that may place content in a course (deep linking).
AUTHOR_ROLES = {"Instructor", "Faculty", "Administrator", "SysAdmin", "ContentDeveloper"}


def role_names(claims: dict) -> set[str]:
    """Short role names from the roles claim: "…/membership#Instructor" -> "Instructor"."""
    roles = claims.get(ROLES_CLAIM) or []
    return {str(role).rsplit("#", 1)[-1].rsplit("/", 1)[-1] for role in roles if isinstance(role, str)}


def permissions_for(claims: dict) -> set[str]:
    """The app permissions a launch grants; everyone launched is at least an employee (they take training)."""
    return {"employee"} | {ROLE_PERMISSIONS[r] for r in role_names(claims) if r in ROLE_PERMISSIONS}


def _display_name(claims: dict) -> str:
    name = str(claims.get("name") or "").strip()
    if not name:
        name = " ".join(str(claims.get(k) or "").strip() for k in ("given_name", "family_name")).strip()
    return name[:200] or "LMS user"


def _placeholder_email(issuer: str, subject: str) -> str:
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:24]
    return f"lti-{digest}@lms.invalid"


def person_for_launch(registration: LtiRegistration, claims: dict) -> Person:
    """The person behind issuer + sub, created on their first launch; permissions only ever grow here."""
    subject = claims.get("sub")
    if not subject or not isinstance(subject, str):
        raise LaunchRefused("anonymous", "the launch names no user (sub)")
    identity = db.session.scalar(select(LtiIdentity).where(LtiIdentity.issuer == registration.issuer,
                                                           LtiIdentity.subject == subject))
    if identity is not None and identity.organisation_id != registration.organisation_id:
        raise LaunchRefused("registration", "this user belongs to another organisation's registration")
    person = identity.person if identity else None
    email = str(claims.get("email") or "").strip().lower()[:254]
    if person is None and email:
        existing = person_by_email(email)
        if existing is not None and existing.organisation_id == registration.organisation_id:
            person = existing  # the platform vouches for the address of someone already in the organisation
        elif existing is not None:
            email = ""  # the address belongs to someone of another organisation: never link across
    if person is None:
        person = Person(organisation_id=registration.organisation_id, name=_display_name(claims),
                        email=email or _placeholder_email(registration.issuer, subject))
        person.permissions = permissions_for(claims)
        db.session.add(person)
        db.session.flush()
    elif not person.active:
        raise LaunchRefused("inactive", "this account has been deactivated in CX Culture", status=403)
    else:
        person.permissions = person.permissions | permissions_for(claims)
    if identity is None:
        db.session.add(LtiIdentity(organisation_id=registration.organisation_id, person_id=person.id,
                                   issuer=registration.issuer, subject=subject))
    person.last_login_at = utcnow()
    db.session.flush()
    return person


@dataclass
class LaunchOutcome:
    person: Person
    url: str
    #: A message for the landing page (e.g. the campaign has closed), or None.
    notice: str | None = None


def parse_target(claims: dict) -> tuple[str, str]:
    """(kind, value) of what the link points to, from the custom parameter `target` ("module:slug",
    "path:12", "campaign:3"); ("plan", "") when none."""
    custom = claims.get(CUSTOM_CLAIM) or {}
    target = str(custom.get("target") or "").strip() if isinstance(custom, dict) else ""
    kind, _, value = target.partition(":")
    if kind in ("module", "path", "campaign") and value:
        return kind, value
    return "plan", ""


def _link_grades(registration: LtiRegistration, person: Person, module: Module, claims: dict) -> None:
    endpoint = claims.get(AGS_CLAIM)
    if (
        not isinstance(endpoint, dict)
        or not endpoint.get("lineitem")
        or SCORE_SCOPE not in (endpoint.get("scope") or [])
    ):
        return
    lineitem = str(endpoint["lineitem"])
    link = db.session.scalar(
        select(GradeLink).where(
            GradeLink.person_id == person.id, GradeLink.module_id == module.id, GradeLink.lineitem_url == lineitem
        )
    )
    if link is None:
        db.session.add(
            GradeLink(
                organisation_id=person.organisation_id,
                registration_id=registration.id,
                person_id=person.id,
                module_id=module.id,
                subject=claims["sub"],
                lineitem_url=lineitem,
                endpoint=endpoint,
            )
        )
    else:
        link.endpoint = endpoint


def _land_on_module(registration: LtiRegistration, person: Person, slug: str, claims: dict) -> LaunchOutcome:
    module = db.session.scalar(select(Module).where(Module.slug == slug))
    if module is None:
        raise LaunchRefused("target", f"the module {slug!r} does not exist", status=404)
    if build_plan(person).entry(slug) is None:  # placed in the course: it becomes part of their plan
        try:
            with db.session.begin_nested():
                db.session.add(
                    Assignment(organisation_id=person.organisation_id, person_id=person.id, module_id=module.id)
                )
        except IntegrityError:
            pass
    _link_grades(registration, person, module, claims)
    return LaunchOutcome(person, url_for("modules.learn_module", slug=slug))


def _land_on_path(person: Person, value: str) -> LaunchOutcome:
    path = db.session.get(TrainingPath, int(value)) if value.isdigit() else None
    if path is None or path.organisation_id != person.organisation_id:
        raise LaunchRefused("target", f"the training path {value!r} does not exist here", status=404)
    if person.job_role_id is None:  # the course is this role's path: it is theirs too
        person.job_role_id = path.job_role_id
    return LaunchOutcome(person, url_for("home.employee"))


def _land_on_campaign(person: Person, value: str) -> LaunchOutcome:
    campaign = db.session.get(Campaign, int(value)) if value.isdigit() else None
    if campaign is None or campaign.organisation_id != person.organisation_id:
        raise LaunchRefused("target", f"the assessment campaign {value!r} does not exist here", status=404)
    if campaign.status != "open":
        return LaunchOutcome(person, url_for("home.index"), notice="campaign-closed")
    return LaunchOutcome(person, url_for("assessments.answer_intro", campaign_id=campaign.id))


def complete_launch(message: HardenedLaunch) -> LaunchOutcome:
    """After validation: the person, and where the launch takes them (flushes; the view commits)."""
    registration = message.registration_row
    claims = message.claims()
    person = person_for_launch(registration, claims)
    if claims.get(MESSAGE_TYPE_CLAIM) == "LtiDeepLinkingRequest":
        if not role_names(claims) & AUTHOR_ROLES:
            raise LaunchRefused("not-author", "only course authors can place content", status=403)
        launch = LtiLaunch(
            id=message.get_launch_id(),
            organisation_id=person.organisation_id,
            registration_id=registration.id,
            person_id=person.id,
            message_type="LtiDeepLinkingRequest",
            claims=claims,
        )
        db.session.add(launch)
        db.session.flush()
        return LaunchOutcome(person, url_for("lms.pick_content", launch_id=launch.id))
    if claims.get(MESSAGE_TYPE_CLAIM) != "LtiResourceLinkRequest":
        raise LaunchRefused("message-type", f"{claims.get(MESSAGE_TYPE_CLAIM)!r} launches are not supported")
    kind, value = parse_target(claims)
    if kind == "module":
        return _land_on_module(registration, person, value, claims)
    if kind == "path":
        return _land_on_path(person, value)
    if kind == "campaign":
        return _land_on_campaign(person, value)
    return LaunchOutcome(person, url_for("home.index"))
