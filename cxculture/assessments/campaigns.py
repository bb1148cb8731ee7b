"""Running campaigns: create, edit, open and close them, their turnout, and where a person stands in one.

Opening freezes the population and the threshold (snapshot.py); closing keeps who answered only as counts per
team and computes the results once (closing.py). Turnout never names anyone: per team it is shown only where
the team is at or above the threshold and cannot be recovered by subtraction (suppression.suppressed over the
frozen team tree), and it counts people in the team they were in when the campaign opened.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from ..audit import record
from ..background import run_after_commit
from ..extensions import db
from ..orgs.models import MIN_ANONYMITY_THRESHOLD, Organisation, Person, Team
from ..refusals import Refused
from ..util import utcnow
from . import answering
from .anonymity import campaign_threshold
from .answers import Invitee, Participation, Response
from .closing import close_out, freeze_results, rewrite_answers
from .instruments import instruments_for, sync_shipped_instruments
from .models import FULL, Campaign, Draft, FrozenResult, Instrument
from .reminders import ask_to_announce
from .snapshot import freeze_population, population_of
from .suppression import ROOT, Group, suppressed

#: The job that closes out a campaign; a campaign still "closing" after LOST_CLOSING_SECONDS is closed out by the
#: periodic round (its message was lost).
CLOSE_JOB = "assessments.finish_closing"
CLOSE_DUE_JOB = "assessments.finish_due_closings"
LOST_CLOSING_SECONDS = 60

#: The largest anonymity threshold a campaign may be given.
MAX_THRESHOLD = 1000
#: Turnout below this share of the invited people is flagged.
LOW_TURNOUT_PERCENT = 60
MAX_TITLE_LENGTH = 200
#: The last page of the answering flow, after the six pillar pages.
FINAL_PAGE = "final"


@dataclass(frozen=True)
class CampaignRow:
    campaign: Campaign
    respondents: int

    @property
    def percent(self) -> int | None:
        return (
            turnout_percent(self.respondents, self.campaign.invited_count) if self.campaign.status != "draft" else None
        )

    @property
    def low(self) -> bool:
        return self.percent is not None and self.percent < LOW_TURNOUT_PERCENT


@dataclass(frozen=True)
class TeamTurnout:
    team_id: int
    path: str
    respondents: int
    invited: int

    @property
    def percent(self) -> int | None:
        return turnout_percent(self.respondents, self.invited)

    @property
    def low(self) -> bool:
        return self.percent is not None and self.percent < LOW_TURNOUT_PERCENT


@dataclass(frozen=True)
class Turnout:
    invited: int
    respondents: int
    threshold: int
    #: Teams whose turnout may be shown, by path.
    teams: list[TeamTurnout]
    #: How many invited teams are not shown (too few respondents, or would let a hidden one be worked out).
    hidden_teams: int

    @property
    def percent(self) -> int | None:
        return turnout_percent(self.respondents, self.invited)

    @property
    def low(self) -> bool:
        return self.percent is not None and self.percent < LOW_TURNOUT_PERCENT


def turnout_percent(respondents: int, invited: int) -> int | None:
    return round(100 * respondents / invited) if invited else None


def available_instruments(organisation_id: int) -> list[Instrument]:
    """The instruments a campaign of the organisation may use, the default first: the newest version of its own
    copies, then the newest shipped version, then the older shipped versions (a series of campaigns may stay on
    the version it started with). The shipped ones are stored first if needed."""
    shipped = sync_shipped_instruments()
    newest = instruments_for(organisation_id)
    older = sorted((i for i in shipped if i not in newest), key=lambda i: (i.key, -i.version))
    return newest + older


def list_campaigns(organisation_id: int) -> list[CampaignRow]:
    """The organisation's campaigns, newest first, each with its respondent count (one grouped query)."""
    campaigns = list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.organisation_id == organisation_id, Campaign.kind == FULL)
            .order_by(Campaign.opens_on.desc(), Campaign.id.desc())
        )
    )
    counts = dict(
        db.session.execute(
            select(Response.campaign_id, func.count())
            .join(Campaign, Campaign.id == Response.campaign_id)
            .where(Campaign.organisation_id == organisation_id, Campaign.kind == FULL)
            .group_by(Response.campaign_id)
        ).all()
    )
    return [CampaignRow(c, counts.get(c.id, 0)) for c in campaigns]


