"""Assessment pages for admins and leaders: campaigns and their turnout; for admins: the organisation's instruments."""
from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from ...auth.access import get_in_organisation, permission_required
from ...confirming import ask_first, confirmed
from ...extensions import db
from ...i18n import current_language
from ...orgs import service as orgs
from ...refusals import Refused, form_status, show_refusal
from .. import campaigns as service
from ..forms import (
    CampaignForm,
    add_statement,
    check_instrument,
    read_instrument_form,
    remove_statement,
)
from ..instruments import (
    InstrumentError,
    copied_from,
    copy_instrument,
    copy_into,
    edit_instrument,
    instruments_for,
    sync_shipped_instruments,
)
from ..models import Campaign, Instrument
from . import bp


def _instrument_label(instrument: Instrument) -> str:
    title = instrument.text("title", current_language())
    if instrument.organisation_id is None:
        return _("%(title)s (shipped, version %(version)s)", title=title, version=instrument.version)
    return _("%(title)s (our copy, version %(version)s)", title=title, version=instrument.version)


def _campaign_form(campaign: Campaign | None = None) -> CampaignForm:
    form = CampaignForm(obj=campaign)
    form.set_choices(
        orgs.team_paths(current_user.organisation_id),
        [(i.id, _instrument_label(i)) for i in service.available_instruments(current_user.organisation_id)],
    )
    if campaign is not None and request.method == "GET":
        form.team_ids.data = [t.id for t in campaign.teams]
    return form


# Campaigns ---------------------------------------------------------------------------------------------------


@bp.get("/assessments/campaigns")
@permission_required("admin", "leader")
def list_campaigns():
    return render_template(
        "assessments/campaign_list.html",
        rows=service.list_campaigns(current_user.organisation_id),
        low_turnout=service.LOW_TURNOUT_PERCENT,
    )


@bp.route("/assessments/campaigns/new", methods=["GET", "POST"])
@permission_required("admin", "leader")
def create_campaign():
    form = _campaign_form()
    if request.method == "GET":
        form.opens_on.data = date.today()
        form.closes_on.data = date.today() + timedelta(days=14)
        form.instrument_id.data = form.instrument_id.choices[0][0] if form.instrument_id.choices else None
    if form.validate_on_submit():
        try:
            campaign = service.create_campaign(current_user.organisation, current_user, **form.values())
        except Refused as refused:
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(
                _("The campaign “%(title)s” is created as a draft. Open it when you are ready.", title=campaign.title),
                "success",
            )
            return redirect(url_for("assessments.show_campaign", campaign_id=campaign.id))
    return render_template(
        "assessments/campaign_form.html",
        form=form,
        campaign=None,
        organisation_threshold=current_user.organisation.anonymity_threshold,
    ), form_status(form)


