"""Each permission's home page."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..auth.access import permission_required
from ..i18n import current_language
from ..modules import reports as training
from ..orgs import service as orgs
from .navigation import navigation_for

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    homes = navigation_for(current_user)
    if not homes:
        return render_template("home/no_permission.html")
    return redirect(url_for(homes[0].endpoint))


@bp.get("/home/employee")
@permission_required("employee")
def employee():
    from datetime import date

    from ..assessments.campaigns import assessment_card
    from ..assessments.results.summary import latest_closed_campaign
    from ..extensions import db
    from ..modules.learning import learner_dashboard
    from ..pillars import PILLAR_LABELS

    dashboard = learner_dashboard(current_user, current_language(), date.today())
    db.session.commit()  # the path certificate, when the plan has just become complete
    from ..cafes.service import published_decisions

    return render_template("home/employee.html", dashboard=dashboard, pillar_labels=PILLAR_LABELS,
                           assessment=assessment_card(current_user),
                           cafe_decisions=published_decisions(current_user.organisation_id),
                           latest_results=latest_closed_campaign(current_user.organisation_id))


@bp.get("/home/manager")
@permission_required("manager")
def manager():
    team_training = training.completion(training.team_matrix(current_user, current_language()).rows)
    return render_template("home/manager.html", reports=orgs.direct_reports(current_user), team_training=team_training)


@bp.get("/home/leader")
@permission_required("leader")
def leader():
    from ..assessments.actions import action_counts
    from ..cafes.service import cafes_of, invited_cafes, pending_invitations

    leaders = training.leadership_matrix(current_user.organisation_id, current_language()).rows
    return render_template(
        "home/leader.html",
        action_counts=action_counts(current_user.organisation_id),
        counts=orgs.organisation_counts(current_user.organisation_id),
        roles=orgs.people_per_job_role(current_user.organisation_id),
        leaders=leaders,
        leadership=training.completion(leaders),
        cafes=cafes_of(current_user.organisation_id)[:3],
        invited_cafes=invited_cafes(current_user),
        pending_invitations=len(pending_invitations(current_user)),
    )


@bp.get("/home/hr")
@permission_required("hr")
def hr():
    return render_template("home/hr.html", roles=orgs.people_per_job_role(current_user.organisation_id))


@bp.get("/home/admin")
@permission_required("admin")
def admin():
    return render_template("home/admin.html", counts=orgs.organisation_counts(current_user.organisation_id))
