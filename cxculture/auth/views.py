"""Login, logout, the account page and its sessions, password change, invitations and the language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from ..config import LANGUAGES
from ..confirming import ask_first, confirmed
from ..extensions import db
from ..mail import OPTIONAL_TOPICS, set_opt_outs, topics_off
from ..refusals import Refused, form_status, show_refusal
from . import throttle
from .forms import AcceptInvitationForm, ChangePasswordForm, LoginForm, MailPreferencesForm
from .invitations import InvalidInvitation, person_for_invitation
from .login_sessions import end_session_of, end_sessions_of, log_in, log_out, sessions_of, touch_current_session
from .passwords import verify_password
from .service import authenticate, password_login_refusal, set_password

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only follow a `next` that stays on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("home.index")


@bp.before_app_request
def keep_session_alive():
    """Note when a logged-in browser was last seen (for the idle limit), before the view does anything."""
    if request.endpoint != "static" and current_user.is_authenticated and touch_current_session():
        db.session.commit()


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        device = throttle.read_device(request.cookies.get(throttle.DEVICE_COOKIE))
        result = authenticate(form.email.data, form.password.data, address=request.remote_addr or "", device=device)
        if result.person is not None:
            log_in(result.person)
            db.session.commit()
            response = redirect(_safe_next(request.args.get("next")))
            # This browser now vouches for the account: failures made elsewhere will not slow it down.
            response.set_cookie(
                throttle.DEVICE_COOKIE, throttle.device_cookie(device, result.person.id),
                max_age=current_app.config["LOGIN_DEVICE_DAYS"] * 86400, path=url_for("auth.login"),
                secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")) or request.is_secure,
                httponly=True, samesite="Lax",
            )
            return response
        db.session.commit()  # keep the recorded failure
        if result.refused:
            return render_template("auth/login.html", form=form, error=result.refused), 403
        if result.retry_after:
            message = throttle.wait_message(result.retry_after)
            response = make_response(render_template("auth/login.html", form=form, error=message), 429)
            response.headers["Retry-After"] = str(result.retry_after)
            return response
        return render_template("auth/login.html", form=form, error=_("Wrong e-mail or password.")), 401
    return render_template("auth/login.html", form=form), form_status(form)


@bp.route("/logout", methods=["POST"])
def logout():
    log_out()
    db.session.commit()
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


def _account_page(person, mail_form: MailPreferencesForm):
    return render_template("auth/account.html", person=person, sessions=sessions_of(person), mail_form=mail_form)


def _mail_form(person, **data) -> MailPreferencesForm:
    """The optional e-mails the person can receive: the team digest only for managers."""
    form = MailPreferencesForm(**data)
    form.wanted.choices = [c for c in form.wanted.choices if c.value in _topics_for(person)]
    return form


def _topics_for(person) -> list[str]:
    return [t for t in OPTIONAL_TOPICS if t != "team_digest" or person.can("manager")]


@bp.get("/account")
@login_required
def account():
    """The person's account: their details, the optional e-mails they receive, and every browser where they are
    logged in."""
    person = current_user._get_current_object()
    off = topics_off(person.id)
    return _account_page(person, _mail_form(person, wanted=[t for t in _topics_for(person) if t not in off]))


@bp.post("/account/mail")
@login_required
def save_mail_preferences():
    """Turn optional e-mails on or off; invitations and security e-mail are always sent. A topic the page does not
    offer the person keeps its setting."""
    person = current_user._get_current_object()
    form = _mail_form(person)
    if not form.validate():
        return _account_page(person, form), form_status(form)
    offered = set(_topics_for(person))
    kept = topics_off(person.id) - offered
    set_opt_outs(person.id, kept | (offered - set(form.wanted.data or ())))
    db.session.commit()
    flash(_("Your e-mail choices are saved."), "success")
    return redirect(url_for("auth.account"))


@bp.post("/account/sessions/<int:session_row_id>/end")
@login_required
def end_session(session_row_id: int):
    person = current_user._get_current_object()
    current = next((s for s in sessions_of(person) if s.current), None)
    if not end_session_of(person, session_row_id):
        abort(404)
    if current is not None and current.id == session_row_id:
        log_out()
        db.session.commit()
        flash(_("You are logged out."), "info")
        return redirect(url_for("auth.login"))
    db.session.commit()
    flash(_("That session is ended: the browser is logged out."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/sessions/end-all", methods=["GET", "POST"])
@login_required
def end_all_sessions():
    """Log out everywhere, this browser included."""
    person = current_user._get_current_object()
    if not confirmed():
        return ask_first(
            title=_("Log out everywhere?"), eyebrow=_("My account"), eyebrow_url=url_for("auth.account"),
            consequences=[ngettext("%(num)s session ends, this one included: every browser where you are logged in "
                                   "is logged out.",
                                   "%(num)s sessions end, this one included: every browser where you are logged "
                                   "in is logged out.", len(sessions_of(person)))],
            undo=_("Log in again on the browsers you use."), button=_("Log out everywhere"),
            back=url_for("auth.account"))
    end_sessions_of(person)
    log_out()
    db.session.commit()
    flash(_("You are logged out everywhere. Log in again on the browsers you use."), "info")
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
            try:
                set_password(person, form.password.data)
            except Refused as refused:
                show_refusal(form, refused)
            else:
                log_in(person)
                db.session.commit()
                flash(_("Your password is changed. Other sessions have been logged out."), "success")
                return redirect(url_for("auth.account"))
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
    refusal = password_login_refusal(person)
    if refusal:  # the organisation signs in through its provider: a password would be a way around it
        return render_template("auth/invitation_invalid.html", reason=refusal), 403
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            set_password(person, form.password.data)
        except Refused as refused:
            show_refusal(form, refused)
        else:
            log_in(person)
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
