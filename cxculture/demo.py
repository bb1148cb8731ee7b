"""The demo organisations: Demo Retail (Italian) and Demo Bank (English).

Loading is idempotent: whatever already exists is left as it is, so running it twice changes nothing.
Later areas add their own demo data after the people exist: load_demo_training() loads the module library
and gives every demo person realistic training progress.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .auth.passwords import hash_password
from .extensions import db
from .modules.library import LIBRARY_PATH, SyncReport, sync_library
from .modules.models import Assignment, Certificate, Module, PathItem, Progress, QuizAttempt, TrainingPath
from .modules.paths import ensure_default_paths
from .modules.plan import build_plan
from .modules.progress import issue_certificate_if_complete, quiz_questions, score_answers
from .orgs.models import JobRole, Organisation, Person
from .orgs.service import create_organisation, organisation_by_slug
from .orgs.teams import ensure_team_path, teams_by_path

DEMO_PASSWORD = "demo-password"


@dataclass(frozen=True)
class DemoTeam:
    path: str
    job_role: str  #: job role of the team's members
    size: int  #: members besides the team lead
    lead_role: str = "team_lead"


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    slug: str
    language: str
    domain: str
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    teams: tuple[DemoTeam, ...]
    #: Team path of each named account: admin, leader, hr, manager (the employee joins the manager's team).
    account_teams: dict


RETAIL = DemoOrganisation(
    name="Demo Retail",
    slug="demo-retail",
    language="it",
    domain="retail.example.com",
    first_names=("Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Sara", "Matteo", "Elena",
                 "Davide", "Martina", "Simone", "Valentina", "Andrea", "Federica", "Paolo", "Silvia", "Stefano",
                 "Laura", "Roberto"),
    last_names=("Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno", "Gallo", "Conti",
                "De Luca", "Mancini", "Costa", "Giordano", "Rizzo", "Lombardi", "Moretti", "Barbieri", "Fontana",
                "Ferri"),
    teams=(
        DemoTeam("Direzione", "executive", 4, lead_role="executive"),
        DemoTeam("Vendite/Milano Store", "frontline", 10),
        DemoTeam("Vendite/Roma Store", "frontline", 9),
        DemoTeam("Vendite/Torino Store", "frontline", 8),
        DemoTeam("Servizio clienti/Contact center", "contact_centre", 11),
        DemoTeam("Servizio clienti/Back office", "back_office", 4),
        DemoTeam("Marketing e digitale", "marketing_digital", 3),
        DemoTeam("Risorse umane", "hr", 2, lead_role="hr"),
    ),
    account_teams={"admin": "Risorse umane", "leader": "Direzione", "hr": "Risorse umane",
                   "manager": "Vendite/Milano Store"},
)

BANK = DemoOrganisation(
    name="Demo Bank",
    slug="demo-bank",
    language="en",
    domain="bank.example.com",
    first_names=("Olivia", "James", "Amelia", "Oliver", "Isla", "George", "Ava", "Harry", "Emily", "Jack",
                 "Sophie", "Noah", "Grace", "Leo", "Chloe", "Oscar", "Ruby", "Arthur", "Lily", "Henry"),
    last_names=("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies", "Patel", "Wright",
                "Robinson", "Thompson", "Evans", "Walker", "White", "Roberts", "Green", "Hall", "Wood", "Clarke"),
    teams=(
        DemoTeam("Executive Office", "executive", 3, lead_role="executive"),
        DemoTeam("Branches/London Bridge", "frontline", 7),
        DemoTeam("Branches/Manchester", "frontline", 6),
        DemoTeam("Customer Care/Contact Centre", "contact_centre", 9),
        DemoTeam("Operations/Back Office", "back_office", 4),
        DemoTeam("Digital", "marketing_digital", 2),
        DemoTeam("People", "hr", 2, lead_role="hr"),
    ),
    account_teams={"admin": "Operations/Back Office", "leader": "Executive Office", "hr": "People",
                   "manager": "Branches/London Bridge"},
)

DEMO_ORGANISATIONS = (RETAIL, BANK)

#: The named accounts of each demo organisation: local part, display name, job role, permissions.
_ACCOUNTS = (
    ("admin", "Admin", "back_office", ("admin",)),
    ("leader", "Leader", "executive", ("leader", "employee")),
    ("hr", "HR", "hr", ("hr", "employee")),
    ("manager", "Manager", "team_lead", ("manager", "employee")),
    ("employee", "Employee", "frontline", ("employee",)),
)


def load_demo() -> list[Organisation]:
    """Create (or complete) both demo organisations; returns them."""
    password_hash = hash_password(DEMO_PASSWORD)  # one hash for every demo account: hashing is slow on purpose
    return [_load_organisation(spec, password_hash) for spec in DEMO_ORGANISATIONS]


def _load_organisation(spec: DemoOrganisation, password_hash: str) -> Organisation:
    organisation = organisation_by_slug(spec.slug) or create_organisation(
        spec.name, spec.slug, default_language=spec.language, benchmark_opt_in=True
    )
    roles = {r.key: r for r in db.session.scalars(select(JobRole).where(JobRole.organisation_id == organisation.id))}
    known_teams = teams_by_path(organisation.id)
    existing = {p.email: p for p in db.session.scalars(select(Person).where(Person.organisation_id == organisation.id))}

    def person(email, name, role_key, team_path, permissions, manager=None):
        if email in existing:
            return existing[email]
        team = ensure_team_path(organisation, team_path, known_teams)
        new = Person(
            organisation=organisation, email=email, name=name, password_hash=password_hash,
            job_role=roles[role_key], team=team, manager=manager,
        )
        new.permissions = permissions
        db.session.add(new)
        existing[email] = new
        return new

    accounts = {}
    for local, label, role_key, permissions in _ACCOUNTS:
        team_path = spec.account_teams.get(local, spec.account_teams["manager"])
        manager = accounts.get("manager") if local == "employee" else None
        accounts[local] = person(f"{local}@{spec.domain}", f"{label} {spec.name}", role_key, team_path, permissions,
                                 manager)

    rng = random.Random(spec.slug)  # the same names on every run
    used_names: set[str] = set()

    def new_name() -> tuple[str, str]:
        while True:
            first, last = rng.choice(spec.first_names), rng.choice(spec.last_names)
            if (first, last) not in used_names:
                used_names.add((first, last))
                return first, last

    head = accounts["leader"]
    for team in spec.teams:
        if team.path == spec.account_teams["manager"]:
            lead = accounts["manager"]
            lead.manager = lead.manager or head
        elif team.path == spec.account_teams["leader"]:
            lead = head
        else:
            first, last = new_name()
            lead = person(_email(first, last, spec.domain), f"{first} {last}", team.lead_role, team.path,
                          ("manager", "employee"), manager=head)
        for _ in range(team.size):
            first, last = new_name()
            person(_email(first, last, spec.domain), f"{first} {last}", team.job_role, team.path, ("employee",),
                   manager=lead)
    hr_team = spec.account_teams["hr"]
    for local in ("admin", "hr"):
        if accounts[local].manager is None and spec.account_teams[local] == hr_team:
            accounts[local].manager = head
    db.session.flush()
    return organisation


def _email(first: str, last: str, domain: str) -> str:
    local = f"{first}.{last}".lower().replace(" ", "")
    return f"{local}@{domain}"


# Training ----------------------------------------------------------------------------------------------------
#
# Kept apart from load_demo() so tests that only need people do not load a library: `cx demo` runs both.

#: How far each job role has got, as weighted choices of the share of its required modules completed.
#: CX starts with leadership, so the executive team is furthest ahead; the front line is spread out.
_ROLE_STAGES = {
    "executive": ((1.0, 6), (0.75, 3), (0.5, 1)),
    "hr": ((1.0, 3), (0.6, 4), (0.3, 2), (0.0, 1)),
    "team_lead": ((1.0, 3), (0.6, 4), (0.3, 2), (0.0, 1)),
}
_DEFAULT_STAGES = ((1.0, 2), (0.7, 3), (0.4, 4), (0.2, 4), (0.0, 3))
#: The named accounts get a fixed stage, so a demo shows each situation: done, half-way, just started, not started.
_ACCOUNT_STAGES = {"leader": 1.0, "manager": 0.5, "hr": 0.3, "employee": 0.4, "admin": 0.0}


@dataclass
class DemoTrainingReport:
    library: SyncReport
    paths_created: int = 0
    #: Slugs of the organisations whose people got progress in this run (empty when it was there already).
    progress_loaded: list[str] = field(default_factory=list)


def load_demo_training(library_path: Path | None = None, today: date | None = None) -> DemoTrainingReport:
    """Load the module library, give the demo organisations their default paths and their people progress.

    Raises LibraryError (having written nothing) when the library has problems. An organisation whose people
    already have training data is left as it is, so running it twice changes nothing.
    """
    report = DemoTrainingReport(sync_library(library_path or LIBRARY_PATH))
    today = today or date.today()
    for spec in DEMO_ORGANISATIONS:
        organisation = organisation_by_slug(spec.slug)
        if organisation is None:
            continue
        report.paths_created += ensure_default_paths(organisation)
        if not _has_training_data(organisation):
            _load_progress(organisation, today)
            report.progress_loaded.append(spec.slug)
    db.session.flush()
    return report


def _has_training_data(organisation: Organisation) -> bool:
    return any(
        db.session.scalar(select(model.id).where(model.organisation_id == organisation.id).limit(1)) is not None
        for model in (Progress, Assignment, Certificate, QuizAttempt)
    )


def _answers(questions: list[dict], wrong: int) -> dict[str, list[str]]:
    """Answers to `questions`, right except the first `wrong` ones."""
    answers = {}
    for index, question in enumerate(questions):
        right = [c["id"] for c in question["choices"] if c["correct"]]
        if index < wrong:
            others = [c["id"] for c in question["choices"] if not c["correct"]]
            answers[question["id"]] = others[:1] if others else right[:-1]
        else:
            answers[question["id"]] = right
    return answers


class _ProgressWriter:
    """Writes one organisation's demo progress as rows (the services would take far longer, one flush a step)."""

    def __init__(self, organisation: Organisation, rng: random.Random):
        self.organisation = organisation
        self.rng = rng
        self.tokens = 0

    def _attempt(self, person, version, kind: str, wrong: int, when: datetime) -> QuizAttempt:
        questions = quiz_questions(version, kind)
        answers = _answers(questions, wrong)
        score, _ = score_answers(questions, answers)
        self.tokens += 1
        attempt = QuizAttempt(
            organisation_id=self.organisation.id, person_id=person.id, module_version=version, kind=kind,
            form_token=f"demo-{self.organisation.slug}-{self.tokens}", answers=answers, score=score,
            passed=score >= version.pass_mark, submitted_at=when,
        )
        db.session.add(attempt)
        return attempt

    def _failing_wrong(self, version) -> int:
        """How many wrong answers make the quiz fail."""
        questions = quiz_questions(version, "quiz")
        for wrong in range(1, len(questions) + 1):
            if score_answers(questions, _answers(questions, wrong))[0] < version.pass_mark:
                return wrong
        return len(questions)

    def completed(self, person, module, started: datetime, finished: datetime, placement: bool = False) -> None:
        version = module.current
        progress = Progress(
            organisation_id=self.organisation.id, person_id=person.id, module=module, module_version=version,
            started_at=started, completed_at=finished, current_lesson=None,
            completed_via="placement" if placement else "quiz",
            lessons_done=[] if placement else [lesson["id"] for lesson in version.lessons],
        )
        if placement:
            self._attempt(person, version, "placement", 0, finished)
        else:
            if self.rng.random() < 0.25:  # failed once, read the explanations, passed the day after
                failed = self._attempt(person, version, "quiz", self._failing_wrong(version),
                                       finished - timedelta(days=1))
                progress.best_score = failed.score
            wrong = 1 if self.rng.random() < 0.4 else 0
            passed = self._attempt(person, version, "quiz", wrong, finished)
            if not passed.passed:
                passed = self._attempt(person, version, "quiz", 0, finished)
            progress.best_score = max(passed.score, progress.best_score or 0)
        db.session.add(progress)

    def in_progress(self, person, module, started: datetime) -> None:
        version = module.current
        lessons = [lesson["id"] for lesson in version.lessons]
        read = self.rng.randint(0, len(lessons))
        progress = Progress(
            organisation_id=self.organisation.id, person_id=person.id, module=module, module_version=version,
            started_at=started, lessons_done=lessons[:read],
            current_lesson=lessons[read] if read < len(lessons) else None,
        )
        if read == len(lessons) and self.rng.random() < 0.6:  # read everything, failed the quiz, not retried yet
            failed = self._attempt(person, version, "quiz", self._failing_wrong(version), started + timedelta(days=2))
            progress.best_score = failed.score
        db.session.add(progress)


