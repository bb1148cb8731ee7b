"""HR's KPI catalogue: KPIs by category, behaviours by pillar, and the links between them."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_decimal, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import get_in_organisation, permission_required
from ...confirming import ask_first, confirmed
from ...extensions import db
from ...i18n import current_language
from ...pillars import PILLAR_LABELS
from ...refusals import Refused, form_status, show_refusal
from .. import catalogue_changes
from ..forms import BehaviourForm, ConfirmForm, KpiForm, LinkForm
from ..labels import CATEGORY_LABELS, DIRECTION_LABELS, EFFECT_LABELS, SURVEY_LABELS, UNIT_LABELS, UNIT_SUFFIXES
from ..models import Behaviour, Kpi, KpiBehaviourLink
from . import bp


def labels() -> dict:
    """Every label the catalogue templates print for a code."""
    return {"categories": CATEGORY_LABELS, "units": UNIT_LABELS, "suffixes": UNIT_SUFFIXES,
            "directions": DIRECTION_LABELS, "effects": EFFECT_LABELS, "surveys": SURVEY_LABELS,
            "pillars": PILLAR_LABELS}


def _form_page(template: str, form, status: int, **context):
    return render_template(template, form=form, language=current_language(), **labels(), **context), status


# KPIs

@bp.get("/hr/kpis")
@permission_required("hr")
def list_kpis():
    organisation_id = current_user.organisation_id
    return render_template("kpis/catalogue_kpis.html", groups=catalogue_changes.kpis_by_category(organisation_id),
                           link_counts=catalogue_changes.link_counts(organisation_id), language=current_language(),
                           **labels())


@bp.route("/hr/kpis/new", methods=["GET", "POST"])
@permission_required("hr")
def create_kpi():
    form = KpiForm()
    if request.method == "GET":
        form.category.data = request.args.get("category") or ""
    if form.validate_on_submit():
        try:
            kpi = catalogue_changes.create_kpi(current_user.organisation_id, **form.values())
        except Refused as refused:
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("KPI “%(kpi)s” created. Link it to the behaviours it supports or works against.",
                    kpi=kpi.name(current_language())), "success")
            return redirect(url_for("kpis.show_kpi", kpi_id=kpi.id))
    return _form_page("kpis/catalogue_kpi_form.html", form, form_status(form), kpi=None)


@bp.get("/hr/kpis/<int:kpi_id>")
@permission_required("hr")
def show_kpi(kpi_id: int):
    kpi = get_in_organisation(Kpi, kpi_id)
    return render_template("kpis/catalogue_kpi.html", kpi=kpi, links=catalogue_changes.kpi_links(kpi),
                           usage=catalogue_changes.kpi_usage(kpi), confirm=ConfirmForm(), language=current_language(),
                           **labels())


@bp.route("/hr/kpis/<int:kpi_id>/edit", methods=["GET", "POST"])
@permission_required("hr")
def edit_kpi(kpi_id: int):
    kpi = get_in_organisation(Kpi, kpi_id)
    form = KpiForm(obj=kpi if request.method == "GET" else None)
    if request.method == "GET":
        form.survey.data = kpi.survey or ""
    if form.validate_on_submit():
        try:
            catalogue_changes.update_kpi(kpi, **form.values())
        except Refused as refused:
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("KPI “%(kpi)s” saved.", kpi=kpi.name(current_language())), "success")
            return redirect(url_for("kpis.show_kpi", kpi_id=kpi.id))
    return _form_page("kpis/catalogue_kpi_form.html", form, form_status(form), kpi=kpi)


@bp.post("/hr/kpis/<int:kpi_id>/active")
@permission_required("hr")
def set_kpi_active(kpi_id: int):
    kpi = get_in_organisation(Kpi, kpi_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    catalogue_changes.set_kpi_active(kpi, active)
    db.session.commit()
    if active:
        flash(_("“%(kpi)s” is active again: plans can use it.", kpi=kpi.name(current_language())), "success")
    else:
        flash(_("“%(kpi)s” is deactivated: plans can no longer add it and the review leaves it out. Its values "
                "and the plans that use it stay.", kpi=kpi.name(current_language())), "success")
    return redirect(url_for("kpis.show_kpi", kpi_id=kpi.id))


@bp.route("/hr/kpis/<int:kpi_id>/delete", methods=["GET", "POST"])
@permission_required("hr")
def delete_kpi(kpi_id: int):
    kpi = get_in_organisation(Kpi, kpi_id)
    name = kpi.name(current_language())
    back = url_for("kpis.show_kpi", kpi_id=kpi.id)
    if not confirmed():
        usage = catalogue_changes.kpi_usage(kpi)
        problem = None
        if usage.values or usage.plans:
            problem = _("“%(kpi)s” has values or is in a plan, so it cannot be deleted: deactivate it instead.",
                        kpi=name)
        return ask_first(
            title=_("Delete KPI “%(kpi)s”?", kpi=name), eyebrow=_("KPIs"), eyebrow_url=back,
            consequences=[ngettext("The KPI and its %(num)s link to behaviours are deleted.",
                                   "The KPI and its %(num)s links to behaviours are deleted.", len(kpi.links))],
            undo=_("This cannot be undone: to get it back, add the KPI again."),
            button=_("Delete KPI"), back=back, problem=problem)
    try:
        catalogue_changes.delete_kpi(kpi)
    except Refused as refused:
        flash(" ".join(str(message) for message in refused.errors.values()), "error")
        return redirect(back)
    db.session.commit()
    flash(_("KPI “%(kpi)s” deleted.", kpi=name), "success")
    return redirect(url_for("kpis.list_kpis"))


# Links

def _link_form_page(kpi: Kpi, form: LinkForm, link: KpiBehaviourLink | None, status: int):
    form.set_behaviour_choices(
        [b for group in catalogue_changes.behaviours_by_pillar(kpi.organisation_id, active_only=True).values()
         for b in group],
        current_language())
    return _form_page("kpis/catalogue_link_form.html", form, status, kpi=kpi, link=link)


@bp.route("/hr/kpis/<int:kpi_id>/links/new", methods=["GET", "POST"])
@permission_required("hr")
def create_link(kpi_id: int):
    kpi = get_in_organisation(Kpi, kpi_id)
    form = LinkForm()
    if request.method == "GET":
        form.effect.data = request.args.get("effect") if request.args.get("effect") in EFFECT_LABELS else ""
    if form.validate_on_submit():
        try:
            link = catalogue_changes.add_link(kpi, **form.values())
        except Refused as refused:
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("Link to “%(behaviour)s” added.", behaviour=link.behaviour.name(current_language())), "success")
            return redirect(url_for("kpis.show_kpi", kpi_id=kpi.id))
    return _link_form_page(kpi, form, None, form_status(form))


def _link_of(kpi: Kpi, link_id: int) -> KpiBehaviourLink:
    link = db.session.get(KpiBehaviourLink, link_id)
    if link is None or link.kpi_id != kpi.id:
        abort(404)
    return link


@bp.route("/hr/kpis/<int:kpi_id>/links/<int:link_id>/edit", methods=["GET", "POST"])
@permission_required("hr")
def edit_link(kpi_id: int, link_id: int):
    kpi = get_in_organisation(Kpi, kpi_id)
    link = _link_of(kpi, link_id)
    form = LinkForm(obj=link if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            catalogue_changes.update_link(link, **form.values())
        except Refused as refused:
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("Link to “%(behaviour)s” saved.", behaviour=link.behaviour.name(current_language())), "success")
            return redirect(url_for("kpis.show_kpi", kpi_id=kpi.id))
    return _link_form_page(kpi, form, link, form_status(form))


@bp.route("/hr/kpis/<int:kpi_id>/links/<int:link_id>/delete", methods=["GET", "POST"])
@permission_required("hr")
def delete_link(kpi_id: int, link_id: int):
    kpi = get_in_organisation(Kpi, kpi_id)
    link = _link_of(kpi, link_id)
    behaviour = link.behaviour.name(current_language())
    back = url_for("kpis.show_kpi", kpi_id=kpi.id)
    if not confirmed():
        return ask_first(
            title=_("Remove the link to “%(behaviour)s”?", behaviour=behaviour),
            eyebrow=kpi.name(current_language()), eyebrow_url=back,
            consequences=[_("Scorecards stop saying that %(kpi)s stands for this behaviour, and the review of the "
                            "plans that use it stops weighing the link.", kpi=kpi.name(current_language()))],
            undo=_("You can link them again at any time."), button=_("Remove the link"), back=back)
    catalogue_changes.remove_link(link)
    db.session.commit()
    flash(_("Link to “%(behaviour)s” removed.", behaviour=behaviour), "success")
    return redirect(back)


# Behaviours

@bp.get("/hr/behaviours")
@permission_required("hr")
def list_behaviours():
    organisation_id = current_user.organisation_id
    return render_template("kpis/catalogue_behaviours.html",
                           groups=catalogue_changes.behaviours_by_pillar(organisation_id),
                           link_counts=catalogue_changes.behaviour_link_counts(organisation_id), confirm=ConfirmForm(),
                           language=current_language(), **labels())


@bp.route("/hr/behaviours/new", methods=["GET", "POST"])
@permission_required("hr")
def create_behaviour():
    form = BehaviourForm()
    if request.method == "GET":
        form.pillar.data = request.args.get("pillar") or ""
    if form.validate_on_submit():
        try:
            behaviour = catalogue_changes.create_behaviour(current_user.organisation_id, **form.values())
        except Refused as refused:
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("Behaviour “%(behaviour)s” added.", behaviour=behaviour.name(current_language())), "success")
            return redirect(url_for("kpis.list_behaviours", _anchor=f"pillar-{behaviour.pillar}"))
    return _form_page("kpis/catalogue_behaviour_form.html", form, form_status(form), behaviour=None)


@bp.route("/hr/behaviours/<int:behaviour_id>/edit", methods=["GET", "POST"])
@permission_required("hr")
def edit_behaviour(behaviour_id: int):
    behaviour = get_in_organisation(Behaviour, behaviour_id)
    form = BehaviourForm(obj=behaviour if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            catalogue_changes.update_behaviour(behaviour, **form.values())
        except Refused as refused:
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("Behaviour “%(behaviour)s” saved.", behaviour=behaviour.name(current_language())), "success")
            return redirect(url_for("kpis.list_behaviours", _anchor=f"pillar-{behaviour.pillar}"))
    return _form_page("kpis/catalogue_behaviour_form.html", form, form_status(form), behaviour=behaviour)


@bp.post("/hr/behaviours/<int:behaviour_id>/active")
@permission_required("hr")
def set_behaviour_active(behaviour_id: int):
    behaviour = get_in_organisation(Behaviour, behaviour_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    catalogue_changes.set_behaviour_active(behaviour, active)
    db.session.commit()
    if active:
        flash(_("“%(behaviour)s” is active again.", behaviour=behaviour.name(current_language())), "success")
    else:
        flash(_("“%(behaviour)s” is deactivated: the review no longer counts it. Its links stay.",
                behaviour=behaviour.name(current_language())), "success")
    return redirect(url_for("kpis.list_behaviours", _anchor=f"pillar-{behaviour.pillar}"))


@bp.app_template_filter("kpi_number")
def format_kpi_number(value: float | None) -> str:
    """A KPI value, target or weight in the reader's language, with at most two decimals ("1,234.5", "1.234,5")."""
    return "" if value is None else format_decimal(value, "#,##0.##")

