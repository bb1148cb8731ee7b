"""Scorecards: a person's own (/learn/scorecard), a manager's team (/team/scorecards), HR's view of everyone
(/hr/scorecards), one person's page and PDF (/scorecards/<id>), and team packs as one PDF."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, g, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import get_in_organisation, permission_required
from ...charts import TargetBar, target_bar
from ...extensions import db
from ...i18n import current_language
from ...orgs import service as orgs
from ...orgs.models import Person
from ...params import page_number
from ...pdf import PdfRenderError, render_pdf
from ...pillars import PILLAR_LABELS
from ...refusals import Refused
from .. import scorecards as service
from ..periods import last_closed_period, recent_periods
from . import bp

#: People per page of HR's scorecard list.
PER_PAGE = 50

#: Statuses and trends as the pages and PDFs say them (called inside the reader's locale).
STATUS_LABELS = {
    service.MET: lambda: _("Met"),
    service.BELOW_TARGET: lambda: _("Below target"),
    service.BELOW_THRESHOLD: lambda: _("Below threshold"),
    service.NO_VALUE: lambda: _("No value"),
}
TREND_LABELS = {
    service.BETTER: lambda: _("Better"),
    service.WORSE: lambda: _("Worse"),
    service.SAME: lambda: _("Same"),
    service.NEW: lambda: _("New"),
}



def _period():
    """The quarter asked for (?period=2026-Q3), by default the last closed one; None when it is not a quarter."""
    text = request.args.get("period", "").strip()
    if not text:
        return last_closed_period()
    try:
        return service.parse_period(text)
    except Refused:
        return None


def _period_refused():
    text = request.args.get("period", "")[:40]
    return render_template("kpis/scorecard_error.html", title=_("Not a quarter"), message=_(
        "“%(period)s” is not a quarter: write it like %(example)s.", period=text,
        example=str(last_closed_period()))), 400


def _helpers(locale: str) -> dict:
    """What scorecard templates format with, in `locale`."""
    return {
        "value": lambda number, unit: service.format_value(number, unit, locale),
        "change": lambda number, unit: service.format_change(number, unit, locale, points=_("pts")),
        "status_label": lambda status: STATUS_LABELS[status]() if status else "",
        "trend_label": lambda trend: TREND_LABELS[trend]() if trend else "",
        "bar": lambda line, chart_id=None: _bar(line, locale, chart_id),
        "periods": [str(p) for p in recent_periods(8)],
        "pillar_label": lambda key: str(PILLAR_LABELS[key]),
    }


def _bar(line: service.KpiLine, locale: str, chart_id: str | None = None):
    """The line's value against its target as a small SVG bar."""
    return target_bar(TargetBar(line.name, line.value, line.target, line.threshold, line.status,
                                service.format_value(line.value, line.unit, locale),
                                service.format_value(line.target, line.unit, locale)), chart_id)


# Pages ------------------------------------------------------------------------------------------------------

@bp.get("/learn/scorecard")
@permission_required("employee")
def show_own_scorecard():
    period = _period()
    if period is None:
        return _period_refused()
    card = service.scorecard(current_user, period, current_language())
    return render_template("kpis/scorecard_page.html", card=card, own=True, **_helpers(current_language()))


@bp.get("/scorecards/<int:person_id>")
@permission_required("employee", "manager", "hr")
def show_scorecard(person_id: int):
    person = _person_in_reach(person_id)
    period = _period()
    if period is None:
        return _period_refused()
    card = service.scorecard(person, period, current_language())
    return render_template("kpis/scorecard_page.html", card=card, own=person.id == current_user.id,
                           **_helpers(current_language()))


@bp.get("/team/scorecards")
@permission_required("manager")
def list_team_scorecards():
    period = _period()
    if period is None:
        return _period_refused()
    cards = service.scorecards_for(service.team_people_query(current_user), period, current_language())
    return render_template("kpis/scorecard_list.html", cards=cards, period=str(period), audience="team",
                           pack_url=url_for("kpis.download_team_pack", period=str(period)) if cards else None,
                           **_helpers(current_language()))


@bp.get("/hr/scorecards")
@permission_required("hr")
def list_scorecards():
    period = _period()
    if period is None:
        return _period_refused()
    team = _team_filter()
    team_ids = orgs.team_with_subteams(current_user.organisation_id, team.id) if team else None
    people = service.organisation_people_query(current_user.organisation_id, team_ids)
    # A page of people at a time: every scorecard of a large organisation on one page would be slow to build.
    page = db.paginate(people.with_only_columns(Person.id), page=page_number(), per_page=PER_PAGE,
                       error_out=False)
    cards = (service.scorecards_for(people.where(Person.id.in_(page.items)), period, current_language())
             if page.items else [])
    teams = sorted(orgs.team_paths(current_user.organisation_id).items(), key=lambda pair: pair[1].casefold())
    return render_template("kpis/scorecard_list.html", cards=cards, period=str(period), audience="hr",
                           teams=teams, team=team, page=page,
                           pack_url=url_for("kpis.download_hr_pack", period=str(period), team=team.id)
                           if team and cards else None, **_helpers(current_language()))


