"""Organisation settings, teams, job roles and people."""
from flask import render_template

from ...auth.access import permission_required
from . import bp


@bp.get("/organisation")
@permission_required("admin")
def edit_organisation():
    return render_template("home/admin.html")


@bp.get("/people")
@permission_required("admin")
def list_people():
    return ""


@bp.get("/teams")
@permission_required("admin")
def list_teams():
    return ""


@bp.get("/job-roles")
@permission_required("admin")
def list_job_roles():
    return ""
