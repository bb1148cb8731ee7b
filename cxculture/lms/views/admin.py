"""Administrators: platform registrations, the tool's keys and configuration, the LRS and its outbox."""
from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ...auth.access import get_in_organisation, permission_required
from ...confirming import ask_first, confirmed
from ...extensions import db
from ...refusals import Refused, form_status, show_refusal
from ...util import utcnow
from .. import dynamic, outbox, rosters
from .. import registrations as service
from ..forms import LrsForm, RegistrationForm
from ..keys import active_key, published_keys, rotate_key
from ..models import LtiCourse, LtiRegistration, LtiRegistrationUrl
from . import allow_http, bp


@bp.get("/admin/lms")
@permission_required("admin")
def lms_overview():
    return _overview()


def _overview(new_url: str | None = None):
    organisation_id = current_user.organisation_id
    active_key(organisation_id)
    db.session.commit()
    response = make_response(render_template(
        "lms/overview.html", registrations=service.registrations_of(organisation_id),
        fields=service.tool_configuration(current_user.organisation), keys=published_keys(organisation_id),
        courses=rosters.courses_of(organisation_id), urls=dynamic.urls_of(organisation_id), new_url=new_url,
        now=utcnow(), url_days=dynamic.URL_DAYS))
    if new_url:
        response.headers["Cache-Control"] = "no-store"  # the URL's secret is shown once, never kept by a cache
    return response


@bp.post("/admin/lms/registration-urls")
@permission_required("admin")
def create_registration_url():
    """A one-time URL for Dynamic Registration: shown on this answer only (its secret is never stored)."""
    made = dynamic.make_url(current_user.organisation, current_user)
    db.session.commit()
    return _overview(new_url=made.url)


@bp.post("/admin/lms/registration-urls/<int:url_id>/withdraw")
@permission_required("admin")
def withdraw_registration_url(url_id: int):
    dynamic.withdraw_url(get_in_organisation(LtiRegistrationUrl, url_id))
    db.session.commit()
    flash(_("The registration URL no longer works."), "success")
    return redirect(url_for("lms.lms_overview"))


@bp.get("/admin/lms/courses/<int:course_id>")
@permission_required("admin")
def show_course(course_id: int):
    course = get_in_organisation(LtiCourse, course_id)
    return render_template("lms/course.html", course=course, reason_text=rosters.reason_text,
                           in_progress=rosters.sync_in_progress(course))


@bp.post("/admin/lms/courses/<int:course_id>/sync")
@permission_required("admin")
def sync_course(course_id: int):
    course = get_in_organisation(LtiCourse, course_id)
    if rosters.sync_in_progress(course):
        flash(_("The members of %(course)s are already being brought in.", course=course.title), "info")
    else:
        rosters.request_sync(course)
        db.session.commit()  # the job is asked for once this commits
        flash(_("The members of %(course)s are being brought in: this page shows the result in a moment.",
                course=course.title), "success")
    return redirect(url_for("lms.show_course", course_id=course.id))


def _registration_page(form: RegistrationForm, registration: LtiRegistration | None):
    if form.validate_on_submit():
        try:
            saved = service.save_registration(current_user.organisation_id, form.values(),
                                              allow_http=allow_http(), registration=registration)
        except Refused as refusal:
            db.session.rollback()
            show_refusal(form, Refused(form.show_row_errors(refusal.errors)))
        else:
            db.session.commit()
            flash(_("Platform %(name)s saved.", name=saved.name), "success")
            return redirect(url_for("lms.lms_overview"))
    return render_template("lms/registration_form.html", form=form, registration=registration), form_status(form)


@bp.route("/admin/lms/platforms/new", methods=["GET", "POST"])
@permission_required("admin")
def create_registration():
    form = RegistrationForm()
    if request.method == "GET":
        form.show_default_role_mappings()
    return _registration_page(form, None)


