"""The café page and what is recorded on it: agenda items, attendance, decisions and actions."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ...assessments.action_forms import STATUS_LABELS
from ...assessments.actions import owner_choices
from ...auth.access import permission_required
from ...confirming import ask_first, confirmed
from ...extensions import db
from ...pillars import PILLAR_LABELS
from ...refusals import Refused, form_status, show_refusal
from .. import service
from ..access import GUEST, load_cafe
from ..agenda import draft_agenda
from ..forms import (
    AgendaItemForm,
    AttendanceForm,
    ButtonForm,
    CafeActionForm,
    DecisionForm,
    with_submission_key,
)
from ..models import AgendaItem, CafeDecision
from ..pages import cafe_view
from . import bp


def _item_of(cafe, agenda_item_id: int) -> AgendaItem:
    item = db.session.get(AgendaItem, agenda_item_id)
    if item is None or item.cafe_id != cafe.id:
        abort(404)
    return item


def _decision_of(cafe, decision_id: int) -> CafeDecision:
    decision = db.session.get(CafeDecision, decision_id)
    if decision is None or decision.cafe_id != cafe.id:
        abort(404)
    return decision


def _action_form(cafe, item_id=None, pillar=None) -> CafeActionForm:
    form = CafeActionForm(prefix="action")
    form.set_owner_choices(owner_choices(cafe.organisation_id))
    if request.method == "GET":
        form.agenda_item_id.data = item_id
        form.pillar.data = pillar or ""
        with_submission_key(form)
    return form


def _decision_form(item_id=None) -> DecisionForm:
    form = DecisionForm(prefix="decision")
    if request.method == "GET":
        form.agenda_item_id.data = item_id
        with_submission_key(form)
    return form


@bp.get("/<int:cafe_id>")
@permission_required("leader")
def show_cafe(cafe_id: int):
    cafe, role = load_cafe(cafe_id, allow_guest=True)
    view = cafe_view(cafe, role, current_user)
    template = "cafes/guest_page.html" if role == GUEST else "cafes/page.html"
    return render_template(template, cafe=view, pillar_labels=PILLAR_LABELS, status_labels=STATUS_LABELS,
                           button=ButtonForm(), today=date.today())


@bp.post("/<int:cafe_id>/redraft")
@permission_required("leader")
def redraft_agenda(cafe_id: int):
    cafe, _role = load_cafe(cafe_id)
    if cafe.status == "held":
        # What the café discussed stays on its record: a held café's figures are not redrafted.
        flash(_("This café has been held: its agenda keeps the figures it was discussed with."), "info")
    elif ButtonForm().validate_on_submit():
        draft_agenda(cafe, current_user)
        db.session.commit()
        flash(_("The agenda's figures are refreshed from the latest data; your edits are kept."), "success")
    return redirect(url_for("cafes.show_cafe", cafe_id=cafe.id))


@bp.route("/<int:cafe_id>/agenda/<int:agenda_item_id>", methods=["GET", "POST"])
@permission_required("leader")
def edit_agenda_item(cafe_id: int, agenda_item_id: int):
    cafe, _role = load_cafe(cafe_id)
    item = _item_of(cafe, agenda_item_id)
    form = AgendaItemForm()
    if request.method == "GET":
        form.title.data, form.prompts.data, form.notes.data = item.title, "\n".join(item.prompts or []), item.notes
    if form.validate_on_submit():
        try:
            service.update_agenda_item(item, title=form.title.data, prompts_text=form.prompts.data or "",
                                       notes=form.notes.data or "")
        except Refused as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Agenda item saved."), "success")
            return redirect(url_for("cafes.show_cafe", cafe_id=cafe.id, _anchor=f"item-{item.id}"))
    view = cafe_view(cafe, "host", current_user)
    item_view = next(i for i in view.items if i.id == item.id)
    return render_template("cafes/item_form.html", cafe=view, item=item_view, form=form,
                           decision_form=_decision_form(item.id), action_form=_action_form(cafe, item.id, item.pillar),
                           pillar_labels=PILLAR_LABELS, status_labels=STATUS_LABELS, button=ButtonForm(),
                           today=date.today()), form_status(form)


@bp.route("/<int:cafe_id>/agenda/new", methods=["GET", "POST"])
@permission_required("leader")
def add_agenda_item(cafe_id: int):
    cafe, _role = load_cafe(cafe_id)
    form = AgendaItemForm()
    form.submit.label.text = _("Add to the agenda")
    if request.method == "GET":
        with_submission_key(form)
    if form.validate_on_submit():
        try:
            item = service.add_free_item(cafe, title=form.title.data, prompts_text=form.prompts.data or "",
                                         notes=form.notes.data or "", submission_key=form.submission_key.data)
        except Refused as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("“%(title)s” added to the agenda.", title=item.title), "success")
            return redirect(url_for("cafes.show_cafe", cafe_id=cafe.id, _anchor=f"item-{item.id}"))
    return render_template("cafes/item_new.html", cafe=cafe, form=form), form_status(form)


@bp.post("/<int:cafe_id>/agenda/<int:agenda_item_id>/move")
@permission_required("leader")
def move_agenda_item(cafe_id: int, agenda_item_id: int):
    cafe, _role = load_cafe(cafe_id)
    item = _item_of(cafe, agenda_item_id)
    if ButtonForm().validate_on_submit():
        service.move_agenda_item(item, request.form.get("direction", ""))
        db.session.commit()
    return redirect(url_for("cafes.show_cafe", cafe_id=cafe.id, _anchor=f"item-{item.id}"))


@bp.route("/<int:cafe_id>/agenda/<int:agenda_item_id>/remove", methods=["GET", "POST"])
@permission_required("leader")
def remove_agenda_item(cafe_id: int, agenda_item_id: int):
    cafe, _role = load_cafe(cafe_id)
    item = _item_of(cafe, agenda_item_id)
    title = item.title
    if not confirmed():
        back = url_for("cafes.edit_agenda_item", cafe_id=cafe.id, agenda_item_id=item.id)
        return ask_first(
            title=_("Remove “%(title)s” from the agenda?", title=title), eyebrow=cafe.title,
            eyebrow_url=url_for("cafes.show_cafe", cafe_id=cafe.id),
            consequences=[_("The item is removed with its prompts, notes and the figures it was drafted with."),
                          _("Its decisions and action items stay with the café, no longer tied to an item.")],
            undo=_("This cannot be undone: you can add an item again, but its notes are gone."),
            button=_("Remove from the agenda"), back=back)
    service.remove_agenda_item(item)
    db.session.commit()
    flash(_("“%(title)s” removed from the agenda.", title=title), "success")
    return redirect(url_for("cafes.show_cafe", cafe_id=cafe.id))


@bp.route("/<int:cafe_id>/attendance", methods=["GET", "POST"])
@permission_required("leader")
def record_attendance(cafe_id: int):
    cafe, _role = load_cafe(cafe_id)
    form = AttendanceForm()
    attendees = sorted(cafe.attendees, key=lambda a: (a.guest, a.person.name.casefold()))
    form.present.choices = [SelectChoice(a.person_id, a.person.name) for a in attendees]
    if request.method == "GET":
        form.present.data = [a.person_id for a in attendees if a.present]
    if form.validate_on_submit():
        service.record_attendance(cafe, set(form.present.data or []))
        db.session.commit()
        flash(_("Attendance saved."), "success")
        return redirect(url_for("cafes.show_cafe", cafe_id=cafe.id))
    return render_template("cafes/attendance.html", cafe=cafe, form=form, attendees=attendees), \
        400 if request.method == "POST" else 200


@bp.post("/<int:cafe_id>/decisions")
@permission_required("leader")
def add_decision(cafe_id: int):
    cafe, _role = load_cafe(cafe_id)
    form = _decision_form()
    item_id = form.agenda_item_id.data
    if form.validate_on_submit():
        try:
            service.add_decision(cafe, text=form.text.data, agenda_item_id=form.agenda_item_id.data,
                                 published=form.published.data, created_by=current_user,
                                 submission_key=form.submission_key.data)
        except Refused as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Decision recorded."), "success")
            return _back_to(cafe, item_id)
    return _item_page_with_errors(cafe, item_id, decision_form=form)


@bp.route("/<int:cafe_id>/decisions/<int:decision_id>/publish", methods=["GET", "POST"])
@permission_required("leader")
def publish_decision(cafe_id: int, decision_id: int):
    """Publishing shows a decision to every employee, so it asks first; unpublishing does not."""
    cafe, _role = load_cafe(cafe_id)
    decision = _decision_of(cafe, decision_id)
    published = (request.form.get("published") or request.args.get("published")) == "1"
    if published and not confirmed():
        return ask_first(
            title=_("Publish this decision?"), eyebrow=cafe.title,
            eyebrow_url=url_for("cafes.show_cafe", cafe_id=cafe.id), facts=[(_("Decision"), decision.text)],
            consequences=[_("Every employee of the organisation sees it on their page, under what leadership "
                            "decided.")],
            undo=_("You can unpublish it, but whoever has read it meanwhile has read it."),
            button=_("Publish it"), back=_back_to_url(cafe, decision.agenda_item_id), hidden={"published": "1"},
            danger=False)
    if request.method == "POST" and (published or ButtonForm().validate_on_submit()):
        service.set_decision_published(decision, published)
        db.session.commit()
        flash(_("The decision is now shown to every employee.") if published else
              _("The decision is no longer shown to employees."), "success")
    return _back_to(cafe, decision.agenda_item_id)


@bp.route("/<int:cafe_id>/decisions/<int:decision_id>/remove", methods=["GET", "POST"])
@permission_required("leader")
def remove_decision(cafe_id: int, decision_id: int):
    cafe, _role = load_cafe(cafe_id)
    decision = _decision_of(cafe, decision_id)
    item_id = decision.agenda_item_id
    if not confirmed():
        return ask_first(
            title=_("Remove this decision?"), eyebrow=cafe.title,
            eyebrow_url=url_for("cafes.show_cafe", cafe_id=cafe.id), facts=[(_("Decision"), decision.text)],
            consequences=[_("The decision is deleted from the café's record and its summary.") +
                          (" " + _("Employees no longer see it.") if decision.published else "")],
            undo=_("This cannot be undone: you can record it again."), button=_("Remove the decision"),
            back=_back_to_url(cafe, item_id))
    service.remove_decision(decision)
    db.session.commit()
    flash(_("Decision removed."), "success")
    return _back_to(cafe, item_id)


@bp.post("/<int:cafe_id>/actions")
@permission_required("leader")
def add_action(cafe_id: int):
    cafe, _role = load_cafe(cafe_id)
    form = _action_form(cafe)
    item_id = form.agenda_item_id.data
    if form.validate_on_submit():
        try:
            action = service.add_action(cafe, title=form.title.data, pillar=form.pillar.data,
                                        owner_id=form.owner_id.data, due_date=form.due_date.data,
                                        agenda_item_id=item_id, created_by=current_user,
                                        submission_key=form.submission_key.data, today=date.today())
        except Refused as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Action “%(title)s” agreed.", title=action.title), "success")
            return _back_to(cafe, item_id)
    return _item_page_with_errors(cafe, item_id, action_form=form)


def _back_to_url(cafe, item_id) -> str:
    if item_id is not None and any(i.id == item_id for i in cafe.agenda):
        return url_for("cafes.edit_agenda_item", cafe_id=cafe.id, agenda_item_id=item_id)
    return url_for("cafes.show_cafe", cafe_id=cafe.id)


def _back_to(cafe, item_id):
    return redirect(_back_to_url(cafe, item_id))


def _item_page_with_errors(cafe, item_id, decision_form=None, action_form=None):
    """The item page again, with the refused form's errors and what was typed (status 400)."""
    item = next((i for i in cafe.agenda if i.id == item_id), None)
    if item is None:
        item = cafe.agenda[0] if cafe.agenda else None
    if item is None:
        flash(_("Add an agenda item first: decisions and actions belong to one."), "error")
        return redirect(url_for("cafes.show_cafe", cafe_id=cafe.id))
    form = AgendaItemForm(formdata=None)
    form.title.data, form.prompts.data, form.notes.data = item.title, "\n".join(item.prompts or []), item.notes
    view = cafe_view(cafe, "host", current_user)
    item_view = next(i for i in view.items if i.id == item.id)
    if decision_form is None:
        decision_form = DecisionForm(prefix="decision", formdata=None)
        decision_form.agenda_item_id.data = item.id
        with_submission_key(decision_form)
    if action_form is None:
        action_form = CafeActionForm(prefix="action", formdata=None)
        action_form.set_owner_choices(owner_choices(cafe.organisation_id))
        action_form.agenda_item_id.data, action_form.pillar.data = item.id, item.pillar or ""
        with_submission_key(action_form)
    return render_template("cafes/item_form.html", cafe=view, item=item_view, form=form, decision_form=decision_form,
                           action_form=action_form, pillar_labels=PILLAR_LABELS, status_labels=STATUS_LABELS,
                           button=ButtonForm(), today=date.today()), 400
