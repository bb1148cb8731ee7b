"""Training pages for learners: module pages, lessons, quizzes, results, certificates and their public check."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...auth.access import permission_required
from ...downloads.offer import offer_html
from ...extensions import db
from ...i18n import current_language
from ...pillars import PILLAR_LABELS
from ...refusals import Refused
from .. import learning
from ..plan import build_plan
from ..progress import finish_lesson as record_lesson
from ..progress import start_module, training_refused
from ..settings import key_after_failures
from . import bp


def _plan_entry(slug: str):
    """The current person's plan and its entry for the module; 404 when the module is not on their plan."""
    plan = build_plan(current_user)
    entry = plan.entry(slug)
    if entry is None:
        abort(404)
    return plan, entry


def _step_url(slug: str, step: learning.Step) -> str:
    if step.kind == "lesson":
        return url_for("modules.learn_lesson", slug=slug, lesson_id=step.lesson_id)
    if step.kind == "quiz":
        return url_for("modules.take_quiz", slug=slug)
    return url_for("modules.learn_module", slug=slug)


@bp.get("/learn/<slug>")
@permission_required("employee")
def learn_module(slug: str):
    plan, entry = _plan_entry(slug)
    language = current_language()
    return render_template(
        "modules/learner_module.html", entry=entry, language=language,
        titles=learning.plan_titles(plan, language), step=learning.next_step(entry), today=date.today(),
        unread=learning.lessons_unread(entry), quiz_open=learning.quiz_open(entry),
        placement_open=learning.placement_open(entry),
        attempts=learning.attempts_in_module(current_user, entry.module), pillar_labels=PILLAR_LABELS,
    )


@bp.post("/learn/<slug>/start")
@permission_required("employee")
def start_learning(slug: str):
    _plan, entry = _plan_entry(slug)
    try:
        start_module(current_user, entry)
    except Refused as refused:
        flash(refused.message, "error")
        return redirect(url_for("modules.learn_module", slug=slug))
    db.session.commit()
    return redirect(_step_url(slug, learning.next_step(entry)))


@bp.get("/learn/<slug>/lessons/<lesson_id>")
@permission_required("employee")
def learn_lesson(slug: str, lesson_id: str):
    _plan, entry = _plan_entry(slug)
    if entry.progress is None:
        flash(_("Start the module to read its lessons."), "info")
        return redirect(url_for("modules.learn_module", slug=slug))
    try:
        page = learning.lesson_page(entry, lesson_id)
    except Refused:
        abort(404)
    return render_template("modules/learner_lesson.html", entry=entry, page=page, language=current_language())


@bp.post("/learn/<slug>/lessons/<lesson_id>/done")
@permission_required("employee")
def finish_lesson(slug: str, lesson_id: str):
    _plan, entry = _plan_entry(slug)
    if entry.progress is None:
        flash(_("Start the module to read its lessons."), "info")
        return redirect(url_for("modules.learn_module", slug=slug))
    try:
        following = record_lesson(entry.progress, lesson_id)
    except Refused:
        abort(404)
    db.session.commit()
    if following:
        return redirect(url_for("modules.learn_lesson", slug=slug, lesson_id=following))
    if learning.quiz_open(entry):
        return redirect(url_for("modules.take_quiz", slug=slug))
    unread = learning.lessons_unread(entry)
    if unread:
        flash(_("You reached the last lesson; read the ones you skipped to open the quiz."), "info")
        return redirect(url_for("modules.learn_lesson", slug=slug, lesson_id=unread[0]))
    return redirect(url_for("modules.learn_module", slug=slug))


@bp.route("/learn/<slug>/quiz", methods=["GET", "POST"])
@permission_required("employee")
def take_quiz(slug: str):
    return _quiz(slug, "quiz")


@bp.route("/learn/<slug>/placement", methods=["GET", "POST"])
@permission_required("employee")
def take_placement(slug: str):
    return _quiz(slug, "placement")


