"""The administrator's provisioning page: the SCIM address and token, the safety stop, the changes that wait."""
from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..auth.access import permission_required
from ..confirming import ask_first, confirmed
from ..extensions import db
from ..refusals import form_status
from . import service
from .forms import SafetyStopForm
from .models import DEACTIVATE

bp = Blueprint("scim_admin", __name__, url_prefix="/admin/provisioning")


def attention(organisation_id: int) -> list[tuple[str, str, str]]:
    """The administrator's dashboard: changes the safety stop holds (title, detail, page)."""
    waiting = service.waiting_changes(organisation_id)
    if not waiting:
        return []
    return [(
        _("Provisioning paused: changes wait for you"),
        ngettext("%(num)s deactivation or e-mail change from the identity provider waits for your check.",
                 "%(num)s deactivations or e-mail changes from the identity provider wait for your check.",
                 len(waiting)),
        url_for("scim_admin.provisioning"))]


def _page(form: SafetyStopForm | None = None, token: str | None = None, status: int = 200):
    organisation = current_user.organisation
    settings = service.settings_of(organisation.id)
    if form is None:
        form = SafetyStopForm(safety_share=settings.safety_share)
    waiting = service.waiting_changes(organisation.id)
    response = make_response(render_template(
        "scim/provisioning.html", form=form, settings=settings, token=token, waiting=waiting,
        base_url=url_for("scim_protocol.service_provider_config", _external=True).rsplit("/", 1)[0],
        limit=service.safety_limit(organisation.id), deactivate=DEACTIVATE,
    ), status)
    if token:
        response.headers["Cache-Control"] = "no-store"
    db.session.commit()
    return response


@bp.get("")
@permission_required("admin")
def provisioning():
    return _page()


@bp.post("/safety-stop")
@permission_required("admin")
def save_safety_stop():
    form = SafetyStopForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _page(form, status=form_status(form))
    service.set_safety_share(current_user.organisation, form.safety_share.data)
    db.session.commit()
    flash(_("Safety stop saved: at most %(share)s%% of active people a day.", share=form.safety_share.data), "success")
    return redirect(url_for(".provisioning"))


@bp.route("/token", methods=["GET", "POST"])
@permission_required("admin")
def create_token():
    settings = service.settings_of(current_user.organisation_id)
    back = url_for(".provisioning")
    if settings.token_digest is not None and not confirmed():
        return ask_first(
            title=_("Replace the provisioning token?"), eyebrow=_("Provisioning (SCIM)"), eyebrow_url=back,
            consequences=[_("A new token is made and shown once."),
                          _("The token %(hint)s stops working at once: provisioning stops until you paste the new "
                            "token into your identity provider.", hint=settings.token_hint)],
            undo=_("This cannot be undone: the old token cannot be brought back."),
            button=_("Replace the token"), back=back)
    if settings.token_digest is None and request.method != "POST":
        return redirect(back)
    plain = service.issue_token(current_user.organisation)
    db.session.commit()
    return _page(token=plain)


@bp.route("/token/revoke", methods=["GET", "POST"])
@permission_required("admin")
def revoke_token():
    settings = service.settings_of(current_user.organisation_id)
    back = url_for(".provisioning")
    if settings.token_digest is None:
        return redirect(back)
    if not confirmed():
        return ask_first(
            title=_("Revoke the provisioning token?"), eyebrow=_("Provisioning (SCIM)"), eyebrow_url=back,
            consequences=[_("The token %(hint)s stops working at once: your identity provider can no longer create, "
                            "change or deactivate anyone here.", hint=settings.token_hint),
                          _("People and teams stay as they are.")],
            undo=_("To provision again, make a new token and paste it into your identity provider."),
            button=_("Revoke the token"), back=back)
    service.revoke_token(current_user.organisation)
    db.session.commit()
    flash(_("Provisioning token revoked."), "success")
    return redirect(back)


@bp.route("/waiting/apply", methods=["GET", "POST"])
@permission_required("admin")
def apply_waiting():
    return _decide(apply=True)


@bp.route("/waiting/discard", methods=["GET", "POST"])
@permission_required("admin")
def discard_waiting():
    return _decide(apply=False)


def _decide(apply: bool):
    organisation = current_user.organisation
    waiting = service.waiting_changes(organisation.id)
    back = url_for(".provisioning")
    if not waiting:
        flash(_("Nothing waits any more."), "info")
        return redirect(back)
    deactivations = sum(change.kind == DEACTIVATE for change in waiting)
    emails = len(waiting) - deactivations
    if not confirmed():
        counts = [ngettext("%(num)s person would be deactivated: they can no longer sign in.",
                           "%(num)s people would be deactivated: they can no longer sign in.", deactivations),
                  ngettext("%(num)s person's e-mail address would change (and their sign-in with it).",
                           "%(num)s people's e-mail addresses would change (and their sign-in with them).", emails)]
        if apply:
            return ask_first(
                title=_("Apply the changes that wait?"), eyebrow=_("Provisioning (SCIM)"), eyebrow_url=back,
                consequences=[c for c, n in zip(counts, (deactivations, emails), strict=True) if n],
                undo=_("Deactivated people can be made active again from their page; e-mail addresses can be "
                       "changed back."),
                button=_("Apply the changes"), back=back)
        return ask_first(
            title=_("Discard the changes that wait?"), eyebrow=_("Provisioning (SCIM)"), eyebrow_url=back,
            consequences=[_("Nobody is deactivated and no e-mail address changes."),
                          _("If your identity provider still sends these changes, they wait here again: correct them "
                            "there first (a filter or an attribute mapping that went wrong).")],
            undo=_("The identity provider sends the changes again on its next attempt."),
            button=_("Discard the changes"), back=back, danger=False)
    if apply:
        done = service.apply_waiting(organisation)
        message = ngettext("%(num)s change applied.", "%(num)s changes applied.", done)
    else:
        done = service.discard_waiting(organisation)
        message = ngettext("%(num)s change discarded.", "%(num)s changes discarded.", done)
    db.session.commit()
    flash(message, "success")
    return redirect(back)
