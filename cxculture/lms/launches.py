"""What a validated launch does: find, link or create the person, map their LTI roles through the registration's
table to permissions, and decide where they land (their plan, a module, a path or an open assessment campaign).

A platform user is identified by issuer + sub. A first launch whose e-mail names an existing account links to it
only when the administrator vouched for the platform's addresses and the account holds no admin, hr or leader;
otherwise the launch waits until the account's owner signs in once from the same browser."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..assessments.models import Campaign
from ..audit import record
from ..extensions import db
from ..modules.models import Assignment, Module, TrainingPath
from ..modules.plan import build_plan
from ..orgs.models import GRANTED_BY_LMS, Person
from ..orgs.service import person_by_email
from ..refusals import Refused
from ..util import utcnow
from .models import GradeLink, LtiIdentity, LtiLaunch, LtiPendingLink, LtiRegistration
from .roles import PRIVILEGED, granted_permissions, short_name
from .tool import HardenedLaunch, LaunchRefused

ROLES_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/roles"
CUSTOM_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/custom"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
MESSAGE_TYPE_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/message_type"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
#: Roles that may place content in a course (deep linking).
AUTHOR_ROLES = {"Instructor", "Faculty", "Administrator", "SysAdmin", "ContentDeveloper"}
#: How long a launch waits for its person to sign in and link their account.
PENDING_LINK_MINUTES = 15


def role_names(claims: dict) -> set[str]:
    """Short role names from the roles claim: "…/membership#Instructor" -> "Instructor"."""
    roles = claims.get(ROLES_CLAIM) or []
    return {short_name(role) for role in roles if isinstance(role, str)}


def permissions_for(registration: LtiRegistration, claims: dict) -> set[str]:
    """The app permissions a launch grants through the registration's role table (at least employee)."""
    return granted_permissions(registration.role_mappings, claims.get(ROLES_CLAIM))


def display_name(claims: dict) -> str:
    name = str(claims.get("name") or "").strip()
    if not name:
        name = " ".join(str(claims.get(k) or "").strip() for k in ("given_name", "family_name")).strip()
    return name[:200] or "LMS user"


def placeholder_email(issuer: str, subject: str) -> str:
    digest = hashlib.sha256(f"{issuer}\n{subject}".encode()).hexdigest()[:24]
    return f"lti-{digest}@lms.invalid"


class LinkRequired(Exception):
    """A new platform user names the e-mail of an existing account that may not be linked without its owner."""

    def __init__(self, person: Person):
        super().__init__(person.email)
        self.person = person


def may_link_by_email(registration: LtiRegistration, person: Person) -> bool:
    """Only a platform the administrator vouched for links by e-mail, and never to a privileged account."""
    return registration.emails_verified and not (person.permissions & PRIVILEGED)


def grant_launch_permissions(registration: LtiRegistration, person: Person, claims: dict, *,
                             add_only: bool = False) -> None:
    """The permissions the LMS granted become what this launch's roles map to; those set by hand stay. With
    `add_only` (a course's member list, which holds course roles only) nothing the LMS granted is taken away."""
    before = sorted(person.permissions)
    granted = permissions_for(registration, claims)
    if add_only:
        granted |= {row.name for row in person.permission_rows if row.granted_by == GRANTED_BY_LMS}
    person.sync_granted_permissions(GRANTED_BY_LMS, granted)
    if sorted(person.permissions) != before:
        db.session.flush()  # a person created by this launch gets its id
        record("person.lms_permissions", target=person, before={"permissions": before},
               after={"permissions": sorted(person.permissions)},
               details={"registration": registration.name, "registration_id": registration.id})


def link_identity(registration: LtiRegistration, person: Person, subject: str) -> LtiIdentity:
    identity = LtiIdentity(organisation_id=registration.organisation_id, person_id=person.id,
                           issuer=registration.issuer, subject=subject)
    db.session.add(identity)
    return identity


def _subject(claims: dict) -> str:
    subject = claims.get("sub")
    if not subject or not isinstance(subject, str):
        raise LaunchRefused("anonymous", "the launch names no user (sub)")
    return subject


def person_for_launch(registration: LtiRegistration, claims: dict) -> Person:
    """The person behind issuer + sub, created on their first launch. A first launch whose e-mail names an existing
    account raises LinkRequired unless the registration may link it by e-mail (`may_link_by_email`)."""
    subject = _subject(claims)
    identity = db.session.scalar(select(LtiIdentity).where(LtiIdentity.issuer == registration.issuer,
                                                           LtiIdentity.subject == subject))
    if identity is not None and identity.organisation_id != registration.organisation_id:
        raise LaunchRefused("registration", "this user belongs to another organisation's registration")
    person = identity.person if identity else None
    email = str(claims.get("email") or "").strip().lower()[:254]
    if person is None and email:
        existing = person_by_email(email)
        if existing is not None and existing.organisation_id == registration.organisation_id:
            if not existing.active:
                raise LaunchRefused("inactive", "this account has been deactivated in CX Culture", status=403)
            if not may_link_by_email(registration, existing):
                raise LinkRequired(existing)
            person = existing  # the administrator vouched for this platform's addresses
        elif existing is not None:
            email = ""  # the address belongs to someone of another organisation: never link across
    if person is None:
        person = Person(organisation_id=registration.organisation_id, name=display_name(claims),
                        email=email or placeholder_email(registration.issuer, subject))
        db.session.add(person)
    elif not person.active:
        raise LaunchRefused("inactive", "this account has been deactivated in CX Culture", status=403)
    grant_launch_permissions(registration, person, claims)
    db.session.flush()
    if identity is None:
        link_identity(registration, person, subject)
    person.last_login_at = utcnow()
    db.session.flush()
    return person


