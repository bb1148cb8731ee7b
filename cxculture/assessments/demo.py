"""Demo culture self-assessments: for each demo organisation three closed campaigns from the last three quarters
and an open one, with answers, comments and the action items that came out of the latest closed one; for each
organisation of the benchmark network, last quarter's campaign, closed. Each demo organisation also runs a
monthly pulse series (pulses.py) with four closed rounds, eNPS and listening rising, and this month's round open.

The closed campaigns used version 1 of the shipped questionnaire and the open one uses version 2 (with its
"don't know / not applicable" answer), so once the open one closes its trend is computed on the statements the
two versions share. Scores climb from one quarter to the next where the demo's actions take hold (listening,
rewards, communication), so the trend has a story to tell.

Campaigns are frozen (snapshot.py), answered through answering.py (save_draft + submit) and closed
(closing.py), so that anonymity is the real one; only what people answer is made up, repeatably, from the
organisation's slug.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..orgs.demo import DEMO_ORGANISATIONS, NETWORK_ORGANISATIONS
from ..orgs.models import Organisation, Person
from ..orgs.service import organisation_by_slug
from .answering import DONT_KNOW, campaign_items, invited_people_query, save_draft, submit, submit_pulse
from .answers import Invitee
from .campaigns import available_instruments
from .closing import close_out, record_results_read
from .instruments import sync_shipped_instruments
from .models import ActionItem, ActionUpdate, Campaign
from .pulses import close_round, create_series, open_round, round_opens_on
from .snapshot import freeze_population

#: Mean pillar score (1-5, recoded) by kind of respondent. Leadership sees the vision and the communication it
#: sends out; the front line and the contact centre, measured on handling time and sales, score rewards lowest.
_PILLAR_MEANS = {
    "leadership": {"vision": 4.4, "listening": 3.8, "communication": 4.3, "rewards": 3.6, "hiring": 3.8,
                   "improvement": 4.0},
    "front": {"vision": 2.9, "listening": 3.0, "communication": 2.6, "rewards": 2.0, "hiring": 3.1,
              "improvement": 2.9},
    "middle": {"vision": 3.4, "listening": 3.2, "communication": 3.1, "rewards": 2.7, "hiring": 3.3,
               "improvement": 3.3},
}
_FRONT_ROLES = ("frontline", "contact_centre")
#: The demo organisations' closed campaigns, oldest first: (quarters before this one, turnout, what everyone's
#: pillar scores lie above or below _PILLAR_MEANS). Three quarters ago the handling-time target was in every
#: contact-centre plan and complaints stayed with the team that took them; the actions since then show.
_CLOSED_HISTORY = (
    (3, 0.68, {"listening": -0.5, "rewards": -0.45, "communication": -0.3, "improvement": -0.2}),
    (2, 0.72, {"listening": -0.25, "rewards": -0.3, "communication": -0.2, "improvement": -0.1}),
    (1, 0.75, {}),
)
#: The open campaign: the café on customer feedback starts to show in everyone's listening score.
_OPEN_TURNOUT, _OPEN_SHIFT = 0.4, {"listening": 0.35}
#: Each network organisation's last quarter, around the demo organisations' scores so that the benchmark's
#: quartiles spread: an insurer that listens well, a telecom company whose incentives push sales, a utility that
#: improves its processes but hires for skills alone.
_NETWORK_SHIFTS = {
    "demo-insurance": {"vision": 0.3, "listening": 0.5, "communication": 0.2, "rewards": 0.1},
    "demo-telecom": {"vision": -0.2, "listening": -0.3, "communication": -0.4, "rewards": -0.6, "hiring": -0.1},
    "demo-utility": {"vision": 0.1, "listening": 0.2, "rewards": 0.4, "hiring": -0.5, "improvement": 0.6},
}
_NETWORK_TURNOUT = 0.7
_COMMENT_SHARE = 0.3
#: How often a statement is answered "don't know / not applicable" where the questionnaire offers it: most people
#: cannot see what other teams learn or what customers are told; few have answered a questionnaire like this.
_DONT_KNOW = {"listening-6": 0.3, "improvement-5": 0.35, "communication-8": 0.8, "hiring-7": 0.15}
_DONT_KNOW_OTHERWISE = 0.03

_COMMENTS = {
    "en": {
        "obstacles": (
            "We are measured on call length, so we rush customers off the phone even when their problem is not solved.",
            "Every decision over a small amount needs a manager's sign-off, and the customer waits for days.",
            "Complaints go into the system and we never hear what happened to them.",
            "Branch and contact centre give different answers because nobody tells us about changes in time.",
            "The targets are about products sold, not about customers helped.",
            "Too many handovers: the customer tells the same story to three different people.",
            "The systems are slow and we apologise for them all day.",
        ),
        "start-doing": (
            "Let us call customers back when we promised to, and give us the time to do it.",
            "Share what customers say about us with every team, every month.",
            "Reward people for solving problems at the first contact, not for short calls.",
            "Give the front line a small budget to fix things for customers on the spot.",
            "Have managers spend a day a month answering customers themselves.",
            "Tell us what changed after we raised an issue.",
        ),
    },
    "it": {
        "obstacles": (
            ("Ci misurano sulla durata delle chiamate, quindi chiudiamo in fretta anche quando il problema "
             "non è risolto."),
            "Per ogni piccolo rimborso serve l'autorizzazione del responsabile e il cliente aspetta giorni.",
            "I reclami finiscono nel sistema e non sappiamo mai come sono andati a finire.",
            "Negozi e contact center danno risposte diverse perché le novità non ci arrivano in tempo.",
            "Gli obiettivi parlano di pezzi venduti, non di clienti soddisfatti.",
            "Troppi passaggi di mano: il cliente racconta la stessa storia a tre persone diverse.",
            "In negozio siamo sempre sotto organico nelle ore di punta.",
        ),
        "start-doing": (
            "Richiamare i clienti quando lo abbiamo promesso, e avere il tempo per farlo.",
            "Condividere ogni mese con tutti i team quello che i clienti dicono di noi.",
            "Premiare chi risolve il problema al primo contatto, non chi fa chiamate brevi.",
            "Dare ai negozi un piccolo margine per risolvere subito i problemi dei clienti.",
            "Far passare ai responsabili una giornata al mese in negozio o al telefono con i clienti.",
            "Dirci che cosa è cambiato dopo una nostra segnalazione.",
        ),
    },
}

#: Campaign titles by language: {quarter} and {year} are filled in.
_CAMPAIGN_TITLES = {"en": "Culture check Q{quarter} {year}", "it": "Check-up della cultura {quarter}° trimestre {year}"}

#: (pillar, title by language, owner account, days from today to the due date, status).
#: (pillar, statement it answers, title, owner, due in days, status, shared with staff, progress note or None).
_DEMO_ACTIONS = (
    ("rewards", "rewards-2",
     {"en": "Replace average handling time with first-contact resolution in contact-centre targets",
      "it": "Sostituire il tempo medio di gestione con la risoluzione al primo contatto negli obiettivi "
            "del contact center"},
     "hr", -12, "in_progress", True,
     {"en": "Two contact-centre teams have worked without the handling-time target since the first of the month; "
            "their first-contact resolution is reviewed at the next café.",
      "it": "Da inizio mese due team del contact center lavorano senza l'obiettivo sul tempo di gestione; la loro "
            "risoluzione al primo contatto si esamina al prossimo café."}),
    ("communication", "communication-1",
     {"en": "Share the top five customer complaints with every team each month",
      "it": "Condividere ogni mese con tutti i team i cinque reclami più frequenti"},
     "leader", -3, "open", True, None),
    ("listening", "listening-3",
     {"en": "Call back every customer who complained within 48 hours",
      "it": "Richiamare entro 48 ore ogni cliente che ha fatto un reclamo"},
     "manager", 25, "open", False, None),
    ("vision", "vision-2",
     {"en": "Leadership spends one day a quarter serving customers on the front line",
      "it": "La direzione passa un giorno a trimestre a servire i clienti in negozio"},
     "leader", -20, "done", True,
     {"en": "Every member of the leadership team has spent a day serving customers; what they heard is on the "
            "agenda of the next café.",
      "it": "Ogni membro della direzione ha passato una giornata a servire i clienti; quello che ha sentito è "
            "all'ordine del giorno del prossimo café."}),
)


@dataclass
class DemoAssessmentsReport:
    #: Slugs of the organisations that got campaigns in this run (empty when they had them already).
    loaded: list[str] = field(default_factory=list)
    responses: int = 0


def load_demo_assessments(today: date | None = None) -> DemoAssessmentsReport:
    """Campaigns with answers for each demo organisation and each organisation of the benchmark network that
    exists (orgs.demo loads them), and the demo organisations' action items.

    An organisation that already has campaigns is left as it is, so running it twice changes nothing.
    """
    today = today or date.today()
    versions = [i for i in sync_shipped_instruments() if i.key == "cx-culture"]
    instrument = (versions[0], versions[-1])  # version 1 for the closed campaigns, the newest for the open one
    report = DemoAssessmentsReport()
    for slug, language, closed, current in (
            *((spec.slug, spec.language, _CLOSED_HISTORY, (_OPEN_TURNOUT, _OPEN_SHIFT)) for spec in DEMO_ORGANISATIONS),
            *((spec.slug, spec.language, ((1, _NETWORK_TURNOUT, _NETWORK_SHIFTS[spec.slug]),), None)
              for spec in NETWORK_ORGANISATIONS)):
        organisation = organisation_by_slug(slug)
        if organisation is None or db.session.scalar(
                select(Campaign.id).where(Campaign.organisation_id == organisation.id).limit(1)) is not None:
            continue
        report.responses += _load_campaigns(organisation, language, instrument, today, closed, current)
        if current is not None:
            report.responses += _load_pulses(organisation, language, today)
        report.loaded.append(slug)
    db.session.flush()
    return report


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _quarters_before(day: date, count: int) -> date:
    """The first day of the quarter `count` quarters before the one holding `day`."""
    start = _quarter_start(day)
    for _ in range(count):
        start = _quarter_start(start - timedelta(days=1))
    return start


def _campaign_title(language: str, day: date) -> str:
    return _CAMPAIGN_TITLES[language].format(quarter=(day.month - 1) // 3 + 1, year=day.year)


def _load_campaigns(organisation: Organisation, language: str, instrument: tuple, today: date,
                    history: tuple, current: tuple | None) -> int:
    """An organisation's closed campaigns (`history`, oldest first), its open one (`current`: turnout and shifts;
    None for none) and, when it has a leader, the action items that came out of the latest closed one."""
    rng = random.Random(organisation.slug)
    people = list(db.session.scalars(
        select(Person).where(Person.organisation_id == organisation.id, Person.active.is_(True))
        .options(selectinload(Person.job_role), selectinload(Person.permission_rows)).order_by(Person.id)))
    by_local = {p.email.split("@")[0]: p for p in people}
    leader = by_local.get("leader")
    campaigns = []
    for quarters, _, _ in history:
        opens = _quarters_before(today, quarters) + timedelta(days=14)
        campaigns.append(Campaign(organisation_id=organisation.id, instrument=instrument[0], status="open",
                                  title=_campaign_title(language, opens), opens_on=opens,
                                  closes_on=opens + timedelta(days=20), created_by=leader,
                                  opened_at=datetime.combine(opens, time(9, 0))))
    if current is not None:
        campaigns.append(Campaign(organisation_id=organisation.id, instrument=instrument[1], status="open",
                                  title=_campaign_title(language, today), opens_on=today - timedelta(days=7),
                                  closes_on=today + timedelta(days=21), created_by=leader,
                                  opened_at=datetime.combine(today - timedelta(days=7), time(9, 0))))
    db.session.add_all(campaigns)
    db.session.flush()
    invited = set(db.session.scalars(invited_people_query(campaigns[0])))
    for campaign in campaigns:
        freeze_population(campaign, invited)
    people = [p for p in people if p.id in invited]

    answered = 0
    for campaign, (_, turnout, shift) in zip(campaigns, history, strict=False):  # the open one comes last
        answered += _answer(campaign, people, rng, language, turnout, shift, skip=(),
                            when=campaign.opens_on + timedelta(days=3))
        campaign.status, campaign.closed_at = "closed", datetime.combine(campaign.closes_on, time(18, 0))
        close_out(campaign)
        record_results_read([campaign.id])  # a past campaign whose results were read: its closing is final
    if current is not None:
        turnout, shift = current
        answered += _answer(campaigns[-1], people, rng, language, turnout, shift,
                            skip=(by_local.get("employee"),), when=today)
    if leader is None:
        return answered

    latest_closed = campaigns[len(history) - 1]
    created = datetime.combine(latest_closed.closes_on + timedelta(days=10), time(11, 0))
    for pillar, item_key, titles, owner, days, status, shared, note in _DEMO_ACTIONS:
        owner = by_local.get(owner)
        action = ActionItem(
            organisation_id=organisation.id, campaign_id=latest_closed.id, pillar=pillar, item_key=item_key,
            title=titles[language], owner_id=owner.id if owner else None, due_date=today + timedelta(days=days),
            status=status, shared=shared, created_by_id=leader.id, created_at=created)
        if note is not None:
            action.updates.append(ActionUpdate(
                organisation_id=organisation.id, author_id=(owner or leader).id, note=note[language],
                status=status if status != "open" else None, created_at=min(created + timedelta(days=20),
                                                                             datetime.combine(today, time(9, 0)))))
        db.session.add(action)
    db.session.flush()
    return answered


def _is_leadership(person: Person) -> bool:
    return person.can("leader") or (person.job_role is not None and person.job_role.key == "executive")


def _answer(campaign, people: list[Person], rng: random.Random, language: str, turnout: float,
            shift: dict[str, float], skip: tuple, when: date) -> int:
    """Have leadership and `turnout` of each team's other people answer `campaign`; returns how many did."""
    teams: dict[int | None, list[Person]] = {}
    for person in people:
        teams.setdefault(person.team_id, []).append(person)
    respondents = []
    for members in teams.values():
        # Leadership answers in full, to set the example; the rest of each team at the turnout rate.
        respondents += [p for p in members if _is_leadership(p)]
        others = [p for p in members if not _is_leadership(p) and p not in skip]
        respondents += rng.sample(others, round(turnout * len(others)))
    rng.shuffle(respondents)
    items = campaign.instrument.items
    comments = _COMMENTS[language]
    for person in respondents:
        kind = ("leadership" if _is_leadership(person)
                else "front" if person.job_role is not None and person.job_role.key in _FRONT_ROLES else "middle")
        means = _PILLAR_MEANS[kind]
        mood = rng.gauss(0, 0.35)  # some people are more positive about everything
        pillar_mood = {pillar: rng.gauss(0, 0.3) for pillar in means}
        values = {}
        for item in items:
            pillar = item["pillar"]
            target = means[pillar] + mood + pillar_mood[pillar] + shift.get(pillar, 0.0)
            score = min(5, max(1, round(target + rng.gauss(0, 0.6))))
            values[item["key"]] = 6 - score if item["reverse"] else score
            if campaign.instrument.offers_dont_know and not _is_leadership(person) and (
                    rng.random() < _DONT_KNOW.get(item["key"], _DONT_KNOW_OTHERWISE)):
                values[item["key"]] = DONT_KNOW
        open_answers = {key: rng.choice(texts) for key, texts in comments.items() if rng.random() < _COMMENT_SHARE}
        save_draft(campaign, person, values, open_answers, today=when)
        submit(campaign, person, today=when)
    return len(respondents)


