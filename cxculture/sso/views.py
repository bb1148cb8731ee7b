"""Single sign-on pages: an organisation's sign-in page, the round trip to its provider, the administrator's
settings."""
from __future__ import annotations

import logging

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.access import permission_required
from ..auth.login_sessions import log_in
from ..extensions import db
from ..orgs.service import organisation_by_slug
from ..refusals import Refused, form_status, show_refusal
from . import service
from .forms import SsoSettingsForm

bp = Blueprint("sso", __name__)
log = logging.getLogger(__name__)

#: The browser's session key holding a sign-in on its way to the provider and back.
PENDING_KEY = "sso_sign_in"


def _allow_http() -> bool:
    """Plain-http issuers only outside production (a provider on loopback in development and tests)."""
    return current_app.config.get("ENV_NAME") != "production"


def _organisation_with_sso(org_slug: str):
    organisation = organisation_by_slug(org_slug)
    settings = service.enabled_settings(organisation.id) if organisation is not None else None
    if settings is None:
        abort(404)
    return organisation, settings


def _redirect_uri(organisation) -> str:
    return url_for("sso.callback", org_slug=organisation.slug, _external=True)


def _refused(organisation, settings, message: str, status: int):
    return render_template("sso/refused.html", organisation=organisation, settings=settings,
                           message=message), status


@bp.get("/sso/<org_slug>")
def sign_in(org_slug: str):
    """The organisation's sign-in page: the link its administrator shares."""
    organisation, settings = _organisation_with_sso(org_slug)
    return render_template("sso/sign_in.html", organisation=organisation, settings=settings)


@bp.get("/sso/<org_slug>/login")
def start_login(org_slug: str):
    organisation, settings = _organisation_with_sso(org_slug)
    try:
        start = service.start_sign_in(settings, _redirect_uri(organisation))
    except service.ProviderProblem as problem:
        log.warning("single sign-on for %s cannot start: %s", organisation.slug, problem)
        return _refused(organisation, settings, _("%(provider)s cannot be reached now. Try again in a few "
                                                  "minutes.", provider=settings.provider_name), 502)
    db.session.commit()  # a discovery document read again
    session[PENDING_KEY] = start.pending
    return redirect(start.url)


@bp.get("/sso/<org_slug>/callback")
def callback(org_slug: str):
    """Where the provider sends the browser back; the sign-in it started is used once, whatever happens."""
    organisation, settings = _organisation_with_sso(org_slug)
    pending = session.pop(PENDING_KEY, None)
    try:
        person = service.finish_sign_in(settings, pending, request.args, _redirect_uri(organisation))
    except service.SignInRefused as refusal:
        db.session.rollback()
        log.warning("single sign-on refused for %s: %s", organisation.slug, refusal.reason)
        return _refused(organisation, settings, refusal.message, refusal.status)
    log_in(person)
    db.session.commit()
    flash(_("Welcome, %(name)s.", name=person.name), "success")
    return redirect(url_for("home.index"))


@bp.route("/admin/sso", methods=["GET", "POST"])
@permission_required("admin")
def edit_settings():
    organisation = current_user.organisation
    settings = service.settings_of(organisation.id)
    form = SsoSettingsForm(obj=settings)
    if request.method == "GET":
        form.client_secret.data = ""
    checks = None
    if form.validate_on_submit():
        if form.test.data:
            checks = service.check_connection(form.issuer.data or "", allow_http=_allow_http())
        else:
            try:
                service.save_settings(organisation.id, form.values(), allow_http=_allow_http())
            except Refused as refusal:
                db.session.rollback()
                show_refusal(form, refusal)
            else:
                db.session.commit()
                flash(_("Single sign-on settings saved."), "success")
                return redirect(url_for("sso.edit_settings"))
    return render_template(
        "sso/settings.html", form=form, settings=settings, checks=checks,
        secret_hint=service.secret_hint(settings.client_secret) if settings and settings.client_secret else None,
        redirect_uri=_redirect_uri(organisation),
        sign_in_url=url_for("sso.sign_in", org_slug=organisation.slug, _external=True),
    ), form_status(form)
