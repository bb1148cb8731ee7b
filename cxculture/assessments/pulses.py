"""Pulse surveys: short recurring rounds of a few statements and the employee Net Promoter question (eNPS).

A PulseSeries says what to ask and when; the job queue's daily round (`run_pulses`) turns it into successive
campaigns of kind "pulse", one round at a time. Each round is a Campaign like any other: it is frozen when it
opens (population and the organisation's threshold, snapshot.py), answered anonymously (answering.py, the eNPS
answer stored on the anonymous Response), mailed about (reminders.py) and closed (closing.py), so it keeps every
guarantee of the full self-assessment. Pulse rounds run beside the full assessment and never count as one of its
campaigns (campaigns.open_campaign_of, list_campaigns and the results summaries read the full kind only).

eNPS = % promoters (9-10) − % detractors (0-6), from −100 to 100. It is computed when a round closes for the
organisation and for every team the round's analysis may show (results.analysis: threshold and subtraction), and
kept with the round's figures; no other group's eNPS is ever computed.

Flushes only: the caller commits (the job commits per round).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from ..audit import record
from ..extensions import db
from ..orgs.models import Organisation, Person
from ..refusals import Refused
from ..util import utcnow
from . import answering
from .answers import Response
from .campaigns import MAX_TITLE_LENGTH, available_instruments
from .closing import close_out
from .models import PULSE, Campaign, FrozenResult, PulseSeries
from .reminders import ask_to_announce
from .scoring import SMALL_SAMPLE
from .snapshot import freeze_population

#: The job that opens and closes pulse rounds; run every morning by the scheduler, before the campaign mail.
PULSE_JOB = "assessments.run_pulses"
#: How often a series asks: (label, days between rounds or None, months between rounds).
CADENCES = {
    "weekly": (_l("Weekly"), 7, 0),
    "fortnightly": (_l("Every two weeks"), 14, 0),
    "monthly": (_l("Monthly"), None, 1),
    "quarterly": (_l("Quarterly"), None, 3),
}
#: A pulse stays short: at most this many statements.
MAX_STATEMENTS = 12
#: The FrozenResult focus holding a closed round's eNPS counts.
ENPS_FOCUS = "enps"
PROMOTER, DETRACTOR = 9, 6
ENPS_QUESTION = _l("How likely are you to recommend this organisation as a place to work?")


@dataclass(frozen=True)
class Enps:
    """A group's eNPS answers counted: everyone who answered, the promoters (9-10) and detractors (0-6)."""

    answers: int
    promoters: int
    detractors: int

    @property
    def score(self) -> int | None:
        """% promoters − % detractors, rounded, −100..100; None without answers."""
        return enps_score(self.promoters, self.detractors, self.answers)

    @property
    def passives(self) -> int:
        return self.answers - self.promoters - self.detractors

    @property
    def small_sample(self) -> bool:
        return self.answers < SMALL_SAMPLE


def enps_score(promoters: int, detractors: int, answers: int) -> int | None:
    """The employee Net Promoter Score of counted answers: % promoters − % detractors, rounded to a whole."""
    if not answers:
        return None
    return round(100 * (promoters - detractors) / answers)


# Series: creating and changing -------------------------------------------------------------------------------


def _refusal(errors: dict) -> Refused:
    return Refused({field: str(message) for field, message in errors.items()})