@bp.route("/assessments/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
@permission_required("admin", "leader")
def edit_campaign(campaign_id: int):
    campaign = get_in_organisation(Campaign, campaign_id)
    if campaign.status != "draft":
        flash(_("Only a draft campaign can be edited."), "error")
        return redirect(url_for("assessments.show_campaign", campaign_id=campaign.id))
    form = _campaign_form(campaign)
    if form.validate_on_submit():
        try:
            service.update_campaign(campaign, **form.values())
        except Refused as refused:
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The campaign is saved."), "success")
            return redirect(url_for("assessments.show_campaign", campaign_id=campaign.id))
    return render_template(
        "assessments/campaign_form.html",
        form=form,
        campaign=campaign,
        organisation_threshold=current_user.organisation.anonymity_threshold,
    ), form_status(form)


@bp.get("/assessments/campaigns/<int:campaign_id>")
@permission_required("admin", "leader")
def show_campaign(campaign_id: int):
    return _campaign_page(get_in_organisation(Campaign, campaign_id))


def _campaign_page(campaign: Campaign, threshold_error: str | None = None, status: int = 200):
    paths = orgs.team_paths(campaign.organisation_id)
    turnout = service.campaign_turnout(campaign, paths) if campaign.status != "draft" else None
    return render_template(
        "assessments/campaign_page.html",
        campaign=campaign,
        turnout=turnout,
        threshold=service.campaign_threshold(campaign),
        threshold_error=threshold_error,
        max_threshold=service.MAX_THRESHOLD,
        team_paths=paths,
        language=current_language(),
        open_other=service.open_campaign_of(campaign.organisation_id),
        low_turnout=service.LOW_TURNOUT_PERCENT,
        reopen_refusal=service.reopen_refusal(campaign, current_user) if campaign.status == "closed" else None,
    ), status


@bp.post("/assessments/campaigns/<int:campaign_id>/threshold")
@permission_required("admin", "leader")
def raise_threshold(campaign_id: int):
    campaign = get_in_organisation(Campaign, campaign_id)
    raw = (request.form.get("threshold") or "").strip()
    threshold = int(raw) if raw.isdigit() and len(raw) < 7 else None
    refused = service.threshold_refusal(campaign, threshold)
    if refused is not None:
        return _campaign_page(campaign, refused.errors.get("threshold") or refused.message, 400)
    if not confirmed():
        before = campaign.threshold
        return ask_first(
            title=_("Raise the anonymity threshold of “%(title)s” to %(num)s?", title=campaign.title, num=raw),
            eyebrow=_("Campaigns"), eyebrow_url=_back(campaign),
            facts=[(_("Threshold in force"), str(before)), (_("New threshold"), raw)],
            consequences=[
                _("Every group of this campaign with fewer than %(num)s respondents shows “not enough answers” "
                  "on every page, PDF, export, dashboard and café agenda, and so do groups whose figures could be "
                  "worked out from them.", num=raw),
                *([_("Its results are computed again now.")] if campaign.status == "closed" else []),
            ],
            undo=_("This cannot be undone: once raised, a campaign's threshold is never lowered."),
            button=_("Raise the threshold to %(num)s", num=raw), back=_back(campaign), hidden={"threshold": raw},
            form_sent=True)
    service.raise_threshold(campaign, threshold)
    db.session.commit()
    flash(_("The anonymity threshold is now %(num)s: every figure of this campaign follows it.",
            num=campaign.threshold), "success")
    return redirect(url_for("assessments.show_campaign", campaign_id=campaign.id))


def _back(campaign: Campaign) -> str:
    return url_for("assessments.show_campaign", campaign_id=campaign.id)


@bp.route("/assessments/campaigns/<int:campaign_id>/open", methods=["GET", "POST"])
@permission_required("admin", "leader")
def open_campaign(campaign_id: int):
    campaign = get_in_organisation(Campaign, campaign_id)
    if not confirmed():
        invited = service.invitation_count(campaign) if campaign.status == "draft" else 0
        return ask_first(
            title=_("Open “%(title)s” for answers?", title=campaign.title),
            eyebrow=_("Campaigns"), eyebrow_url=_back(campaign),
            consequences=[
                ngettext("%(num)s person is invited and receives an e-mail inviting them to answer.",
                         "%(num)s people are invited and each receives an e-mail inviting them to answer.", invited),
                _("Who is invited, the teams and the anonymity threshold are frozen now: later changes to teams or "
                  "people do not change this campaign."),
                _("It takes answers from %(opens)s to %(closes)s.", opens=format_date(campaign.opens_on, "long"),
                  closes=format_date(campaign.closes_on, "long")),
            ],
            undo=_("This cannot be undone: the e-mails cannot be called back and the campaign cannot go back to "
                   "draft. You can close it at any time."),
            button=_("Open it and invite %(num)s people", num=invited), back=_back(campaign), danger=False,
            problem=None if campaign.status == "draft" else _("Only a draft campaign can be opened."))
    try:
        service.open_campaign(campaign)
    except Refused as refused:
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(
            ngettext(
                "The campaign is open: %(num)s person is invited.",
                "The campaign is open: %(num)s people are invited.",
                campaign.invited_count,
            ),
            "success",
        )
    return redirect(_back(campaign))


def _closing_facts(campaign: Campaign, stakes) -> list[tuple[str, str]]:
    """What the close and reopen questions state first: who was invited, who answered, the closing date."""
    return [(_("People invited"), str(stakes.invited)), (_("Answers so far"), str(stakes.respondents)),
            (_("Closing date"), format_date(campaign.closes_on, "long"))]


@bp.route("/assessments/campaigns/<int:campaign_id>/close", methods=["GET", "POST"])
@permission_required("admin", "leader")
def close_campaign(campaign_id: int):
    campaign = get_in_organisation(Campaign, campaign_id)
    if not confirmed():
        stakes = service.closing_stakes(campaign)
        return ask_first(
            title=_("Close “%(title)s”?", title=campaign.title),
            eyebrow=_("Campaigns"), eyebrow_url=_back(campaign),
            facts=_closing_facts(campaign, stakes),
            consequences=[
                ngettext("No more answers are accepted: %(num)s invited person who has not answered yet can no "
                         "longer answer.",
                         "No more answers are accepted: %(num)s invited people who have not answered yet can no "
                         "longer answer.", max(stakes.invited - stakes.respondents, 0)),
                *([ngettext("%(num)s person has started answering without sending: those unsent answers are "
                            "deleted.",
                            "%(num)s people have started answering without sending: those unsent answers are "
                            "deleted.", stakes.drafts)] if stakes.drafts else []),
                ngettext("The results of the %(num)s answer are computed and can then be read.",
                         "The results of the %(num)s answers are computed and can then be read.",
                         stakes.respondents),
            ],
            undo=_("You can reopen it, until its closing date, as long as no one has read its results (its results "
                   "page, PDF or export, or the figures shown from it on dashboards, scorecards and café agendas). "
                   "Once anyone has, closing is final."),
            button=_("Close the campaign"), back=_back(campaign),
            problem=None if campaign.status == "open" else _("Only an open campaign can be closed."))
    try:
        service.begin_closing(campaign)
    except Refused as refused:
        flash(str(refused), "error")
    else:
        db.session.commit()
        flash(_("The campaign is closed: no more answers are accepted. Its results are being computed."),
              "success")
    return redirect(_back(campaign))


@bp.route("/assessments/campaigns/<int:campaign_id>/reopen", methods=["GET", "POST"])
@permission_required("admin", "leader")
def reopen_campaign(campaign_id: int):
    campaign = get_in_organisation(Campaign, campaign_id)
    refusal = service.reopen_refusal(campaign, current_user)
    if refusal is not None or not confirmed():
        stakes = service.closing_stakes(campaign)
        return ask_first(
            title=_("Reopen “%(title)s”?", title=campaign.title),
            eyebrow=_("Campaigns"), eyebrow_url=_back(campaign),
            facts=_closing_facts(campaign, stakes),
            consequences=[
                ngettext("It takes answers again until %(date)s from the people invited when it opened: %(num)s "
                         "person who has not answered can answer; who already answered cannot answer twice.",
                         "It takes answers again until %(date)s from the people invited when it opened: %(num)s "
                         "people who have not answered can answer; who already answered cannot answer twice.",
                         max(stakes.invited - stakes.respondents, 0),
                         date=format_date(campaign.closes_on, "long")),
                ngettext("The %(num)s answer already given is kept.", "The %(num)s answers already given are kept.",
                         stakes.respondents),
                _("The people, teams and anonymity threshold frozen when it opened stay as they are; nobody new is "
                  "invited."),
                _("Its results are deleted and computed again when it closes."),
                _("No e-mail is sent again; reminders still due before the closing date go to those who have not "
                  "answered."),
            ],
            undo=_("You can close it again at any time."),
            button=_("Reopen the campaign"), back=_back(campaign), danger=False,
            problem=refusal.message if refusal is not None else None)
    service.reopen_campaign(campaign, current_user)
    db.session.commit()
    flash(_("The campaign is open again until %(date)s.", date=format_date(campaign.closes_on, "long")), "success")
    return redirect(_back(campaign))


# Instruments -------------------------------------------------------------------------------------------------


def _instrument_in_reach(instrument_id: int) -> Instrument:
    """The shipped instrument or one of the organisation's own; 404 for another organisation's."""
    instrument = db.session.get(Instrument, instrument_id)
    if instrument is None or instrument.organisation_id not in (None, current_user.organisation_id):
        abort(404)
    return instrument


def _campaign_uses(instrument_ids: list[int]) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Campaign.instrument_id, func.count())
            .where(Campaign.organisation_id == current_user.organisation_id, Campaign.instrument_id.in_(instrument_ids))
            .group_by(Campaign.instrument_id)
        ).all()
    )


