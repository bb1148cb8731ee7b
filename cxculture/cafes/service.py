"""Planning a café, editing its agenda, and recording what happened: attendance, notes, decisions, actions.

Every function checks its input against the host organisation and refuses naming each problem,
changing nothing then; it flushes, and the request commits once. A form's random `submission_key` makes a
second submit of the same form find what the first one stored instead of storing it twice.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..assessments import actions as action_service
from ..assessments.models import ActionItem
from ..events import cafe_attended, cafe_held
from ..extensions import db
from ..modules.reports import leadership_query
from ..orgs.models import Organisation, Permission, Person, PersonPermission
from ..pillars import PILLARS
from ..refusals import Refused
from ..util import utcnow
from .agenda import _renumber
from .mailing import mail_cafe_invitations
from .models import AgendaItem, Cafe, CafeAction, CafeAttendee, CafeDecision, CafeInvitation

MAX_TITLE_LENGTH = 200
MAX_PLACE_LENGTH = 200
MAX_LINK_LENGTH = 500
MAX_PROMPTS = 8
MAX_PROMPT_LENGTH = 400
MAX_NOTES_LENGTH = 20_000
MAX_DECISION_LENGTH = 2_000
MIN_DURATION, MAX_DURATION = 15, 8 * 60
LANGUAGES = ("en", "it")
MAX_EMAIL_LENGTH = 254
#: An invitation's states.
PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"


#: What to say next to a field for each reason a café change is refused: the action items' own messages, with the
#: café's where its fields mean something else (a café's title is not an action's).
CAFE_REFUSALS = {
    **action_service.ACTION_REFUSALS,
    ("title", "missing"): _l("Write a title."),
    ("title", "too-long"): _l("Keep it under %(max)s characters.", max=MAX_TITLE_LENGTH),
    ("starts_at", "missing"): _l("Choose the date and the start time."),
    ("duration_minutes", "range"): _l("Between %(min)s and %(max)s minutes.", min=MIN_DURATION, max=MAX_DURATION),
    ("location", "missing"): _l("Write a place, a video link, or both."),
    ("location", "too-long"): _l("Keep it under %(max)s characters.", max=MAX_PLACE_LENGTH),
    ("video_link", "not-a-link"): _l("Write the full link, starting with https://."),
    ("video_link", "too-long"): _l("Keep it under %(max)s characters.", max=MAX_LINK_LENGTH),
    ("facilitator_id", "missing"): _l("Choose the facilitator."),
    ("facilitator_id", "unknown"): _l("Choose the facilitator from the list: one of your organisation's leaders."),
    ("attendee_ids", "unknown"): _l("Attendees must be leaders of your organisation: choose them from the list."),
    ("focus_pillars", "unknown"): _l("Choose focus pillars from the six pillars."),
    ("language", "unknown"): _l("Choose English or Italian."),
    ("prompts", "too-many"): _l("Keep to %(max)s prompts at most, one per line.", max=MAX_PROMPTS),
    ("prompts", "too-long"): _l("Each prompt must stay under %(max)s characters.", max=MAX_PROMPT_LENGTH),
    ("notes", "too-long"): _l("Keep the notes under %(max)s characters.", max=MAX_NOTES_LENGTH),
    ("text", "missing"): _l("Write what was decided."),
    ("text", "too-long"): _l("Keep it under %(max)s characters.", max=MAX_DECISION_LENGTH),
    ("agenda_item_id", "unknown"): _l("That agenda item is no longer on this café's agenda."),
    ("email", "missing"): _l("Write the e-mail address of the leader you want to invite."),
    ("email", "too-long"): _l("An e-mail address has at most %(max)s characters.", max=MAX_EMAIL_LENGTH),
    ("email", "not-an-address"): _l("This is not an e-mail address: write it as name@company.com."),
}


def _refused(problems: dict[str, str]) -> Refused:
    return action_service.refused_with(CAFE_REFUSALS, problems)


# Who can take part -----------------------------------------------------------------------------------------

def leader_choices(organisation_id: int) -> list[Person]:
    """The organisation's leadership team (executive job role or leader permission), active, by name."""
    return list(db.session.scalars(leadership_query(organisation_id)))


def invitable_leader(host_organisation_id: int, email: str) -> Person | None:
    """The active leader of another opted-in organisation with that address, if any (for the service only: no
    page ever says whether there is one)."""
    leaders = select(PersonPermission.person_id).where(PersonPermission.name == Permission.LEADER.value)
    return db.session.scalar(
        select(Person).join(Organisation, Organisation.id == Person.organisation_id)
        .where(Person.email == email, Organisation.benchmark_opt_in.is_(True),
               Organisation.id != host_organisation_id, Person.active.is_(True), Person.id.in_(leaders)))