def open_campaign_of(organisation_id: int) -> Campaign | None:
    """The organisation's open full self-assessment (pulse rounds run beside it, pulses.py)."""
    return db.session.scalar(
        select(Campaign)
        .where(Campaign.organisation_id == organisation_id, Campaign.kind == FULL,
               Campaign.status.in_(("open", "closing")))
        .order_by(Campaign.id)
    )


# Creating and changing ---------------------------------------------------------------------------------------


def _refusal(errors: dict) -> Refused:
    """Refused with its (lazy) messages rendered in the current language."""
    return Refused({field: str(message) for field, message in errors.items()})


def _checked_fields(
    organisation: Organisation,
    title: str | None,
    opens_on: date | None,
    closes_on: date | None,
    team_ids: list[int],
    threshold_override: int | None,
    instrument_id: int | None,
) -> dict:
    errors: dict[str | None, object] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _l("Enter a title.")
    elif len(title) > MAX_TITLE_LENGTH:
        errors["title"] = _l("Keep the title to %(num)s characters.", num=MAX_TITLE_LENGTH)
    if opens_on is None:
        errors["opens_on"] = _l("Enter the opening date.")
    if closes_on is None:
        errors["closes_on"] = _l("Enter the closing date.")
    elif opens_on is not None and closes_on <= opens_on:
        errors["closes_on"] = _l("The closing date must be after the opening date.")
    if threshold_override is not None and threshold_override < MIN_ANONYMITY_THRESHOLD:
        errors["threshold_override"] = _l(
            "The anonymity threshold can never be below %(num)s.", num=MIN_ANONYMITY_THRESHOLD
        )
    teams = []
    if team_ids:
        teams = list(
            db.session.scalars(select(Team).where(Team.id.in_(team_ids), Team.organisation_id == organisation.id))
        )
        if len(teams) != len(set(team_ids)):
            errors["team_ids"] = _l("One of the chosen teams is not a team of this organisation; choose again.")
    instrument = None
    if instrument_id is None:
        errors["instrument_id"] = _l("Choose the questionnaire.")
    else:
        instrument = next((i for i in available_instruments(organisation.id) if i.id == instrument_id), None)
        if instrument is None:
            errors["instrument_id"] = _l("Choose a questionnaire from the list.")
    if errors:
        raise _refusal(errors)
    return {
        "title": title,
        "opens_on": opens_on,
        "closes_on": closes_on,
        "teams": teams,
        "threshold_override": threshold_override,
        "instrument": instrument,
    }


def create_campaign(
    organisation: Organisation,
    created_by: Person | None,
    *,
    title: str | None,
    opens_on: date | None,
    closes_on: date | None,
    team_ids: list[int],
    threshold_override: int | None,
    instrument_id: int | None,
) -> Campaign:
    """A new draft campaign pinning the chosen instrument version; raises Refused on bad input."""
    fields = _checked_fields(organisation, title, opens_on, closes_on, team_ids, threshold_override, instrument_id)
    campaign = Campaign(organisation_id=organisation.id, created_by=created_by, status="draft", **fields)
    db.session.add(campaign)
    db.session.flush()
    if threshold_override is not None:
        record("campaign.threshold", target=campaign, after={"threshold_override": campaign.threshold_override})
    return campaign


def update_campaign(
    campaign: Campaign,
    *,
    title: str | None,
    opens_on: date | None,
    closes_on: date | None,
    team_ids: list[int],
    threshold_override: int | None,
    instrument_id: int | None,
) -> Campaign:
    """Change a campaign while it is a draft; raises Refused otherwise or on bad input."""
    if campaign.status != "draft":
        raise _refusal({None: _l("Only a draft campaign can be edited.")})
    organisation = db.session.get(Organisation, campaign.organisation_id)
    fields = _checked_fields(organisation, title, opens_on, closes_on, team_ids, threshold_override, instrument_id)
    before = campaign.threshold_override
    for name, value in fields.items():
        setattr(campaign, name, value)
    db.session.flush()
    if campaign.threshold_override != before:
        record("campaign.threshold", target=campaign, before={"threshold_override": before},
               after={"threshold_override": campaign.threshold_override})
    return campaign


