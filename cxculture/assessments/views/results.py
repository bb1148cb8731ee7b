"""Assessment pages: results for leaders, admins and managers, the employee summary, CSV and PDF exports."""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, redirect, render_template, request, url_for
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from ...auth.access import get_in_organisation, permission_required
from ...charts import (
    Distribution,
    Series,
    distribution_bars,
    distribution_swatch,
    pillar_trend_panels,
    radar_chart,
    statement_bar,
)
from ...downloads.offer import offer_html
from ...extensions import db
from ...i18n import current_language
from ...params import MAX_ID, whole_number
from ...refusals import Refused
from ...spreadsheets import csv_delimiter, csv_download
from ...util import PageCache
from .. import export
from ..models import Campaign
from ..results.access import results_refused
from ..results.figures import CampaignResults
from ..results.report import campaign_results, results_version
from ..results.summary import latest_closed_campaign, organisation_summary, pillar_trend
from . import bp

RESULT_PERMISSIONS = ("leader", "admin", "manager")
#: How many rendered results pages of closed campaigns each process keeps (the least recently read go first).
RESULT_PAGES_KEPT = 64


@bp.app_template_filter("alpha")
def format_alpha(value: float | None) -> str:
    return "" if value is None else format_decimal(value, "0.00")


def _refused(refusal: Refused, campaign: Campaign):
    return render_template("assessments/results_refused.html", campaign=campaign, message=refusal.message), 400


def _requested_filter() -> tuple[int | None, int | None]:
    """The team and job-role filter of the request; refuses one that is not a number."""
    team_id = whole_number(request.args.get("team"), 1, MAX_ID)
    job_role_id = whole_number(request.args.get("job_role"), 1, MAX_ID)
    if (request.args.get("team") and team_id is None) or (request.args.get("job_role") and job_role_id is None):
        raise results_refused("bad-filter")
    return team_id, job_role_id


def _results_or_refusal(campaign: Campaign):
    """The viewer's results for the requested filter, or the page refusing it."""
    try:
        team_id, job_role_id = _requested_filter()
        return campaign_results(campaign, current_user, current_language(), team_id=team_id,
                                job_role_id=job_role_id), None
    except Refused as refusal:
        if refusal.code == "no-access":
            abort(403)
        return None, _refused(refusal, campaign)


def _campaign_with_results(campaign_id: int) -> Campaign:
    campaign = get_in_organisation(Campaign, campaign_id)
    if campaign.status == "draft":
        abort(404)
    return campaign


def overview_charts(results: CampaignResults, chart_prefix: str = "results") -> dict:
    """The radar and bars of the overview, and the leadership-vs-everyone radar, as SVG Markup; and the name of
    what the radar's dashed line shows (radar_dashed) for the caption under it."""
    language = current_language()
    labels = [p.label for p in results.pillars]
    charts = {}
    if results.pillars and results.focus_visible:
        background = _radar_background(results)
        charts["radar"] = radar_chart(labels, [Series(results.focus_label or _("Score"), results.scores()),
                                               *background],
                                      _("Pillar scores (1 to 5)"), locale=language, chart_id=f"{chart_prefix}-radar")
        charts["radar_dashed"] = background[0].label if background else None
        charts["bars"] = distribution_bars(
            [Distribution(p.label, p.figure.favourable, p.figure.neutral, p.figure.unfavourable, p.figure.hidden)
             for p in results.pillars],
            _("Favourable, neutral and unfavourable answers per pillar"), locale=language,
            chart_id=f"{chart_prefix}-bars")
        charts.update(statement_charts(results, chart_prefix))
    if results.gaps and not results.gap_hidden:
        charts["gap"] = radar_chart(
            [row.label for row in results.gaps],
            [Series(_("Leadership"), [row.leadership.score for row in results.gaps]),
             Series(_("Everyone else"), [row.others.score for row in results.gaps])],
            _("Leadership and everyone else, per pillar (1 to 5)"), locale=language, chart_id=f"{chart_prefix}-gap")
    trend = organisation_trend(results, chart_prefix) if results.focus_visible else None
    if trend is not None:
        charts["trend"] = trend
    return charts


def statement_charts(results: CampaignResults, chart_prefix: str = "results") -> dict:
    """A small distribution bar per shown statement (statement_bars, by statement key: a hidden one, or one too
    few scored, has none) and the key drawn once above the statement tables (statement_key: swatch, words)."""
    language = current_language()
    bars = {}
    for number, item in enumerate(item for pillar in results.items for item in pillar.items):
        figure = item.figure
        if not figure.hidden and figure.favourable is not None:
            bars[item.key] = statement_bar(Distribution(item.text, figure.favourable, figure.neutral,
                                                        figure.unfavourable), locale=language,
                                           chart_id=f"{chart_prefix}-item-{number}")
    if not bars:
        return {}
    parts = (("favourable", _("Favourable (4-5)")), ("neutral", _("Neutral (3)")),
             ("unfavourable", _("Unfavourable (1-2)")))
    key = [(distribution_swatch(part, f"{chart_prefix}-key-{part}"), label) for part, label in parts]
    return {"statement_bars": bars, "statement_key": key}


