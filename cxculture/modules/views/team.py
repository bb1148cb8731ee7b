"""Training pages for managers (their team's matrix and assignments) and leaders (the whole organisation)."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import get_in_organisation, permission_required
from ...confirming import ask_first, confirmed
from ...extensions import db
from ...i18n import current_language
from ...orgs import service as orgs
from ...orgs.models import JobRole
from ...params import MAX_ID, page_number, query_int, whole_number
from ...refusals import Refused, form_status, show_refusal
from ...spreadsheets import csv_bytes, csv_delimiter, csv_download
from .. import assignments as assigning
from .. import reports
from ..models import Assignment
from ..team_forms import AssignModuleForm
from . import bp
from .completion import completion_chart

#: Choices of the "people per page" menu of the organisation-wide matrix; "all" is MAX_PER_PAGE.
PER_PAGE_CHOICES = (25, 100, 500)



def _day_formatter():
    """Formats dates as the matrix shows them ("3 Feb 26"), each distinct day once: a matrix repeats the same days
    thousands of times, and formatting a date in the page's language is slow."""
    formatted: dict[tuple[date, str], str] = {}

    def day(value: date, pattern: str) -> str:
        if (value, pattern) not in formatted:
            formatted[value, pattern] = format_date(value, pattern)
        return formatted[value, pattern]

    return day


def _csv_download(matrix: reports.Matrix, what: str) -> Response:
    """The matrix as a spreadsheet file."""
    header, rows = reports.matrix_csv_table(matrix)
    return csv_download(csv_bytes(header, rows, csv_delimiter()), what)


# Managers ----------------------------------------------------------------------------------------------------

@bp.get("/team/training")
@permission_required("manager")
def show_team_training():
    plans = reports.team_plans(current_user)
    matrix = reports.progress_matrix(plans, current_language())
    months = reports.completion_by_month(plans, date.today())
    chart = completion_chart(months, "team-completion")
    return render_template("modules/team_training.html", matrix=matrix, summary=reports.completion(matrix.rows),
                           day=_day_formatter(), completion=(chart, months) if chart else None)


@bp.get("/team/training.csv")
@permission_required("manager")
def export_team_training():
    return _csv_download(reports.team_matrix(current_user, current_language()), "team-training")


def _assign_form_choices(form: AssignModuleForm, language: str):
    members = list(db.session.scalars(orgs.team_members_query(current_user)))
    modules = sorted(assigning.assignable_modules(), key=lambda m: m.current.text("title", language).casefold())
    form.people.choices = [(p.id, p.name) for p in members]
    form.module_id.choices = [("", _("Choose a module"))] + [
        (m.id, m.current.text("title", language)) for m in modules]
    return members


@bp.route("/team/training/assign", methods=["GET", "POST"])
@permission_required("manager")
def assign_modules():
    language = current_language()
    form = AssignModuleForm()
    members = _assign_form_choices(form, language)
    if form.validate_on_submit():
        try:
            result = assigning.assign_module(current_user, form.people.data, form.module_id.data, form.due_date.data,
                                             today=date.today())
        except Refused as refused:
            if refused.code == "unknown-person":
                abort(404)  # never confirm or deny another organisation's people
            show_refusal(form, refused)
        else:
            db.session.commit()
            title = result.module.current.text("title", language)
            if result.created:
                flash(ngettext("“%(module)s” is assigned to %(num)s person.",
                               "“%(module)s” is assigned to %(num)s people.",
                               len(result.created), module=title), "success")
            if result.updated:
                flash(ngettext(
                    "%(names)s already had “%(module)s”: nothing was added twice, the due date was updated.",
                    "%(names)s already had “%(module)s”: nothing was added twice, their due dates were updated.",
                    len(result.updated), names=", ".join(p.name for p in result.updated), module=title), "info")
            return redirect(url_for("modules.assign_modules"))
    return render_template("modules/team_assign.html", form=form, members=members,
                           assignments=assigning.team_assignments(current_user), today=date.today()), form_status(form)


