"""Answering a campaign: drafts that belong to the person, and one anonymous submit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from .. import events
from ..extensions import db
from ..orgs.models import Person, PersonPermission, Team
from ..refusals import Refused
from .anonymity import campaign_threshold
from .answers import Answer, Comment, Invitee, Participation, Response
from .models import PULSE, Campaign, Draft

MAX_COMMENT_LENGTH = 2000
#: "Don't know / not applicable" in a draft and on the answer page (stored as an answer with no value).
DONT_KNOW = 0
#: The employee Net Promoter question of a pulse: its key among a draft's answers and a refusal's problems.
ENPS_KEY = "enps"


#: Why answering is refused, by code; "invalid" also carries `problems` (statement key -> "missing",
#: "invalid", "unknown" or "too-long") for the page to mark each statement.
ANSWERING_REFUSALS = {
    "closed": _l("It is closed, or not open yet, so nothing was saved. If you had started, your unsent answers "
                 "are not kept."),
    "not-invited": _l("The self-assessment was sent to other teams, so there is nothing for you to answer. If you "
                      "think this is a mistake, ask your administrator."),
    "already-answered": _l("Your answers were already in: nothing was sent twice."),
    "invalid": _l("Some answers could not be saved: check the marked statements."),
}


def _refused(code: str, problems: dict | None = None) -> Refused:
    return Refused(ANSWERING_REFUSALS[code], code, problems=problems or {})


def campaign_team_ids(campaign: Campaign) -> set[int] | None:
    """The invited teams with all their sub-teams; None when the whole organisation is invited."""
    if not campaign.teams:
        return None
    children: dict[int | None, list[int]] = {}
    for team_id, parent_id in db.session.execute(
        select(Team.id, Team.parent_id).where(Team.organisation_id == campaign.organisation_id)
    ):
        children.setdefault(parent_id, []).append(team_id)
    result, stack = set(), [t.id for t in campaign.teams]
    while stack:
        team_id = stack.pop()
        if team_id not in result:
            result.add(team_id)
            stack.extend(children.get(team_id, []))
    return result


def is_invited(campaign: Campaign, person: Person) -> bool:
    """Active employees of the campaign's teams (or of the whole organisation) answer; once the campaign has
    opened, exactly the people invited then (its frozen population)."""
    if person.organisation_id != campaign.organisation_id or not person.active:
        return False
    if campaign.population is not None:
        return _invitee(campaign, person) is not None
    if not person.can("employee"):
        return False
    teams = campaign_team_ids(campaign)
    return teams is None or person.team_id in teams


def _invitee(campaign: Campaign, person: Person) -> Invitee | None:
    return db.session.scalar(select(Invitee).where(Invitee.campaign_id == campaign.id,
                                                   Invitee.person_id == person.id))


def invited_people_query(campaign: Campaign):
    """Ids of the people who may answer: the same rule as is_invited, in SQL."""
    employees = select(PersonPermission.person_id).where(PersonPermission.name == "employee")
    query = select(Person.id).where(Person.organisation_id == campaign.organisation_id, Person.active.is_(True),
                                    Person.id.in_(employees))
    teams = campaign_team_ids(campaign)
    if teams is not None:
        query = query.where(Person.team_id.in_(teams))
    return query


def is_accepting(campaign: Campaign, today: date | None = None) -> bool:
    today = today or date.today()
    return campaign.status == "open" and campaign.opens_on <= today <= campaign.closes_on


def has_answered(campaign: Campaign, person: Person) -> bool:
    return db.session.scalar(select(func.count()).select_from(Participation).where(
        Participation.campaign_id == campaign.id, Participation.person_id == person.id)) > 0


def _check_can_answer(campaign: Campaign, person: Person, today: date | None) -> None:
    if not is_accepting(campaign, today):
        raise _refused("closed")
    if not is_invited(campaign, person):
        raise _refused("not-invited")
    if has_answered(campaign, person):
        raise _refused("already-answered")


def draft_for(campaign: Campaign, person: Person) -> Draft:
    """The person's draft, created empty the first time."""
    draft = db.session.scalar(select(Draft).where(Draft.campaign_id == campaign.id, Draft.person_id == person.id))
    if draft is None:
        draft = Draft(campaign_id=campaign.id, person_id=person.id, answers={"items": {}, "open": {}})
        try:
            with db.session.begin_nested():
                db.session.add(draft)
        except IntegrityError:  # another tab created it a moment ago
            draft = db.session.scalar(
                select(Draft).where(Draft.campaign_id == campaign.id, Draft.person_id == person.id))
    return draft


