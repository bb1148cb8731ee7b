"""What the learner's pages need around progress.py: where to resume, quiz forms, attempts and certificates."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..orgs.models import Person
from .models import Certificate, Module, ModuleVersion, Progress, QuizAttempt, QuizDraw
from .plan import Plan, PlanEntry
from .progress import (
    QuizResult,
    lesson_index,
    open_draw,
    plan_and_certificate,
    score_answers,
    shown_questions,
    submit_quiz,
    training_refused,
)
from .settings import key_after_failures

#: Quiz form fields are named "answer-<question id>"; a form token is at most this long (the column's size).
ANSWER_PREFIX = "answer-"
MAX_TOKEN_LENGTH = 64


@dataclass(frozen=True)
class Step:
    """Where a person goes next in a module: kind is "lesson", "quiz" or "module" (nothing left to do)."""

    kind: str
    lesson_id: str | None = None


def next_step(entry: PlanEntry) -> Step:
    """The lesson to resume at, the quiz once every lesson is read, or the module page when done or not started."""
    progress = entry.progress
    if progress is None or progress.completed:
        return Step("module")
    if progress.current_lesson and progress.current_lesson in lesson_ids(progress.module_version):
        return Step("lesson", progress.current_lesson)
    unread = lessons_unread(entry)
    if unread:
        return Step("lesson", unread[0])
    return Step("quiz")


def lesson_ids(version: ModuleVersion) -> list[str]:
    return [lesson["id"] for lesson in version.lessons]


def lessons_unread(entry: PlanEntry) -> list[str]:
    """Lessons of the person's version not yet read, in order (all of them before the module is started)."""
    done = set(entry.progress.lessons_done) if entry.progress else set()
    return [lesson_id for lesson_id in lesson_ids(entry.version) if lesson_id not in done]


def quiz_open(entry: PlanEntry) -> bool:
    """The final quiz opens once the module is started and every lesson is read, until it is passed."""
    return entry.progress is not None and not entry.progress.completed and not lessons_unread(entry)


def placement_open(entry: PlanEntry) -> bool:
    """A person may test out of a module they can take and have not completed."""
    if entry.status in ("completed", "locked"):
        return False
    return entry.progress is not None or entry.module.retired_at is None


@dataclass(frozen=True)
class LessonPage:
    lesson: dict
    number: int  #: 1-based position in the module
    total: int
    previous_id: str | None
    next_id: str | None
    read: bool


def lesson_page(entry: PlanEntry, lesson_id: str) -> LessonPage:
    """A lesson of the version the person started, with its neighbours; a refusal coded "no-such-lesson" if absent."""
    version = entry.version
    index = lesson_index(version, lesson_id)
    lessons = version.lessons
    return LessonPage(
        lesson=lessons[index], number=index + 1, total=len(lessons),
        previous_id=lessons[index - 1]["id"] if index > 0 else None,
        next_id=lessons[index + 1]["id"] if index + 1 < len(lessons) else None,
        read=entry.progress is not None and lesson_id in entry.progress.lessons_done,
    )


def quiz_version(entry: PlanEntry) -> ModuleVersion:
    """The version a quiz form is built from: the started one, or the current one for a placement quiz."""
    return entry.progress.module_version if entry.progress else entry.module.current


@dataclass
class QuizSubmission:
    version_id: int
    form_token: str
    answers: dict[str, list[str]]


def parse_quiz_form(form) -> QuizSubmission:
    """Read a submitted quiz form (a MultiDict); anything malformed becomes a value submit_quiz refuses.

    Every answer field is read, also for questions the attempt did not ask, so that submit_quiz can refuse them.
    """
    try:
        version_id = int(form.get("version_id", ""))
    except ValueError:
        version_id = 0
    token = form.get("form_token", "").strip()
    answers = {}
    for name in form:
        if name.startswith(ANSWER_PREFIX) and len(name) > len(ANSWER_PREFIX):
            chosen = [c for c in dict.fromkeys(form.getlist(name)) if c]
            if chosen:
                answers[name[len(ANSWER_PREFIX):]] = chosen
    return QuizSubmission(version_id, token, answers)


@dataclass
class QuizForm:
    """An open quiz as its page shows it: the draw (its token and version) and its questions in the order drawn."""

    draw: QuizDraw
    questions: list[dict]

    @property
    def version(self) -> ModuleVersion:
        return self.draw.module_version


def quiz_form(person: Person, entry: PlanEntry, kind: str) -> QuizForm:
    """The person's open quiz for the module, drawn now if none is open (flushes: the caller commits)."""
    draw = open_draw(person, entry, kind)
    return QuizForm(draw, shown_questions(draw.module_version, draw.questions))


def take_quiz(person: Person, entry: PlanEntry, kind: str, submission: QuizSubmission
              ) -> tuple[QuizResult, Certificate | None]:
    """Submit a quiz or placement quiz; after a pass, issue the path certificate if it is now complete.

    Returns the result and the certificate when this submit issued it (None otherwise).
    """
    if not submission.form_token or len(submission.form_token) > MAX_TOKEN_LENGTH:
        raise training_refused("stale")
    repeat = db.session.scalar(select(QuizAttempt.id).where(QuizAttempt.form_token == submission.form_token))
    if repeat is None:  # a repeated submit is answered from what is stored, whatever has happened since
        if kind == "placement" and not placement_open(entry):
            raise training_refused("locked" if entry.status == "locked" else "already-completed",
                                prerequisites=entry.locked_by)
        if kind == "quiz" and entry.progress is not None:
            if entry.progress.completed:
                raise training_refused("already-completed")
            if lessons_unread(entry):
                raise training_refused("lessons-unread", lessons=lessons_unread(entry))
    had_certificate = role_certificate(person) is not None
    result = submit_quiz(person, entry, kind, submission.version_id, submission.form_token, submission.answers)
    certificate = None
    if result.passed and not result.repeated and not had_certificate:
        certificate = plan_and_certificate(person)[1]
    return result, certificate