def create_series(organisation: Organisation, created_by: Person | None, *, title: str | None,
                  item_keys: list[str], cadence: str | None, starts_on: date | None,
                  round_days: int | None, today: date | None = None) -> PulseSeries:
    """A new active series on the organisation's default questionnaire; raises Refused on bad input. Its first
    round opens on `starts_on` (the next morning round, or at once when that is today: see run_pulses)."""
    today = today or date.today()
    instrument = available_instruments(organisation.id)[0]
    known = {item["key"] for item in instrument.items}
    errors: dict[str | None, object] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = _l("Enter a title.")
    elif len(title) > MAX_TITLE_LENGTH - 20:
        errors["title"] = _l("Keep the title to %(num)s characters.", num=MAX_TITLE_LENGTH - 20)
    chosen = [key for key in dict.fromkeys(item_keys) if key]
    if not chosen:
        errors["item_keys"] = _l("Choose at least one statement.")
    elif len(chosen) > MAX_STATEMENTS:
        errors["item_keys"] = _l("Choose at most %(num)s statements: a pulse stays short.", num=MAX_STATEMENTS)
    elif any(key not in known for key in chosen):
        errors["item_keys"] = _l("Choose statements from the list.")
    if cadence not in CADENCES:
        errors["cadence"] = _l("Choose how often the pulse is sent.")
    if starts_on is None:
        errors["starts_on"] = _l("Enter the day the first round opens.")
    elif starts_on < today:
        errors["starts_on"] = _l("The first round cannot open in the past.")
    if round_days is None or round_days < 1:
        errors["round_days"] = _l("Enter how many days each round stays open (at least 1).")
    elif cadence in CADENCES and round_days > _shortest_gap(cadence):
        errors["round_days"] = _l("A round must close before the next one opens: at most %(num)s days.",
                                  num=_shortest_gap(cadence))
    if errors:
        raise _refusal(errors)
    series = PulseSeries(organisation_id=organisation.id, instrument=instrument, title=title,
                         item_keys=[item["key"] for item in instrument.items if item["key"] in chosen],
                         cadence=cadence, starts_on=starts_on, round_days=round_days, status="active",
                         created_by_id=created_by.id if created_by else None)
    db.session.add(series)
    db.session.flush()
    record("pulse.created", target=series, after={"cadence": cadence, "starts_on": starts_on,
                                                  "round_days": round_days, "statements": len(chosen)})
    return series


def _shortest_gap(cadence: str) -> int:
    """The fewest days between two rounds of `cadence` (a month can be February; three months, 89 days)."""
    _label, days, months = CADENCES[cadence]
    return days or (28 if months == 1 else 89)


def round_opens_on(series: PulseSeries, number: int) -> date:
    """The day round `number` (0 for the first) of the series opens."""
    _label, days, months = CADENCES[series.cadence]
    if days:
        return series.starts_on + timedelta(days=days * number)
    month = series.starts_on.month - 1 + months * number
    year, month = series.starts_on.year + month // 12, month % 12 + 1
    return date(year, month, min(series.starts_on.day, calendar.monthrange(year, month)[1]))


def set_series_status(series: PulseSeries, status: str) -> PulseSeries:
    """Pause, resume or stop a series; an open round runs to its closing day. A stopped series stays stopped."""
    allowed = {"paused": ("active",), "active": ("paused",), "stopped": ("active", "paused")}
    if series.status not in allowed[status]:
        raise _refusal({None: _l("This pulse series cannot be changed that way now.")})
    before = series.status
    series.status = status
    db.session.flush()
    action = {"paused": "pulse.paused", "active": "pulse.resumed", "stopped": "pulse.stopped"}[status]
    record(action, target=series, before={"status": before}, after={"status": status})
    return series


def series_of(organisation_id: int) -> list[PulseSeries]:
    """The organisation's pulse series, newest first."""
    return list(db.session.scalars(select(PulseSeries).where(PulseSeries.organisation_id == organisation_id)
                                   .order_by(PulseSeries.id.desc())))


def rounds_of(series: PulseSeries) -> list[Campaign]:
    """The series' rounds, oldest first."""
    return list(db.session.scalars(select(Campaign).where(Campaign.series_id == series.id)
                                   .order_by(Campaign.opens_on, Campaign.id)))


# The scheduler's round ---------------------------------------------------------------------------------------


