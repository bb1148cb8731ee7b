"""Scorecards: a person's own (/learn/scorecard), a manager's team (/team/scorecards), HR's view of everyone
(/hr/scorecards), one person's page and PDF (/scorecards/<id>), and team packs as one PDF."""
from __future__ import annotations

import io
import zipfile
from datetime import date

from flask import abort, g, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import get_in_organisation, permission_required
from ...charts import TargetBar, target_bar
from ...downloads.models import Download
from ...downloads.offer import offer_built, offer_html
from ...downloads.service import Progress, fingerprint_of, register_builder, template_source
from ...extensions import db
from ...i18n import current_language
from ...orgs import service as orgs
from ...orgs.models import Person
from ...params import page_number
from ...pdf import render_document, render_pdf, write_pdf
from ...pillars import PILLAR_LABELS
from ...refusals import Refused
from ...util import slugify
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
    card = _without_hr_notes(service.scorecard(current_user, period, current_language()))
    return render_template("kpis/scorecard_page.html", card=card, own=True, **_helpers(current_language()))


def _without_hr_notes(card: service.Scorecard) -> service.Scorecard:
    """A person's own scorecard: what HR is asked to consider about their plan is for HR, not for them."""
    card.conflicts, card.suggestions = [], []
    return card


@bp.get("/scorecards/<int:person_id>")
@permission_required("employee", "manager", "hr")
def show_scorecard(person_id: int):
    person = _person_in_reach(person_id)
    period = _period()
    if period is None:
        return _period_refused()
    card = service.scorecard(person, period, current_language())
    if person.id == current_user.id:
        card = _without_hr_notes(card)
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
                           grid=service.status_grid(cards) if any(card.lines for card in cards) else None,
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
    # A team's grid, as its pack has it; everyone's KPIs side by side would be a grid of every plan's KPIs.
    grid = service.status_grid(cards) if team and any(card.lines for card in cards) else None
    return render_template("kpis/scorecard_list.html", cards=cards, period=str(period), audience="hr",
                           teams=teams, team=team, page=page, grid=grid,
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


# PDFs: made by the job queue (cxculture/downloads), never inside the request -------------------------------

#: People whose scorecards a builder reads from the database at once.
CHUNK = 50


def render_scorecard_html(card: service.Scorecard) -> str:
    """The HTML of one scorecard's PDF, in the person's language (kept apart so tests and the bulk run use it)."""
    return _scorecard_html(card.language, [card], None, card.organisation)


def render_pack_html(pack: service.TeamPack) -> str:
    """The HTML of a team pack as ONE document: a summary page, then one page per person."""
    return _scorecard_html(pack.language, pack.scorecards, pack, _organisation_name(pack))


def _organisation_name(pack: service.TeamPack) -> str:
    return pack.scorecards[0].organisation if pack.scorecards else ""


def _scorecard_html(language: str, cards, pack, organisation_name: str, summary: bool = True) -> str:
    g.scorecard_render = True  # force_locale switches nothing while g is empty (outside a request)
    with force_locale(language):
        grid = service.status_grid(pack.scorecards) if pack and summary and pack.kpis else None
        return render_template("kpis/scorecard_pdf.html", cards=cards, pack=pack, summary=summary, grid=grid,
                               language=language, organisation_name=organisation_name, generated_on=date.today(),
                               **_helpers(language))


def scorecard_fingerprint(card: service.Scorecard) -> str:
    """Everything a scorecard's PDF is made from: the same for a closed quarter until a value, target, plan,
    training or name changes (or the template, with a new release)."""
    return fingerprint_of("kpis.scorecard", card, template_source("kpis/scorecard_pdf.html"))


def _pack_pdf(pack: service.TeamPack, progress: Progress) -> bytes:
    """A team pack: the summary, then each person's scorecard as a document of its own (numbered on its own, so
    each can be handed out), laid out one by one so that the download's page shows how far it is."""
    name, total = _organisation_name(pack), len(pack.scorecards) + 1
    documents = [render_document(_scorecard_html(pack.language, [], pack, name))]
    progress(1, total)
    for done, card in enumerate(pack.scorecards, start=2):
        documents.append(render_document(_scorecard_html(pack.language, [card], pack, name, summary=False)))
        progress(done, total)
    return write_pdf(documents)


def _people_cards(query, period: str, language: str | None = None) -> list[service.Scorecard]:
    ids = list(db.session.scalars(query.with_only_columns(Person.id)))
    cards = []
    for start in range(0, len(ids), CHUNK):
        cards += service.scorecards_for(query.where(Person.id.in_(ids[start:start + CHUNK])), period, language)
    return cards


def build_team_pack(download: Download, progress: Progress) -> bytes:
    """The job of a team pack: the manager's people, or a team with its sub-teams for HR."""
    params, organisation_id = download.params, download.organisation_id
    if params.get("team_id") is not None:
        team_ids = orgs.team_with_subteams(organisation_id, params["team_id"])
        query = service.organisation_people_query(organisation_id, team_ids)
    else:
        manager = db.session.get(Person, download.requested_by_id)
        query = service.team_people_query(manager)
    cards = _people_cards(query, params["period"], params["language"])
    pack = service.team_pack(params["title"], cards, organisation_id, params["period"], params["language"],
                             params.get("pack_team_id"))
    return _pack_pdf(pack, progress)


def build_scorecard_run(download: Download, progress: Progress) -> bytes:
    """The job of HR's run: every person's scorecard (each in the person's language) as PDFs in one ZIP."""
    params, organisation_id = download.params, download.organisation_id
    team_ids = orgs.team_with_subteams(organisation_id, params["team_id"]) if params.get("team_id") else None
    query = service.organisation_people_query(organisation_id, team_ids)
    ids = list(db.session.scalars(query.with_only_columns(Person.id)))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:  # PDFs are compressed already
        done = 0
        for start in range(0, len(ids), CHUNK):
            chunk = query.where(Person.id.in_(ids[start:start + CHUNK]))
            for card in service.scorecards_for(chunk, params["period"]):
                archive.writestr(f"scorecard-{params['period']}-{card.person_id}-{slugify(card.name)}.pdf",
                                 render_pdf(render_scorecard_html(card)))
                done += 1
                progress(done, len(ids))
    return buffer.getvalue()


register_builder("kpis.team_pack", build_team_pack)
register_builder("kpis.scorecard_run", build_scorecard_run)


@bp.get("/scorecards/<int:person_id>.pdf")
@permission_required("employee", "manager", "hr")
def download_scorecard(person_id: int):
    person = _person_in_reach(person_id)
    period = _period()
    if period is None:
        return _period_refused()
    card = service.scorecard(person, period)
    return offer_html(lambda: render_scorecard_html(card), fingerprint=scorecard_fingerprint(card),
                      title=_("Scorecard %(period)s: %(name)s", period=str(period), name=person.name),
                      filename=f"scorecard-{period}-{person.id}.pdf")


@bp.get("/team/scorecards.pdf")
@permission_required("manager")
def download_team_pack():
    period = _period()
    if period is None:
        return _period_refused()
    if not db.session.scalar(service.team_people_query(current_user).with_only_columns(Person.id).limit(1)):
        abort(404)
    title = current_user.team.path if current_user.team else _("Team of %(name)s", name=current_user.name)
    return offer_built("kpis.team_pack", {"period": str(period), "language": current_language(), "title": title,
                                          "pack_team_id": current_user.team_id},
                       title=_("Team scorecards %(period)s: %(team)s", period=str(period), team=title),
                       filename=f"team-scorecards-{period}.pdf")


@bp.get("/hr/scorecards.pdf")
@permission_required("hr")
def download_hr_pack():
    period = _period()
    if period is None:
        return _period_refused()
    team = _team_filter()
    if team is None:
        return render_template("kpis/scorecard_error.html", title=_("Choose a team"), message=_(
            "A team pack is made for one team: choose it in the filter first. For everyone's scorecards, download "
            "them all as a ZIP.")), 400
    team_ids = orgs.team_with_subteams(current_user.organisation_id, team.id)
    people = service.organisation_people_query(current_user.organisation_id, team_ids)
    if not db.session.scalar(people.with_only_columns(Person.id).limit(1)):
        abort(404)
    return offer_built("kpis.team_pack", {"period": str(period), "language": current_language(), "title": team.path,
                                          "team_id": team.id, "pack_team_id": team.id},
                       title=_("Team scorecards %(period)s: %(team)s", period=str(period), team=team.path),
                       filename=f"team-scorecards-{period}-{team.id}.pdf")


@bp.post("/hr/scorecards.zip")
@permission_required("hr")
def download_scorecard_run():
    period = _period()
    if period is None:
        return _period_refused()
    team = _team_filter()
    people = service.organisation_people_query(
        current_user.organisation_id, orgs.team_with_subteams(current_user.organisation_id, team.id) if team else None)
    if not db.session.scalar(people.with_only_columns(Person.id).limit(1)):
        abort(404)
    scope = team.path if team else current_user.organisation.name
    return offer_built("kpis.scorecard_run", {"period": str(period), "team_id": team.id if team else None},
                       title=_("Everyone's scorecards %(period)s: %(scope)s", period=str(period), scope=scope),
                       filename=f"scorecards-{period}{f'-{team.id}' if team else ''}.zip", mimetype="application/zip")