# Planning ------------------------------------------------------------------------------------------------------

@dataclass
class CafePlan:
    """What a leader fills in to plan a café."""

    title: str
    starts_at: datetime | None
    duration_minutes: int | None
    location: str
    video_link: str
    facilitator_id: int | None
    attendee_ids: list[int]
    focus_pillars: list[str]
    language: str


def _clean_link(link: str) -> str:
    return (link or "").strip()


def _check_plan(organisation_id: int, plan: CafePlan) -> dict[str, str]:
    problems: dict[str, str] = {}
    title = (plan.title or "").strip()
    if not title:
        problems["title"] = "missing"
    elif len(title) > MAX_TITLE_LENGTH:
        problems["title"] = "too-long"
    if plan.starts_at is None:
        problems["starts_at"] = "missing"
    if plan.duration_minutes is None or not MIN_DURATION <= plan.duration_minutes <= MAX_DURATION:
        problems["duration_minutes"] = "range"
    location, link = (plan.location or "").strip(), _clean_link(plan.video_link)
    if not location and not link:
        problems["location"] = "missing"
    elif len(location) > MAX_PLACE_LENGTH:
        problems["location"] = "too-long"
    if link:
        parts = urlsplit(link)
        if len(link) > MAX_LINK_LENGTH:
            problems["video_link"] = "too-long"
        elif parts.scheme not in ("https", "http") or not parts.netloc or " " in link:
            problems["video_link"] = "not-a-link"
    leaders = {p.id for p in leader_choices(organisation_id)}
    if plan.facilitator_id is None:
        problems["facilitator_id"] = "missing"
    elif plan.facilitator_id not in leaders:
        problems["facilitator_id"] = "unknown"
    if any(person_id not in leaders for person_id in plan.attendee_ids):
        problems["attendee_ids"] = "unknown"
    if any(pillar not in PILLARS for pillar in plan.focus_pillars):
        problems["focus_pillars"] = "unknown"
    if plan.language not in LANGUAGES:
        problems["language"] = "unknown"
    return problems


def _apply_plan(cafe: Cafe, plan: CafePlan) -> None:
    cafe.title = plan.title.strip()
    cafe.starts_at = plan.starts_at
    cafe.duration_minutes = plan.duration_minutes
    cafe.location = (plan.location or "").strip() or None
    cafe.video_link = _clean_link(plan.video_link) or None
    cafe.facilitator_id = plan.facilitator_id
    cafe.focus_pillars = [p for p in PILLARS if p in set(plan.focus_pillars)]
    cafe.language = plan.language
    wanted = set(plan.attendee_ids) | {plan.facilitator_id}
    current = {a.person_id: a for a in cafe.attendees if not a.guest}
    for person_id, attendee in current.items():
        if person_id not in wanted and attendee.present is None:
            cafe.attendees.remove(attendee)  # whoever was marked at a held café stays on its record
    for person_id in sorted(wanted - set(current)):
        cafe.attendees.append(CafeAttendee(person_id=person_id, guest=False))


def create_cafe(organisation_id: int, plan: CafePlan, created_by: Person | None = None,
                submission_key: str | None = None) -> tuple[Cafe, bool]:
    """A new café (agenda not drafted yet); returns (café, created). The same submission_key twice returns the
    café the first submit created, with created=False."""
    if submission_key:
        existing = db.session.scalar(select(Cafe).where(Cafe.organisation_id == organisation_id,
                                                        Cafe.submission_key == submission_key))
        if existing is not None:
            return existing, False
    problems = _check_plan(organisation_id, plan)
    if problems:
        raise _refused(problems)
    cafe = Cafe(organisation_id=organisation_id, submission_key=submission_key or None, status="planned",
                created_by_id=created_by.id if created_by else None)
    _apply_plan(cafe, plan)
    db.session.add(cafe)
    db.session.flush()
    mail_cafe_invitations(cafe, {a.person_id for a in cafe.attendees} - {created_by.id if created_by else None})
    return cafe, True


def update_cafe(cafe: Cafe, plan: CafePlan) -> Cafe:
    problems = _check_plan(cafe.organisation_id, plan)
    if problems:
        raise _refused(problems)
    before = {a.person_id for a in cafe.attendees}
    _apply_plan(cafe, plan)
    db.session.flush()
    mail_cafe_invitations(cafe, {a.person_id for a in cafe.attendees} - before)
    return cafe