def _quiz(slug: str, kind: str):
    """Show (GET) the person's open quiz or placement quiz, drawn on first showing, or submit it (POST)."""
    _plan, entry = _plan_entry(slug)
    language = current_language()
    if request.method == "POST":
        submission = learning.parse_quiz_form(request.form)
        try:
            result, certificate = learning.take_quiz(current_user, entry, kind, submission)
        except Refused as error:
            db.session.rollback()
            if error.code in ("invalid-answers", "other-draw"):
                form = learning.quiz_form(current_user, entry, kind)  # the draw this form was for
                db.session.commit()
                invalid = error.code == "invalid-answers"
                return render_template(
                    "modules/learner_quiz.html", entry=entry, kind=kind, quiz=form, language=language,
                    chosen=submission.answers if invalid else {},
                    problems=error.details["problems"] if invalid else {},
                    refusal=None if invalid else error.message,
                ), 400
            if error.code == "stale":
                flash(_("This quiz form was out of date: the module has changed since it was shown, or the form "
                        "was not yours. Nothing was recorded; here is a fresh form."), "warning")
                return redirect(request.path)
            flash(error.message, "error")
            return redirect(url_for("modules.learn_module", slug=slug))
        db.session.commit()
        if result.repeated:
            flash(_("This quiz had already been submitted: your answers were recorded once, and the result is "
                    "shown below."), "info")
        if certificate is not None:
            flash(_("You have completed your training path: your certificate is ready."), "success")
        attempt = result.attempt
        return redirect(url_for("modules.show_attempt", slug=attempt.module_version.module.slug,
                                attempt_id=attempt.id))

    if kind == "placement" and not learning.placement_open(entry):
        error = training_refused("locked" if entry.status == "locked" else "already-completed",
                                 prerequisites=entry.locked_by)
        flash(error.message, "error")
        return redirect(url_for("modules.learn_module", slug=slug))
    if kind == "quiz" and not learning.quiz_open(entry):
        if entry.progress is None:
            flash(training_refused("not-started").message, "info")
        elif entry.progress.completed:
            flash(training_refused("already-completed").message, "info")
        else:
            flash(training_refused("lessons-unread").message, "info")
            return redirect(url_for("modules.learn_lesson", slug=slug, lesson_id=learning.lessons_unread(entry)[0]))
        return redirect(url_for("modules.learn_module", slug=slug))
    form = learning.quiz_form(current_user, entry, kind)
    db.session.commit()  # the draw is kept: a reload shows the same questions in the same order
    return render_template("modules/learner_quiz.html", entry=entry, kind=kind, quiz=form, language=language,
                           chosen={}, problems={}, refusal=None)


@bp.get("/learn/<slug>/attempts/<int:attempt_id>")
@permission_required("employee")
def show_attempt(slug: str, attempt_id: int):
    attempt = learning.attempt_of(current_user, attempt_id)
    if attempt is None or attempt.module_version.module.slug != slug:
        abort(404)
    plan = build_plan(current_user)
    entry = plan.entry(slug)
    following = plan.next_entry
    return render_template(
        "modules/learner_result.html", result=learning.attempt_result(attempt), attempt=attempt, entry=entry,
        version=attempt.module_version, language=current_language(), next_entry=following,
        certificate=learning.role_certificate(current_user),
        key_after=key_after_failures(current_user.organisation_id),
    )


@bp.get("/learn/certificates/<code>.pdf")
@login_required
def download_certificate(code: str):
    certificate = learning.certificate_of(current_user, code)
    if certificate is None:
        abort(404)
    text = learning.certificate_text(certificate, current_language())
    html = render_template(
        "modules/certificate_pdf.html", cert=text, language=current_language(),
        verify_url=url_for("modules.verify_certificate", code=text.code, _external=True),
    )
    return offer_html(html, title=_("Certificate %(code)s", code=text.code), filename=f"certificate-{text.code}.pdf")


@bp.get("/learn/<slug>/worksheets/<sheet_id>.pdf")
@permission_required("employee")
def download_worksheet(slug: str, sheet_id: str):
    """A lesson's practice sheet as a printable PDF, from the version the person is on."""
    _plan, entry = _plan_entry(slug)
    return worksheet_pdf(entry.version, sheet_id)


def worksheet_pdf(version, sheet_id: str):
    """The worksheet of a module version as a PDF for the current person's organisation; 404 when absent."""
    sheet = version.worksheet(sheet_id)
    if sheet is None:
        abort(404)
    language = current_language()
    html = render_template("modules/worksheet_pdf.html", version=version, sheet=sheet, language=language,
                           organisation=current_user.organisation)
    title = sheet["title"].get(language) or sheet["title"]["en"]
    return offer_html(html, title=title, filename=f"{version.module.slug}-{sheet_id}-{language}.pdf")


@bp.get("/verify/<code>")
def verify_certificate(code: str):
    """Public: anyone holding a certificate's code can check it is genuine."""
    certificate = learning.certificate_by_code(code)
    if certificate is None:
        return render_template("modules/learner_verify.html", cert=None, code=code[:40]), 404
    return render_template("modules/learner_verify.html",
                           cert=learning.certificate_text(certificate, current_language()), code=certificate.code)
