"""HR's reward plans: one per job role and quarter, made of weighted KPI components."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import get_in_organisation, permission_required
from ...charts import WeightBar, weight_bars
from ...confirming import ask_first, confirmed
from ...extensions import db
from ...i18n import current_language
from ...params import query_int
from ...refusals import Refused, form_status, show_refusal
from .. import plan_changes
from ..alignment import CUSTOMER_SHARE_GOAL, PlanAlignment, plan_alignment
from ..forms import ComponentForm, ConfirmForm, PlanForm
from ..models import CATEGORIES, RewardComponent, RewardPlan
from ..periods import InvalidPeriod, Period, is_period
from . import bp
from .catalogue import labels


def chosen_period(organisation_id: int, periods: list[Period]) -> str:
    """The quarter asked for (?period=), else the newest one with plans, else the current quarter."""
    asked = request.args.get("period", "")
    try:
        return str(Period.parse(asked))
    except InvalidPeriod:
        pass
    with_plans = plan_changes.plan_periods_with_plans(organisation_id)
    return str(with_plans[0] if with_plans else Period.containing(date.today()))


def weight_chart(alignments: list[PlanAlignment], title: str, chart_id: str, row_label=None):
    """The stacked bar of weight by category of each plan, with the 50%-on-customers line."""
    categories = labels()["categories"]
    rows = [WeightBar(row_label or a.job_role, [a.weights[c] for c in CATEGORIES]) for a in alignments]
    return weight_bars(rows, [str(categories[c]) for c in CATEGORIES], title, goal=CUSTOMER_SHARE_GOAL,
                       goal_label=_("half on customers"), locale=current_language(), chart_id=chart_id)


@bp.get("/hr/plans")
@permission_required("hr")
def list_plans():
    organisation_id = current_user.organisation_id
    periods = plan_changes.plan_periods(organisation_id)
    period = chosen_period(organisation_id, periods)
    if Period.parse(period) not in periods:
        periods = sorted({*periods, Period.parse(period)}, reverse=True)
    return render_template("kpis/plans_list.html", period=period, periods=periods,
                           rows=plan_changes.plan_rows(organisation_id, period, current_language()),
                           language=current_language(),
                           customer_goal=CUSTOMER_SHARE_GOAL, **labels())


@bp.route("/hr/plans/new", methods=["GET", "POST"])
@permission_required("hr")
def create_plan():
    organisation_id = current_user.organisation_id
    form = PlanForm()
    periods = plan_changes.plan_periods(organisation_id)
    if request.method == "GET":
        form.period.data = chosen_period(organisation_id, periods)
        form.job_role_id.data = query_int("job_role")
        form.copy_previous.data = request.args.get("copy") == "1"
    if form.period.data and is_period(form.period.data) and Period.parse(form.period.data) not in periods:
        periods = sorted({*periods, Period.parse(form.period.data)}, reverse=True)
    form.set_choices(plan_changes.job_roles(organisation_id), periods, current_language())
    if form.validate_on_submit():
        try:
            plan = plan_changes.create_plan(organisation_id, job_role_id=form.job_role_id.data, period=form.period.data,
                                            copy_previous=form.copy_previous.data)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("Plan “%(plan)s” created.", plan=plan.title(current_language())), "success")
            return redirect(url_for("kpis.show_plan", plan_id=plan.id))
    return render_template("kpis/plans_form.html", form=form, language=current_language()), form_status(form)


def _plan_page(plan: RewardPlan, form: ComponentForm, status: int = 200):
    alignment = plan_alignment(plan, current_language())
    form.set_kpi_choices([k for k in plan_changes.active_kpis(plan.organisation_id)
                          if all(c.kpi_id != k.id for c in plan.components)], current_language())
    conflicting = {c.kpi_id for c in alignment.conflicts}
    return render_template(
        "kpis/plans_page.html", plan=plan, form=form, alignment=alignment, conflicting=conflicting,
        chart=weight_chart([alignment], _("Weight by category"), "plan-weights",
                           row_label=plan.job_role.name(current_language())) if plan.components else None,
        confirm=ConfirmForm(), language=current_language(), customer_goal=CUSTOMER_SHARE_GOAL, **labels()), status


@bp.get("/hr/plans/<int:plan_id>")
@permission_required("hr")
def show_plan(plan_id: int):
    plan = get_in_organisation(RewardPlan, plan_id)
    return _plan_page(plan, ComponentForm(formdata=None))


@bp.post("/hr/plans/<int:plan_id>/components")
@permission_required("hr")
def add_component(plan_id: int):
    plan = get_in_organisation(RewardPlan, plan_id)
    form = ComponentForm()
    if form.validate_on_submit():
        try:
            component = plan_changes.add_component(plan, **form.values())
        except Refused as refused:
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("%(kpi)s added with a weight of %(weight)s%%.", kpi=component.kpi.name(current_language()),
                    weight=f"{component.weight:g}"), "success")
            return redirect(url_for("kpis.show_plan", plan_id=plan.id, _anchor="components"))
    return _plan_page(plan, form, 400)


def _component_of(plan: RewardPlan, component_id: int) -> RewardComponent:
    component = db.session.get(RewardComponent, component_id)
    if component is None or component.plan_id != plan.id:
        abort(404)
    return component


@bp.route("/hr/plans/<int:plan_id>/components/<int:component_id>/edit", methods=["GET", "POST"])
@permission_required("hr")
def edit_component(plan_id: int, component_id: int):
    plan = get_in_organisation(RewardPlan, plan_id)
    component = _component_of(plan, component_id)
    form = ComponentForm(obj=component if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            plan_changes.update_component(component, **form.values())
        except Refused as refused:
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("%(kpi)s saved.", kpi=component.kpi.name(current_language())), "success")
            return redirect(url_for("kpis.show_plan", plan_id=plan.id, _anchor="components"))
    others = plan_changes.weight_total(plan) - component.weight
    return render_template("kpis/plans_component_form.html", form=form, plan=plan, component=component,
                           others=others, language=current_language(), **labels()), form_status(form)


@bp.route("/hr/plans/<int:plan_id>/components/<int:component_id>/delete", methods=["GET", "POST"])
@permission_required("hr")
def remove_component(plan_id: int, component_id: int):
    plan = get_in_organisation(RewardPlan, plan_id)
    component = _component_of(plan, component_id)
    name = component.kpi.name(current_language())
    back = url_for("kpis.show_plan", plan_id=plan.id, _anchor="components")
    if not confirmed():
        people = plan_changes.people_on_plan(plan)
        return ask_first(
            title=_("Remove %(kpi)s from the plan?", kpi=name), eyebrow=plan.title(current_language()),
            eyebrow_url=back,
            consequences=[
                ngettext("The scorecard of %(num)s person with this plan no longer shows %(kpi)s among the plan's "
                         "KPIs for %(period)s, and its weight (%(weight)s%%) leaves the plan's total.",
                         "The scorecards of %(num)s people with this plan no longer show %(kpi)s among the plan's "
                         "KPIs for %(period)s, and its weight (%(weight)s%%) leaves the plan's total.", people,
                         kpi=name, period=plan.period, weight=format_decimal(component.weight)),
                _("The KPI's values stay."),
            ],
            undo=_("You can add it again with its weight, target and threshold."),
            button=_("Remove it from the plan"), back=back)
    plan_changes.remove_component(component)
    db.session.commit()
    flash(_("%(kpi)s removed from the plan.", kpi=name), "success")
    return redirect(back)


@bp.post("/hr/plans/<int:plan_id>/components/<int:component_id>/move")
@permission_required("hr")
def move_component(plan_id: int, component_id: int):
    plan = get_in_organisation(RewardPlan, plan_id)
    component = _component_of(plan, component_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    plan_changes.move_component(component, -1 if request.form.get("direction") == "up" else 1)
    db.session.commit()
    return redirect(url_for("kpis.show_plan", plan_id=plan.id, _anchor="components"))


@bp.route("/hr/plans/<int:plan_id>/delete", methods=["GET", "POST"])
@permission_required("hr")
def delete_plan(plan_id: int):
    plan = get_in_organisation(RewardPlan, plan_id)
    title, period = plan.title(current_language()), plan.period
    if not confirmed():
        people = plan_changes.people_on_plan(plan)
        return ask_first(
            title=_("Delete this plan?"), eyebrow=title,
            eyebrow_url=url_for("kpis.show_plan", plan_id=plan.id),
            consequences=[
                ngettext("The plan of %(role)s for %(period)s and its %(num)s component will be deleted. KPI values "
                         "stay.",
                         "The plan of %(role)s for %(period)s and its %(num)s components will be deleted. KPI "
                         "values stay.", len(plan.components), role=plan.job_role.name(current_language()),
                         period=period),
                ngettext("%(num)s person's scorecard for %(period)s will show no plan.",
                         "%(num)s people's scorecards for %(period)s will show no plan.", people, period=period),
            ],
            undo=_("This cannot be undone: to get it back, make the plan again."),
            button=_("Delete plan"), back=url_for("kpis.show_plan", plan_id=plan.id))
    plan_changes.delete_plan(plan)
    db.session.commit()
    flash(_("Plan “%(plan)s” deleted.", plan=title), "success")
    return redirect(url_for("kpis.list_plans", period=period))
