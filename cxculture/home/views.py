"""Each permission's home page: a working dashboard, and the tab list between the ones a person holds."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..auth.access import permission_required
from ..charts import pillar_trend_panels
from ..i18n import current_language
from ..listening.remarks import open_count as open_remark_count
from . import dashboards
from .navigation import landing_for

bp = Blueprint("home", __name__)


@bp.get("/")
@login_required
def index():
    home = landing_for(current_user)
    if home is None:
        return render_template("home/no_permission.html")
    return redirect(url_for(home.endpoint))


@bp.get("/home/employee")
@permission_required("employee")
def employee():
    from ..assessments.campaigns import assessment_card
    from ..assessments.pulses import pulses_to_answer
    from ..assessments.results.summary import latest_closed_campaign
    from ..extensions import db
    from ..modules.learning import learner_dashboard
    from ..pillars import PILLAR_LABELS

    dashboard = learner_dashboard(current_user, current_language(), date.today())
    db.session.commit()  # the path certificate, when the plan has just become complete
    from ..assessments.actions import open_actions_owned_by, shared_action_count
    from ..cafes.service import published_decisions

    organisation_id = current_user.organisation_id
    return render_template("home/employee.html", dashboard=dashboard, pillar_labels=PILLAR_LABELS,
                           assessment=assessment_card(current_user), pulse_rounds=pulses_to_answer(current_user),
                           cafe_decisions=published_decisions(organisation_id),
                           latest_results=latest_closed_campaign(organisation_id),
                           shared_actions=shared_action_count(organisation_id),
                           my_actions=open_actions_owned_by(organisation_id, [current_user.id]))


@bp.get("/home/manager")
@permission_required("manager")
def manager():
    today = date.today()
    return render_template("home/manager.html", open_remarks=open_remark_count(current_user),
                           dashboard=dashboards.manager_dashboard(current_user, current_language(), today))


@bp.get("/home/leader")
@permission_required("leader")
def leader():
    today, language = date.today(), current_language()
    dashboard = dashboards.leader_dashboard(current_user, language, today)
    trend = pillar_trend_panels(dashboard.trend, language, "leader-trend") if dashboard.trend else None
    return render_template("home/leader.html", today=today, dashboard=dashboard, trend=trend,
                           open_remarks=open_remark_count(current_user))


@bp.get("/home/hr")
@permission_required("hr")
def hr():
    return render_template("home/hr.html",
                           dashboard=dashboards.hr_dashboard(current_user.organisation_id, current_language(),
                                                             date.today()))


@bp.get("/home/admin")
@permission_required("admin")
def admin():
    return render_template("home/admin.html", dashboard=dashboards.admin_dashboard(current_user.organisation_id))
