"""Organisation settings, teams, job roles and people."""
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import get_in_organisation, permission_required
from ...auth.invitations import invitation_url
from ...confirming import ask_first, confirmed
from ...extensions import db
from ...i18n import current_language
from ...params import page_number
from ...refusals import Refused, form_status, show_refusal
from .. import operations, service
from ..forms import JobRoleForm, JobRoleNamesForm, OrganisationForm, PersonForm, TeamForm
from ..models import JobRole, Person, Team
from ..operations import PersonDetails
from . import bp

# Organisation ------------------------------------------------------------------------------------------------

@bp.route("/organisation", methods=["GET", "POST"])
@permission_required("admin")
def edit_organisation():
    organisation = current_user.organisation
    form = OrganisationForm(obj=organisation)
    if form.validate_on_submit():
        try:
            operations.update_organisation_settings(
                organisation, name=form.name.data, default_language=form.default_language.data,
                anonymity_threshold=form.anonymity_threshold.data, benchmark_opt_in=form.benchmark_opt_in.data,
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The organisation settings are saved."), "success")
            return redirect(url_for("orgs.edit_organisation"))
    return render_template("orgs/organisation.html", form=form, organisation=organisation), form_status(form)


# Teams -------------------------------------------------------------------------------------------------------

@bp.route("/teams", methods=["GET", "POST"])
@permission_required("admin")
def list_teams():
    organisation_id = current_user.organisation_id
    form = TeamForm()
    form.set_parent_choices(service.team_paths(organisation_id))
    if form.validate_on_submit():
        try:
            team = operations.create_team(current_user.organisation, form.name.data, form.parent_id.data)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("Team %(name)s is created.", name=team.name), "success")
            return redirect(url_for("orgs.list_teams"))
    return render_template("orgs/teams.html", tree=service.team_tree(organisation_id), form=form), form_status(form)


@bp.route("/teams/<int:team_id>/edit", methods=["GET", "POST"])
@permission_required("admin")
def edit_team(team_id: int):
    team = get_in_organisation(Team, team_id)
    paths = service.team_paths(team.organisation_id)
    form = TeamForm(obj=team)
    form.set_parent_choices(paths, exclude=operations.team_and_sub_teams(team))
    if form.validate_on_submit():
        try:
            operations.update_team(team, form.name.data, form.parent_id.data)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("Team %(name)s is saved.", name=team.name), "success")
            return redirect(url_for("orgs.list_teams"))
    return render_template("orgs/team_form.html", form=form, team=team, path=paths[team.id]), form_status(form)


@bp.route("/teams/<int:team_id>/delete", methods=["GET", "POST"])
@permission_required("admin")
def delete_team(team_id: int):
    team = get_in_organisation(Team, team_id)
    name = team.name
    if not confirmed():
        return ask_first(
            title=_("Delete the team %(name)s?", name=name), eyebrow=_("Teams"),
            eyebrow_url=url_for("orgs.list_teams"),
            consequences=[_("The team %(path)s is deleted; a team can be deleted only once it has no people and no "
                            "sub-teams.", path=team.path),
                          _("Campaigns already opened keep it in the population they froze.")],
            undo=_("This cannot be undone: to get it back, create the team again."),
            button=_("Delete the team"), back=url_for("orgs.list_teams"))
    try:
        operations.delete_team(team)
    except Refused as refused:
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(_("Team %(name)s is deleted.", name=name), "success")
    return redirect(url_for("orgs.list_teams"))


# Job roles ---------------------------------------------------------------------------------------------------

@bp.route("/job-roles", methods=["GET", "POST"])
@permission_required("admin")
def list_job_roles():
    form = JobRoleForm()
    if form.validate_on_submit():
        try:
            role = operations.create_job_role(
                current_user.organisation, form.key.data, form.name_en.data, form.name_it.data
            )
        except Refused as refused:
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("Job role %(name)s is created.", name=role.name(current_language())), "success")
            return redirect(url_for("orgs.list_job_roles"))
    return render_template(
        "orgs/job_roles.html", roles=service.job_roles_with_counts(current_user.organisation_id), form=form
    ), form_status(form)


