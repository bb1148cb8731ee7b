"""Training administration: each job role's path, the module library, quiz item analysis and training settings."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ...auth.access import get_in_organisation, permission_required
from ...confirming import ask_first, confirmed
from ...downloads.offer import offer_built
from ...extensions import db
from ...i18n import current_language
from ...orgs.models import JobRole
from ...pillars import PILLAR_LABELS
from ...refusals import Refused, form_status, show_refusal
from .. import paths, reports
from ..catalogue import catalogue_entry, library_catalogue, role_names
from ..items import MIN_ANSWERS, attempts_by_module, item_analysis
from ..manage_forms import AddModuleForm, TrainingSettingsForm
from ..models import Module, PathItem
from ..packages.build import PACKAGE_FORMATS
from ..packages.offer import PACKAGE_LANGUAGES, package_request
from ..settings import key_after_failures, save_key_after_failures
from . import bp
from .completion import completion_chart
from .learner import worksheet_pdf

#: What each refused path change tells the administrator.

def _editor_url(role: JobRole) -> str:
    return url_for("modules.edit_path", job_role_id=role.id)


def _warn_if_past(due_date: date | None) -> None:
    if due_date is not None and due_date < date.today():
        flash(_("The due date %(date)s is already past: everyone who has not finished the module is shown as "
                "overdue.", date=format_date(due_date)), "warning")


# Paths -------------------------------------------------------------------------------------------------------

@bp.get("/admin/training")
@permission_required("admin")
def list_paths():
    summaries = paths.path_summaries(current_user.organisation_id, current_language())
    plans = reports.plans_for(reports.organisation_people_query(current_user.organisation_id))
    months = reports.completion_by_month(plans, date.today())
    chart = completion_chart(months, "admin-completion")
    return render_template("modules/manage_paths.html", summaries=summaries,
                           completion=(chart, months) if chart else None)


@bp.route("/admin/training/paths/<int:job_role_id>", methods=["GET", "POST"])
@permission_required("admin")
def edit_path(job_role_id: int):
    role = get_in_organisation(JobRole, job_role_id)
    organisation_id = current_user.organisation_id
    path = paths.path_for_role(organisation_id, role.id)
    form = AddModuleForm()
    if form.validate_on_submit():
        try:
            due_date = paths.parse_due_date(form.due_date.data)
            item = paths.add_module_to_role(organisation_id, role, form.module_id.data, form.required.data, due_date)
        except Refused as refused:
            show_refusal(form, refused)
            db.session.rollback()
            path = paths.path_for_role(organisation_id, role.id)
        else:
            title = item.module.current.text("title", current_language())
            db.session.commit()
            flash(_("%(module)s is added to the path.", module=title), "success")
            _warn_if_past(due_date)
            return redirect(_editor_url(role))
    modules = paths.addable_modules(path)
    form.module_id.choices = [("", _("Choose a module"))] + [
        (m.id, m.current.text("title", current_language())) for m in
        sorted(modules, key=lambda m: m.current.text("title", current_language()).casefold())
    ]
    return render_template("modules/manage_path.html", role=role, path=path, form=form, today=date.today(),
                           pillar_labels=PILLAR_LABELS), form_status(form)


def _load_item(job_role_id: int, item_id: int) -> tuple[JobRole, PathItem | None]:
    """The role and the item of its path; None for an item that no longer exists (a stale form)."""
    role = get_in_organisation(JobRole, job_role_id)
    item = db.session.get(PathItem, item_id)
    if item is not None and (item.path.organisation_id != current_user.organisation_id
                             or item.path.job_role_id != role.id):
        abort(404)
    return role, item


def _stale(role: JobRole):
    flash(_("That module is no longer in this path (the page was out of date). Nothing was changed."), "error")
    return redirect(_editor_url(role))


def _title(item: PathItem) -> str:
    return item.module.current.text("title", current_language())


@bp.post("/admin/training/paths/<int:job_role_id>/items/<int:item_id>/move")
@permission_required("admin")
def move_path_item(job_role_id: int, item_id: int):
    role, item = _load_item(job_role_id, item_id)
    if item is None:
        return _stale(role)
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    title = _title(item)
    if paths.move_in_path(item.path, item, -1 if direction == "up" else 1):
        db.session.commit()
        flash(_("%(module)s moved up.", module=title) if direction == "up"
              else _("%(module)s moved down.", module=title), "success")
    else:
        flash(_("%(module)s is already first.", module=title) if direction == "up"
              else _("%(module)s is already last.", module=title), "info")
    return redirect(_editor_url(role))


@bp.route("/admin/training/paths/<int:job_role_id>/items/<int:item_id>/remove", methods=["GET", "POST"])
@permission_required("admin")
def remove_path_item(job_role_id: int, item_id: int):
    role, item = _load_item(job_role_id, item_id)
    if item is None:
        return _stale(role)
    title = _title(item)
    if not confirmed():
        people = paths.people_with_role(role)
        return ask_first(
            title=_("Remove %(module)s from the path?", module=title), eyebrow=role.name(current_language()),
            eyebrow_url=_editor_url(role),
            consequences=[ngettext("%(num)s person with this job role no longer has %(module)s on their path"
                                   "%(required)s.",
                                   "%(num)s people with this job role no longer have %(module)s on their path"
                                   "%(required)s.", people, module=title,
                                   required=_(", nor among the modules their certificate requires") if item.required
                                   else ""),
                          _("Progress people already made in it is kept.")],
            undo=_("You can add it to the path again; its position, due date and whether it is required are set "
                   "anew."),
            button=_("Remove it from the path"), back=_editor_url(role))
    paths.remove_from_path(item.path, item)
    db.session.commit()
    flash(_("%(module)s is removed from the path. Progress people already made in it is kept.", module=title),
          "success")
    return redirect(_editor_url(role))


@bp.post("/admin/training/paths/<int:job_role_id>/items/<int:item_id>/required")
@permission_required("admin")
def set_path_item_required(job_role_id: int, item_id: int):
    role, item = _load_item(job_role_id, item_id)
    if item is None:
        return _stale(role)
    # The form says what the item should become, so a repeated submit changes nothing the second time.
    wanted = request.form.get("required")
    if wanted not in ("1", "0"):
        abort(400)
    paths.set_item_required(item, wanted == "1")
    db.session.commit()
    title = _title(item)
    flash(_("%(module)s is now required.", module=title) if wanted == "1"
          else _("%(module)s is now an elective.", module=title), "success")
    return redirect(_editor_url(role))


@bp.post("/admin/training/paths/<int:job_role_id>/items/<int:item_id>/due-date")
@permission_required("admin")
def set_path_item_due_date(job_role_id: int, item_id: int):
    role, item = _load_item(job_role_id, item_id)
    if item is None:
        return _stale(role)
    title = _title(item)
    try:
        due_date = None if request.form.get("action") == "clear" else paths.parse_due_date(
            request.form.get("due_date"))
    except Refused as refused:
        flash(_("Due date of %(module)s: %(problem)s Nothing was changed.", module=title,
                problem=refused.message), "error")
        return redirect(_editor_url(role))
    paths.set_item_due_date(item, due_date)
    db.session.commit()
    if due_date is None:
        flash(_("%(module)s has no due date now.", module=title), "success")
    else:
        flash(_("%(module)s is due by %(date)s.", module=title, date=format_date(due_date)), "success")
        _warn_if_past(due_date)
    return redirect(_editor_url(role))


# Library -----------------------------------------------------------------------------------------------------

@bp.get("/admin/training/library")
@permission_required("admin")
def list_library():
    organisation_id = current_user.organisation_id
    return render_template("modules/manage_library.html",
                           entries=library_catalogue(organisation_id, current_language()),
                           roles=role_names(organisation_id), pillar_labels=PILLAR_LABELS)


@bp.get("/admin/training/library/<slug>")
@permission_required("admin")
def show_library_module(slug: str):
    organisation_id = current_user.organisation_id
    entry = catalogue_entry(organisation_id, slug)
    if entry is None:
        abort(404)
    return render_template("modules/manage_library_module.html", entry=entry, roles=role_names(organisation_id),
                           pillar_labels=PILLAR_LABELS, package_formats=PACKAGE_FORMATS,
                           package_languages=PACKAGE_LANGUAGES)


@bp.get("/admin/training/library/<slug>/package")
@permission_required("admin")
def download_package(slug: str):
    """The module's current version as a SCORM 1.2 or cmi5 ZIP, for a learning platform without LTI."""
    entry = catalogue_entry(current_user.organisation_id, slug)
    if entry is None:
        abort(404)
    try:
        asked = package_request(entry.version, request.args.get("format", ""), request.args.get("language", ""))
    except Refused as refused:
        flash(refused.message, "error")
        return redirect(url_for("modules.show_library_module", slug=slug, _anchor="packages"))
    return offer_built(asked.kind, asked.params, title=asked.title, filename=asked.filename, mimetype=asked.mimetype)


