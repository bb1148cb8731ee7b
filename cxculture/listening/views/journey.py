"""The journey map (everyone of the organisation) and its editor (administrators and leaders)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ...auth.access import get_in_organisation, permission_required
from ...confirming import ask_first, confirmed
from ...extensions import db
from ...i18n import current_language
from ...kpis.models import Kpi
from ...orgs.models import Team
from ...refusals import Refused, form_status, show_refusal
from .. import journey
from ..forms import ButtonForm, StageForm, TouchpointForm
from ..models import JourneyStage, Touchpoint
from ..remarks import answers_remarks
from . import bp

EVERYONE = ("employee", "manager", "leader", "hr", "admin")
EDITORS = ("admin", "leader")


@bp.get("/")
@permission_required(*EVERYONE)
def show_journey():
    organisation_id = current_user.organisation_id
    stages = journey.stages_of(organisation_id)
    db.session.commit()  # the starter journey, given on first use
    return render_template("listening/journey.html", stages=stages, open_counts=journey.remark_counts(organisation_id),
                           language=current_language(), may_edit=any(current_user.can(p) for p in EDITORS),
                           has_inbox=answers_remarks(current_user))


def _editor(add_form: StageForm | None = None, rename: tuple[int, StageForm] | None = None):
    """The editor page; a form that was refused is shown with its messages (and the page answers 400)."""
    stages = journey.stages_of(current_user.organisation_id)
    rename_forms = {}
    for stage in stages:
        if rename and rename[0] == stage.id:
            rename_forms[stage.id] = rename[1]
        else:
            form = StageForm(prefix=f"stage-{stage.id}", formdata=None, name_en=stage.name_en, name_it=stage.name_it)
            form.submit.label.text = _("Rename")
            rename_forms[stage.id] = form
    add_form = add_form or StageForm(formdata=None)
    status = 400 if add_form.errors or (rename and rename[1].errors) else 200
    return render_template("listening/journey_edit.html", stages=stages, add_form=add_form,
                           rename_forms=rename_forms, button=ButtonForm(), language=current_language(),
                           counts=journey.remark_counts(current_user.organisation_id, journey.ALL_STATUSES)), status


@bp.get("/journey/edit")
@permission_required(*EDITORS)
def edit_journey():
    page = _editor()
    db.session.commit()
    return page


@bp.post("/journey/stages")
@permission_required(*EDITORS)
def add_stage():
    form = StageForm()
    if form.validate_on_submit():
        try:
            stage = journey.add_stage(current_user.organisation_id, form.name_en.data, form.name_it.data)
        except Refused as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Stage “%(name)s” added at the end of the journey.", name=stage.name(current_language())),
                  "success")
            return redirect(url_for("listening.edit_journey"))
    return _editor(add_form=form)


@bp.post("/journey/stages/<int:stage_id>")
@permission_required(*EDITORS)
def rename_stage(stage_id: int):
    stage = get_in_organisation(JourneyStage, stage_id)
    form = StageForm(prefix=f"stage-{stage.id}")
    form.submit.label.text = _("Rename")
    if form.validate_on_submit():
        try:
            journey.rename_stage(stage, form.name_en.data, form.name_it.data)
        except Refused as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Stage renamed."), "success")
            return redirect(url_for("listening.edit_journey"))
    return _editor(rename=(stage.id, form))


def _direction() -> str | None:
    direction = request.form.get("direction")
    return direction if direction in ("up", "down") and ButtonForm().validate_on_submit() else None


@bp.post("/journey/stages/<int:stage_id>/move")
@permission_required(*EDITORS)
def move_stage(stage_id: int):
    stage = get_in_organisation(JourneyStage, stage_id)
    if direction := _direction():
        journey.move_stage(stage, direction)
        db.session.commit()
    return redirect(url_for("listening.edit_journey", _anchor=f"stage-{stage.id}"))


@bp.route("/journey/stages/<int:stage_id>/remove", methods=["GET", "POST"])
@permission_required(*EDITORS)
def remove_stage(stage_id: int):
    stage = get_in_organisation(JourneyStage, stage_id)
    name = stage.name(current_language())
    return _remove_after_asking(
        lambda: journey.remove_stage(stage), journey.stage_removal_problem(stage), url_for("listening.edit_journey"),
        done=_("Stage “%(name)s” removed.", name=name), title=_("Remove the stage “%(name)s”?", name=name),
        consequences=[_("The stage disappears from the journey map. It has no touchpoints.")],
        undo=_("You can add a stage with the same name again."), button=_("Remove the stage"))


def _remove_after_asking(remove, problem: str | None, back: str, *, done: str, **page):
    """The shared confirmation page (with the `problem` that refuses the removal, if any); on its confirmed POST,
    `remove()`, commit and go `back` saying it is `done`."""
    if problem or not confirmed():
        return ask_first(eyebrow=_("Customer journey"), eyebrow_url=back, problem=problem, back=back, **page)
    remove()
    db.session.commit()
    flash(done, "success")
    return redirect(back)


def _touchpoint_form(touchpoint: Touchpoint | None) -> TouchpointForm:
    organisation_id = current_user.organisation_id
    form = TouchpointForm()
    teams = sorted(db.session.scalars(select(Team).where(Team.organisation_id == organisation_id)),
                   key=lambda t: t.path)
    kpis = db.session.scalars(select(Kpi).where(Kpi.organisation_id == organisation_id, Kpi.active.is_(True))
                              .order_by(Kpi.id)).all()
    if touchpoint is not None:  # a KPI deactivated since stays offered while it is linked
        kpis += [k for k in touchpoint.kpis if k not in kpis]
    form.set_choices(journey.stages_of(organisation_id), teams, kpis, current_language())
    if request.method == "GET":
        if touchpoint is not None:
            form.name_en.data, form.name_it.data = touchpoint.name_en, touchpoint.name_it
            form.stage_id.data, form.owner_team_id.data = touchpoint.stage_id, touchpoint.owner_team_id
            form.kpi_ids.data = [k.id for k in touchpoint.kpis]
        else:
            form.stage_id.data = request.args.get("stage", type=int)
    return form


def _plan(form: TouchpointForm) -> journey.TouchpointPlan:
    return journey.TouchpointPlan(name_en=form.name_en.data or "", name_it=form.name_it.data or "",
                                  stage_id=form.stage_id.data, owner_team_id=form.owner_team_id.data,
                                  kpi_ids=tuple(form.kpi_ids.data or ()))


@bp.route("/journey/touchpoints/new", methods=["GET", "POST"])
@permission_required(*EDITORS)
def create_touchpoint():
    form = _touchpoint_form(None)
    form.submit.label.text = _("Add the touchpoint")
    if form.validate_on_submit():
        try:
            touchpoint = journey.add_touchpoint(current_user.organisation_id, _plan(form))
        except Refused as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Touchpoint “%(name)s” added.", name=touchpoint.name(current_language())), "success")
            return redirect(url_for("listening.edit_journey", _anchor=f"stage-{touchpoint.stage_id}"))
    return render_template("listening/touchpoint_form.html", form=form, touchpoint=None), form_status(form)


@bp.route("/journey/touchpoints/<int:touchpoint_id>/edit", methods=["GET", "POST"])
@permission_required(*EDITORS)
def edit_touchpoint(touchpoint_id: int):
    touchpoint = get_in_organisation(Touchpoint, touchpoint_id)
    form = _touchpoint_form(touchpoint)
    if form.validate_on_submit():
        try:
            journey.update_touchpoint(touchpoint, _plan(form))
        except Refused as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Touchpoint saved."), "success")
            return redirect(url_for("listening.edit_journey", _anchor=f"stage-{touchpoint.stage_id}"))
    return render_template("listening/touchpoint_form.html", form=form, touchpoint=touchpoint), form_status(form)


@bp.post("/journey/touchpoints/<int:touchpoint_id>/move")
@permission_required(*EDITORS)
def move_touchpoint(touchpoint_id: int):
    touchpoint = get_in_organisation(Touchpoint, touchpoint_id)
    if direction := _direction():
        journey.move_touchpoint(touchpoint, direction)
        db.session.commit()
    return redirect(url_for("listening.edit_journey", _anchor=f"stage-{touchpoint.stage_id}"))


@bp.route("/journey/touchpoints/<int:touchpoint_id>/remove", methods=["GET", "POST"])
@permission_required(*EDITORS)
def remove_touchpoint(touchpoint_id: int):
    touchpoint = get_in_organisation(Touchpoint, touchpoint_id)
    language = current_language()
    name = touchpoint.name(language)
    return _remove_after_asking(
        lambda: journey.remove_touchpoint(touchpoint), journey.touchpoint_removal_problem(touchpoint),
        url_for("listening.edit_journey", _anchor=f"stage-{touchpoint.stage_id}"),
        done=_("Touchpoint “%(name)s” removed.", name=name), title=_("Remove the touchpoint “%(name)s”?", name=name),
        facts=[(_("Stage"), touchpoint.stage.name(language))],
        consequences=[_("The touchpoint disappears from the journey map and from the list staff choose from when "
                        "they log what a customer told them.")],
        undo=_("You can add it again, but its KPI links and owner team must be set again."),
        button=_("Remove the touchpoint"))