def open_campaign(campaign: Campaign, today: date | None = None) -> Campaign:
    """Open a draft campaign for answers and count who is invited; only one campaign is open at a time."""
    today = today or date.today()
    if campaign.status != "draft":
        raise _refusal({None: _l("Only a draft campaign can be opened.")})
    if campaign.closes_on < today:
        raise _refusal({None: _l("The closing date has passed: change it before opening the campaign.")})
    other = open_campaign_of(campaign.organisation_id)
    if other is not None:
        raise _refusal({None: _l("“%(title)s” is open: close it before opening another campaign.", title=other.title)})
    freeze_population(campaign, answering.invited_people_query(campaign))
    campaign.status = "open"
    campaign.opened_at = utcnow()
    db.session.flush()
    ask_to_announce()  # the invited are e-mailed by the job queue, on the day the campaign opens for answers
    record("campaign.opened", target=campaign, before={"status": "draft"},
           after={"status": "open", "threshold": campaign.threshold, "invited": campaign.invited_count,
                  "closes_on": campaign.closes_on})
    return campaign


def close_campaign(campaign: Campaign) -> Campaign:
    """Stop accepting answers and close the campaign out at once (the demo, commands and tests); the web closes
    through begin_closing, as closing out a large campaign takes longer than a request may."""
    begin_closing(campaign, queue=False)
    campaign.status = "closed"
    close_out(campaign)
    return campaign


def begin_closing(campaign: Campaign, queue: bool = True) -> Campaign:
    """Stop accepting answers now (status "closing"; unsent drafts are deleted, as nobody can submit them any
    more) and ask the job queue to close the campaign out once this transaction commits."""
    if campaign.status != "open":
        raise _refusal({None: _l("Only an open campaign can be closed.")})
    campaign.status = "closing"
    campaign.closed_at = utcnow()
    db.session.execute(Draft.__table__.delete().where(Draft.campaign_id == campaign.id))
    db.session.flush()
    record("campaign.closed", target=campaign, before={"status": "open"}, after={"status": "closed"})
    if queue:
        run_after_commit(CLOSE_JOB, campaign.id)
    return campaign


def invitation_count(campaign: Campaign) -> int:
    """How many people opening this draft campaign now would invite (and e-mail)."""
    return db.session.scalar(select(func.count()).select_from(
        answering.invited_people_query(campaign).subquery())) or 0


@dataclass(frozen=True)
class ClosingStakes:
    """What closing or reopening a campaign affects, for the page that asks first."""

    invited: int
    respondents: int
    drafts: int  #: people with unsent answers, deleted when it closes


def closing_stakes(campaign: Campaign) -> ClosingStakes:
    """Who closing (or reopening) `campaign` touches: the invited, those who answered, unsent drafts."""
    respondents = db.session.scalar(select(func.count()).select_from(Response)
                                    .where(Response.campaign_id == campaign.id))
    drafts = db.session.scalar(select(func.count()).select_from(Draft).where(Draft.campaign_id == campaign.id))
    return ClosingStakes(campaign.invited_count, respondents or 0, drafts or 0)


def reopen_refusal(campaign: Campaign, person: Person, today: date | None = None) -> Refused | None:
    """Why `person` may not reopen `campaign` now, or None when they may (see reopen_campaign)."""
    today = today or date.today()
    if campaign.status != "closed":
        return _refusal({None: _l("Only a closed campaign can be reopened.")})
    if campaign.results_read_at is not None:
        return _refusal({None: _l("Its results have already been read, so it cannot be reopened: answers added "
                                  "now would change figures people have seen. Start a new campaign instead.")})
    if campaign.created_by_id is not None and campaign.created_by_id != person.id:
        owner = campaign.created_by.name if campaign.created_by else ""
        return _refusal({None: _l("Only its owner, %(name)s, can reopen this campaign.", name=owner)})
    if campaign.created_by_id is None and not person.can("admin"):
        return _refusal({None: _l("Only an administrator can reopen a campaign that has no owner any more.")})
    if campaign.closes_on < today:
        return _refusal({None: _l("Its closing date, %(date)s, has passed: reopened, it would take no answers. "
                                  "Start a new campaign instead.", date=campaign.closes_on.isoformat())})
    other = open_campaign_of(campaign.organisation_id)
    if other is not None and other.id != campaign.id:
        return _refusal({None: _l("“%(title)s” is open: close it before reopening this one.", title=other.title)})
    return None