def _load_progress(organisation: Organisation, today: date) -> None:
    """Realistic, repeatable progress for every person of a demo organisation."""
    rng = random.Random(f"{organisation.slug}-training")
    now = datetime.combine(today, time(17, 0))
    paths = {
        p.job_role_id: p for p in db.session.scalars(
            select(TrainingPath).where(TrainingPath.organisation_id == organisation.id).options(
                selectinload(TrainingPath.items).selectinload(PathItem.module).selectinload(Module.versions)))
    }
    _set_demo_due_dates(paths, organisation, today)
    people = list(db.session.scalars(
        select(Person).where(Person.organisation_id == organisation.id, Person.active.is_(True))
        .options(selectinload(Person.job_role)).order_by(Person.id)))
    writer = _ProgressWriter(organisation, rng)
    finishers = []
    for person in people:
        path = paths.get(person.job_role_id)
        if path is None or person.job_role is None:
            continue
        local = person.email.split("@")[0]
        stages = _ROLE_STAGES.get(person.job_role.key, _DEFAULT_STAGES)
        share = _ACCOUNT_STAGES.get(local)
        if share is None:
            share = rng.choices([s for s, _ in stages], weights=[w for _, w in stages])[0]
        items = [i for i in path.items if i.module.retired_at is None]
        required = [i for i in items if i.required]
        to_complete = int(share * len(required) + 0.5)
        # The executive team started first; everyone else joined later.
        first_day = rng.randint(80, 110) if person.job_role.key == "executive" else rng.randint(25, 70)
        gap = max(1, (first_day - 1) // (len(items) + 1))
        cursor = now - timedelta(days=first_day, hours=rng.randint(0, 6))
        done: set[str] = set()
        tested_out = local not in _ACCOUNT_STAGES and rng.random() < 0.05
        for item in required:
            module = item.module
            if not set(module.current.content["prerequisites"]) <= done:
                break  # locked: the path's order cannot be followed further
            started = cursor
            cursor += timedelta(days=gap, hours=rng.randint(0, 5))
            if len(done) < to_complete:
                finished = min(started + timedelta(days=rng.randint(1, gap), hours=rng.randint(1, 4)),
                               now - timedelta(hours=1))
                writer.completed(person, module, started, finished, placement=tested_out and not done)
                done.add(module.slug)
            else:
                if share > 0 and (local in _ACCOUNT_STAGES or rng.random() < 0.75):
                    writer.in_progress(person, module, min(started, now - timedelta(days=3)))
                break
        if len(done) == len(required) and required:
            finishers.append(person)
            electives = [i for i in items if not i.required]
            if electives and rng.random() < 0.4 and set(electives[0].module.current.content["prerequisites"]) <= done:
                writer.completed(person, electives[0].module, cursor, min(cursor + timedelta(days=2), now))
    _demo_assignments(organisation, people, paths, today)
    db.session.flush()
    for person in finishers:
        plan = build_plan(person)
        certificate = issue_certificate_if_complete(plan)
        if certificate is not None:
            certificate.issued_at = max(e.progress.completed_at for e in plan.required if e.progress)
    db.session.flush()


def _set_demo_due_dates(paths: dict[int, TrainingPath], organisation: Organisation, today: date) -> None:
    """A deadline already past on the front-line and contact-centre paths, and one to come for the executives."""
    by_key = {p.job_role.key: p for p in paths.values()}
    deadlines = (("frontline", 1, -10), ("contact_centre", 0, -21), ("executive", -1, 45))
    for key, index, days in deadlines:
        path = by_key.get(key)
        required = [i for i in path.items if i.required] if path else []
        if required:
            required[index if index < len(required) else -1].due_date = today + timedelta(days=days)


def _demo_assignments(organisation: Organisation, people: list[Person], paths: dict[int, TrainingPath],
                      today: date) -> None:
    """manager@ assigns employee@ a module beyond their path, and another team lead one with a past due date."""
    modules = list(db.session.scalars(
        select(Module).where(Module.retired_at.is_(None)).options(selectinload(Module.versions)).order_by(Module.slug)))
    by_email = {p.email.split("@")[0]: p for p in people}
    pairs = [(by_email.get("manager"), by_email.get("employee"), 14)]
    leads = [p for p in people if p.job_role and p.job_role.key == "team_lead" and p is not by_email.get("manager")]
    if leads:
        reports = [p for p in people if p.manager_id == leads[0].id]
        if reports:
            pairs.append((leads[0], reports[-1], -5))
    for manager, person, days in pairs:
        if manager is None or person is None:
            continue
        path = paths.get(person.job_role_id)
        on_path = {i.module_id for i in path.items} if path else set()
        candidates = [m for m in modules if m.id not in on_path]
        if candidates:
            db.session.add(Assignment(organisation_id=organisation.id, person_id=person.id, module=candidates[0],
                                      assigned_by_id=manager.id, due_date=today + timedelta(days=days)))


# Culture self-assessment --------------------------------------------------------------------------------------
#
# Answers go through cxculture.assessments.answering (save_draft + submit) so that anonymity and the shuffle of
# the stored rows are the real ones; only what people answer is made up, repeatably, from the organisation's slug.

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
#: Everyone's listening score in the open campaign: the café on customer feedback starts to show.
_LISTENING_TREND = 0.35
_CLOSED_TURNOUT = 0.75
_OPEN_TURNOUT = 0.4
_COMMENT_SHARE = 0.3

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
_DEMO_ACTIONS = (
    ("rewards", {"en": "Replace average handling time with first-contact resolution in contact-centre targets",
                 "it": "Sostituire il tempo medio di gestione con la risoluzione al primo contatto negli obiettivi "
                       "del contact center"},
     "hr", -12, "in_progress"),
    ("communication", {"en": "Share the top five customer complaints with every team each month",
                       "it": "Condividere ogni mese con tutti i team i cinque reclami più frequenti"},
     "leader", -3, "open"),
    ("listening", {"en": "Call back every customer who complained within 48 hours",
                   "it": "Richiamare entro 48 ore ogni cliente che ha fatto un reclamo"},
     "manager", 25, "open"),
    ("vision", {"en": "Leadership spends one day a quarter serving customers on the front line",
                "it": "La direzione passa un giorno a trimestre a servire i clienti in negozio"},
     "leader", -20, "done"),
)


@dataclass
class DemoAssessmentsReport:
    #: Slugs of the organisations that got campaigns in this run (empty when they had them already).
    loaded: list[str] = field(default_factory=list)
    responses: int = 0


def load_demo_assessments(today: date | None = None) -> DemoAssessmentsReport:
    """A closed campaign from last quarter and an open one for each demo organisation, with answers and actions.

    An organisation that already has campaigns is left as it is, so running it twice changes nothing.
    """
    from .assessments.instruments import sync_shipped_instruments
    from .assessments.models import Campaign

    today = today or date.today()
    instrument = next(i for i in sync_shipped_instruments() if i.key == "cx-culture")
    report = DemoAssessmentsReport()
    for spec in DEMO_ORGANISATIONS:
        organisation = organisation_by_slug(spec.slug)
        if organisation is None or db.session.scalar(
                select(Campaign.id).where(Campaign.organisation_id == organisation.id).limit(1)) is not None:
            continue
        report.responses += _load_campaigns(organisation, spec, instrument, today)
        report.loaded.append(spec.slug)
    db.session.flush()
    return report


def _quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _campaign_title(language: str, day: date) -> str:
    return _CAMPAIGN_TITLES[language].format(quarter=(day.month - 1) // 3 + 1, year=day.year)


def _load_campaigns(organisation: Organisation, spec: DemoOrganisation, instrument, today: date) -> int:
    """Both campaigns of one organisation, their answers and the action items that came out of the first."""
    from .assessments.answering import invited_people_query
    from .assessments.models import ActionItem, Campaign

    rng = random.Random(spec.slug)
    people = list(db.session.scalars(
        select(Person).where(Person.organisation_id == organisation.id, Person.active.is_(True))
        .options(selectinload(Person.job_role), selectinload(Person.permission_rows)).order_by(Person.id)))
    by_local = {p.email.split("@")[0]: p for p in people}
    leader = by_local.get("leader")
    last_quarter = _quarter_start(_quarter_start(today) - timedelta(days=1))
    closed_opens = last_quarter + timedelta(days=14)
    closed = Campaign(organisation_id=organisation.id, instrument=instrument, status="open",
                      title=_campaign_title(spec.language, last_quarter), opens_on=closed_opens,
                      closes_on=closed_opens + timedelta(days=20), created_by=leader,
                      opened_at=datetime.combine(closed_opens, time(9, 0)))
    current = Campaign(organisation_id=organisation.id, instrument=instrument, status="open",
                       title=_campaign_title(spec.language, today), opens_on=today - timedelta(days=7),
                       closes_on=today + timedelta(days=21), created_by=leader,
                       opened_at=datetime.combine(today - timedelta(days=7), time(9, 0)))
    db.session.add_all([closed, current])
    db.session.flush()
    invited = set(db.session.scalars(invited_people_query(closed)))
    closed.invited_count = current.invited_count = len(invited)
    people = [p for p in people if p.id in invited]

    answered = 0
    answered += _answer(closed, people, rng, spec.language, _CLOSED_TURNOUT, trend=0.0,
                        skip=(), when=closed.opens_on + timedelta(days=3))
    closed.status, closed.closed_at = "closed", datetime.combine(closed.closes_on, time(18, 0))
    answered += _answer(current, people, rng, spec.language, _OPEN_TURNOUT, trend=_LISTENING_TREND,
                        skip=(by_local.get("employee"),), when=today)

    for pillar, titles, owner, days, status in _DEMO_ACTIONS:
        owner = by_local.get(owner)
        db.session.add(ActionItem(
            organisation_id=organisation.id, campaign_id=closed.id, pillar=pillar, title=titles[spec.language],
            owner_id=owner.id if owner else None, due_date=today + timedelta(days=days), status=status,
            created_by_id=leader.id if leader else None,
            created_at=datetime.combine(closed.closes_on + timedelta(days=10), time(11, 0))))
    db.session.flush()
    return answered


def _is_leadership(person: Person) -> bool:
    return person.can("leader") or (person.job_role is not None and person.job_role.key == "executive")


def _answer(campaign, people: list[Person], rng: random.Random, language: str, turnout: float, trend: float,
            skip: tuple, when: date) -> int:
    """Have leadership and `turnout` of each team's other people answer `campaign`; returns how many did."""
    from .assessments.answering import save_draft, submit

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
            target = means[pillar] + mood + pillar_mood[pillar] + (trend if pillar == "listening" else 0)
            score = min(5, max(1, round(target + rng.gauss(0, 0.6))))
            values[item["key"]] = 6 - score if item["reverse"] else score
        open_answers = {key: rng.choice(texts) for key, texts in comments.items() if rng.random() < _COMMENT_SHARE}
        save_draft(campaign, person, values, open_answers, today=when)
        submit(campaign, person, today=when)
    return len(respondents)
