"""Assessment pages for everyone invited: the intro, one page per pillar, the open questions, the thank-you.

Every page first asks whether the person may answer now; a closed campaign, a person not invited or one who
has already answered gets a clear page and nothing is stored. A person only ever reads their own draft.
"""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import get_in_organisation, permission_required
from ...extensions import db
from ...i18n import current_language
from ...refusals import Refused
from .. import answering
from .. import campaigns as service
from ..answering import DONT_KNOW, MAX_COMMENT_LENGTH
from ..forms import answers_from_form
from ..instruments import dont_know_text, scale_texts
from ..models import PULSE, Campaign
from . import bp


def _refusal(campaign: Campaign, code: str, status: int | None = None):
    """The page for a person who cannot answer now; nothing was stored."""
    if code == "already-answered":
        if request.method == "POST":
            flash(_("Your answers were already in: nothing was sent twice."), "info")
        return redirect(url_for("assessments.answer_thanks", campaign_id=campaign.id))
    status = status or {"not-invited": 403}.get(code, 409 if request.method == "POST" else 200)
    return render_template("assessments/answer_refused.html", campaign=campaign, code=code,
                           language=current_language()), status


def _blocker(campaign: Campaign) -> str | None:
    """Why the person cannot answer the campaign now, if they cannot (the answered case first, while it is open:
    once closed, nothing says any more who answered)."""
    if campaign.status == "closed":
        return "closed"
    if answering.has_answered(campaign, current_user):
        return "already-answered"
    if not answering.is_invited(campaign, current_user):
        return "not-invited"
    if not answering.is_accepting(campaign):
        return "not-yet" if campaign.status == "open" and campaign.opens_on > date.today() else "closed"
    return None


def _page_url(campaign: Campaign, page: str) -> str:
    if page == service.FINAL_PAGE:
        return url_for("assessments.answer_final", campaign_id=campaign.id)
    return url_for("assessments.answer_pillar", campaign_id=campaign.id, pillar=page)


@bp.get("/assessments/<int:campaign_id>/answer")
@permission_required("employee")
def answer_intro(campaign_id: int):
    campaign = get_in_organisation(Campaign, campaign_id)
    if campaign.kind == PULSE:  # a pulse is answered on one page
        return redirect(url_for("assessments.answer_pulse", campaign_id=campaign.id))
    if (blocker := _blocker(campaign)) is not None:
        return _refusal(campaign, blocker)
    draft = service.own_draft(campaign, current_user)
    page = service.resume_page(campaign, draft)
    return render_template(
        "assessments/answer_intro.html", campaign=campaign, instrument=campaign.instrument, draft=draft,
        language=current_language(), threshold=service.campaign_threshold(campaign),
        resume_url=_page_url(campaign, page),
        pages=service.answer_pages(campaign), completion=service.pillar_completion(campaign, draft),
    )


@bp.route("/assessments/<int:campaign_id>/answer/<pillar>", methods=["GET", "POST"])
@permission_required("employee")
def answer_pillar(campaign_id: int, pillar: str):
    campaign = get_in_organisation(Campaign, campaign_id)
    if campaign.kind == PULSE:  # a pulse is answered on one page
        return redirect(url_for("assessments.answer_pulse", campaign_id=campaign.id))
    pages = service.answer_pages(campaign)
    if pillar not in pages[:-1]:
        abort(404)
    index = pages.index(pillar)
    if (blocker := _blocker(campaign)) is not None:
        return _refusal(campaign, blocker)
    section = campaign.instrument.pillars[index]
    draft = service.own_draft(campaign, current_user)
    chosen = dict(draft.answers.get("items", {})) if draft else {}
    problems: dict[str, str] = {}
    if request.method == "POST":
        action = request.form.get("action", "next")
        posted = answers_from_form(request.form, section["items"])
        target = {"back": pages[index - 1] if index else None, "leave": pillar}.get(action, pages[index + 1])
        missing = [] if action in ("back", "leave") else [
            item["key"] for item in section["items"] if item["key"] not in posted]
        try:
            answering.save_draft(campaign, current_user, posted, {}, page=pillar if missing else (target or pillar))
        except Refused as error:
            if error.code != "invalid":
                return _refusal(campaign, error.code)
            problems = dict.fromkeys(error.details["problems"], "invalid")
            chosen.update({k: v for k, v in posted.items() if k not in problems})
            return _render_pillar(campaign, section, index, chosen, problems), 400
        db.session.commit()
        if missing:
            chosen.update({k: int(v) for k, v in posted.items()})
            return _render_pillar(campaign, section, index, chosen, dict.fromkeys(missing, "missing")), 400
        if action == "leave":
            flash(_("Your answers are saved. Come back before %(date)s to finish.",
                    date=_format_date(campaign.closes_on)), "success")
            return redirect(url_for("home.employee"))
        if target is None:
            return redirect(url_for("assessments.answer_intro", campaign_id=campaign.id))
        return redirect(_page_url(campaign, target))
    return _render_pillar(campaign, section, index, chosen, problems)


