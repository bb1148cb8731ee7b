"""Demo training: the module library, the demo organisations' default paths, and realistic, repeatable progress
for every demo person (quiz attempts, certificates, a few assignments and deadlines).

Kept apart from the people (orgs/demo.py) so tests that only need people do not load a library.
"""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..orgs.demo import DEMO_ORGANISATIONS
from ..orgs.models import Organisation, Person
from ..orgs.service import organisation_by_slug
from .library import LIBRARY_PATH, SyncReport, sync_library
from .models import Assignment, Certificate, Module, PathItem, Progress, QuizAttempt, QuizAttemptItem, TrainingPath
from .paths import ensure_default_paths
from .plan import build_plan
from .progress import (
    draw_questions,
    draw_size,
    issue_certificate_if_complete,
    quiz_questions,
    score_answers,
    shown_questions,
)

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


def _answers(questions: list[dict], wrong: int, rng: random.Random | None = None) -> dict[str, list[str]]:
    """Answers to `questions`, right except `wrong` of them (the first ones, or ones picked by `rng`)."""
    answers = {}
    missed = set(rng.sample(range(len(questions)), min(wrong, len(questions))) if rng else range(wrong))
    for index, question in enumerate(questions):
        right = [c["id"] for c in question["choices"] if c["correct"]]
        if index in missed:
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
        #: Draws and wrong answers have their own sequence, so the rest of the demo stays as it was.
        self.draw_rng = random.Random(f"{organisation.slug}-draws")
        self.tokens = 0

    def _attempt(self, person, version, kind: str, wrong: int, when: datetime) -> QuizAttempt:
        drawn = draw_questions(version, kind, Counter(), self.draw_rng)
        questions = shown_questions(version, drawn)
        answers = _answers(questions, wrong, self.draw_rng)
        score, feedback = score_answers(questions, answers)
        self.tokens += 1
        attempt = QuizAttempt(
            organisation_id=self.organisation.id, person_id=person.id, module_version=version, kind=kind,
            form_token=f"demo-{self.organisation.slug}-{self.tokens}", answers=answers, questions=drawn,
            score=score, passed=score >= version.pass_mark, submitted_at=when,
        )
        attempt.items = [QuizAttemptItem(question_id=f.question["id"], position=number, correct=f.correct)
                         for number, f in enumerate(feedback, start=1)]
        db.session.add(attempt)
        return attempt

    def _failing_wrong(self, version) -> int:
        """How many wrong answers make the quiz fail."""
        questions = quiz_questions(version, "quiz")[:draw_size(version, "quiz")]
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
