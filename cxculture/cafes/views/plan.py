"""Planning: the list of cafés, planning a café and changing its plan, inviting guests and answering an
invitation."""
from __future__ import annotations

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...auth.access import permission_required
from ...confirming import ask_first, confirmed
from ...extensions import db
from ...pillars import PILLAR_LABELS
from ...refusals import Refused, form_status, show_refusal
from .. import service
from ..access import load_cafe
from ..agenda import draft_agenda
from ..forms import ButtonForm, CafeForm, InviteGuestForm, with_submission_key
from . import bp

#: Where a field of the service is shown when the form names it differently.
FORM_FIELDS = {"starts_at": "day"}


def _plan_from(form: CafeForm) -> service.CafePlan:
    starts_at = datetime.combine(form.day.data, form.time.data) if form.day.data and form.time.data else None
    return service.CafePlan(
        title=form.title.data or "", starts_at=starts_at, duration_minutes=form.duration_minutes.data,
        location=form.location.data or "", video_link=form.video_link.data or "",
        facilitator_id=form.facilitator_id.data, attendee_ids=list(form.attendee_ids.data or []),
        focus_pillars=list(form.focus_pillars.data or []), language=form.language.data or "")


@bp.get("/")
@permission_required("leader")
def list_cafes():
    cafes = service.cafes_of(current_user.organisation_id)
    now = datetime.now()
    return render_template("cafes/list.html", upcoming=[c for c in reversed(cafes) if c.status == "planned"],
                           past=[c for c in cafes if c.status == "held"], now=now,
                           invited=service.invited_cafes(current_user),
                           pending=service.pending_invitations(current_user), button=ButtonForm(),
                           pillar_labels=PILLAR_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@permission_required("leader")
def create_cafe():
    organisation_id = current_user.organisation_id
    form = CafeForm()
    leaders = service.leader_choices(organisation_id)
    form.set_people(leaders)
    if request.method == "GET":
        form.language.data = current_user.organisation.default_language
        form.facilitator_id.data = current_user.id if any(p.id == current_user.id for p in leaders) else None
        form.attendee_ids.data = [p.id for p in leaders]
        with_submission_key(form)
    if form.validate_on_submit():
        try:
            cafe, created = service.create_cafe(organisation_id, _plan_from(form), created_by=current_user,
                                                submission_key=form.submission_key.data)
            if created:
                draft_agenda(cafe, current_user)
        except Refused as error:
            show_refusal(form, error, fields=FORM_FIELDS)
        else:
            db.session.commit()
            if created:
                flash(_("Café “%(title)s” planned. Its agenda is drafted from your data: edit it as you like.",
                        title=cafe.title), "success")
            return redirect(url_for("cafes.show_cafe", cafe_id=cafe.id))
    return render_template("cafes/plan_form.html", form=form, cafe=None), form_status(form)


@bp.route("/<int:cafe_id>/edit", methods=["GET", "POST"])
@permission_required("leader")
def edit_cafe(cafe_id: int):
    cafe, _role = load_cafe(cafe_id)
    form = CafeForm(obj=cafe if request.method == "GET" else None)
    form.set_people(service.leader_choices(cafe.organisation_id))
    if request.method == "GET":
        form.day.data, form.time.data = cafe.starts_at.date(), cafe.starts_at.time()
        form.attendee_ids.data = [a.person_id for a in cafe.attendees if not a.guest]
        form.focus_pillars.data = list(cafe.focus_pillars or [])
    form.submit.label.text = _("Save the plan")
    if form.validate_on_submit():
        try:
            service.update_cafe(cafe, _plan_from(form))
        except Refused as error:
            show_refusal(form, error, fields=FORM_FIELDS)
        else:
            db.session.commit()
            flash(_("Plan saved."), "success")
            return redirect(url_for("cafes.show_cafe", cafe_id=cafe.id))
    return render_template("cafes/plan_form.html", form=form, cafe=cafe), form_status(form)


@bp.route("/<int:cafe_id>/guests", methods=["GET", "POST"])
@permission_required("leader")
def manage_guests(cafe_id: int):
    cafe, _role = load_cafe(cafe_id)
    form = InviteGuestForm()
    if form.validate_on_submit():
        try:
            invitation = service.invite_by_email(cafe, form.email.data, invited_by=current_user)
        except Refused as error:
            show_refusal(form, error)
        else:
            db.session.commit()
            # The same words whether or not the address belongs to anyone who may be invited.
            flash(_("Invitation recorded for %(email)s. If it is the address of a leader of an organisation in the "
                    "benchmark network, they see it in their own cafés and can accept or decline.",
                    email=invitation.email), "success")
            return redirect(url_for("cafes.manage_guests", cafe_id=cafe.id))
    return render_template("cafes/guests.html", cafe=cafe, form=form, invitations=cafe.invitations,
                           button=ButtonForm()), form_status(form)


@bp.route("/<int:cafe_id>/guests/withdraw", methods=["GET", "POST"])
@permission_required("leader")
def withdraw_invitation(cafe_id: int):
    cafe, _role = load_cafe(cafe_id)
    raw = request.values.get("invitation_id", "")
    invitation = next((i for i in cafe.invitations if raw.isdigit() and i.id == int(raw)), None)
    back = url_for("cafes.manage_guests", cafe_id=cafe.id)
    if invitation is None:
        return redirect(back)
    if not confirmed():
        return ask_first(
            title=_("Withdraw the invitation of %(email)s?", email=invitation.email), eyebrow=cafe.title,
            eyebrow_url=back,
            consequences=[_("%(email)s can no longer join “%(title)s” as a guest; if they had accepted, they lose "
                            "their seat and no longer see the café.", email=invitation.email, title=cafe.title)],
            undo=_("You can invite them again; they will have to accept again."),
            button=_("Withdraw the invitation"), back=back, hidden={"invitation_id": invitation.id})
    service.withdraw_invitation(cafe, invitation.id)
    db.session.commit()
    flash(_("Invitation withdrawn."), "success")
    return redirect(back)


def _answer(cafe_id: int, accept: bool):
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("cafes.list_cafes"))
    cafe = service.answer_invitation(cafe_id, current_user, accept=accept)
    if cafe is None:
        abort(404)
    db.session.commit()
    if accept:
        flash(_("You are a guest of “%(title)s”.", title=cafe.title), "success")
        return redirect(url_for("cafes.show_cafe", cafe_id=cafe.id))
    flash(_("Invitation to “%(title)s” declined.", title=cafe.title), "success")
    return redirect(url_for("cafes.list_cafes"))


@bp.post("/<int:cafe_id>/invitation/accept")
@permission_required("leader")
def accept_invitation(cafe_id: int):
    """The invited leader, from their own organisation, accepts and becomes a guest."""
    return _answer(cafe_id, accept=True)


@bp.post("/<int:cafe_id>/invitation/decline")
@permission_required("leader")
def decline_invitation(cafe_id: int):
    return _answer(cafe_id, accept=False)