@dataclass
class LaunchOutcome:
    #: Who is logged in; None while the launch waits for a sign-in (see `link_token`).
    person: Person | None
    url: str
    #: A message for the landing page (e.g. the campaign has closed), or None.
    notice: str | None = None
    #: The token the launching browser keeps in its session until its person signs in to link their account.
    link_token: str | None = None


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
    """After validation: the person, and where the launch takes them (flushes; the view commits). A launch that
    must wait for its person to sign in and link their account is kept (`hold_for_link`)."""
    from .rosters import remember_course

    registration = message.registration_row
    claims = message.claims()
    remember_course(registration, claims)
    try:
        person = person_for_launch(registration, claims)
    except LinkRequired as required:
        token = hold_for_link(registration, required.person, claims, message.get_launch_id())
        return LaunchOutcome(None, url_for("lms.link_account"), link_token=token)
    return land(registration, person, claims, message.get_launch_id())


def land(registration: LtiRegistration, person: Person, claims: dict, launch_id: str) -> LaunchOutcome:
    """Where a launch takes its person: the deep-linking picker, a module, a path, a campaign or their plan."""
    if claims.get(MESSAGE_TYPE_CLAIM) == "LtiDeepLinkingRequest":
        if not role_names(claims) & AUTHOR_ROLES:
            raise LaunchRefused("not-author", "only course authors can place content", status=403)
        launch = LtiLaunch(
            id=launch_id,
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


# Linking an existing account: the launch waits, bound to the browser it came to, until its owner signs in -------

def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hold_for_link(registration: LtiRegistration, person: Person, claims: dict, launch_id: str) -> str:
    """Keep the launch for PENDING_LINK_MINUTES; returns the token for the launching browser's session (only
    its hash is stored, and only `person` can complete it)."""
    now = utcnow()
    db.session.execute(delete(LtiPendingLink).where(LtiPendingLink.expires_at < now)
                       .execution_options(synchronize_session=False))
    token = secrets.token_urlsafe(32)
    db.session.add(LtiPendingLink(
        id=_token_hash(token), organisation_id=registration.organisation_id, registration_id=registration.id,
        person_id=person.id, subject=_subject(claims), launch_id=launch_id, claims=claims, created_at=now,
        expires_at=now + timedelta(minutes=PENDING_LINK_MINUTES),
    ))
    db.session.flush()
    return token


def pending_link(token: str | None) -> LtiPendingLink | None:
    """The launch waiting behind a session's token, while it has not expired."""
    if not token or not isinstance(token, str):
        return None
    link = db.session.get(LtiPendingLink, _token_hash(token))
    if link is None or link.expires_at <= utcnow():
        return None
    return link


def sweep_expired_pending_links() -> int:
    """Delete the pending links that can no longer be completed; flushes only. Returns how many."""
    return db.session.execute(delete(LtiPendingLink).where(LtiPendingLink.expires_at <= utcnow())
                              .execution_options(synchronize_session=False)).rowcount


def complete_link(link: LtiPendingLink, person: Person) -> LaunchOutcome:
    """`person` has signed in with their own password: link the platform user to them, once, and land where the
    launch pointed. Refused (and nothing changes) when they are not the account the launch named."""
    if person.id != link.person_id or person.organisation_id != link.organisation_id:
        raise Refused(_("You signed in as another account than the one your course platform named, so nothing was "
                        "linked. Sign in with the account of %(email)s, or ask your administrator.",
                        email=link.person.email), code="wrong-person")
    registration, claims, subject, launch_id = link.registration, link.claims, link.subject, link.launch_id
    # Claimed in one statement: of two submits racing, the second finds nothing to complete.
    claimed = db.session.execute(delete(LtiPendingLink).where(LtiPendingLink.id == link.id)
                                 .execution_options(synchronize_session=False))
    if claimed.rowcount != 1:
        raise LaunchRefused("link-expired", "the pending link was already completed")
    identity = db.session.scalar(select(LtiIdentity).where(LtiIdentity.issuer == registration.issuer,
                                                           LtiIdentity.subject == subject))
    if identity is not None and identity.person_id != person.id:
        raise Refused(_("This course platform account is already linked to another person."), code="linked")
    if identity is None:
        link_identity(registration, person, subject)
    grant_launch_permissions(registration, person, claims)
    db.session.flush()
    return land(registration, person, claims, launch_id)
