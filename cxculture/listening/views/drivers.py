"""What drives the results: the leader's page of which pillars go with NPS, CSAT or CES across teams."""
from __future__ import annotations

from flask import render_template, request
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import permission_required
from ...charts import ImportanceBar, importance_bars
from ...i18n import current_language
from ...kpis.formulas import SMALL_SAMPLE
from ...kpis.scorecards import format_value
from ...pillars import PILLAR_LABELS, PILLARS
from ..drivers import MIN_TEAMS, OUTCOMES, DriverAnalysis, drivers_of
from . import bp

#: Who sees the drivers: those who see the organisation's results (assessments.results.access.sees_organisation);
#: a manager sees only their teams, too few to compare.
DRIVER_PERMISSIONS = ("leader", "admin")


def _chart(analysis: DriverAnalysis, locale: str):
    rows = [ImportanceBar(d.label, d.relative, d.score, d.focus) for d in analysis.pillars]
    return importance_bars(rows, _("Relative importance of each pillar for %(outcome)s", outcome=analysis.outcome_name),
                           _("Score"), _("focus"), locale=locale)


@bp.get("/drivers")
@permission_required(*DRIVER_PERMISSIONS)
def show_drivers():
    outcome = request.args.get("outcome", "nps")
    if outcome not in OUTCOMES:
        return render_template("listening/drivers.html", outcomes=OUTCOMES, chosen="nps", analysis=None,
                               error=_("Choose one of the outcomes in the list.")), 400
    language = current_language()
    analysis = drivers_of(current_user.organisation_id, outcome, language)
    return render_template(
        "listening/drivers.html", outcomes=OUTCOMES, chosen=outcome, analysis=analysis, error=None,
        chart=_chart(analysis, language) if analysis.pillars else None, min_teams=MIN_TEAMS,
        small_sample=SMALL_SAMPLE, may_start_action=current_user.can("leader"),
        pillars=[(p, str(PILLAR_LABELS[p])) for p in PILLARS],
        outcome_text=format_value(analysis.organisation_outcome, analysis.unit, language),
        r_squared=format_decimal(analysis.r_squared, "0.00") if analysis.r_squared is not None else "",
        raw_shares={d.pillar: format_decimal(d.raw, "0.000") for d in analysis.pillars},
    )
