"""Roster CSV import and export, and invitation links."""
from ...auth.access import permission_required
from . import bp


@bp.get("/roster/import")
@permission_required("admin")
def import_roster():
    return ""


@bp.get("/invitations")
@permission_required("admin")
def list_invitations():
    return ""