@bp.route("/job-roles/<int:role_id>/edit", methods=["GET", "POST"])
@permission_required("admin")
def edit_job_role(role_id: int):
    role = get_in_organisation(JobRole, role_id)
    form = JobRoleNamesForm(obj=role)
    if form.validate_on_submit():
        try:
            operations.rename_job_role(role, form.name_en.data, form.name_it.data)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("Job role %(name)s is saved.", name=role.name(current_language())), "success")
            return redirect(url_for("orgs.list_job_roles"))
    return render_template("orgs/job_role_form.html", form=form, role=role), form_status(form)


@bp.route("/job-roles/<int:role_id>/delete", methods=["GET", "POST"])
@permission_required("admin")
def delete_job_role(role_id: int):
    role = get_in_organisation(JobRole, role_id)
    name = role.name(current_language())
    if not confirmed():
        return ask_first(
            title=_("Delete the job role %(name)s?", name=name), eyebrow=_("Job roles"),
            eyebrow_url=url_for("orgs.list_job_roles"),
            consequences=[_("The job role %(name)s is deleted with its training path; a job role can be deleted "
                            "only once nobody has it.", name=name)],
            undo=_("This cannot be undone: to get it back, create the job role again."),
            button=_("Delete the job role"), back=url_for("orgs.list_job_roles"))
    try:
        operations.delete_job_role(role)
    except Refused as refused:
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(_("Job role %(name)s is deleted.", name=name), "success")
    return redirect(url_for("orgs.list_job_roles"))


# People ------------------------------------------------------------------------------------------------------

@bp.get("/people")
@permission_required("admin")
def list_people():
    organisation_id = current_user.organisation_id
    q = request.args.get("q", "").strip()
    page = db.paginate(service.people_page_query(organisation_id, q), page=page_number(),
                       per_page=current_app.config["PAGE_SIZE"])
    return render_template("orgs/people.html", page=page, q=q, team_paths=service.team_paths(organisation_id))


def _person_form(person: Person | None) -> PersonForm:
    form = PersonForm(obj=person)
    organisation_id = current_user.organisation_id
    managers = [p for p in service.active_people(organisation_id) if person is None or p.id != person.id]
    if person is not None and person.manager is not None and not person.manager.active:
        managers.append(person.manager)  # keep a deactivated manager selectable until it is changed
    form.set_choices(service.job_roles_of(organisation_id), service.team_paths(organisation_id), managers,
                     current_language())
    return form


def _details(form: PersonForm) -> PersonDetails:
    return PersonDetails(
        email=form.email.data, name=form.name.data, language=form.language.data or None,
        job_role_id=form.job_role_id.data, team_id=form.team_id.data, manager_id=form.manager_id.data,
        permissions=tuple(form.permissions.data or ()), active=form.active.data,
    )


@bp.route("/people/new", methods=["GET", "POST"])
@permission_required("admin")
def new_person():
    form = _person_form(None)
    if form.validate_on_submit():
        try:
            person = operations.create_person(current_user.organisation, _details(form))
        except Refused as refused:
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("%(name)s is created and their invitation is e-mailed to them. The link is below too, in case "
                    "the e-mail does not arrive.", name=person.name), "success")
            return redirect(url_for("orgs.edit_person", person_id=person.id))
    return render_template("orgs/person_form.html", form=form, person=None), form_status(form)


@bp.route("/people/<int:person_id>/edit", methods=["GET", "POST"])
@permission_required("admin")
def edit_person(person_id: int):
    person = get_in_organisation(Person, person_id)
    form = _person_form(person)
    if form.validate_on_submit():
        try:
            operations.update_person(person, _details(form), acting=current_user)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("%(name)s is saved.", name=person.name), "success")
            return redirect(url_for("orgs.edit_person", person_id=person.id))
    link = invitation_url(person) if person.invited and person.active else None
    return render_template("orgs/person_form.html", form=form, person=person, invitation_link=link), form_status(form)