def _normalise_address(email: str | None) -> tuple[str, str | None]:
    """(address, problem): the address lower-cased, or the reason it is not one."""
    text = (email or "").strip()
    if not text:
        return "", "missing"
    if len(text) > MAX_EMAIL_LENGTH:
        return "", "too-long"
    try:
        return validate_email(text, check_deliverability=False).normalized.lower(), None
    except EmailNotValidError:
        return "", "not-an-address"


def invite_by_email(cafe: Cafe, email: str | None, invited_by: Person | None = None) -> CafeInvitation:
    """Record an invitation to the address: pending whether or not it belongs to a leader of another opted-in
    organisation (only such a leader ever sees it, and the host cannot tell which). Inviting the same address
    twice changes nothing, except that an address which now belongs to such a leader reaches them."""
    address, problem = _normalise_address(email)
    if problem:
        raise _refused({"email": problem})
    invitation = next((i for i in cafe.invitations if i.email == address), None)
    leader = invitable_leader(cafe.organisation_id, address)
    if invitation is None:
        invitation = CafeInvitation(email=address, status=PENDING, invited_by_id=invited_by.id if invited_by else None)
        cafe.invitations.append(invitation)
    if invitation.person_id is None and leader is not None:
        invitation.person_id = leader.id
        db.session.flush()
        mail_cafe_invitations(cafe, {leader.id}, guests=True)
    db.session.flush()
    return invitation


def withdraw_invitation(cafe: Cafe, invitation_id: int | None) -> None:
    """Withdraw an invitation and, if it was accepted, the guest's seat (nothing happens for an unknown id)."""
    invitation = next((i for i in cafe.invitations if i.id == invitation_id), None)
    if invitation is None:
        return
    for attendee in list(cafe.attendees):
        if attendee.guest and attendee.person_id == invitation.person_id:
            cafe.attendees.remove(attendee)
    cafe.invitations.remove(invitation)
    db.session.flush()


def _may_be_a_guest(person: Person) -> bool:
    return person.active and person.can("leader") and bool(person.organisation.benchmark_opt_in)


def pending_invitations(person: Person) -> list[Cafe]:
    """Planned cafés of other organisations that invited the person and that they have not answered yet
    (while they are a leader and their organisation stays in the benchmark network), soonest first."""
    if not _may_be_a_guest(person):
        return []
    return list(db.session.scalars(
        select(Cafe).join(CafeInvitation, CafeInvitation.cafe_id == Cafe.id)
        .where(CafeInvitation.person_id == person.id, CafeInvitation.status == PENDING,
               Cafe.organisation_id != person.organisation_id, Cafe.status == "planned")
        .order_by(Cafe.starts_at, Cafe.id)))


def answer_invitation(cafe_id: int, person: Person, accept: bool) -> Cafe | None:
    """The person accepts (and becomes a guest) or declines their pending invitation to the café; None when they
    have no such invitation."""
    invitation = db.session.scalar(
        select(CafeInvitation).join(Cafe, Cafe.id == CafeInvitation.cafe_id)
        .where(CafeInvitation.cafe_id == cafe_id, CafeInvitation.person_id == person.id,
               CafeInvitation.status == PENDING, Cafe.organisation_id != person.organisation_id,
               Cafe.status == "planned"))
    if invitation is None or not _may_be_a_guest(person):
        return None
    cafe = invitation.cafe
    invitation.status, invitation.answered_at = (ACCEPTED if accept else DECLINED), utcnow()
    if accept and not any(a.person_id == person.id for a in cafe.attendees):
        cafe.attendees.append(CafeAttendee(person_id=person.id, guest=True))
    db.session.flush()
    return cafe


# The agenda ----------------------------------------------------------------------------------------------------

def parse_prompts(text: str) -> list[str]:
    """One prompt per line; blank lines and list bullets are dropped."""
    prompts = []
    for line in (text or "").splitlines():
        line = line.strip().lstrip("-•*").strip()
        if line:
            prompts.append(line)
    return prompts


def _check_item(title: str, prompts: list[str], notes: str) -> dict[str, str]:
    problems: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        problems["title"] = "missing"
    elif len(title) > MAX_TITLE_LENGTH:
        problems["title"] = "too-long"
    if len(prompts) > MAX_PROMPTS:
        problems["prompts"] = "too-many"
    elif any(len(p) > MAX_PROMPT_LENGTH for p in prompts):
        problems["prompts"] = "too-long"
    if len(notes or "") > MAX_NOTES_LENGTH:
        problems["notes"] = "too-long"
    return problems