def _is_newest(instrument: Instrument) -> bool:
    return any(i.id == instrument.id for i in instruments_for(current_user.organisation_id))


@bp.get("/assessments/instruments")
@permission_required("admin")
def list_instruments():
    sync_shipped_instruments()
    db.session.commit()
    instruments = instruments_for(current_user.organisation_id)
    own_keys = {i.key for i in instruments if i.organisation_id is not None}
    return render_template(
        "assessments/instrument_list.html",
        instruments=instruments,
        own_keys=own_keys,
        copied=copied_from(current_user.organisation_id),
        uses=_campaign_uses([i.id for i in instruments]),
        language=current_language(),
    )


@bp.post("/assessments/instruments/<int:instrument_id>/copy")
@permission_required("admin")
def copy_instrument_view(instrument_id: int):
    source = _instrument_in_reach(instrument_id)
    own = [
        i
        for i in instruments_for(current_user.organisation_id)
        if i.organisation_id is not None and i.key == source.key
    ]
    if own and source.organisation_id is None and source.id not in copied_from(current_user.organisation_id):
        # A newer shipped version than the one the copy started from: it becomes the copy's next version.
        newer = copy_into(own[0], source)
        db.session.commit()
        flash(_("Version %(shipped)s of the shipped questionnaire is now version %(version)s of your copy: change "
                "its statements below. Your earlier versions, and the campaigns that use them, stay as they are.",
                shipped=source.version, version=newer.version), "success")
        return redirect(url_for("assessments.edit_instrument_view", instrument_id=newer.id))
    if own:
        flash(_("You already have your own copy of this questionnaire: edit it instead."), "info")
        return redirect(url_for("assessments.edit_instrument_view", instrument_id=own[0].id))
    copy = copy_instrument(current_user.organisation_id, source, source.key)
    db.session.commit()
    flash(
        _("Your own copy is ready: change its statements below. The shipped questionnaire stays as it is."), "success"
    )
    return redirect(url_for("assessments.edit_instrument_view", instrument_id=copy.id))