def _render_pillar(campaign: Campaign, section: dict, index: int, chosen: dict, problems: dict):
    pages = service.answer_pages(campaign)
    return render_template(
        "assessments/answer_pillar.html",
        campaign=campaign,
        instrument=campaign.instrument,
        pillar=section,
        number=index + 1,
        total=len(pages),
        scale=scale_texts(campaign.instrument, current_language()),
        dont_know=dont_know_text(campaign.instrument, current_language()),
        dont_know_value=DONT_KNOW,
        chosen={k: str(v) for k, v in chosen.items()},
        problems=problems,
        language=current_language(),
        back_url=_page_url(campaign, pages[index - 1])
        if index
        else url_for("assessments.answer_intro", campaign_id=campaign.id),
    )


def _format_date(value) -> str:
    return format_date(value, "long")


@bp.route("/assessments/<int:campaign_id>/answer/final", methods=["GET", "POST"])
@permission_required("employee")
def answer_final(campaign_id: int):
    campaign = get_in_organisation(Campaign, campaign_id)
    if campaign.kind == PULSE:  # a pulse is answered on one page
        return redirect(url_for("assessments.answer_pulse", campaign_id=campaign.id))
    if (blocker := _blocker(campaign)) is not None:
        return _refusal(campaign, blocker)
    pages = service.answer_pages(campaign)
    draft = service.own_draft(campaign, current_user)
    comments = dict(draft.answers.get("open", {})) if draft else {}
    problems: dict[str, str] = {}
    if request.method == "POST":
        action = request.form.get("action", "submit")
        posted = {q["key"]: request.form.get(f"open-{q['key']}", "") for q in campaign.instrument.open_questions}
        try:
            draft = answering.save_draft(
                campaign, current_user, {}, posted, page=pages[-2] if action == "back" else service.FINAL_PAGE
            )
        except Refused as error:
            if error.code != "invalid":
                return _refusal(campaign, error.code)
            comments.update(posted)
            return _render_final(campaign, draft, comments, error.details["problems"]), 400
        if action == "back":
            db.session.commit()
            return redirect(_page_url(campaign, pages[-2]))
        if action == "leave":
            db.session.commit()
            flash(
                _(
                    "Your answers are saved. Come back before %(date)s to finish.",
                    date=_format_date(campaign.closes_on),
                ),
                "success",
            )
            return redirect(url_for("home.employee"))
        try:
            answering.submit(campaign, current_user)
        except Refused as error:
            if error.code != "invalid":
                db.session.rollback()
                return _refusal(campaign, error.code)
            db.session.commit()  # the comments typed on this page are kept in the draft
            return _render_final(campaign, draft, draft.answers.get("open", {}), {}, incomplete=True), 400
        db.session.commit()
        return redirect(url_for("assessments.answer_thanks", campaign_id=campaign.id))
    return _render_final(campaign, draft, comments, problems)


def _render_final(campaign: Campaign, draft, comments: dict, problems: dict, incomplete: bool = False):
    pages = service.answer_pages(campaign)
    return render_template(
        "assessments/answer_final.html",
        campaign=campaign,
        instrument=campaign.instrument,
        comments=comments,
        problems=problems,
        incomplete=incomplete,
        completion=service.pillar_completion(campaign, draft),
        number=len(pages),
        total=len(pages),
        language=current_language(),
        max_length=MAX_COMMENT_LENGTH,
        threshold=service.campaign_threshold(campaign),
        back_url=_page_url(campaign, pages[-2]),
    )


@bp.get("/assessments/<int:campaign_id>/answer/thanks")
@permission_required("employee")
def answer_thanks(campaign_id: int):
    campaign = get_in_organisation(Campaign, campaign_id)
    if not answering.has_answered(campaign, current_user):
        return redirect(url_for("assessments.answer_intro", campaign_id=campaign.id))
    return render_template(
        "assessments/answer_thanks.html",
        campaign=campaign,
        language=current_language(),
        threshold=service.campaign_threshold(campaign),
    )