def campaign_items(campaign: Campaign) -> list[dict]:
    """The statements the campaign asks: the whole instrument, or a pulse's chosen few (in instrument order)."""
    items = campaign.instrument.items
    if campaign.item_keys is None:
        return items
    chosen = set(campaign.item_keys)
    return [item for item in items if item["key"] in chosen]


def check_values(campaign: Campaign, values: dict[str, object]) -> tuple[dict[str, int], dict[str, str]]:
    """Item answers parsed to 1-5 (or DONT_KNOW where the instrument offers it), and problems by item key
    ("range" or "unknown")."""
    known = {item["key"] for item in campaign_items(campaign)}
    lowest = DONT_KNOW if campaign.instrument.offers_dont_know else 1
    parsed, problems = {}, {}
    for key, raw in values.items():
        if key not in known:
            problems[key] = "unknown"
            continue
        try:
            value = int(raw)
        except (TypeError, ValueError):
            problems[key] = "range"
            continue
        if not lowest <= value <= 5:
            problems[key] = "range"
        else:
            parsed[key] = value
    return parsed, problems


def save_draft(campaign: Campaign, person: Person, values: dict[str, object], open_answers: dict[str, str],
               page: str | None = None, today: date | None = None) -> Draft:
    """Merge a page of answers into the person's draft; refuses bad values and changes nothing then."""
    _check_can_answer(campaign, person, today)
    parsed, problems = check_values(campaign, values)
    questions = {q["key"] for q in campaign.instrument.open_questions}
    for key, text in open_answers.items():
        if key not in questions:
            problems[key] = "unknown"
        elif len(text) > MAX_COMMENT_LENGTH:
            problems[key] = "too-long"
    if problems:
        raise _refused("invalid", problems)
    draft = draft_for(campaign, person)
    answers = {"items": dict(draft.answers.get("items", {})), "open": dict(draft.answers.get("open", {}))}
    answers["items"].update(parsed)
    answers["open"].update({k: v.strip() for k, v in open_answers.items()})
    if page:
        answers["page"] = page
    draft.answers = answers
    db.session.flush()
    return draft


def missing_items(campaign: Campaign, draft: Draft) -> list[str]:
    answered = draft.answers.get("items", {})
    missing = [item["key"] for item in campaign_items(campaign) if item["key"] not in answered]
    if campaign.kind == PULSE and draft.answers.get("enps") is None:
        missing.append(ENPS_KEY)
    return missing


@dataclass(frozen=True)
class Submitted:
    campaign_id: int


