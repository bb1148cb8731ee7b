"""Pulse pages: leaders and admins run pulse series, everyone invited answers a round on one page, leaders read
the trends (eNPS and pillar scores over the closed rounds)."""
from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ...auth.access import get_in_organisation, permission_required
from ...charts import Series, enps_trend, trend_panel
from ...confirming import ask_first, confirmed
from ...extensions import db
from ...i18n import current_language
from ...pillars import PILLAR_LABELS
from ...refusals import Refused, form_status, show_refusal
from .. import answering, pulses
from ..anonymity import campaign_threshold
from ..answers import Response
from ..forms import PulseSeriesForm, answers_from_form
from ..instruments import dont_know_text, scale_texts
from ..models import PULSE, Campaign, PulseSeries
from ..scoring import SMALL_SAMPLE
from . import bp
from .answer import _blocker, _refusal


def _series_form(instrument) -> PulseSeriesForm:
    form = PulseSeriesForm()
    language = current_language()
    form.item_keys.choices = [(item["key"], item["text"].get(language) or item["text"]["en"])
                              for item in instrument.items]
    form.cadence.choices = [(key, str(label)) for key, (label, _days, _months) in pulses.CADENCES.items()]
    return form


@bp.get("/assessments/pulses")
@permission_required("admin", "leader")
def list_pulses():
    series = pulses.series_of(current_user.organisation_id)
    counts = dict(db.session.execute(
        select(Campaign.series_id, func.count()).where(Campaign.series_id.in_([s.id for s in series]),
                                                       Campaign.status == "closed")
        .group_by(Campaign.series_id)).all())
    return render_template("assessments/pulse_list.html", series=series, closed=counts, cadences=pulses.CADENCES)


@bp.route("/assessments/pulses/new", methods=["GET", "POST"])
@permission_required("admin", "leader")
def create_pulse():
    instrument = pulses.available_instruments(current_user.organisation_id)[0]
    form = _series_form(instrument)
    if request.method == "GET":
        form.cadence.data, form.round_days.data = "monthly", 7
        form.starts_on.data = date.today() + timedelta(days=1)
    if form.validate_on_submit():
        try:
            series = pulses.create_series(current_user.organisation, current_user, **form.values())
        except Refused as refused:
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The pulse series “%(title)s” is created: its first round opens on %(date)s.", title=series.title,
                    date=format_date(series.starts_on, "long")), "success")
            return redirect(url_for("assessments.show_pulse", series_id=series.id))
    return render_template("assessments/pulse_form.html", form=form, instrument=instrument,
                           language=current_language(), chosen=set(form.item_keys.data or []),
                           max_statements=pulses.MAX_STATEMENTS), form_status(form)


@bp.get("/assessments/pulses/<int:series_id>")
@permission_required("admin", "leader")
def show_pulse(series_id: int):
    series = get_in_organisation(PulseSeries, series_id)
    rounds = pulses.rounds_of(series)
    respondents = dict(db.session.execute(
        select(Response.campaign_id, func.count()).where(Response.campaign_id.in_([r.id for r in rounds]))
        .group_by(Response.campaign_id)).all())
    statements = [item for item in series.instrument.items if item["key"] in set(series.item_keys)]
    return render_template("assessments/pulse_page.html", series=series, rounds=rounds[::-1],
                           respondents=respondents, statements=statements, language=current_language(),
                           cadence=pulses.CADENCES[series.cadence][0],
                           next_opens=pulses.next_round_on(series, rounds, date.today())
                           if series.status == "active" else None)


#: Per status change: the status it moves to.
_STATUS_CHANGES = {"pause": "paused", "resume": "active", "stop": "stopped"}


@bp.route("/assessments/pulses/<int:series_id>/pause", methods=["GET", "POST"])
@permission_required("admin", "leader")
def pause_pulse(series_id: int):
    return _change_pulse(series_id, "pause")


@bp.route("/assessments/pulses/<int:series_id>/resume", methods=["GET", "POST"])
@permission_required("admin", "leader")
def resume_pulse(series_id: int):
    return _change_pulse(series_id, "resume")


@bp.route("/assessments/pulses/<int:series_id>/stop", methods=["GET", "POST"])
@permission_required("admin", "leader")
def stop_pulse(series_id: int):
    return _change_pulse(series_id, "stop")