@bp.get("/assessments/instruments/<int:instrument_id>")
@permission_required("admin")
def show_instrument(instrument_id: int):
    instrument = _instrument_in_reach(instrument_id)
    return render_template(
        "assessments/instrument_page.html",
        instrument=instrument,
        language=current_language(),
        editable=instrument.organisation_id is not None and _is_newest(instrument),
        uses=_campaign_uses([instrument.id]).get(instrument.id, 0),
    )


@bp.route("/assessments/instruments/<int:instrument_id>/edit", methods=["GET", "POST"])
@permission_required("admin")
def edit_instrument_view(instrument_id: int):
    instrument = _instrument_in_reach(instrument_id)
    if instrument.organisation_id is None:
        flash(_("The shipped questionnaire cannot be changed: make your own copy and edit that."), "info")
        return redirect(url_for("assessments.show_instrument", instrument_id=instrument.id))
    if not _is_newest(instrument):
        flash(_("This is an older version: edit the newest one."), "info")
        return redirect(url_for("assessments.list_instruments"))
    uses = _campaign_uses([instrument.id]).get(instrument.id, 0)
    if request.method == "GET":
        return render_template(
            "assessments/instrument_form.html",
            instrument=instrument,
            content=instrument.content,
            errors={},
            language=current_language(),
            uses=uses,
        )
    edit = read_instrument_form(request.form, instrument.content)
    if request.form.get("add"):
        add_statement(edit, request.form["add"])
    elif request.form.get("remove"):
        remove_statement(edit, request.form["remove"])
    else:
        content = check_instrument(edit)
        if content is not None:
            try:
                saved = edit_instrument(instrument, content)
            except InstrumentError as error:
                for problem in error.problems:
                    edit.add_error("", problem)
            else:
                db.session.commit()
                if saved.id != instrument.id:
                    flash(
                        _(
                            "A campaign uses version %(old)s, so your changes are saved as version %(new)s. "
                            "Campaigns already created keep the version they started with.",
                            old=instrument.version,
                            new=saved.version,
                        ),
                        "success",
                    )
                else:
                    flash(_("Your questionnaire is saved."), "success")
                return redirect(url_for("assessments.show_instrument", instrument_id=saved.id))
    status = 400 if edit.errors else 200
    return render_template(
        "assessments/instrument_form.html",
        instrument=instrument,
        content=edit.content,
        errors=edit.errors,
        language=current_language(),
        uses=uses,
    ), status
