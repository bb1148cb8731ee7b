"""HR's KPI values: the table of a quarter, one value by hand, CSV imports (preview, then confirm), export."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ...auth.access import get_in_organisation, permission_required
from ...extensions import db
from ...i18n import current_language
from ...orgs.teams import teams_by_path
from ...spreadsheets import csv_bytes, csv_delimiter, csv_download, read_upload
from ..models import Kpi, KpiImport, KpiValue
from ..periods import InvalidPeriod, Period, last_closed_period, recent_periods
from ..value_forms import ConfirmForm, ValueForm, ValuesUploadForm
from ..values import (
    COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    ValueRefused,
    apply_import,
    create_import,
    delete_value,
    display_number,
    periods_with_values,
    plan_import,
    recent_imports,
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
    kpi_id = request.args.get("kpi", type=int)
    search = request.args.get("q", "").strip()
    page = db.paginate(values_query(current_user.organisation_id, period, kpi_id, search), per_page=PER_PAGE,
                       error_out=False)
    periods = sorted(set(_closed_periods()) | set(periods_with_values(current_user.organisation_id))
                     | {period}, reverse=True)
    paths = {team.id: path for path, team in teams_by_path(current_user.organisation_id).items()}
    return render_template("kpis/values_list.html", period=period, periods=periods, page=page, form=form,
                           kpis=_kpis(), kpi_id=kpi_id, search=search, paths=paths,
                           format_number=display_number), status


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
        return _render_values(period, form, 422)
    try:
        set_value(current_user.organisation, period=form.period.data, kpi_id=form.kpi_id.data,
                  email=form.email.data, team_id=form.team_id.data, value_text=form.value.data,
                  acting_person=current_user._get_current_object())
    except ValueRefused as refused:
        db.session.rollback()
        for name, message in refused.errors.items():
            getattr(form, name).errors = [*getattr(form, name).errors, str(message)]
        return _render_values(period, form, 422)
    db.session.commit()
    flash(_("The value is saved."), "success")
    return redirect(url_for("kpis.list_kpi_values", period=form.period.data))


@bp.route("/hr/kpi-values/<int:kpi_value_id>/delete", methods=["GET", "POST"])
@permission_required("hr")
def delete_kpi_value(kpi_value_id: int):
    value = get_in_organisation(KpiValue, kpi_value_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        paths = {team.id: path for path, team in teams_by_path(current_user.organisation_id).items()}
        return render_template("kpis/values_delete.html", value=value, form=form, format_number=display_number,
                               team_path=paths.get(value.team_id, "")), 400 if form.is_submitted() else 200
    period = value.period
    delete_value(value)
    db.session.commit()
    flash(_("The value is deleted."), "success")
    return redirect(url_for("kpis.list_kpi_values", period=period))


@bp.get("/hr/kpi-values/export.csv")
@permission_required("hr")
def export_kpi_values():
    period = _period_argument()
    rows = value_rows(current_user.organisation_id, period)
    return csv_download(csv_bytes(COLUMNS["values"], rows, csv_delimiter()), f"kpi-values-{period}")


def _render_upload(form: ValuesUploadForm, upload_errors=(), status: int = 200):
    return render_template("kpis/values_import.html", form=form, upload_errors=upload_errors, columns=COLUMNS,
                           imports=recent_imports(current_user.organisation_id), max_rows=MAX_ROWS,
                           max_megabytes=MAX_FILE_BYTES // (1024 * 1024), example_period=str(last_closed_period())
                           ), status


@bp.route("/hr/kpi-values/import", methods=["GET", "POST"])
@permission_required("hr")
def import_kpi_values():
    form = ValuesUploadForm()
    if not form.validate_on_submit():
        return _render_upload(form, status=422 if form.is_submitted() else 200)
    filename, content, upload_errors = read_upload(form.file.data, MAX_FILE_BYTES)
    if upload_errors:
        return _render_upload(form, upload_errors, status=422)
    kpi_import = create_import(current_user.organisation, current_user._get_current_object(), form.kind.data,
                               filename, content)
    db.session.commit()
    return redirect(url_for("kpis.show_kpi_import", kpi_import_id=kpi_import.id))


@bp.get("/hr/kpi-values/imports/<int:kpi_import_id>")
@permission_required("hr")
def show_kpi_import(kpi_import_id: int):
    kpi_import = get_in_organisation(KpiImport, kpi_import_id)
    plan = plan_import(current_user.organisation, kpi_import.kind, kpi_import.content)
    upload_form = ValuesUploadForm(formdata=None, kind=kpi_import.kind)
    return render_template("kpis/values_preview.html", kpi_import=kpi_import, plan=plan, form=ConfirmForm(),
                           reupload_form=upload_form, format_number=display_number, language=current_language())


@bp.post("/hr/kpi-values/imports/<int:kpi_import_id>")
@permission_required("hr")
def confirm_kpi_import(kpi_import_id: int):
    kpi_import = get_in_organisation(KpiImport, kpi_import_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    result = apply_import(kpi_import, current_user._get_current_object())
    if result.status == "applied":
        db.session.commit()
        flash(_("The values are imported: %(count)s written.", count=result.written), "success")
        periods = sorted({value.period for value in result.plan.values}, reverse=True)
        return redirect(url_for("kpis.list_kpi_values", period=periods[0]))
    db.session.rollback()
    if result.status == "already_applied":
        flash(_("This import was already applied; nothing was changed this time."), "info")
    else:
        flash(_("Something changed since the preview and some rows can no longer be imported. Nothing was "
                "changed: see the rows below."), "error")
    return redirect(url_for("kpis.show_kpi_import", kpi_import_id=kpi_import_id))
