"""Administrators: the organisation's API tokens (create, shown once; list; revoke)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.access import get_in_organisation, permission_required
from ..confirming import ask_first, confirmed
from ..extensions import db
from ..refusals import Refused, form_status, show_refusal
from ..util import utcnow
from . import tokens as service
from .forms import TokenForm
from .models import ApiToken

bp = Blueprint("api", __name__)


@bp.get("/admin/api")
@permission_required("admin")
def list_tokens():
    return render_template("api/tokens.html", tokens=service.tokens_of(current_user.organisation_id),
                           scopes=service.SCOPES, now=utcnow())


@bp.route("/admin/api/tokens/new", methods=["GET", "POST"])
@permission_required("admin")
def create_token():
    form = TokenForm()
    if form.validate_on_submit():
        try:
            made = service.create_token(current_user.organisation_id, name=form.name.data, scopes=form.scopes.data,
                                        days=form.days.data)
        except Refused as refusal:
            db.session.rollback()
            show_refusal(form, refusal)
        else:
            db.session.commit()
            # The secret is on this page only: never cached, never in a redirect's address or a flash.
            response = render_template("api/token_created.html", token=made.token, plain=made.plain,
                                       scopes=service.SCOPES)
            return response, 201, {"Cache-Control": "no-store"}
    return render_template("api/token_form.html", form=form, max_days=service.MAX_DAYS), form_status(form)


@bp.route("/admin/api/tokens/<int:token_id>/revoke", methods=["GET", "POST"])
@permission_required("admin")
def revoke_token(token_id: int):
    token = get_in_organisation(ApiToken, token_id)
    back = url_for("api.list_tokens")
    if token.revoked_at is not None:
        flash(_("The token %(name)s was already revoked.", name=token.name), "info")
        return redirect(back)
    if not confirmed():
        return ask_first(
            title=_("Revoke the token %(name)s?", name=token.name), eyebrow=_("API"), eyebrow_url=back,
            facts=[(_("Token"), token.token_hint), (_("Name"), token.name)],
            consequences=[_("Every request that sends this token is refused from now on (401): the system that "
                            "uses it can no longer read or write your organisation's data.")],
            undo=_("This cannot be undone: create a new token and give it to the system instead."),
            button=_("Revoke the token"), back=back)
    service.revoke_token(token)
    db.session.commit()
    flash(_("Token %(name)s revoked: it no longer works.", name=token.name), "success")
    return redirect(back)