def submit(campaign: Campaign, person: Person, today: date | None = None) -> Submitted:
    """Store the draft as an anonymous response, once; the draft is deleted.

    Refuses ("already-answered") for a second submit (another tab, a double click): nothing is
    stored twice. Refuses ("invalid") listing unanswered statements. The response is stored under the group
    the person's invitation names (snapshot.py), never their own team or role when that group was too small.
    """
    _check_can_answer(campaign, person, today)
    draft = draft_for(campaign, person)
    missing = missing_items(campaign, draft)
    if missing:
        raise _refused("invalid", dict.fromkeys(missing, "missing"))
    try:
        with db.session.begin_nested():
            db.session.add(Participation(campaign_id=campaign.id, person_id=person.id))
    except IntegrityError as error:
        raise _refused("already-answered") from error
    invitee = _invitee(campaign, person)
    groups = {"team_id": invitee.group_team_id, "job_role_id": invitee.group_job_role_id,
              "leadership": invitee.group_leadership}
    items = {item["key"]: item for item in campaign.instrument.items}
    response = Response(campaign_id=campaign.id, enps=draft.answers.get("enps") if campaign.kind == PULSE else None,
                        **groups)
    for key, value in draft.answers["items"].items():
        item = items[key]
        if value == DONT_KNOW:
            response.answers.append(Answer(item_key=key, pillar=item["pillar"], value=None, score=None))
            continue
        response.answers.append(Answer(item_key=key, pillar=item["pillar"], value=value,
                                       score=6 - value if item["reverse"] else value))
    db.session.add(response)
    companions = campaign_threshold(campaign) - 1
    _touch(response, companions, **groups)
    for question_key, text in draft.answers.get("open", {}).items():
        if text:
            comment = Comment(campaign_id=campaign.id, question_key=question_key, text=text, **groups)
            db.session.add(comment)
            _touch(comment, companions, question_key=question_key, **groups)
    db.session.delete(draft)
    db.session.flush()
    events.assessment_submitted.send(person, campaign=campaign)
    return Submitted(campaign.id)


def _touch(new: Response | Comment, how_many: int, **group) -> None:
    """Rewrite up to `how_many` random earlier rows of the new row's campaign and group, unchanged.

    On PostgreSQL every row a transaction writes carries its transaction id (xmin) and moves to a new place
    (ctid); so does the participation row. Rewriting a few of the group's earlier rows in the same transaction
    makes those system columns point at several responses rather than the new one. Rows another submit is
    rewriting at this moment are skipped (SKIP LOCKED), so concurrent submits never wait on each other, and as
    nothing is changed no update can be lost.
    """
    if how_many <= 0:
        return
    db.session.flush()  # the new row gets its id: it is not one of its own companions
    model = type(new)
    conditions = [model.campaign_id == new.campaign_id, model.id != new.id,
                  *[getattr(model, k).is_(v) if v is None or isinstance(v, bool) else getattr(model, k) == v
                    for k, v in group.items()]]
    ids = list(db.session.scalars(
        select(model.id).where(*conditions).order_by(func.random()).limit(how_many)
        .with_for_update(skip_locked=True)))
    if not ids:
        return
    db.session.execute(update(model).where(model.id.in_(ids)).values(campaign_id=model.campaign_id)
                       .execution_options(synchronize_session=False))
    if model is Response:
        db.session.execute(update(Answer).where(Answer.response_id.in_(ids)).values(score=Answer.score)
                           .execution_options(synchronize_session=False))




def submit_pulse(campaign: Campaign, person: Person, values: dict[str, object], enps: object,
                 today: date | None = None) -> Submitted:
    """A pulse's one page answered at once: its statements and the eNPS question (0-10), stored as one anonymous
    response like any submit. Refuses ("invalid", problems by statement key or ENPS_KEY) with nothing stored
    when anything is missing or off the scale; "already-answered" for a second submit."""
    _check_can_answer(campaign, person, today)
    parsed, problems = check_values(campaign, values)
    problems.update({item["key"]: "missing" for item in campaign_items(campaign)
                     if item["key"] not in parsed and item["key"] not in problems})
    try:
        score = int(enps) if enps not in (None, "") else None
    except (TypeError, ValueError):
        score = -1
    if score is None:
        problems[ENPS_KEY] = "missing"
    elif not 0 <= score <= 10:
        problems[ENPS_KEY] = "range"
    if problems:
        raise _refused("invalid", problems)
    draft = draft_for(campaign, person)
    draft.answers = {"items": parsed, "open": {}, "enps": score}
    db.session.flush()
    return submit(campaign, person, today)