def reopen_campaign(campaign: Campaign, person: Person, today: date | None = None) -> Campaign:
    """Reopen a campaign closed by mistake, which nobody has read the results of; its owner only.

    - It takes answers again until its closing date, from the people invited when it first opened: the snapshot
      (population, teams, threshold) stays as it was; a threshold raised since stays raised; nobody new is invited.
    - The answers already given stay, in the groups closing stored them under (generalising is never undone), and
      who answered is still known (closing keeps it until the results are read), so nobody answers twice. The
      unsent drafts closing deleted are gone.
    - The figures computed at closing are deleted; they are computed again when it closes.
    - Mails already sent (the invitation, reminders) are not sent again; the reminders still due before the
      closing date go to whoever has not answered, as for any open campaign.
    Flushes only.
    """
    refusal = reopen_refusal(campaign, person, today)
    if refusal is not None:
        raise refusal
    before = {"status": "closed", "closed_at": campaign.closed_at}
    # Claimed in one statement: a first read committed meanwhile (closing.record_results_read) wins.
    claimed = db.session.execute(
        update(Campaign).where(Campaign.id == campaign.id, Campaign.status == "closed",
                               Campaign.results_read_at.is_(None))
        .values(status="open", closed_at=None).execution_options(synchronize_session="fetch")).rowcount == 1
    if not claimed:
        db.session.refresh(campaign)
        raise reopen_refusal(campaign, person, today) or _refusal({None: _l("Only a closed campaign can be "
                                                                               "reopened.")})
    data = dict(campaign.population or {})
    data["answered_per_team"] = None
    campaign.population = data
    db.session.execute(FrozenResult.__table__.delete().where(FrozenResult.campaign_id == campaign.id))
    db.session.flush()
    record("campaign.reopened", target=campaign, before=before,
           after={"status": "open", "closes_on": campaign.closes_on})
    return campaign


def finish_closing(campaign_id: int) -> bool:
    """The job: close out a "closing" campaign in one transaction, which it commits. Idempotent: the status moves
    to "closed" in the same statement that claims the campaign, so a repeated message finds nothing to do."""
    claimed = db.session.execute(
        update(Campaign).where(Campaign.id == campaign_id, Campaign.status == "closing")
        .values(status="closed").execution_options(synchronize_session=False)).rowcount == 1
    if not claimed:
        db.session.rollback()
        return False
    campaign = db.session.get(Campaign, campaign_id, populate_existing=True)
    close_out(campaign)
    db.session.commit()
    return True


def finish_due_closings(now: datetime | None = None) -> int:
    """The periodic round: close out campaigns whose job message was lost (closing for over a minute)."""
    before = (now or utcnow()) - timedelta(seconds=LOST_CLOSING_SECONDS)
    due = list(db.session.scalars(select(Campaign.id).where(Campaign.status == "closing",
                                                            Campaign.closed_at < before)))
    db.session.rollback()
    return sum(finish_closing(campaign_id) for campaign_id in due)


def threshold_refusal(campaign: Campaign, threshold: int | None) -> Refused | None:
    """Why `threshold` cannot become the campaign's (None when it can): it is set on a draft's form, and once the
    campaign opened it is only ever raised, up to MAX_THRESHOLD."""
    if campaign.threshold is None:
        return _refusal({None: _l("A draft campaign's threshold is set on its form.")})
    if threshold is None or threshold <= campaign.threshold:
        return _refusal({"threshold": _l("Enter a number larger than the threshold in force (%(num)s): once a "
                                          "campaign has opened its threshold can be raised, never lowered.",
                                          num=campaign.threshold)})
    if threshold > MAX_THRESHOLD:
        return _refusal({"threshold": _l("Enter a threshold of at most %(num)s.", num=MAX_THRESHOLD)})
    return None


def raise_threshold(campaign: Campaign, threshold: int | None) -> Campaign:
    """Make an opened campaign's anonymity threshold stricter; it is never lowered once the campaign opened.

    A closed campaign's stored groups are generalised again and its results computed anew.
    """
    refusal = threshold_refusal(campaign, threshold)
    if refusal is not None:
        raise refusal
    before = {"threshold": campaign.threshold, "threshold_override": campaign.threshold_override}
    campaign.threshold = threshold
    campaign.threshold_override = max(threshold, campaign.threshold_override or 0)
    record("campaign.threshold", target=campaign, before=before,
           after={"threshold": campaign.threshold, "threshold_override": campaign.threshold_override})
    if campaign.status == "closed":
        population = population_of(campaign)
        rewrite_answers(campaign, population.parents if population else {})
        freeze_results(campaign)
    db.session.flush()
    return campaign


