"""Roster CSV import and export, and invitation links."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import get_in_organisation, permission_required
from ...auth.invitations import invitation_url
from ...extensions import db
from ...spreadsheets import csv_bytes, csv_delimiter, csv_download, read_upload
from ..models import RosterImport
from ..roster import (
    COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    apply_roster_import,
    create_roster_import,
    invited_people,
    people_created_by_import,
    plan_roster,
    recent_roster_imports,
    roster_rows,
)
from ..roster_forms import ConfirmImportForm, RosterUploadForm
from ..teams import MAX_DEPTH
from . import bp

INVITATION_COLUMNS = ("email", "name", "invitation_url")


def _invitation_rows(people) -> list[tuple[str, str, str]]:
    return [(p.email, p.name, invitation_url(p)) for p in people if p.invited and p.active]


def _render_upload(form: RosterUploadForm, upload_errors=(), status: int = 200):
    return render_template(
        "orgs/roster_import.html", form=form, upload_errors=upload_errors, columns=COLUMNS,
        imports=recent_roster_imports(current_user.organisation_id), max_megabytes=MAX_FILE_BYTES // (1024 * 1024),
        max_rows=MAX_ROWS, max_depth=MAX_DEPTH,
    ), status


@bp.route("/roster/import", methods=["GET", "POST"])
@permission_required("admin")
def import_roster():
    form = RosterUploadForm()
    if not form.validate_on_submit():
        return _render_upload(form, status=422 if form.is_submitted() else 200)
    filename, content, upload_errors = read_upload(form.file.data, MAX_FILE_BYTES)
    if upload_errors:
        return _render_upload(form, upload_errors, status=422)
    roster_import = create_roster_import(current_user.organisation, current_user._get_current_object(), filename,
                                         content)
    db.session.commit()
    return redirect(url_for("orgs.show_roster_import", import_id=roster_import.id))


@bp.get("/roster/imports/<int:import_id>")
@permission_required("admin")
def show_roster_import(import_id: int):
    roster_import = get_in_organisation(RosterImport, import_id)
    if roster_import.applied_at is not None:
        return redirect(url_for("orgs.show_roster_import_result", import_id=import_id))
    plan = plan_roster(current_user.organisation, roster_import.content, current_user._get_current_object())
    upload_form = RosterUploadForm(formdata=None)
    return render_template("orgs/roster_preview.html", roster_import=roster_import, plan=plan,
                           form=ConfirmImportForm(), reupload_form=upload_form)


@bp.post("/roster/imports/<int:import_id>")
@permission_required("admin")
def confirm_roster_import(import_id: int):
    roster_import = get_in_organisation(RosterImport, import_id)
    if not ConfirmImportForm().validate_on_submit():
        abort(400)
    result = apply_roster_import(roster_import, current_user._get_current_object())
    if result.status == "applied":
        db.session.commit()
        flash(_("The roster is imported. Created: %(created)s. Updated: %(updated)s.",
                created=result.created, updated=result.updated), "success")
    elif result.status == "already_applied":
        db.session.rollback()
        flash(_("This import was already applied; nothing was changed this time."), "info")
    else:
        db.session.rollback()
        flash(_("The organisation has changed since the preview and some rows can no longer be imported. "
                "Nothing was changed: see the rows below."), "error")
        return redirect(url_for("orgs.show_roster_import", import_id=import_id))
    return redirect(url_for("orgs.show_roster_import_result", import_id=import_id))


@bp.get("/roster/imports/<int:import_id>/result")
@permission_required("admin")
def show_roster_import_result(import_id: int):
    roster_import = get_in_organisation(RosterImport, import_id)
    if roster_import.applied_at is None:
        return redirect(url_for("orgs.show_roster_import", import_id=import_id))
    created = people_created_by_import(roster_import)
    links = {p.id: invitation_url(p) for p in created if p.invited and p.active}
    return render_template("orgs/roster_result.html", roster_import=roster_import, created=created, links=links)


@bp.get("/roster/imports/<int:import_id>/invitations.csv")
@permission_required("admin")
def export_roster_import_invitations(import_id: int):
    roster_import = get_in_organisation(RosterImport, import_id)
    rows = _invitation_rows(people_created_by_import(roster_import))
    return csv_download(csv_bytes(INVITATION_COLUMNS, rows, csv_delimiter()), f"invitations-import-{import_id}")


@bp.get("/roster/export.csv")
@permission_required("admin")
def export_roster():
    rows = roster_rows(current_user.organisation_id)
    return csv_download(csv_bytes(COLUMNS, rows, csv_delimiter()), "roster")


@bp.get("/invitations")
@permission_required("admin")
def list_invitations():
    people = invited_people(current_user.organisation_id)
    links = {p.id: invitation_url(p) for p in people}
    return render_template("orgs/invitations.html", people=people, links=links)


@bp.get("/invitations.csv")
@permission_required("admin")
def export_invitations():
    rows = _invitation_rows(invited_people(current_user.organisation_id))
    return csv_download(csv_bytes(INVITATION_COLUMNS, rows, csv_delimiter()), "invitations")
