"""Taking modules: starting, reading lessons, quizzes and placement quizzes, certificates."""
from __future__ import annotations

import random
import secrets
from collections import Counter
from dataclasses import dataclass

from flask_babel import LazyString, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import events
from ..extensions import db
from ..orgs.models import Person
from ..refusals import Refused
from ..util import utcnow
from .models import Certificate, ModuleVersion, Progress, QuizAttempt, QuizAttemptItem, QuizDraw
from .plan import Plan, PlanEntry, build_plan

#: Why a training step cannot be taken, by code: views act on the code ("stale" shows a fresh form,
#: "invalid-answers" marks the questions), people read the message.
TRAINING_REFUSALS = {
    "retired": _l("This module has been withdrawn from the library and can no longer be started."),
    "not-started": _l("Start the module before taking its quiz."),
    "already-completed": _l("You have already completed this module."),
    "lessons-unread": _l("Read every lesson before taking the quiz."),
    "no-such-lesson": _l("That lesson is not part of this module."),
    "invalid-answers": _l("Answer every question with the choices offered."),
    "other-draw": _l("These answers are for questions this attempt did not ask (the form was changed, or kept from "
                     "another attempt). Nothing was recorded: answer the questions shown."),
}


#: Draws and choice orders come from the operating system's randomness: nobody can predict the next attempt.
_random = random.SystemRandom()


def training_refused(code: str, **details) -> Refused:
    """The refusal of a training step; "locked" names the prerequisites to finish first, in the reader's language."""
    if code == "locked":
        prerequisites = details.get("prerequisites", [])
        message = LazyString(lambda: _locked_message(prerequisites))
    else:
        message = TRAINING_REFUSALS.get(code, _l("That step cannot be taken right now."))
    return Refused(message, code, **details)


def _locked_message(prerequisites: list[str]) -> str:
    from .learning import titles_by_slug  # learning builds on this module

    titles = titles_by_slug(prerequisites, str(get_locale() or "en"))
    names = ", ".join(titles.get(slug, slug) for slug in prerequisites)
    return _("This module is locked: finish %(modules)s first.", modules=names)


def start_module(person: Person, entry: PlanEntry) -> Progress:
    """The person's progress in the module, started (pinned to the current version) if new."""
    if entry.progress is not None:
        return entry.progress
    if entry.locked_by:
        raise training_refused("locked", prerequisites=entry.locked_by)
    if entry.module.retired_at is not None:
        raise training_refused("retired")
    version = entry.module.current
    progress = Progress(
        organisation_id=person.organisation_id, person_id=person.id, module_id=entry.module.id,
        module_version=version, lessons_done=[], current_lesson=version.lessons[0]["id"],
    )
    try:
        with db.session.begin_nested():  # a second tab may have started it a moment ago
            db.session.add(progress)
    except IntegrityError:
        return db.session.scalar(
            select(Progress).where(Progress.person_id == person.id, Progress.module_id == entry.module.id))
    events.module_started.send(person, module_version=version)
    entry.progress = progress
    return progress


def lesson_index(version: ModuleVersion, lesson_id: str) -> int:
    for index, lesson in enumerate(version.lessons):
        if lesson["id"] == lesson_id:
            return index
    raise training_refused("no-such-lesson")


def finish_lesson(progress: Progress, lesson_id: str) -> str | None:
    """Record a lesson as read; returns the next lesson's id, or None when the quiz comes next."""
    version = progress.module_version
    index = lesson_index(version, lesson_id)
    if lesson_id not in progress.lessons_done:
        progress.lessons_done = [*progress.lessons_done, lesson_id]
        events.lesson_completed.send(progress.person, module_version=version, lesson=lesson_id)
    following = version.lessons[index + 1]["id"] if index + 1 < len(version.lessons) else None
    if not progress.completed:
        progress.current_lesson = following
    db.session.flush()
    return following


def quiz_questions(version: ModuleVersion, kind: str) -> list[dict]:
    """The questions a quiz may ask: for "quiz" every question not kept for placement (`use: placement`), for
    "placement" the questions marked for it (`placement: true`, which the final quiz asks too, or `use: placement`)."""
    if kind == "quiz":
        return [q for q in version.questions if q.get("use") != "placement"]
    return [q for q in version.questions if q["placement"]]


def draw_size(version: ModuleVersion, kind: str) -> int | None:
    """How many questions an attempt draws from the bank; None asks every question (a module without a bank)."""
    return version.content.get("draw" if kind == "quiz" else "placement_draw")