def _team_filter():
    """The ?team= of HR's pages: None when absent, 404 when it is not a team of the organisation."""
    text = request.args.get("team", "").strip()
    if not text:
        return None
    if not text.isdigit():
        abort(404)
    team = service.team_in_organisation(current_user.organisation_id, int(text))
    if team is None:
        abort(404)
    return team


def _person_in_reach(person_id: int) -> Person:
    person = get_in_organisation(Person, person_id)
    if not service.may_view(current_user, person):
        abort(403)
    return person


# PDFs -------------------------------------------------------------------------------------------------------

def render_scorecard_html(card: service.Scorecard) -> str:
    """The HTML of one scorecard's PDF, in the person's language (kept apart so tests and the bulk run use it)."""
    g.scorecard_render = True  # force_locale switches nothing while g is empty (outside a request)
    with force_locale(card.language):
        return render_template("kpis/scorecard_pdf.html", cards=[card], pack=None, language=card.language,
                               organisation_name=card.organisation, generated_on=date.today(),
                               **_helpers(card.language))


def render_pack_html(pack: service.TeamPack) -> str:
    """The HTML of a team pack: a summary page, then one page per person, as ONE document."""
    g.scorecard_render = True
    with force_locale(pack.language):
        return render_template("kpis/scorecard_pdf.html", cards=pack.scorecards, pack=pack, language=pack.language,
                               organisation_name=pack.scorecards[0].organisation if pack.scorecards else "",
                               generated_on=date.today(), **_helpers(pack.language))


def _pdf_response(html: str, filename: str):
    try:
        pdf = render_pdf(html)
    except PdfRenderError as error:
        return render_template("kpis/scorecard_error.html", title=_("The PDF could not be made"),
                               message=pdf_error_message(error)), 503
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{filename}"'})


def pdf_error_message(error: PdfRenderError) -> str:
    if error.code == "timeout":
        return _("Making the PDF took longer than %(seconds)s seconds and was stopped. Try a smaller team, or ask "
                 "your administrator to run the scorecards in bulk.", seconds=f"{error.limit:g}")
    if error.code == "too-many-pages":
        return _("The PDF would have more than %(pages)s pages and was not made. Choose a smaller team.",
                 pages=f"{error.limit:g}")
    return _("The document is too large to turn into a PDF. Choose a smaller team.")


@bp.get("/scorecards/<int:person_id>.pdf")
@permission_required("employee", "manager", "hr")
def download_scorecard(person_id: int):
    person = _person_in_reach(person_id)
    period = _period()
    if period is None:
        return _period_refused()
    card = service.scorecard(person, period)
    return _pdf_response(render_scorecard_html(card), f"scorecard-{period}-{person.id}.pdf")


@bp.get("/team/scorecards.pdf")
@permission_required("manager")
def download_team_pack():
    period = _period()
    if period is None:
        return _period_refused()
    cards = service.scorecards_for(service.team_people_query(current_user), period, current_language())
    if not cards:
        abort(404)
    title = current_user.team.path if current_user.team else _("Team of %(name)s", name=current_user.name)
    pack = service.team_pack(title, cards, current_user.organisation_id, period, current_language(),
                             current_user.team_id)
    return _pdf_response(render_pack_html(pack), f"team-scorecards-{period}.pdf")


@bp.get("/hr/scorecards.pdf")
@permission_required("hr")
def download_hr_pack():
    period = _period()
    if period is None:
        return _period_refused()
    team = _team_filter()
    if team is None:
        return render_template("kpis/scorecard_error.html", title=_("Choose a team"), message=_(
            "A team pack is made for one team: choose it in the filter first. For the whole organisation, run "
            "the scorecards in bulk.")), 400
    team_ids = orgs.team_with_subteams(current_user.organisation_id, team.id)
    cards = service.scorecards_for(service.organisation_people_query(current_user.organisation_id, team_ids),
                                   period, current_language())
    if not cards:
        abort(404)
    pack = service.team_pack(team.path, cards, current_user.organisation_id, period, current_language(), team.id)
    return _pdf_response(render_pack_html(pack), f"team-scorecards-{period}-{team.id}.pdf")