# Turnout -----------------------------------------------------------------------------------------------------


def campaign_turnout(campaign: Campaign, team_paths: dict[int, str]) -> Turnout:
    """Respondents against invited people, overall and per team where the team may be shown."""
    threshold = campaign_threshold(campaign)
    population = population_of(campaign)
    respondents = db.session.scalar(
        select(func.count()).select_from(Response).where(Response.campaign_id == campaign.id)
    )
    if population is None:  # a draft: nobody is invited yet
        return Turnout(0, 0, threshold, [], 0)
    if population.answered_per_team is not None:
        answered_per_team = population.answered_per_team
    else:
        # Open: who answered counts in the team they were in when the campaign opened.
        answered_per_team = dict(
            db.session.execute(
                select(Invitee.team_id, func.count())
                .join(Participation, (Participation.person_id == Invitee.person_id)
                      & (Participation.campaign_id == Invitee.campaign_id))
                .where(Invitee.campaign_id == campaign.id, Invitee.team_id.is_not(None))
                .group_by(Invitee.team_id)
            ).all()
        )
    invited_per_team = population.invited_per_team
    parents = population.parents

    def rolled_up(direct: dict[int, int]) -> dict[int, int]:
        totals = dict.fromkeys(parents, 0)
        for team_id, n in direct.items():
            node = team_id
            while node is not None and node in totals:
                totals[node] += n
                node = parents[node]
        return totals

    answered, invited_totals = rolled_up(answered_per_team), rolled_up(invited_per_team)
    groups = [Group(team_id, n, parents[team_id] or ROOT) for team_id, n in answered.items()]
    hidden = suppressed(groups, respondents, threshold)
    shown = [
        TeamTurnout(team_id, team_paths.get(team_id, ""), answered[team_id], invited_totals[team_id])
        for team_id in parents
        if invited_totals[team_id] and team_id not in hidden
    ]
    in_scope = sum(1 for team_id in parents if invited_totals[team_id])
    return Turnout(
        invited=campaign.invited_count,
        respondents=respondents,
        threshold=threshold,
        teams=sorted(shown, key=lambda t: t.path),
        hidden_teams=in_scope - len(shown),
    )


# The person's side -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentCard:
    campaign: Campaign
    #: "start", "continue" or "answered".
    state: str
    #: Where "Continue" leads: a pillar key or FINAL_PAGE.
    page: str | None = None


def answer_pages(campaign: Campaign) -> list[str]:
    """The pages of the answering flow, in order: one per pillar, then the open questions."""
    return [p["key"] for p in campaign.instrument.pillars] + [FINAL_PAGE]


def assessment_card(person: Person, today: date | None = None) -> AssessmentCard | None:
    """What the person's home page shows about the open campaign, if they are invited to it."""
    campaign = open_campaign_of(person.organisation_id)
    if campaign is None or not answering.is_invited(campaign, person):
        return None
    if answering.has_answered(campaign, person):
        return AssessmentCard(campaign, "answered")
    if not answering.is_accepting(campaign, today):
        return None
    draft = own_draft(campaign, person)
    if draft is None:
        return AssessmentCard(campaign, "start")
    return AssessmentCard(campaign, "continue", resume_page(campaign, draft))


def own_draft(campaign: Campaign, person: Person) -> Draft | None:
    """The person's draft, if they have started; nobody else's is ever looked up."""
    return db.session.scalar(select(Draft).where(Draft.campaign_id == campaign.id, Draft.person_id == person.id))


def resume_page(campaign: Campaign, draft: Draft | None) -> str:
    pages = answer_pages(campaign)
    page = (draft.answers.get("page") if draft else None) or pages[0]
    return page if page in pages else pages[0]


def pillar_completion(campaign: Campaign, draft: Draft | None) -> dict[str, tuple[int, int]]:
    """Per pillar key: (statements answered, statements)."""
    answered = draft.answers.get("items", {}) if draft else {}
    return {
        p["key"]: (sum(1 for item in p["items"] if item["key"] in answered), len(p["items"]))
        for p in campaign.instrument.pillars
    }