def run_pulses(today: date | None = None) -> dict[str, int]:
    """The daily job: close the pulse rounds past their closing day, then open each active series' round due
    today (a round missed while every worker was down is skipped, not opened late). Commits per round;
    idempotent: a repeated run finds nothing more to do."""
    today = today or date.today()
    counts = {"closed": 0, "opened": 0}
    due = list(db.session.scalars(select(Campaign.id).where(Campaign.kind == PULSE, Campaign.status == "open",
                                                            Campaign.closes_on < today)))
    for campaign_id in due:
        close_round(db.session.get(Campaign, campaign_id))
        db.session.commit()
        counts["closed"] += 1
    for series_id in list(db.session.scalars(select(PulseSeries.id).where(PulseSeries.status == "active"))):
        series = db.session.get(PulseSeries, series_id)
        if open_round(series, today) is not None:
            db.session.commit()
            counts["opened"] += 1
    return counts


def close_round(campaign: Campaign, closed_at: datetime | None = None) -> None:
    """Close an open pulse round out at once (closing.close_out: a pulse is small); flushes only."""
    campaign.status, campaign.closed_at = "closed", closed_at or utcnow()
    close_out(campaign)
    record("campaign.closed", target=campaign, before={"status": "open"}, after={"status": "closed"})


def next_round_on(series: PulseSeries, rounds: list[Campaign], today: date) -> date:
    """The day the series' next round opens: the first of its days after its latest round's, or, when days have
    passed unseen (paused, or every worker down), the latest of them up to today."""
    number = len(rounds)
    while rounds and round_opens_on(series, number) <= rounds[-1].opens_on:
        number += 1
    while round_opens_on(series, number + 1) <= today:
        number += 1
    return round_opens_on(series, number)


def open_round(series: PulseSeries, today: date) -> Campaign | None:
    """Open the series' round due today, if one is due and none of its rounds is open; flushes only."""
    rounds = rounds_of(series)
    if any(r.status in ("draft", "open", "closing") for r in rounds):
        return None
    opens_on = next_round_on(series, rounds, today)
    if opens_on > today or opens_on + timedelta(days=series.round_days - 1) < today:
        return None
    campaign = Campaign(organisation_id=series.organisation_id, instrument_id=series.instrument_id, kind=PULSE,
                        series_id=series.id, item_keys=list(series.item_keys), status="draft",
                        title=f"{series.title} · {opens_on.isoformat()}", opens_on=opens_on,
                        closes_on=opens_on + timedelta(days=series.round_days - 1),
                        created_by_id=series.created_by_id)
    db.session.add(campaign)
    db.session.flush()
    freeze_population(campaign, answering.invited_people_query(campaign))
    campaign.status, campaign.opened_at = "open", utcnow()
    db.session.flush()
    ask_to_announce()
    record("campaign.opened", target=campaign, before={"status": "draft"},
           after={"status": "open", "threshold": campaign.threshold, "invited": campaign.invited_count,
                  "closes_on": campaign.closes_on})
    return campaign


# The person's side -------------------------------------------------------------------------------------------


def pulses_to_answer(person: Person, today: date | None = None) -> list[Campaign]:
    """The open pulse rounds the person is invited to and has not answered yet (their home page)."""
    rounds = db.session.scalars(select(Campaign).where(
        Campaign.organisation_id == person.organisation_id, Campaign.kind == PULSE, Campaign.status == "open"))
    return [r for r in rounds if answering.is_accepting(r, today) and answering.is_invited(r, person)
            and not answering.has_answered(r, person)]


# Figures -----------------------------------------------------------------------------------------------------


def enps_counts(campaign_id: int, group_by=None) -> dict[object, Enps]:
    """{group value: Enps} of a round's answers in one query; group_by a Response column or None (whole)."""
    columns = [group_by] if group_by is not None else []
    rows = db.session.execute(
        select(*columns, func.count(Response.enps), func.sum(case((Response.enps >= PROMOTER, 1), else_=0)),
               func.sum(case((Response.enps <= DETRACTOR, 1), else_=0)))
        .where(Response.campaign_id == campaign_id, Response.enps.is_not(None)).group_by(*columns))
    result = {}
    for row in rows:
        group, numbers = (row[0], row[1:]) if group_by is not None else (None, row)
        result[group] = Enps(*(int(n or 0) for n in numbers))
    return result


