"""Action items: leaders start them from the results and follow them up, owners record progress on theirs,
managers and HR see the list, everyone reads what was shared on "You said, we did"."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ...auth.access import get_in_organisation, permission_required
from ...extensions import db
from ...i18n import current_language
from ...orgs.models import Team
from ...params import query_int
from ...pillars import PILLAR_LABELS, PILLARS
from ...refusals import Refused, form_status, show_refusal
from .. import actions as service
from ..action_forms import STATUS_LABELS, ActionFollowUpForm, ActionForm, ActionUpdateForm
from ..action_sources import SOURCE_FIELDS, described_sources
from ..models import ActionItem, Campaign
from . import bp

#: Who sees the whole list of action items (leaders also create and change them).
LIST_PERMISSIONS = ("leader", "manager", "hr")


@bp.get("/assessments/actions")
@permission_required(*LIST_PERMISSIONS)
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


def _sees_the_list() -> bool:
    return any(current_user.can(permission) for permission in LIST_PERMISSIONS)


def _context(campaign: Campaign | None, item_key: str | None, team_id: int | None, sources: dict | None = None
             ) -> dict:
    """What an action answers, in words for the page: the campaign's statement and team, and what in listening
    (a touchpoint, a theme, an outcome's drivers) it started from."""
    team = db.session.get(Team, team_id) if team_id else None
    return {"statement": service.statement_text(campaign, item_key, current_language()),
            "team": team if team is not None and team.organisation_id == current_user.organisation_id else None,
            "sources": described_sources(current_user.organisation_id, sources or {}, current_language())}


def _sources_of(holder) -> dict:
    """The listening fields of an action or of its create form, by name."""
    values = {name: getattr(holder, name) for name in SOURCE_FIELDS}
    return {name: getattr(value, "data", value) for name, value in values.items()}


@bp.route("/assessments/actions/new", methods=["GET", "POST"])
@permission_required("leader")
def create_action():
    organisation_id = current_user.organisation_id
    form = ActionForm()
    form.set_owner_choices(service.owner_choices(organisation_id))
    form.set_campaign_choices(service.campaign_choices(organisation_id))
    campaign = None
    if request.method == "GET" and (campaign_id := query_int("campaign")) is not None:
        campaign = get_in_organisation(Campaign, campaign_id)
    elif request.method == "POST" and form.campaign_id.data is not None:
        campaign = db.session.get(Campaign, form.campaign_id.data)  # the service refuses another organisation's
        campaign = campaign if campaign and campaign.organisation_id == organisation_id else None
    if request.method == "GET":
        form.campaign_id.data = campaign.id if campaign else None
        form.pillar.data = request.args.get("pillar") if request.args.get("pillar") in PILLARS else ""
        form.item_key.data = request.args.get("item") or None if campaign else None
        form.team_id.data = query_int("team") if campaign else None
        form.touchpoint_id.data = query_int("touchpoint")
        form.theme_key.data = request.args.get("theme") or None
        form.driver_outcome.data = request.args.get("outcome") or None
        form.status.data = "open"
        form.shared.data = campaign is not None  # an answer to a campaign is what staff wait to hear about
    if form.validate_on_submit():
        try:
            action = service.create_action(
                organisation_id, title=form.title.data, pillar=form.pillar.data, owner_id=form.owner_id.data,
                due_date=form.due_date.data, status=form.status.data, campaign_id=form.campaign_id.data,
                item_key=form.item_key.data, team_id=form.team_id.data, **_sources_of(form), shared=form.shared.data,
                created_by=current_user, today=date.today())
        except Refused as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Action “%(title)s” created.", title=action.title), "success")
            return redirect(url_for("assessments.show_action", action_id=action.id))
    return render_template("assessments/actions_form.html", form=form, action=None, campaign=campaign,
                           pillar_labels=PILLAR_LABELS,
                           **_context(campaign, form.item_key.data, form.team_id.data, _sources_of(form))
                           ), form_status(form)


@bp.get("/assessments/actions/<int:action_id>")
@login_required
def show_action(action_id: int):
    action = get_in_organisation(ActionItem, action_id)
    may_follow_up = service.may_follow_up(current_user, action)
    if not (may_follow_up or _sees_the_list()):
        abort(403)
    form = ActionUpdateForm(status=action.status)
    return _action_page(action, form, may_follow_up)


def _action_page(action: ActionItem, form: ActionUpdateForm, may_follow_up: bool):
    campaign = db.session.get(Campaign, action.campaign_id) if action.campaign_id else None
    return render_template(
        "assessments/action_page.html", action=action, campaign=campaign, form=form, today=date.today(),
        may_follow_up=may_follow_up, can_edit=current_user.can("leader"), can_list=_sees_the_list(),
        pillar_labels=PILLAR_LABELS, status_labels=STATUS_LABELS,
        **_context(campaign, action.item_key, action.team_id, _sources_of(action))), form_status(form)


@bp.post("/assessments/actions/<int:action_id>/updates")
@login_required
def add_action_update(action_id: int):
    action = get_in_organisation(ActionItem, action_id)
    if not service.may_follow_up(current_user, action):
        abort(403)
    form = ActionUpdateForm()
    if form.validate_on_submit():
        try:
            service.add_update(action, current_user, note=form.note.data, status=form.status.data)
        except Refused as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Update added to “%(title)s”.", title=action.title), "success")
            return redirect(url_for("assessments.show_action", action_id=action.id) + "#updates")
    return _action_page(action, form, True)


@bp.get("/assessments/you-said-we-did")
@login_required
def you_said_we_did():
    """What leadership is doing about what people said in the culture campaigns: every action it shared."""
    actions = service.shared_actions(current_user.organisation_id)
    campaigns = {c.id: c for c in db.session.scalars(
        db.select(Campaign).where(Campaign.id.in_({a.campaign_id for a in actions if a.campaign_id})))}
    language = current_language()
    said = {a.id: service.statement_text(campaigns.get(a.campaign_id), a.item_key, language) for a in actions}
    return render_template("assessments/you_said_we_did.html", actions=actions, campaigns=campaigns, said=said,
                           pillar_labels=PILLAR_LABELS, status_labels=STATUS_LABELS, today=date.today())


@bp.route("/assessments/actions/<int:action_id>/edit", methods=["GET", "POST"])
@permission_required("leader")
def edit_action(action_id: int):
    action = get_in_organisation(ActionItem, action_id)
    form = ActionFollowUpForm(obj=action if request.method == "GET" else None)
    form.set_owner_choices(service.owner_choices(action.organisation_id, keep=action.owner))
    if form.validate_on_submit():
        try:
            service.update_action(action, status=form.status.data, owner_id=form.owner_id.data,
                                  due_date=form.due_date.data, shared=form.shared.data, by=current_user,
                                  today=date.today())
        except Refused as error:
            db.session.rollback()
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Action “%(title)s” updated.", title=action.title), "success")
            return redirect(url_for("assessments.show_action", action_id=action.id))
    campaign = db.session.get(Campaign, action.campaign_id) if action.campaign_id else None
    return render_template("assessments/actions_form.html", form=form, action=action, campaign=campaign,
                           pillar_labels=PILLAR_LABELS, status_labels=STATUS_LABELS,
                           **_context(campaign, action.item_key, action.team_id, _sources_of(action))
                           ), form_status(form)