# Quiz items and settings --------------------------------------------------------------------------------------

@bp.get("/admin/training/library/<slug>/worksheets/<sheet_id>.pdf")
@permission_required("admin")
def download_library_worksheet(slug: str, sheet_id: str):
    """An administrator looks at a module's worksheet before putting the module on a path."""
    entry = catalogue_entry(current_user.organisation_id, slug)
    if entry is None:
        abort(404)
    return worksheet_pdf(entry.version, sheet_id)


@bp.get("/admin/training/items")
@permission_required("admin", "hr")
def list_item_analyses():
    """The modules whose questions can be analysed, with the organisation's attempts at each."""
    modules = attempts_by_module(current_user.organisation_id)
    language = current_language()
    modules.sort(key=lambda m: m.module.current.text("title", language).casefold())
    return render_template("modules/manage_items_index.html", modules=modules, language=language)


@bp.get("/admin/training/library/<slug>/items")
@permission_required("admin", "hr")
def show_item_analysis(slug: str):
    """How each question of a module did in the organisation's attempts (administrators and HR)."""
    module = db.first_or_404(select(Module).where(Module.slug == slug))
    version = request.args.get("version", type=int)
    analysis = item_analysis(current_user.organisation_id, module, version)
    if analysis is None:
        abort(404)
    return render_template("modules/manage_items.html", analysis=analysis, language=current_language(),
                           min_answers=MIN_ANSWERS)


@bp.route("/admin/training/settings", methods=["GET", "POST"])
@permission_required("admin")
def edit_training_settings():
    organisation_id = current_user.organisation_id
    form = TrainingSettingsForm()
    if request.method == "GET":
        form.key_after_failures.data = key_after_failures(organisation_id)
    if form.validate_on_submit():
        try:
            save_key_after_failures(organisation_id, form.key_after_failures.data)
        except Refused as refused:
            show_refusal(form, refused)
            db.session.rollback()
        else:
            db.session.commit()
            flash(_("Training settings saved."), "success")
            return redirect(url_for("modules.edit_training_settings"))
    return render_template("modules/manage_settings.html", form=form), form_status(form)
