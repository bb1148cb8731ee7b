"""Action items: leaders create and follow them up; managers and HR see the list."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import get_in_organisation, permission_required
from ...extensions import db
from ...params import query_int
from ...pillars import PILLAR_LABELS, PILLARS
from ...refusals import Refused, form_status, show_refusal
from .. import actions as service
from ..action_forms import STATUS_LABELS, ActionFollowUpForm, ActionForm
from ..models import ActionItem, Campaign
from . import bp


@bp.get("/assessments/actions")
@permission_required("leader", "manager", "hr")
def list_actions():
    show = request.args.get("show", "open")
    show = show if show in service.FILTERS else "open"
    pillar = request.args.get("pillar") or None
    pillar = pillar if pillar in PILLARS else None
    today = date.today()
    organisation_id = current_user.organisation_id
    actions = list(db.session.scalars(service.actions_query(organisation_id, show, pillar, today)))
    return render_template(
        "assessments/actions_list.html", actions=actions, show=show, pillar=pillar, today=today,
        counts=service.action_counts(organisation_id, today), campaigns=service.campaign_titles(organisation_id),
        pillar_labels=PILLAR_LABELS, status_labels=STATUS_LABELS, can_edit=current_user.can("leader"),
        filters=service.FILTERS,
    )


@bp.route("/assessments/actions/new", methods=["GET", "POST"])
@permission_required("leader")
def create_action():
    organisation_id = current_user.organisation_id
    form = ActionForm()
    form.set_owner_choices(service.owner_choices(organisation_id))
    form.set_campaign_choices(service.campaign_choices(organisation_id))
    campaign = None
    campaign_id = query_int("campaign")
    if campaign_id is not None:
        campaign = get_in_organisation(Campaign, campaign_id)
    if request.method == "GET":
        form.campaign_id.data = campaign.id if campaign else None
        form.pillar.data = request.args.get("pillar") if request.args.get("pillar") in PILLARS else ""
        form.status.data = "open"
    if form.validate_on_submit():
        try:
            action = service.create_action(
                organisation_id, title=form.title.data, pillar=form.pillar.data, owner_id=form.owner_id.data,
                due_date=form.due_date.data, status=form.status.data, campaign_id=form.campaign_id.data,
                created_by=current_user, today=date.today())
        except Refused as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Action “%(title)s” created.", title=action.title), "success")
            return redirect(url_for("assessments.list_actions", pillar=action.pillar))
    return render_template("assessments/actions_form.html", form=form, action=None, campaign=campaign,
                           pillar_labels=PILLAR_LABELS), form_status(form)


@bp.route("/assessments/actions/<int:action_id>/edit", methods=["GET", "POST"])
@permission_required("leader")
def edit_action(action_id: int):
    action = get_in_organisation(ActionItem, action_id)
    form = ActionFollowUpForm(obj=action if request.method == "GET" else None)
    form.set_owner_choices(service.owner_choices(action.organisation_id, keep=action.owner))
    if form.validate_on_submit():
        try:
            service.update_action(action, status=form.status.data, owner_id=form.owner_id.data,
                                  due_date=form.due_date.data, today=date.today())
        except Refused as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Action “%(title)s” updated.", title=action.title), "success")
            return redirect(url_for("assessments.list_actions", pillar=action.pillar))
    campaign = db.session.get(Campaign, action.campaign_id) if action.campaign_id else None
    return render_template("assessments/actions_form.html", form=form, action=action, campaign=campaign,
                           pillar_labels=PILLAR_LABELS, status_labels=STATUS_LABELS), form_status(form)
