"""Retention settings and the audit trail, for administrators."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...audit import action_label
from ...audit.service import CSV_COLUMNS, AuditFilter, actors_of, csv_rows, parse_filter, records_query
from ...auth.access import permission_required
from ...confirming import ask_first, confirmed
from ...extensions import db
from ...params import page_number
from ...refusals import Refused, form_status, show_refusal
from ...spreadsheets import csv_bytes, csv_delimiter, csv_download
from ..retention import BOUNDS, DEFAULTS, checked_retention, retention_of, shortened, update_retention
from ..trail_forms import RETENTION_LABELS, AuditFilterForm, RetentionForm
from . import bp


@bp.route("/retention", methods=["GET", "POST"])
@permission_required("admin")
def edit_retention():
    organisation = current_user.organisation
    form = RetentionForm(data=vars(retention_of(organisation.id)) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            shorter = shortened(organisation.id, checked_retention(form.values()))
        except Refused as refused:
            show_refusal(form, refused)
            shorter = None
        if shorter and not confirmed():
            return _ask_before_shortening(shorter, form.values())
        if shorter is not None:
            update_retention(organisation, form.values())
            db.session.commit()
            flash(_("The retention settings are saved. The nightly run applies them."), "success")
            return redirect(url_for("orgs.edit_retention"))
    return render_template("orgs/retention.html", form=form, bounds=BOUNDS, defaults=DEFAULTS,
                           labels=RETENTION_LABELS, config=current_app.config), form_status(form)


def _ask_before_shortening(shorter: dict[str, tuple[int, int]], values: dict[str, str]):
    """The question before a retention period is shortened: what the nightly run will then delete for good."""
    return ask_first(
        title=_("Shorten how long data is kept?"),
        eyebrow=_("Retention"), eyebrow_url=url_for("orgs.edit_retention"),
        facts=[(str(RETENTION_LABELS[name]), _("%(now)s → %(new)s", now=now, new=new))
               for name, (now, new) in shorter.items()],
        consequences=[_("At the next nightly run, what is older than the shorter periods above is deleted."),
                      _("The other periods are saved as they are.")],
        undo=_("This cannot be undone: deleted data cannot be recovered. Until the nightly run you can set the "
               "longer periods again and nothing is deleted."),
        button=_("Shorten and save"), back=url_for("orgs.edit_retention"),
        hidden={**values, "submit": "1"}, form_sent=True)


def _filtered() -> tuple[AuditFilterForm, AuditFilter | None]:
    """The filter form from the query string, and the filter (None when refused: the form then carries why)."""
    form = AuditFilterForm(request.args)
    form.set_choices(actors_of(current_user.organisation_id))
    try:
        return form, parse_filter(request.args)
    except Refused as refused:
        show_refusal(form, refused)
        return form, None


@bp.get("/audit")
@permission_required("admin")
def list_audit_records():
    form, chosen = _filtered()
    if chosen is None:
        return render_template("orgs/audit.html", form=form, page=None, args={}, action_label=action_label), 400
    page = db.paginate(records_query(current_user.organisation_id, chosen), page=page_number(),
                       per_page=current_app.config["PAGE_SIZE"])
    return render_template("orgs/audit.html", form=form, page=page, args=chosen.as_args(), action_label=action_label)


@bp.get("/audit.csv")
@permission_required("admin")
def export_audit_records():
    form, chosen = _filtered()
    if chosen is None:
        return render_template("orgs/audit.html", form=form, page=None, args={}, action_label=action_label), 400
    rows = csv_rows(current_user.organisation_id, chosen)
    return csv_download(csv_bytes(CSV_COLUMNS, rows, csv_delimiter()), "audit-trail")
