"""What LMS platforms and launched people reach: OIDC login, launch, JWKS, the deep-linking picker."""
from __future__ import annotations

from flask import abort, flash, jsonify, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from pylti1p3.exception import LtiException, OIDCException
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ...auth import throttle
from ...auth.login_sessions import log_in, log_out
from ...auth.service import authenticate
from ...extensions import csrf, db
from ...i18n import current_language
from ...orgs.models import Organisation
from ...refusals import Refused, form_status
from .. import deeplinking, dynamic
from ..forms import LinkAccountForm
from ..keys import jwks
from ..launches import LaunchOutcome, complete_launch, complete_link, pending_link
from ..models import LtiLaunch
from ..tool import HardenedLaunch, LaunchRefused
from ..tool import oidc_login as make_oidc_login
from . import allow_http, bp

REFUSALS = {
    "state": lambda: _("This launch did not start in this browser, or took too long. Open the activity again "
                       "from your course."),
    "algorithm": lambda: _("The platform signed the launch with an algorithm CX Culture does not accept."),
    "audience": lambda: _("The launch was not meant for CX Culture (its audience is another tool)."),
    "registration": lambda: _("This platform is not registered with CX Culture. Ask your administrator to add "
                              "it on the LMS page."),
    "signature": lambda: _("The launch's signature could not be verified with the platform's keys."),
    "expired": lambda: _("The launch has expired. Open the activity again from your course."),
    "deployment": lambda: _("This deployment of the tool is not registered. Ask your administrator to add its "
                            "deployment id."),
    "nonce": lambda: _("This launch was already used. Open the activity again from your course."),
    "anonymous": lambda: _("The platform did not say who you are, so CX Culture cannot open your training."),
    "inactive": lambda: _("Your CX Culture account has been deactivated. Ask your administrator."),
    "not-author": lambda: _("Only course authors can place CX Culture content in a course."),
    "target": lambda: _("The content this link points to is not available any more. Ask your course author to "
                        "place it again."),
    "message-type": lambda: _("CX Culture does not support this kind of launch."),
    "keys-unavailable": lambda: _("The platform's keys could not be fetched. Try again in a moment."),
    "answered": lambda: _("This content picker was already used. Open it again from your course."),
    "deep-link": lambda: _("The platform did not say where to return the chosen content."),
    "login": lambda: _("The login request from the platform is incomplete or names an unknown platform."),
    "restored": lambda: _("This launch cannot be repeated."),
    "link-expired": lambda: _("This request to link your account has expired or did not start in this browser. "
                              "Open the activity again from your course."),
}
#: The session key holding the token of a launch waiting for its person to sign in (launches.hold_for_link).
LINK_SESSION_KEY = "lti_link"


def refused(code: str, detail: str = "", status: int = 400):
    db.session.rollback()
    message = REFUSALS.get(code, REFUSALS["login"])()
    return render_template("lms/launch_refused.html", message=message, code=code, detail=detail), status


@bp.route("/lti/login", methods=["GET", "POST"])
@csrf.exempt
def oidc_login():
    """Step 1 of a launch: the platform names itself; we answer with a redirect carrying state and nonce."""
    if not (request.values.get("iss") and request.values.get("login_hint")):
        return refused("login", "iss and login_hint are required")
    try:
        response = make_oidc_login().redirect(url_for("lms.launch", _external=True))
    except (LtiException, OIDCException) as error:
        return refused("login", str(error))
    db.session.commit()  # the nonce, for whichever worker receives the launch
    return response


@bp.post("/lti/launch")
@csrf.exempt
def launch():
    """Step 2: the platform posts the signed id_token; validated in full, the person lands where the link points."""
    message = HardenedLaunch()
    try:
        message.validate()
        outcome = complete_launch(message)
    except LaunchRefused as refusal:
        return refused(refusal.code, refusal.detail, refusal.status)
    except LtiException as error:
        return refused("signature" if "decode" in str(error).lower() else "message-type", str(error))
    if outcome.link_token:  # an existing account: only its owner, signing in here, links it
        log_out()
        session[LINK_SESSION_KEY] = outcome.link_token
    else:
        log_in(outcome.person)
    db.session.commit()
    response = _landing(outcome)
    state = request.form.get("state", "")
    response.delete_cookie(f"lti1p3-{state}", path="/", secure=request.is_secure, httponly=True,
                           samesite="None" if request.is_secure else None)
    return response


def _landing(outcome: LaunchOutcome):
    if outcome.notice == "campaign-closed":
        flash(_("The assessment this link points to is not open at the moment."), "info")
    return redirect(outcome.url)