#: The demo's monthly pulse: its title, and one statement of each pillar leadership is working on.
_PULSE_TITLES = {"en": "Monthly pulse", "it": "Pulse mensile"}
_PULSE_PILLARS = ("vision", "listening", "communication", "rewards")
#: Closed monthly rounds before the one open today; each brings everyone's listening and eNPS up a little.
_PULSE_ROUNDS = 4
_PULSE_TURNOUT = 0.7
#: Mean eNPS answer (0-10) by kind of respondent in the first round.
_ENPS_MEANS = {"leadership": 9.0, "front": 6.3, "middle": 7.2}


def _load_pulses(organisation: Organisation, language: str, today: date) -> int:
    """A monthly pulse series started `_PULSE_ROUNDS` months ago: its past rounds answered and closed (their
    results read, as the full demo's), and the round due today open, all through pulses.py as the scheduler
    would; returns how many answered."""
    start = today
    for _ in range(_PULSE_ROUNDS):
        start = (start.replace(day=1) - timedelta(days=1)).replace(day=min(today.day, 28))
    leader = db.session.scalar(select(Person).where(Person.organisation_id == organisation.id,
                                                    Person.email.like("leader@%")))
    instrument = available_instruments(organisation.id)[0]
    keys = [next(i["key"] for i in instrument.items if i["pillar"] == p and not i["reverse"])
            for p in _PULSE_PILLARS]
    series = create_series(organisation, leader, title=_PULSE_TITLES[language], item_keys=keys, cadence="monthly",
                           starts_on=start, round_days=7, today=start)
    rng = random.Random(f"{organisation.slug}-pulse")
    answered, day = 0, start
    for number in range(_PULSE_ROUNDS + 1):
        day = round_opens_on(series, number)
        campaign = open_round(series, day)
        if day >= today - timedelta(days=6):  # the round open now: nobody has answered yet
            break
        people = list(db.session.scalars(
            select(Person).join(Invitee, Invitee.person_id == Person.id).where(Invitee.campaign_id == campaign.id)
            .options(selectinload(Person.job_role), selectinload(Person.permission_rows)).order_by(Person.id)))
        for person in rng.sample(people, round(_PULSE_TURNOUT * len(people))):
            kind = ("leadership" if _is_leadership(person)
                    else "front" if person.job_role is not None and person.job_role.key in _FRONT_ROLES else "middle")
            lift = 0.25 * number  # the actions since the spring campaign show, month after month
            values = {}
            for item in campaign_items(campaign):
                target = _PILLAR_MEANS[kind][item["pillar"]] + (lift if item["pillar"] == "listening" else lift / 3)
                values[item["key"]] = min(5, max(1, round(target + rng.gauss(0, 0.7))))
            enps = min(10, max(0, round(_ENPS_MEANS[kind] + lift + rng.gauss(0, 1.8))))
            submit_pulse(campaign, person, values, enps, today=day + timedelta(days=2))
            answered += 1
        close_round(campaign, datetime.combine(campaign.closes_on, time(18, 0)))
        record_results_read([campaign.id])
    db.session.flush()
    return answered