def _radar_background(results: CampaignResults) -> list[Series]:
    """The dashed line the radar draws the focus against: the larger group a filtered view is compared with
    (report._comparison), else the previous campaign; none when neither may be shown."""
    if results.comparison:
        return [Series(results.comparison_label, results.comparison_scores())]
    # Against a campaign on another questionnaire the changes are on the shared statements only: the dashed
    # line (the earlier scores on all of its statements) would not compare like with like.
    if results.shared_statements is None and all(p.change is not None for p in results.pillars):
        return [Series(results.previous_title or _("Previous campaign"),
                       [p.figure.score - p.change for p in results.pillars])]
    return []


def organisation_trend(results: CampaignResults, chart_prefix: str = "results") -> list[Markup] | None:
    """The whole organisation's pillar scores over its closed campaigns up to this one, a small chart per
    pillar; None for a team's or a role's figures, an open campaign, or fewer than two campaigns to draw."""
    if results.scope != "organisation" or results.filter is not None or results.status != "closed":
        return None
    campaign = db.session.get(Campaign, results.campaign_id)
    language = current_language()
    trend = pillar_trend(campaign.organisation_id, language, until=campaign)
    return pillar_trend_panels(trend, language, f"{chart_prefix}-trend") if trend else None


def _filter_args() -> dict:
    return {key: request.args[key] for key in ("team", "job_role") if request.args.get(key)}


@bp.get("/assessments/<int:campaign_id>/results")
@permission_required(*RESULT_PERMISSIONS)
def show_results(campaign_id: int):
    campaign = _campaign_with_results(campaign_id)
    if campaign.status != "closed":
        return render_template("assessments/results_pending.html", campaign=campaign)
    try:
        version = results_version(campaign, current_user, current_language(), *_requested_filter())
    except Refused as refusal:
        return _refused(refusal, campaign)
    can_act = current_user.can("leader")  # leaders start actions from the figures
    version = version and (*version, can_act)
    body = _kept_pages().get(version)
    if body is None:
        results, refusal = _results_or_refusal(campaign)
        if refusal:
            return refusal
        body = render_template("assessments/_results_body.html", campaign=campaign, results=results,
                               charts=overview_charts(results) if results.visible else {}, filters=_filter_args(),
                               can_act=can_act)
        _kept_pages().put(version, body)
    return render_template("assessments/results_page.html", title=campaign.title, body=Markup(body))


def _kept_pages() -> PageCache:
    """This app's rendered closed-campaign results (in each process: what is kept never changes, see
    report.results_version, so processes need not share it)."""
    return current_app.extensions.setdefault("cxculture_results_pages", PageCache(RESULT_PAGES_KEPT))


@bp.get("/assessments/<int:campaign_id>/results.csv")
@permission_required(*RESULT_PERMISSIONS)
def export_results_csv(campaign_id: int):
    campaign = _campaign_with_results(campaign_id)
    if campaign.status != "closed":
        abort(404)
    results, refusal = _results_or_refusal(campaign)
    if refusal:
        return refusal
    return csv_download(export.results_csv(results, delimiter=csv_delimiter()), f"culture-results-{campaign.id}")


@bp.get("/assessments/<int:campaign_id>/results.pdf")
@permission_required(*RESULT_PERMISSIONS)
def export_results_pdf(campaign_id: int):
    campaign = _campaign_with_results(campaign_id)
    if campaign.status != "closed":
        abort(404)
    results, refusal = _results_or_refusal(campaign)
    if refusal:
        return refusal
    html = render_results_pdf_html(results, current_user.organisation.name)
    filename = f"{current_user.organisation.slug}-culture-results-{campaign.id}.pdf"
    return offer_html(html, title=_("Culture results: %(campaign)s", campaign=campaign.title), filename=filename)


def render_results_pdf_html(results: CampaignResults, organisation_name: str) -> str:
    """The HTML WeasyPrint turns into the results report (kept apart so tests can read it)."""
    return render_template("assessments/results_pdf.html", results=results, organisation_name=organisation_name,
                           charts=overview_charts(results, "pdf") if results.visible else {},
                           language=current_language(), generated_on=date.today())


@bp.get("/assessments/<int:campaign_id>/summary")
@login_required
def show_summary(campaign_id: int):
    """Every employee's view once the campaign is closed: the organisation's pillar scores only."""
    campaign = _campaign_with_results(campaign_id)
    if campaign.status != "closed":
        return render_template("assessments/results_pending.html", campaign=campaign, summary=True)
    results = organisation_summary(campaign)
    return render_template("assessments/results_summary.html", campaign=campaign, results=results,
                           charts=overview_charts(results, "summary") if results.visible else {})


@bp.get("/assessments/results/latest")
@permission_required(*RESULT_PERMISSIONS)
def show_latest_results():
    campaign = latest_closed_campaign(current_user.organisation_id)
    if campaign is None:
        return render_template("assessments/results_pending.html", campaign=None)
    return redirect(url_for("assessments.show_results", campaign_id=campaign.id))