@bp.route("/lti/link", methods=["GET", "POST"])
def link_account():
    """A launch whose e-mail names an existing account: its owner signs in once, and the platform user is linked.
    The launch is found through this browser's session only, never through anything in the address."""
    link = pending_link(session.get(LINK_SESSION_KEY))
    if link is None:
        session.pop(LINK_SESSION_KEY, None)
        return refused("link-expired")
    form = LinkAccountForm()
    if request.method == "GET":
        form.email.data = link.person.email
    error, status = None, form_status(form)
    if form.validate_on_submit():
        device = throttle.read_device(request.cookies.get(throttle.DEVICE_COOKIE))
        result = authenticate(form.email.data, form.password.data, address=request.remote_addr or "", device=device)
        if result.person is None:
            db.session.commit()  # keep the recorded failure
            if result.retry_after:
                error, status = throttle.wait_message(result.retry_after), 429
            else:
                error, status = _("Wrong e-mail or password."), 401
        else:
            try:
                outcome = complete_link(link, result.person)
            except Refused as refusal:
                db.session.rollback()
                error, status = refusal.message, 403
            except LaunchRefused as refusal:
                return refused(refusal.code, refusal.detail, refusal.status)
            else:
                log_in(outcome.person)  # a new session: the link token goes with the old one
                db.session.commit()
                return _landing(outcome)
    return render_template("lms/link_account.html", form=form, link=link, error=error), status


@bp.get("/lti/<org_slug>/jwks.json")
def tool_jwks(org_slug: str):
    """The organisation's public keys, which platforms use to verify the tool's messages and grade requests."""
    organisation = db.session.scalar(select(Organisation).where(Organisation.slug == org_slug))
    if organisation is None:
        abort(404)
    key_set = jwks(organisation.id)
    if not key_set["keys"]:
        from ..keys import active_key

        active_key(organisation.id)
        db.session.commit()
        key_set = jwks(organisation.id)
    response = jsonify(key_set)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _own_launch(launch_id: str) -> LtiLaunch:
    launch = db.session.get(LtiLaunch, launch_id)
    if launch is None or launch.person_id != current_user.id or launch.organisation_id != current_user.organisation_id:
        abort(404)
    return launch


@bp.route("/lti/deep-link/<launch_id>", methods=["GET", "POST"])
@login_required
def pick_content(launch_id: str):
    """The content picker a course author sees after a deep-linking launch."""
    launch = _own_launch(launch_id)
    from ..forms import PickContentForm

    choices = deeplinking.content_choices(current_user.organisation_id, current_language())
    form = PickContentForm()
    form.choice.choices = [SelectChoice(c.value, c.title) for c in choices]
    if launch.answered_at is not None:
        return refused("answered")
    if form.validate_on_submit():
        chosen = next((c for c in choices if c.value == form.choice.data), None)
        if chosen is None:
            form.choice.errors = [*form.choice.errors, _("Choose what to place in the course.")]
        else:
            try:
                answer = deeplinking.answer_deep_link(launch, chosen)
            except LaunchRefused as refusal:
                return refused(refusal.code, refusal.detail, refusal.status)
            db.session.commit()
            return render_template("lms/deep_link_return.html", answer=answer, chosen=chosen)
    return render_template("lms/pick_content.html", form=form, choices=choices, launch=launch)


@bp.get("/lti/register/<token>")
def dynamic_registration(token: str):
    """LTI Dynamic Registration: the platform opens the administrator's one-time URL (in a window or a frame of
    its own page) with `openid_configuration` and `registration_token`; the answer tells it to close."""
    openid_configuration = request.args.get("openid_configuration", "")
    try:
        row = dynamic.url_for_token(token)
        registration = dynamic.register(row, openid_configuration, request.args.get("registration_token"),
                                        allow_http=allow_http())
    except dynamic.RegistrationRefused as refusal:
        db.session.rollback()
        response = make_response(render_template(
            "lms/registration_refused.html", message=dynamic.MESSAGES[refusal.code](), code=refusal.code,
            detail=refusal.detail), refusal.status)
    else:
        db.session.commit()
        response = make_response(render_template("lms/registration_done.html", registration=registration))
    # The platform shows this page in a frame of its own: it may (the registered platforms' list does not yet
    # hold it when registration fails).
    origin = _origin(openid_configuration)
    response.headers["Content-Security-Policy"] = f"frame-ancestors 'self'{' ' + origin if origin else ''}"
    response.headers["Cache-Control"] = "no-store"
    return response


def _origin(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""