@bp.route("/admin/lms/platforms/<int:registration_id>", methods=["GET", "POST"])
@permission_required("admin")
def edit_registration(registration_id: int):
    registration = get_in_organisation(LtiRegistration, registration_id)
    form = RegistrationForm(obj=registration)
    if request.method == "GET":
        form.deployment_ids.data = "\n".join(registration.deployment_ids or [])
        form.show_role_mappings([(m.kind, m.role, m.permission) for m in registration.role_mappings])
    return _registration_page(form, registration)


@bp.route("/admin/lms/platforms/<int:registration_id>/delete", methods=["GET", "POST"])
@permission_required("admin")
def delete_registration(registration_id: int):
    registration = get_in_organisation(LtiRegistration, registration_id)
    name = registration.name
    back = url_for("lms.lms_overview")
    if not confirmed():
        linked = service.linked_people(registration)
        return ask_first(
            title=_("Remove the platform %(name)s?", name=name), eyebrow=_("LMS"), eyebrow_url=back,
            consequences=[
                _("%(name)s can no longer launch CX Culture: its links to modules and the assessment stop working.",
                  name=name),
                ngettext("%(num)s person signed in through it loses that way in; their account, progress and "
                         "certificates stay.",
                         "%(num)s people signed in through it lose that way in; their accounts, progress and "
                         "certificates stay.", linked),
            ],
            undo=_("This cannot be undone: to connect it again, register the platform again and ask its "
                   "administrator to update the tool's settings."),
            button=_("Remove the platform"), back=back)
    service.delete_registration(registration)
    db.session.commit()
    flash(_("Platform %(name)s removed: it can no longer launch CX Culture.", name=name), "success")
    return redirect(back)


@bp.route("/admin/lms/keys/rotate", methods=["GET", "POST"])
@permission_required("admin")
def rotate_keys():
    back = url_for("lms.lms_overview")
    if not confirmed():
        return ask_first(
            title=_("Rotate the signing key?"), eyebrow=_("LMS"), eyebrow_url=back,
            consequences=[_("A new key signs what CX Culture sends to the platforms (grades, deep links)."),
                          _("The previous key stays published for a week, then it is gone: a platform that copied "
                            "the key itself instead of reading the keyset URL must be updated within that week.")],
            undo=_("This cannot be undone: the previous key cannot be brought back."),
            button=_("Rotate the key"), back=back, danger=False)
    rotate_key(current_user.organisation_id)
    db.session.commit()
    flash(_("New key created. The previous key stays published for a week, so nothing breaks meanwhile."), "success")
    return redirect(back)


@bp.route("/admin/lms/xapi", methods=["GET", "POST"])
@permission_required("admin")
def edit_lrs():
    settings = service.lrs_settings(current_user.organisation_id)
    form = LrsForm(obj=settings)
    if request.method == "GET":
        form.secret.data = ""
    if form.validate_on_submit():
        try:
            service.save_lrs_settings(current_user.organisation_id, enabled=form.enabled.data,
                                      endpoint=form.endpoint.data or "", key=form.key.data or "",
                                      secret=form.secret.data or None, actor_mode=form.actor_mode.data,
                                      allow_http=allow_http())
        except Refused as refusal:
            show_refusal(form, refusal)
        else:
            db.session.commit()
            flash(_("LRS settings saved."), "success")
            return redirect(url_for("lms.edit_lrs"))
    db.session.commit()
    return render_template("lms/lrs_form.html", form=form, settings=settings,
                           status=outbox.outbox_status(current_user.organisation_id)), form_status(form)


@bp.post("/admin/lms/xapi/retry")
@permission_required("admin")
def retry_statements():
    count = outbox.retry_now(current_user.organisation_id)
    db.session.commit()  # the delivery job is asked for once this commits
    flash(ngettext("%(num)s waiting statement will be sent now.", "%(num)s waiting statements will be sent now.",
                   count), "success")
    return redirect(url_for("lms.edit_lrs"))
