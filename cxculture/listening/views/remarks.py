"""Voice of the customer: logging a remark (everyone), "My remarks", the owner teams' inbox, following a remark up
and the CSV export (leaders and administrators)."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import get_in_organisation, permission_required
from ...extensions import db
from ...i18n import current_language
from ...params import page_number, query_int
from ...refusals import Refused, form_status, show_refusal
from ...spreadsheets import csv_bytes, csv_delimiter, csv_download
from .. import journey, remarks
from ..forms import ButtonForm, CloseRemarkForm, RemarkForm, with_submission_key
from ..models import JourneyStage, Remark, Touchpoint
from . import bp
from .journey import EVERYONE

LABELS = {"channel_labels": remarks.CHANNEL_LABELS, "feeling_labels": remarks.FEELING_LABELS,
          "status_labels": remarks.STATUS_LABELS}


@bp.route("/remarks/new", methods=["GET", "POST"])
@permission_required(*EVERYONE)
def log_remark():
    language = current_language()
    form = RemarkForm()
    form.set_touchpoints(journey.stages_of(current_user.organisation_id), language)
    if request.method == "GET":
        form.touchpoint_id.data = request.args.get("touchpoint", type=int)
        with_submission_key(form)
        db.session.commit()  # the starter journey, given on first use
    if form.validate_on_submit():
        entry = remarks.RemarkEntry(touchpoint_id=form.touchpoint_id.data, channel=form.channel.data or "",
                                    customer_words=form.customer_words.data or "", feeling=form.feeling.data or "",
                                    idea=form.idea.data or "")
        try:
            remark, created = remarks.log_remark(current_user, entry, language=language,
                                                 submission_key=form.submission_key.data)
        except Refused as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            if created:
                team = remark.touchpoint.owner_team
                flash(_("Thank you. %(team)s will follow it up; you will see what was done in “My remarks”.",
                        team=team.name if team else _("Leadership")), "success")
            return redirect(url_for("listening.list_own_remarks"))
    return render_template("listening/remark_form.html", form=form), form_status(form)


@bp.get("/remarks/mine")
@permission_required(*EVERYONE)
def list_own_remarks():
    return render_template("listening/my_remarks.html", remarks=remarks.own_remarks(current_user),
                           language=current_language(), **LABELS)


def _filter_id(name: str, model) -> int | None:
    """A list filter's id, or None; an id outside the organisation is a 404 like any other."""
    value = query_int(name)
    return get_in_organisation(model, value).id if value is not None else None


@bp.get("/remarks")
@permission_required("manager", "leader", "admin")
def list_remarks():
    show = request.args.get("show", "open")
    show = show if show in remarks.FILTERS else "open"
    touchpoint_id, stage_id = _filter_id("touchpoint", Touchpoint), _filter_id("stage", JourneyStage)
    page = db.paginate(remarks.inbox_query(current_user, show, touchpoint_id, stage_id), page=page_number(),
                       per_page=50, error_out=False)
    language = current_language()
    filtered = (db.session.get(Touchpoint, touchpoint_id).name(language) if touchpoint_id else
                db.session.get(JourneyStage, stage_id).name(language) if stage_id else None)
    return render_template("listening/inbox.html", page=page, show=show, touchpoint_id=touchpoint_id,
                           stage_id=stage_id, filtered=filtered,
                           counts=remarks.counts_by_touchpoint(current_user, language), language=language,
                           sees_all=remarks.sees_all(current_user), **LABELS)


def _load(remark_id: int) -> Remark:
    """The remark, when the person may read it: 404 otherwise (never say it exists)."""
    remark = get_in_organisation(Remark, remark_id)
    if not remarks.may_read(current_user, remark):
        abort(404)
    return remark


def _show(remark: Remark, close_form: CloseRemarkForm | None = None):
    close_form = close_form or CloseRemarkForm(formdata=None)
    return render_template("listening/remark.html", remark=remark, close_form=close_form, button=ButtonForm(),
                           may_answer=remarks.may_answer(current_user, remark), language=current_language(),
                           **LABELS), form_status(close_form)


@bp.get("/remarks/<int:remark_id>")
@permission_required(*EVERYONE)
def show_remark(remark_id: int):
    return _show(_load(remark_id))


def _load_to_answer(remark_id: int) -> Remark:
    remark = _load(remark_id)
    if not remarks.may_answer(current_user, remark):
        abort(403)
    return remark


@bp.post("/remarks/<int:remark_id>/acknowledge")
@permission_required("manager", "leader", "admin")
def acknowledge_remark(remark_id: int):
    remark = _load_to_answer(remark_id)
    if ButtonForm().validate_on_submit() and remarks.acknowledge(remark, current_user):
        db.session.commit()
        flash(_("Acknowledged: the person who logged it sees that it is being looked at."), "success")
    return redirect(url_for("listening.show_remark", remark_id=remark.id))


@bp.post("/remarks/<int:remark_id>/close")
@permission_required("manager", "leader", "admin")
def close_remark(remark_id: int):
    remark = _load_to_answer(remark_id)
    form = CloseRemarkForm()
    if form.validate_on_submit():
        try:
            remarks.close_remark(remark, current_user, form.outcome.data or "", language=current_language())
        except Refused as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            flash(_("Closed. The person who logged it can read what was done."), "success")
            return redirect(url_for("listening.list_remarks"))
    return _show(remark, form)


@bp.get("/remarks.csv")
@permission_required("leader", "admin")
def export_remarks():
    language = current_language()
    content = csv_bytes(remarks.CSV_HEADER, remarks.csv_rows(current_user.organisation_id, language),
                        delimiter=csv_delimiter())
    return csv_download(content, "customer-remarks")