@bp.route("/team/training/assignments/<int:assignment_id>/remove", methods=["GET", "POST"])
@permission_required("manager")
def remove_assignment(assignment_id: int):
    assignment = get_in_organisation(Assignment, assignment_id)
    title = assignment.module.current.text("title", current_language())
    name = assignment.person.name
    if not confirmed():
        return ask_first(
            title=_("Stop assigning “%(module)s” to %(name)s?", module=title, name=name),
            eyebrow=_("Team training"), eyebrow_url=url_for("modules.assign_modules"),
            consequences=[_("It is no longer among the required modules of %(name)s, and its due date goes.",
                            name=name),
                          _("What they already did stays recorded.")],
            undo=_("You can assign it again at any time."), button=_("Remove the assignment"),
            back=url_for("modules.assign_modules"))
    if not assigning.remove_assignment(current_user, assignment):
        abort(403)
    db.session.commit()
    flash(_("“%(module)s” is no longer assigned to %(name)s. What they already did stays recorded.",
            module=title, name=name), "success")
    return redirect(url_for("modules.assign_modules"))


# Leaders -----------------------------------------------------------------------------------------------------

@bp.get("/leadership/training")
@permission_required("leader")
def show_leadership_training():
    organisation_id = current_user.organisation_id
    matrix = reports.progress_matrix(
        reports.plans_for(reports.organisation_people_query(organisation_id)), current_language())
    return render_template(
        "modules/team_leadership.html",
        total=reports.completion(matrix.rows),
        leadership=reports.completion(r for r in matrix.rows if r.leadership),
        by_team=reports.completion_by(matrix.rows, "team"),
        by_role=reports.completion_by(matrix.rows, "job_role"),
    )


def _matrix_filters() -> dict:
    """The organisation-wide matrix's filters from the query string; another organisation's ids answer 404."""
    organisation_id = current_user.organisation_id
    team_id = query_int("team")
    job_role_id = query_int("job_role")
    team_ids = None
    if team_id is not None:
        team_ids = orgs.team_with_subteams(organisation_id, team_id)
        if team_ids is None:
            abort(404)
    if job_role_id is not None:
        get_in_organisation(JobRole, job_role_id)
    return {"team": team_id, "job_role": job_role_id,
            "query": reports.organisation_people_query(organisation_id, team_ids, job_role_id)}


def _per_page() -> int:
    value = request.args.get("per_page", "")
    if value == "all":
        return reports.MAX_PER_PAGE
    number = whole_number(value, 1, MAX_ID)  # a menu choice: anything else shows the default page size
    if number is None:
        return current_app.config["PAGE_SIZE"]
    return min(number, reports.MAX_PER_PAGE)


@bp.get("/leadership/training/matrix")
@permission_required("leader")
def show_organisation_matrix():
    language = current_language()
    filters = _matrix_filters()
    per_page = _per_page()
    page, plans = reports.plans_for_page(filters["query"], page_number(), per_page)
    matrix = reports.progress_matrix(plans, language)
    organisation_id = current_user.organisation_id
    return render_template(
        "modules/team_organisation_matrix.html", matrix=matrix, page=page, day=_day_formatter(),
        team=filters["team"], job_role=filters["job_role"],
        per_page="all" if per_page == reports.MAX_PER_PAGE else per_page,
        per_page_choices=PER_PAGE_CHOICES,
        teams=sorted(orgs.team_paths(organisation_id).items(), key=lambda item: item[1].casefold()),
        job_roles=orgs.job_roles_of(organisation_id),
    )


@bp.get("/leadership/training/matrix.csv")
@permission_required("leader")
def export_organisation_matrix():
    filters = _matrix_filters()
    return _csv_download(reports.progress_matrix(reports.plans_for(filters["query"]), current_language()),
                         "training-matrix")
