"""HR's KPI values: the table of a quarter, one value by hand, CSV imports (preview, then confirm), export."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ...auth.access import get_in_organisation, permission_required
from ...charts import value_histogram
from ...confirming import ask_first, confirmed
from ...extensions import db
from ...formatting import format_percent
from ...i18n import current_language
from ...imports import ApplyResult, ImportFlow
from ...orgs.teams import teams_by_path
from ...params import page_number, query_int
from ...refusals import Refused, form_status, show_refusal
from ...spreadsheets import csv_bytes, csv_delimiter, csv_download
from ..models import Kpi, KpiImport, KpiValue
from ..periods import InvalidPeriod, Period, last_closed_period, recent_periods
from ..scorecards import format_value
from ..spreads import ValueSpread, value_spreads
from ..value_forms import ValueForm, ValuesUploadForm
from ..values import (
    COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    apply_import,
    create_import,
    delete_value,
    display_number,
    periods_with_values,
    preview_import,
    set_value,
    value_rows,
    values_query,
)
from . import bp

PER_PAGE = 50



def _period_argument() -> str:
    """The quarter asked for in the address, else the last closed one; a malformed one is a 404."""
    text = request.args.get("period")
    if not text:
        return str(last_closed_period())
    try:
        return str(Period.parse(text))
    except InvalidPeriod:
        abort(404)


def _closed_periods() -> list[str]:
    return [str(p) for p in recent_periods(9) if p.is_closed()]


def _kpis() -> list[Kpi]:
    return list(db.session.scalars(select(Kpi).where(Kpi.organisation_id == current_user.organisation_id,
                                                     Kpi.active).order_by(Kpi.category, Kpi.key)))


def _value_form(period: str, formdata=None) -> ValueForm:
    form = ValueForm(formdata=formdata) if formdata is not None else ValueForm(period=period)
    language = current_language()
    form.period.choices = [SelectChoice(p, p) for p in _closed_periods()]
    form.kpi_id.choices = [SelectChoice(k.id, f"{k.name(language)} ({k.key})") for k in _kpis()]
    teams = sorted(teams_by_path(current_user.organisation_id).items())
    form.team_id.choices = [SelectChoice("", _("— a person —"))] + [SelectChoice(team.id, path) for path, team in teams]
    return form


def _render_values(period: str, form: ValueForm, status: int = 200):
    kpi_id = query_int("kpi")
    search = request.args.get("q", "").strip()
    page = db.paginate(values_query(current_user.organisation_id, period, kpi_id, search), page=page_number(),
                       per_page=PER_PAGE, error_out=False)
    periods = sorted(set(_closed_periods()) | set(periods_with_values(current_user.organisation_id))
                     | {period}, reverse=True)
    paths = {team.id: path for path, team in teams_by_path(current_user.organisation_id).items()}
    return render_template("kpis/values_list.html", period=period, periods=periods, page=page, form=form,
                           kpis=_kpis(), kpi_id=kpi_id, search=search, paths=paths,
                           spreads=spread_figures(current_user.organisation_id, period, kpi_id),
                           format_number=display_number), status


def spread_figures(organisation_id: int, period: str,
                   kpi_id: int | None = None) -> list[tuple[ValueSpread, str, Markup]]:
    """Per KPI with people's values in `period`: its spread, the share on target in words, and the histogram."""
    language = current_language()
    figures = []
    for spread in value_spreads(organisation_id, period, language, kpi_id):
        note = on_target_text(spread, language)
        chart = value_histogram(spread.values, spread.targets, spread.better,
                                lambda number, unit=spread.unit: format_value(number, unit, language),
                                _("%(kpi)s in %(period)s: how people's values spread", kpi=spread.name, period=period),
                                note, chart_id=f"spread-{spread.kpi_id}")
        figures.append((spread, note, chart))
    return figures


def on_target_text(spread: ValueSpread, language: str) -> str:
    """The share on target in words ("7 of 11 people on their plan's target (64%)."), or why there is none."""
    if not spread.with_target:
        return _("No reward plan has this KPI for the quarter.")
    return ngettext("%(met)s of %(num)s person on their plan's target (%(share)s).",
                    "%(met)s of %(num)s people on their plan's target (%(share)s).", spread.with_target,
                    met=spread.on_target, share=format_percent(spread.share_on_target, locale=language))


