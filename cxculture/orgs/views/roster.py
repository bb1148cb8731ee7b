"""Roster CSV import and export, and invitation links."""
from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ...auth.access import get_in_organisation, permission_required
from ...auth.invitations import invitation_url
from ...imports import ImportFlow
from ...spreadsheets import csv_bytes, csv_delimiter, csv_download
from ..models import RosterImport
from ..roster import (
    COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    apply_roster_import,
    create_roster_import,
    invited_people,
    people_created_by_import,
    preview_roster_import,
    roster_rows,
)
from ..roster_forms import RosterUploadForm
from ..teams import MAX_DEPTH
from . import bp

INVITATION_COLUMNS = ("email", "name", "invitation_url")


def _invitation_rows(people) -> list[tuple[str, str, str]]:
    return [(p.email, p.name, invitation_url(p)) for p in people if p.invited and p.active]


roster_imports = ImportFlow(
    model=RosterImport,
    store=lambda organisation, person, form, filename, content: create_roster_import(organisation, person,
                                                                                      filename, content),
    plan=preview_roster_import,
    apply=apply_roster_import,
    upload_form=RosterUploadForm,
    upload_template="orgs/roster_import.html",
    preview_template="orgs/roster_preview.html",
    max_bytes=MAX_FILE_BYTES,
    applied_message=lambda result: _("The roster is imported. Created: %(created)s. Updated: %(updated)s.",
                                     created=result.created, updated=result.updated),
    refused_message=_l("The organisation has changed since the preview and some rows can no longer be imported. "
                       "Nothing was changed: see the rows below."),
    upload_context=lambda: {"columns": COLUMNS, "max_rows": MAX_ROWS, "max_depth": MAX_DEPTH},
    applied_url=lambda roster_import: url_for("orgs.show_roster_import_result", import_id=roster_import.id),
)
roster_imports.register(
    bp, guard=permission_required("admin"), upload_rule="/roster/import", upload_endpoint="import_roster",
    preview_rule="/roster/imports/<int:import_id>", preview_endpoint="show_roster_import",
    confirm_endpoint="confirm_roster_import", id_argument="import_id",
)


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