def attempt_of(person: Person, attempt_id: int) -> QuizAttempt | None:
    """One of the person's own quiz attempts (None for anybody else's)."""
    return db.session.scalar(
        select(QuizAttempt).where(QuizAttempt.id == attempt_id, QuizAttempt.person_id == person.id)
        .options(selectinload(QuizAttempt.module_version).selectinload(ModuleVersion.module)))


def attempt_result(attempt: QuizAttempt) -> QuizResult:
    """A stored attempt with its per-question feedback, as it was shown and scored, and whether to show the key."""
    questions = shown_questions(attempt.module_version, attempt.questions)
    return QuizResult(attempt, score_answers(questions, attempt.answers)[1], key_shown=answer_key_shown(attempt))


def answer_key_shown(attempt: QuizAttempt) -> bool:
    """Whether the attempt's page may show every right answer: once the person has passed (or completed the module
    another way), or after as many failed final quizzes in the module as the organisation sets (0: never).

    Until then a failed attempt shows only which answers were wrong, with the explanations of the choices picked.
    """
    if attempt.passed:
        return True
    module_id = attempt.module_version.module_id
    completed = db.session.scalar(select(Progress.completed_at).where(
        Progress.person_id == attempt.person_id, Progress.module_id == module_id))
    if completed is not None:
        return True
    limit = key_after_failures(attempt.organisation_id)
    if attempt.kind != "quiz" or limit == 0:
        return False
    failures = db.session.scalar(
        select(func.count(QuizAttempt.id)).join(ModuleVersion, QuizAttempt.module_version_id == ModuleVersion.id)
        .where(QuizAttempt.person_id == attempt.person_id, ModuleVersion.module_id == module_id,
               QuizAttempt.kind == "quiz", QuizAttempt.passed.is_(False)))
    return failures >= limit


def attempts_in_module(person: Person, module: Module) -> list[QuizAttempt]:
    """The person's attempts at a module's quizzes, newest first."""
    return list(db.session.scalars(
        select(QuizAttempt).join(ModuleVersion, QuizAttempt.module_version_id == ModuleVersion.id)
        .where(QuizAttempt.person_id == person.id, ModuleVersion.module_id == module.id)
        .order_by(QuizAttempt.submitted_at.desc(), QuizAttempt.id.desc())))


def titles_by_slug(slugs, language: str) -> dict[str, str]:
    """Current titles of modules by slug, for prerequisites that may not be on the plan."""
    slugs = set(slugs)
    if not slugs:
        return {}
    modules = db.session.scalars(select(Module).where(Module.slug.in_(slugs)).options(selectinload(Module.versions)))
    return {m.slug: m.current.text("title", language) for m in modules}


def plan_titles(plan: Plan, language: str) -> dict[str, str]:
    """Titles of every module on the plan and of every prerequisite that locks one."""
    titles = {e.module.slug: e.version.text("title", language) for e in plan.entries}
    missing = {slug for e in plan.entries for slug in e.locked_by if slug not in titles}
    titles.update(titles_by_slug(missing, language))
    return titles


def certificate_of(person: Person, code: str) -> Certificate | None:
    """The person's own certificate with this code (None for anybody else's)."""
    return db.session.scalar(
        select(Certificate).where(Certificate.code == code.upper(), Certificate.person_id == person.id))


def certificate_by_code(code: str) -> Certificate | None:
    return db.session.scalar(select(Certificate).where(Certificate.code == code.upper()))


@dataclass(frozen=True)
class CertificateText:
    """What a certificate shows, as plain values for the PDF template and the verification page."""

    code: str
    person_name: str
    organisation_name: str
    path_name: str
    module_titles: list[str]
    issued_on: date


def certificate_text(certificate: Certificate, language: str) -> CertificateText:
    return CertificateText(
        code=certificate.code,
        person_name=certificate.person_name,
        organisation_name=certificate.organisation_name,
        path_name=certificate.role_name_it if language == "it" else certificate.role_name_en,
        module_titles=[m["title"].get(language) or m["title"]["en"] for m in certificate.modules],
        issued_on=certificate.issued_at.date(),
    )


def role_certificate(person: Person) -> Certificate | None:
    """The certificate of the person's current role path, if issued."""
    if person.job_role_id is None:
        return None
    return db.session.scalar(select(Certificate).where(
        Certificate.person_id == person.id, Certificate.job_role_id == person.job_role_id))


@dataclass
class Dashboard:
    """The learner's home: their plan, what comes next and their certificate."""

    plan: Plan
    certificate: Certificate | None
    titles: dict[str, str]
    next_entry: PlanEntry | None
    #: Where each module of the plan resumes, by slug.
    steps: dict[str, Step]
    today: date

    @property
    def required_left(self) -> int:
        return len(self.plan.required) - self.plan.required_done

    @property
    def overdue(self) -> int:
        return sum(e.overdue(self.today) for e in self.plan.entries)

    @property
    def electives(self) -> int:
        return sum(not e.required for e in self.plan.entries)


def learner_dashboard(person: Person, language: str, today: date) -> Dashboard:
    """Everything the learner's home shows; issues the path certificate if the path is complete (flushes)."""
    plan, certificate = plan_and_certificate(person)
    following = plan.next_entry
    steps = {e.module.slug: next_step(e) for e in plan.entries}
    return Dashboard(plan, certificate, plan_titles(plan, language), following, steps, today)