def draw_questions(version: ModuleVersion, kind: str, asked_before: Counter, rng: random.Random) -> list[dict]:
    """The questions of a new attempt and the order of their choices: [{"id", "choices": [choice ids]}].

    A bank gives the questions the person was asked least often in earlier attempts (at random among equals), so
    a retry asks other questions whenever the bank has them; a module without a bank asks all, in its order.
    Choices are shuffled unless a question says `shuffle: false`.
    """
    pool = quiz_questions(version, kind)
    size = draw_size(version, kind)
    if size is not None and size < len(pool):
        ranked = sorted(pool, key=lambda q: (asked_before[q["id"]], rng.random()))
        pool = ranked[:size]
        rng.shuffle(pool)
    drawn = []
    for question in pool:
        choices = [c["id"] for c in question["choices"]]
        if question.get("shuffle", True):
            rng.shuffle(choices)
        drawn.append({"id": question["id"], "choices": choices})
    return drawn


def shown_questions(version: ModuleVersion, drawn: list[dict]) -> list[dict]:
    """The drawn questions as shown: each question of the version with its choices in the order drawn."""
    by_id = {q["id"]: q for q in version.questions}
    shown = []
    for item in drawn:
        question = by_id[item["id"]]
        choices = {c["id"]: c for c in question["choices"]}
        shown.append({**question, "choices": [choices[c] for c in item["choices"]]})
    return shown


def open_draw(person: Person, entry: PlanEntry, kind: str, form_token: str | None = None) -> QuizDraw:
    """The quiz the person has open for this module: the same questions on every reload until it is submitted.

    A draw for an older version of the module is replaced. Flushes only: the caller commits.
    """
    version = entry.progress.module_version if entry.progress else entry.module.current
    draw = db.session.scalar(select(QuizDraw).where(
        QuizDraw.person_id == person.id, QuizDraw.module_id == entry.module.id, QuizDraw.kind == kind))
    if draw is not None and draw.module_version_id == version.id:
        return draw
    if draw is not None:
        db.session.delete(draw)
        db.session.flush()
    asked_before = Counter(
        item["id"]
        for questions in db.session.scalars(select(QuizAttempt.questions).where(
            QuizAttempt.person_id == person.id, QuizAttempt.module_version_id == version.id,
            QuizAttempt.kind == kind))
        for item in questions
    )
    draw = QuizDraw(organisation_id=person.organisation_id, person_id=person.id, module_id=entry.module.id,
                    module_version=version, kind=kind, form_token=form_token or new_form_token(),
                    questions=draw_questions(version, kind, asked_before, _random))
    try:
        with db.session.begin_nested():  # another tab may have opened the quiz a moment ago
            db.session.add(draw)
    except IntegrityError:
        return db.session.scalar(select(QuizDraw).where(
            QuizDraw.person_id == person.id, QuizDraw.module_id == entry.module.id, QuizDraw.kind == kind))
    return draw


@dataclass
class QuestionFeedback:
    question: dict
    chosen: list[str]
    correct: bool


@dataclass
class QuizResult:
    attempt: QuizAttempt
    feedback: list[QuestionFeedback]
    #: True when this submit repeated one already stored (double click, refresh): nothing new was written.
    repeated: bool = False
    #: Whether the page may show every right answer (see learning.answer_key_shown), not only the person's own.
    key_shown: bool = False

    @property
    def passed(self) -> bool:
        return self.attempt.passed


def percent_right(right: int, total: int) -> int:
    """A quiz score: the % of questions answered right, rounded as every score is."""
    return round(100 * right / total) if total else 0


def score_answers(questions: list[dict], answers: dict[str, list[str]]) -> tuple[int, list[QuestionFeedback]]:
    """Score in % (a question counts only when exactly its correct choices are chosen) and per-question feedback."""
    feedback = []
    for question in questions:
        chosen = sorted(answers.get(question["id"], []))
        right = sorted(c["id"] for c in question["choices"] if c["correct"])
        feedback.append(QuestionFeedback(question, chosen, chosen == right))
    return percent_right(sum(f.correct for f in feedback), len(feedback)), feedback


def new_form_token() -> str:
    return secrets.token_urlsafe(24)


def check_answers(questions: list[dict], answers: dict[str, list[str]]) -> dict[str, str]:
    """Problems with submitted answers, by question id: "missing", "one-only" or "unknown-choice"."""
    problems = {}
    for question in questions:
        chosen = answers.get(question["id"], [])
        valid = {c["id"] for c in question["choices"]}
        if not chosen:
            problems[question["id"]] = "missing"
        elif any(c not in valid for c in chosen):
            problems[question["id"]] = "unknown-choice"
        elif question["kind"] == "single" and len(chosen) > 1:
            problems[question["id"]] = "one-only"
    return problems