def frozen_enps(campaign: Campaign, analysis) -> dict:
    """What a closing pulse round keeps of its eNPS: the organisation's and each team's the analysis may show
    (rolled up with its sub-teams), as [answers, promoters, detractors]; nothing for a hidden group."""
    if not analysis.visible:
        return {"organisation": None, "teams": {}}
    whole = enps_counts(campaign.id).get(None, Enps(0, 0, 0))
    rolled: dict[int, list[int]] = {}
    for team_id, counts in enps_counts(campaign.id, Response.team_id).items():
        node = team_id
        while node is not None and node in analysis.teams:
            if analysis.team_visible(node):
                totals = rolled.setdefault(node, [0, 0, 0])
                for index, n in enumerate((counts.answers, counts.promoters, counts.detractors)):
                    totals[index] += n
            node = analysis.teams[node][0]
    return {"organisation": [whole.answers, whole.promoters, whole.detractors],
            "teams": {str(team_id): totals for team_id, totals in rolled.items()}}


@dataclass(frozen=True)
class TrendLine:
    """One group's line over a series' closed rounds: its name, eNPS per round and pillar means per round
    (None where the round showed nothing for it)."""

    label: str
    enps: tuple[Enps | None, ...]
    pillars: tuple[tuple[str, tuple[float | None, ...]], ...]


@dataclass(frozen=True)
class PulseTrends:
    """A series' closed rounds, oldest first, with the organisation's line and the lines of the teams shown in
    every round."""

    rounds: tuple[Campaign, ...]
    organisation: TrendLine
    teams: tuple[TrendLine, ...]
    threshold: int | None


def pulse_trends(series: PulseSeries) -> PulseTrends:
    """The trends of a series over its closed rounds (their kept figures only: a fixed number of queries per
    round). A team appears only when every round showed it (at or above the threshold, not recoverable by
    subtraction): a line with gaps would tell when a team fell under it."""
    from ..pillars import PILLARS
    from .results.analysis import analyse

    rounds = [r for r in rounds_of(series) if r.status == "closed"]
    kept = dict(db.session.execute(select(FrozenResult.campaign_id, FrozenResult.data).where(
        FrozenResult.campaign_id.in_([r.id for r in rounds]), FrozenResult.focus == ENPS_FOCUS)).all())
    analyses = [analyse(r) for r in rounds]
    asked = {item["pillar"] for item in answering.campaign_items(rounds[-1])} if rounds else set()
    pillars = [p for p in PILLARS if p in asked]

    def enps_of(data: list[int] | None) -> Enps | None:
        return Enps(*data) if data and data[0] else None

    organisation = TrendLine(
        "", tuple(enps_of((kept.get(r.id) or {}).get("organisation")) for r in rounds),
        tuple((p, tuple(a.overall[p].mean if a.visible and p in a.overall else None for a in analyses))
              for p in pillars))
    team_ids = None
    for analysis in analyses:
        shown = {t for t in analysis.team_n if analysis.team_visible(t)}
        team_ids = shown if team_ids is None else team_ids & shown
    teams = []
    for team_id in sorted(team_ids or (), key=lambda t: analyses[-1].path(t)):
        teams.append(TrendLine(
            analyses[-1].path(team_id),
            tuple(enps_of((kept.get(r.id) or {}).get("teams", {}).get(str(team_id))) for r in rounds),
            tuple((p, tuple(a.team_tallies[team_id][p].mean if p in a.team_tallies.get(team_id, {}) else None
                            for a in analyses)) for p in pillars)))
    return PulseTrends(tuple(rounds), organisation, tuple(teams), analyses[-1].threshold if analyses else None)