def update_agenda_item(item: AgendaItem, *, title: str, prompts_text: str, notes: str) -> AgendaItem:
    prompts = parse_prompts(prompts_text)
    problems = _check_item(title, prompts, notes)
    if problems:
        raise _refused(problems)
    item.title, item.prompts, item.notes = title.strip(), prompts, (notes or "").strip()
    db.session.flush()
    return item


def add_free_item(cafe: Cafe, *, title: str, prompts_text: str, notes: str = "",
                  submission_key: str | None = None) -> AgendaItem:
    """An item the facilitator adds, at the end of the agenda."""
    if submission_key:
        for item in cafe.agenda:
            if item.submission_key == submission_key:
                return item
    prompts = parse_prompts(prompts_text)
    problems = _check_item(title, prompts, notes)
    if problems:
        raise _refused(problems)
    item = AgendaItem(kind="free", title=title.strip(), prompts=prompts, notes=(notes or "").strip(), snapshot={},
                      position=max((i.position for i in cafe.agenda), default=0) + 1,
                      submission_key=submission_key or None)
    cafe.agenda.append(item)
    db.session.flush()
    return item


def move_agenda_item(item: AgendaItem, direction: str) -> None:
    """Swap the item with its neighbour above ("up") or below ("down"); at an end nothing moves."""
    items = sorted(item.cafe.agenda, key=lambda i: (i.position, i.id))
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1 if direction == "down" else None
    if other is None or not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for number, each in enumerate(items, 1):
        each.position = number
    db.session.flush()


def remove_agenda_item(item: AgendaItem) -> None:
    """Remove an item; its decisions and actions stay with the café, no longer tied to an item."""
    cafe = item.cafe
    for decision in db.session.scalars(select(CafeDecision).where(CafeDecision.agenda_item_id == item.id)):
        decision.agenda_item_id = None
    for link in db.session.scalars(select(CafeAction).where(CafeAction.agenda_item_id == item.id)):
        link.agenda_item_id = None
    cafe.agenda.remove(item)
    db.session.flush()
    _renumber(cafe)


# During and after ----------------------------------------------------------------------------------------------

def record_attendance(cafe: Cafe, present_ids: set[int], held: bool = True) -> list[Person]:
    """Mark who was there (everyone else invited as absent) and, when `held`, the café as held. Sends
    `cafe_attended` once per person, when they are first marked present, and `cafe_held` when the café first
    becomes held; returns those people."""
    newly_present = []
    for attendee in cafe.attendees:
        present = attendee.person_id in present_ids
        if present and attendee.present is not True:
            newly_present.append(attendee.person)
        attendee.present = present
    now_held = held and cafe.status != "held"
    if now_held:
        cafe.status, cafe.held_at = "held", utcnow()
    db.session.flush()
    for person in newly_present:
        cafe_attended.send(person, cafe=cafe)
    if now_held:
        cafe_held.send(cafe)
    return newly_present


def _agenda_item_of(cafe: Cafe, agenda_item_id: int | None, problems: dict) -> AgendaItem | None:
    if agenda_item_id is None:
        return None
    for item in cafe.agenda:
        if item.id == agenda_item_id:
            return item
    problems["agenda_item_id"] = "unknown"
    return None


def add_decision(cafe: Cafe, *, text: str, agenda_item_id: int | None = None, published: bool = False,
                 created_by: Person | None = None, submission_key: str | None = None) -> CafeDecision:
    if submission_key:
        existing = db.session.scalar(select(CafeDecision).where(CafeDecision.cafe_id == cafe.id,
                                                                CafeDecision.submission_key == submission_key))
        if existing is not None:
            return existing
    problems: dict[str, str] = {}
    text = (text or "").strip()
    if not text:
        problems["text"] = "missing"
    elif len(text) > MAX_DECISION_LENGTH:
        problems["text"] = "too-long"
    _agenda_item_of(cafe, agenda_item_id, problems)
    if problems:
        raise _refused(problems)
    decision = CafeDecision(text=text, agenda_item_id=agenda_item_id, published=bool(published),
                            submission_key=submission_key or None, created_by_id=created_by.id if created_by else None)
    cafe.decisions.append(decision)
    db.session.flush()
    return decision