@bp.get("/hr/kpi-values")
@permission_required("hr")
def list_kpi_values():
    period = _period_argument()
    return _render_values(period, _value_form(period))


@bp.post("/hr/kpi-values")
@permission_required("hr")
def save_kpi_value():
    form = _value_form(request.form.get("period", ""), formdata=request.form)
    period = form.period.data or str(last_closed_period())
    if not form.validate_on_submit():
        return _render_values(period, form, form_status(form))
    try:
        set_value(current_user.organisation, period=form.period.data, kpi_id=form.kpi_id.data,
                  email=form.email.data, team_id=form.team_id.data, value_text=form.value.data,
                  acting_person=current_user._get_current_object())
    except Refused as refused:
        db.session.rollback()
        show_refusal(form, refused)
        return _render_values(period, form, form_status(form))
    db.session.commit()
    flash(_("The value is saved."), "success")
    return redirect(url_for("kpis.list_kpi_values", period=form.period.data))


@bp.route("/hr/kpi-values/<int:kpi_value_id>/delete", methods=["GET", "POST"])
@permission_required("hr")
def delete_kpi_value(kpi_value_id: int):
    value = get_in_organisation(KpiValue, kpi_value_id)
    period = value.period
    back = url_for("kpis.list_kpi_values", period=period)
    if not confirmed():
        paths = {team.id: path for path, team in teams_by_path(current_user.organisation_id).items()}
        subject = (f"{value.person.name} ({value.person.email})" if value.person else paths.get(value.team_id, ""))
        shown = display_number(value.value) + (f" {value.kpi.unit_symbol}" if value.kpi.unit_symbol else "")
        return ask_first(
            title=_("Delete this value?"), eyebrow=f"{_('KPI values')} · {period}", eyebrow_url=back,
            facts=[(_("KPI"), value.kpi.name(current_language())), (_("Person or team"), subject),
                   (_("Value"), shown)],
            consequences=[_("Scorecards and team packs for %(period)s will show no value for it.", period=period)],
            undo=_("You can enter it again at any time."), button=_("Delete the value"), back=back)
    delete_value(value)
    db.session.commit()
    flash(_("The value is deleted."), "success")
    return redirect(back)


@bp.get("/hr/kpi-values/export.csv")
@permission_required("hr")
def export_kpi_values():
    period = _period_argument()
    rows = value_rows(current_user.organisation_id, period)
    return csv_download(csv_bytes(COLUMNS["values"], rows, csv_delimiter()), f"kpi-values-{period}")


def _values_after_import(kpi_import: KpiImport, result: ApplyResult) -> str:
    """The table of the latest quarter the file wrote."""
    periods = sorted({value.period for value in result.plan.values}, reverse=True)
    return url_for("kpis.list_kpi_values", period=periods[0])


kpi_imports = ImportFlow(
    model=KpiImport,
    store=lambda organisation, person, form, filename, content: create_import(organisation, person, form.kind.data,
                                                                               filename, content),
    plan=lambda kpi_import, person: preview_import(kpi_import),
    apply=apply_import,
    upload_form=ValuesUploadForm,
    upload_template="kpis/values_import.html",
    preview_template="kpis/values_preview.html",
    max_bytes=MAX_FILE_BYTES,
    applied_message=lambda result: _("The values are imported: %(count)s written.", count=result.written),
    refused_message=_l("Something changed since the preview and some rows can no longer be imported. Nothing was "
                       "changed: see the rows below."),
    upload_context=lambda: {"columns": COLUMNS, "max_rows": MAX_ROWS, "example_period": str(last_closed_period())},
    preview_context=lambda kpi_import, plan: {"format_number": display_number, "language": current_language()},
    done_url=_values_after_import,
)
kpi_imports.register(
    bp, guard=permission_required("hr"), upload_rule="/hr/kpi-values/import", upload_endpoint="import_kpi_values",
    preview_rule="/hr/kpi-values/imports/<int:kpi_import_id>", preview_endpoint="show_kpi_import",
    confirm_endpoint="confirm_kpi_import", id_argument="kpi_import_id",
)