def _change_pulse(series_id: int, change: str):
    """Pause, resume or stop a series, asking first (confirming.ask_first)."""
    series = get_in_organisation(PulseSeries, series_id)
    back = url_for("assessments.show_pulse", series_id=series.id)
    texts = {
        "pause": (_("Pause “%(title)s”?", title=series.title),
                  [_("No new round opens while it is paused; a round open now runs to its closing day.")],
                  _("You can resume it at any time: the next round then opens on its usual day."), _("Pause"), False),
        "resume": (_("Resume “%(title)s”?", title=series.title),
                   [_("Rounds open again on the series' schedule, starting with the next one due.")],
                   _("You can pause it again at any time."), _("Resume"), False),
        "stop": (_("Stop “%(title)s” for good?", title=series.title),
                 [_("No round of this series will open again; a round open now runs to its closing day."),
                  _("The closed rounds and their trends stay.")],
                 _("This cannot be undone: to ask again, create a new pulse series."), _("Stop the series"), True),
    }
    title, consequences, undo, button, danger = texts[change]
    if not confirmed():
        return ask_first(title=title, consequences=consequences, undo=undo, button=button, back=back,
                         eyebrow=_("Pulse surveys"), eyebrow_url=url_for("assessments.list_pulses"), danger=danger,
                         facts=[(_("Pulse series"), series.title)])
    try:
        pulses.set_series_status(series, _STATUS_CHANGES[change])
    except Refused as refused:
        flash(" ".join(refused.errors.values()), "error")
        return redirect(back)
    db.session.commit()
    flash({"pause": _("The series is paused."), "resume": _("The series is running again."),
           "stop": _("The series is stopped.")}[change], "success")
    return redirect(back)


def _point_label(series: PulseSeries, day: date) -> str:
    return format_date(day, "d MMM" if series.cadence in ("weekly", "fortnightly") else "MMM yy")


@bp.get("/assessments/pulses/<int:series_id>/trends")
@permission_required("leader")
def pulse_trends(series_id: int):
    series = get_in_organisation(PulseSeries, series_id)
    language = current_language()
    trends = pulses.pulse_trends(series)
    points = [_point_label(series, r.opens_on) for r in trends.rounds]
    long_points = [format_date(r.opens_on, "long") for r in trends.rounds]

    def panels(line, prefix):
        return {
            "enps": enps_trend(points, [e.score if e else None for e in line.enps], _("eNPS"), long_points,
                               locale=language, chart_id=f"{prefix}-enps"),
            "pillars": [trend_panel(points, Series(str(PILLAR_LABELS[p]), values), locale=language,
                                    chart_id=f"{prefix}-{p}") for p, values in line.pillars],
        }
    return render_template("assessments/pulse_trends.html", series=series, trends=trends, points=long_points,
                           organisation=panels(trends.organisation, "org"),
                           teams=[(line, panels(line, f"team-{index}")) for index, line in enumerate(trends.teams)],
                           pillar_labels=PILLAR_LABELS, small_sample=SMALL_SAMPLE)


# Answering ---------------------------------------------------------------------------------------------------


@bp.route("/assessments/<int:campaign_id>/pulse", methods=["GET", "POST"])
@permission_required("employee")
def answer_pulse(campaign_id: int):
    campaign = get_in_organisation(Campaign, campaign_id)
    if campaign.kind != PULSE:
        abort(404)
    if (blocker := _blocker(campaign)) is not None:
        return _refusal(campaign, blocker)
    items = answering.campaign_items(campaign)
    chosen, problems, enps = {}, {}, None
    if request.method == "POST":
        chosen = answers_from_form(request.form, items)
        enps = request.form.get("enps")
        try:
            answering.submit_pulse(campaign, current_user, chosen, enps)
        except Refused as error:
            db.session.rollback()
            if error.code != "invalid":
                return _refusal(campaign, error.code)
            problems = error.details["problems"]
        else:
            db.session.commit()
            return redirect(url_for("assessments.answer_thanks", campaign_id=campaign.id))
    language = current_language()
    return render_template(
        "assessments/pulse_answer.html", campaign=campaign, items=items, language=language,
        scale=scale_texts(campaign.instrument, language), dont_know=dont_know_text(campaign.instrument, language),
        dont_know_value=answering.DONT_KNOW, chosen={k: str(v) for k, v in chosen.items()},
        enps=enps or "", problems=problems, question=pulses.ENPS_QUESTION,
        threshold=campaign_threshold(campaign), pillar_labels=PILLAR_LABELS,
    ), 400 if problems else 200