def set_decision_published(decision: CafeDecision, published: bool) -> None:
    decision.published = bool(published)
    db.session.flush()


def remove_decision(decision: CafeDecision) -> None:
    decision.cafe.decisions.remove(decision)
    db.session.flush()


def add_action(cafe: Cafe, *, title: str, pillar: str, owner_id: int | None, due_date: date | None,
               agenda_item_id: int | None = None, created_by: Person | None = None,
               submission_key: str | None = None, today: date | None = None) -> ActionItem:
    """An action item agreed in the café: the assessment area's ActionItem, linked to the café and item."""
    if submission_key:
        existing = db.session.scalar(select(CafeAction).where(CafeAction.cafe_id == cafe.id,
                                                              CafeAction.submission_key == submission_key))
        if existing is not None:
            return existing.action
    problems: dict[str, str] = {}
    _agenda_item_of(cafe, agenda_item_id, problems)
    if problems:
        raise _refused(problems)
    try:
        action = action_service.create_action(cafe.organisation_id, title=title, pillar=pillar, owner_id=owner_id,
                                              due_date=due_date, created_by=created_by, today=today)
    except Refused as error:
        raise _refused(error.codes) from None
    db.session.add(CafeAction(cafe_id=cafe.id, action_item_id=action.id, agenda_item_id=agenda_item_id,
                              submission_key=submission_key or None))
    db.session.flush()
    return action


# Reading -------------------------------------------------------------------------------------------------------

def cafes_of(organisation_id: int) -> list[Cafe]:
    """The organisation's cafés, latest first."""
    return list(db.session.scalars(select(Cafe).where(Cafe.organisation_id == organisation_id)
                                   .options(selectinload(Cafe.facilitator))
                                   .order_by(Cafe.starts_at.desc(), Cafe.id.desc())))


def next_cafe(organisation_id: int, today: date) -> Cafe | None:
    """The organisation's next planned café: the first one starting `today` or later."""
    return db.session.scalar(select(Cafe).where(Cafe.organisation_id == organisation_id, Cafe.status == "planned",
                                                Cafe.starts_at >= datetime.combine(today, datetime.min.time()))
                             .options(selectinload(Cafe.facilitator))
                             .order_by(Cafe.starts_at, Cafe.id).limit(1))


def invited_cafes(person: Person) -> list[Cafe]:
    """Cafés of other organisations the person is a guest of, having accepted the invitation (while their
    organisation stays in the benchmark network), latest first."""
    if not _may_be_a_guest(person):
        return []
    return list(db.session.scalars(
        select(Cafe).join(CafeAttendee, CafeAttendee.cafe_id == Cafe.id)
        .where(CafeAttendee.person_id == person.id, CafeAttendee.guest.is_(True),
               Cafe.organisation_id != person.organisation_id)
        .options(selectinload(Cafe.facilitator))
        .order_by(Cafe.starts_at.desc(), Cafe.id.desc())))


@dataclass(frozen=True)
class PublishedDecision:
    text: str
    cafe_title: str
    held_on: date


def published_decisions(organisation_id: int, limit: int = 5) -> list[PublishedDecision]:
    """What leadership chose to tell everyone, newest café first."""
    rows = db.session.execute(
        select(CafeDecision.text, Cafe.title, Cafe.starts_at).join(Cafe, Cafe.id == CafeDecision.cafe_id)
        .where(Cafe.organisation_id == organisation_id, CafeDecision.published.is_(True))
        .order_by(Cafe.starts_at.desc(), CafeDecision.id).limit(limit)).all()
    return [PublishedDecision(text, title, starts_at.date()) for text, title, starts_at in rows]


def cafe_actions(cafe: Cafe) -> list[tuple[CafeAction, ActionItem]]:
    """The action items agreed in the café with their links, soonest due first."""
    return list(db.session.execute(
        select(CafeAction, ActionItem).join(ActionItem, ActionItem.id == CafeAction.action_item_id)
        .where(CafeAction.cafe_id == cafe.id).options(selectinload(ActionItem.owner))
        .order_by(ActionItem.due_date, ActionItem.id)).all())


def actions_by_id(action_ids: list[int], organisation_id: int) -> dict[int, ActionItem]:
    """Current state of the action items a follow-up snapshot lists (of the organisation only)."""
    if not action_ids:
        return {}
    return {a.id: a for a in db.session.scalars(
        select(ActionItem).where(ActionItem.id.in_(action_ids), ActionItem.organisation_id == organisation_id)
        .options(selectinload(ActionItem.owner)))}
