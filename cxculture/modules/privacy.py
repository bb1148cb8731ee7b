"""The training area's privacy provider: progress, quiz attempts, certificates and assignments.

Erasing a person keeps their progress and attempts on the anonymous tombstone (a team's completion rate does not
move); their certificates stay valid but no longer name them, and their certificate PDFs are deleted.
Flushes only: the caller commits.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update

from ..downloads.models import Download
from ..downloads.privacy import forget_downloads
from ..extensions import db
from ..orgs.models import Person
from ..personal_data import Erasure, Holding, json_ready, row_dict
from .models import Assignment, Certificate, Module, ModuleVersion, Progress, QuizAttempt, QuizDraw

AREA = "training"
TITLE = _l("Training")

HOLDINGS = (
    Holding("module_progress", ("person_id",),
            what=_l("Which modules you started and completed, the lessons read, your best quiz score."),
            why=_l("To resume where you left off, issue your certificate and show your manager your team's "
                   "progress."),
            who_sees=_l("You, your manager, the leaders and HR."),
            on_erase=_l("Kept without the name, so that team completion rates do not change."),
            kept="training"),
    Holding("quiz_attempt", ("person_id", "answers"),
            what=_l("Each quiz you submitted: the choices you made, the score, pass or fail."),
            why=_l("To score the quiz, show you the result and count the attempts."),
            who_sees=_l("You; your manager sees the scores."),
            on_erase=_l("Kept without the name (scores feed team figures)."), kept="training"),
    Holding("quiz_draw", ("person_id",),
            what=_l("The questions drawn for each quiz you opened, in the order they were shown."),
            why=_l("To grade exactly what you were asked and give a retry other questions."),
            who_sees=_l("Nobody: the app reads it to grade your quiz."),
            on_erase=_l("Kept without the name (which questions were asked feeds the quiz item analysis)."),
            kept="training"),
    Holding("certificate", ("person_id", "person_name"),
            what=_l("Certificates issued to you, with your name as printed."),
            why=_l("So that anyone holding the code can check the certificate is genuine."),
            who_sees=_l("You, your manager, and anyone with the certificate's code."),
            on_erase=_l("The name is removed: the verification page says a certificate was issued but the "
                        "holder's data was erased."), kept="training"),
    Holding("module_assignment", ("person_id", "assigned_by_id"),
            what=_l("Modules a manager added to your plan, with the due date."),
            why=_l("To show the module in your plan and your manager's view."),
            who_sees=_l("You and your manager."),
            on_erase=_l("Kept without the name."), kept="training"),
)
NOT_PERSONAL = ()


def export(person: Person) -> dict:
    slugs = dict(db.session.execute(select(Module.id, Module.slug)).all())
    versions = dict(db.session.execute(select(ModuleVersion.id, ModuleVersion.module_id)).all())
    progress = db.session.scalars(select(Progress).where(Progress.person_id == person.id).order_by(Progress.id))
    attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.person_id == person.id)
                                  .order_by(QuizAttempt.id))
    certificates = db.session.scalars(select(Certificate).where(Certificate.person_id == person.id)
                                      .order_by(Certificate.id))
    assignments = db.session.scalars(select(Assignment).where(Assignment.person_id == person.id)
                                     .order_by(Assignment.id))
    draws = db.session.scalars(select(QuizDraw).where(QuizDraw.person_id == person.id).order_by(QuizDraw.id))
    return {
        "progress": [dict(module=slugs.get(p.module_id), **row_dict(p, (
            "lessons_done", "current_lesson", "started_at", "completed_at", "completed_via", "best_score")))
            for p in progress],
        "quiz_attempts": [dict(module=slugs.get(versions.get(a.module_version_id)), **row_dict(a, (
            "kind", "answers", "score", "passed", "submitted_at"))) for a in attempts],
        "certificates": [dict(row_dict(c, ("code", "person_name", "organisation_name", "role_name_en",
                                           "role_name_it", "issued_at")),
                              modules=[m.get("slug") for m in c.modules]) for c in certificates],
        "assignments": [{"module": slugs.get(a.module_id), "due_date": json_ready(a.due_date),
                         "assigned_at": json_ready(a.created_at)} for a in assignments],
        "quiz_draws": [dict(module=slugs.get(d.module_id), **row_dict(d, ("kind", "questions", "created_at")))
                       for d in draws],
    }


def _certificate_codes(person: Person) -> list[str]:
    return list(db.session.scalars(select(Certificate.code).where(Certificate.person_id == person.id)))


def erasure(person: Person) -> list[Erasure]:
    count = db.session.scalar(select(func.count(Progress.id)).where(Progress.person_id == person.id))
    return [
        Erasure(_l("Training progress and quiz attempts (kept without the name, for team figures)"), count),
        Erasure(_l("Names on certificates (the certificates stay verifiable)"), len(_certificate_codes(person))),
    ]


def erase(person: Person, successor: Person | None) -> None:
    codes = _certificate_codes(person)
    if codes:
        forget_downloads(or_(*(Download.filename == f"certificate-{code}.pdf" for code in codes)))
    db.session.execute(update(Certificate).where(Certificate.person_id == person.id).values(person_name="")
                       .execution_options(synchronize_session="fetch"))
