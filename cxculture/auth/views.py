"""Login, logout, password change, invitations and the language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from ..config import LANGUAGES
from ..extensions import db
from ..refusals import form_status
from .access import start_session
from .forms import AcceptInvitationForm, ChangePasswordForm, LoginForm
from .invitations import InvalidInvitation, person_for_invitation
from .passwords import verify_password
from .service import authenticate, set_password

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only follow a `next` that stays on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        result = authenticate(form.email.data, form.password.data)
        if result.person is not None:
            start_session(result.person)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
        db.session.commit()  # keep the recorded failure
        if result.locked_minutes:
            message = _(
                "Too many failed attempts for this e-mail address. Try again in %(minutes)s minutes.",
                minutes=result.locked_minutes,
            )
            return render_template("auth/login.html", form=form, error=message), 429
        return render_template("auth/login.html", form=form, error=_("Wrong e-mail or password.")), 401
    return render_template("auth/login.html", form=form), form_status(form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not verify_password(current_user.password_hash, form.current_password.data):
            form.current_password.errors.append(_("This is not your current password."))
        else:
            person = current_user._get_current_object()  # login_user() must get the person, not the proxy
            set_password(person, form.password.data)
            start_session(person)
            db.session.commit()
            flash(_("Your password is changed. Other sessions have been logged out."), "success")
            return redirect(url_for("home.index"))
    return render_template("auth/change_password.html", form=form), form_status(form)


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        person = person_for_invitation(token)
    except InvalidInvitation as exc:
        reason = {
            "expired": _("This invitation has expired. Ask your administrator for a new link."),
            "used": _("This invitation has already been used. Log in with your password."),
        }.get(str(exc), _("This invitation link is not valid. Check that you copied all of it."))
        return render_template("auth/invitation_invalid.html", reason=reason), 410
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        set_password(person, form.password.data)
        start_session(person)
        db.session.commit()
        flash(_("Welcome, %(name)s. Your password is set.", name=person.name), "success")
        return redirect(url_for("home.index"))
    return render_template("auth/accept_invitation.html", form=form, person=person), form_status(form)


@bp.route("/language", methods=["POST"])
def set_language():
    language = request.form.get("language", "")
    if language not in LANGUAGES:
        abort(400)
    if current_user.is_authenticated:
        current_user.language = language
        db.session.commit()
    session["language"] = language
    return redirect(_safe_next(request.form.get("next")))