def submit_quiz(person: Person, entry: PlanEntry, kind: str, version_id: int, form_token: str,
                answers: dict[str, list[str]]) -> QuizResult:
    """Store and score one quiz submit, once: the same form submitted again returns the stored result."""
    previous = db.session.scalar(select(QuizAttempt).where(QuizAttempt.form_token == form_token))
    if previous is not None:
        if previous.person_id != person.id:
            raise training_refused("stale")
        questions = shown_questions(previous.module_version, previous.questions)
        return QuizResult(previous, score_answers(questions, previous.answers)[1], repeated=True)
    if kind == "placement":
        if entry.progress is not None and entry.progress.completed:
            raise training_refused("already-completed")
        if entry.progress is None and entry.locked_by:
            # Checked before storing: a pass would otherwise be stored and then fail to start the module.
            raise training_refused("locked", prerequisites=entry.locked_by)
        if entry.progress is None and entry.module.retired_at is not None:
            raise training_refused("retired")
        version = entry.progress.module_version if entry.progress else entry.module.current
    else:
        if entry.progress is None:
            raise training_refused("not-started")
        version = entry.progress.module_version
    if version.id != version_id:
        raise training_refused("stale")  # the form was for another version of the module
    draw = db.session.scalar(select(QuizDraw).where(QuizDraw.form_token == form_token))
    if draw is None or draw.person_id != person.id or draw.kind != kind or draw.module_version_id != version.id:
        raise training_refused("stale")  # no quiz of this person's is open with this form
    questions = shown_questions(version, draw.questions)
    drawn = {q["id"] for q in questions}
    if set(answers) - drawn:
        # Answers for questions this attempt did not ask: a forged form, or one kept from another attempt.
        raise training_refused("other-draw", questions=sorted(set(answers) - drawn))
    problems = check_answers(questions, answers)
    if problems:
        raise training_refused("invalid-answers", problems=problems)
    score, feedback = score_answers(questions, answers)
    passed = score >= version.pass_mark
    attempt = QuizAttempt(organisation_id=person.organisation_id, person_id=person.id, module_version=version,
                          kind=kind, form_token=form_token, answers=answers, questions=draw.questions, score=score,
                          passed=passed)
    attempt.items = [QuizAttemptItem(question_id=f.question["id"], position=number, correct=f.correct)
                     for number, f in enumerate(feedback, start=1)]
    try:
        with db.session.begin_nested():
            db.session.delete(draw)
            db.session.add(attempt)
    except IntegrityError:  # the same form arrived twice at the same moment
        return submit_quiz(person, entry, kind, version_id, form_token, answers)
    (events.quiz_passed if passed else events.quiz_failed).send(person, attempt=attempt)
    if kind == "quiz" or passed:
        progress = entry.progress or start_module(person, entry)
        if kind == "quiz":
            progress.best_score = max(score, progress.best_score or 0)
        if passed and not progress.completed:
            progress.completed_at = utcnow()
            progress.completed_via = kind
            progress.current_lesson = None
            events.module_completed.send(person, module_version=version, via=kind)
    db.session.flush()
    return QuizResult(attempt, feedback)


def issue_certificate_if_complete(plan: Plan) -> Certificate | None:
    """A certificate for the person's role path, issued once, when all its required modules are completed."""
    person = plan.person
    if not plan.role_path_complete or person.job_role is None:
        return None
    existing = db.session.scalar(select(Certificate).where(
        Certificate.person_id == person.id, Certificate.job_role_id == person.job_role_id))
    if existing:
        return existing
    role_entries = [e for e in plan.required if any(r.kind == "role" for r in e.reasons)]
    certificate = Certificate(
        organisation_id=person.organisation_id, person_id=person.id, job_role_id=person.job_role_id,
        person_name=person.name, organisation_name=person.organisation.name,
        role_name_en=person.job_role.name_en, role_name_it=person.job_role.name_it,
        modules=[{"slug": e.module.slug, "title": e.version.content["title"]} for e in role_entries],
    )
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:
        return db.session.scalar(select(Certificate).where(
            Certificate.person_id == person.id, Certificate.job_role_id == person.job_role_id))
    events.certificate_issued.send(person, certificate=certificate)
    return certificate


def plan_and_certificate(person: Person) -> tuple[Plan, Certificate | None]:
    plan = build_plan(person)
    return plan, issue_certificate_if_complete(plan)
