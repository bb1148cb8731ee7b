"""/api/v1: an organisation's data for other systems, authenticated by an API token, never by a session cookie.

Every request but the document and its reference page carries `Authorization: Bearer cxapi_...`; the token's
organisation is the only one it reads or writes, and each endpoint needs one scope. Lists come a page at a time
(`limit`, and `after` from the `next` link); every GET answers with an ETag and 304 to a matching If-None-Match.
Refusals are JSON: {"error": code, "message": text} (401 no usable token, 403 missing scope, 404, 400 bad
parameter, 422 values refused with their `errors`, 429 over the rate limit with Retry-After).
"""
from __future__ import annotations

import hashlib
from functools import wraps

from flask import Blueprint, current_app, g, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from ..assessments.results.summary import organisation_results
from ..extensions import db, login_manager
from ..i18n import current_language
from ..kpis.periods import last_closed_period
from ..kpis.scorecards import parse_period, scorecards_for
from ..kpis.values import import_records
from ..orgs.roster import import_roster_records
from ..params import MAX_ID, whole_number
from ..refusals import Refused
from ..secret_tokens import bearer, digest
from . import reads, serializers
from .openapi import ENDPOINTS, PAGE_PARAMETERS, openapi_document
from .tokens import SCOPES, authenticate

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")

#: Endpoints anyone may read: the API's description.
PUBLIC = {"api_v1.openapi_json", "api_v1.api_reference"}
DEFAULT_LIMIT, MAX_LIMIT = 50, 500


class ApiError(Exception):
    """A refusal answered as JSON."""

    def __init__(self, status: int, code: str, message: str, **extra):
        super().__init__(message)
        self.status, self.code, self.message, self.extra = status, code, message, extra


def error_response(status: int, code: str, message: str, **extra):
    response = jsonify({"error": code, "message": message, **extra})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="cxculture"'
    return response


@bp.errorhandler(ApiError)
def _api_error(error: ApiError):
    db.session.rollback()
    return error_response(error.status, error.code, error.message, **error.extra)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    db.session.rollback()
    code = {404: "not_found", 405: "method_not_allowed", 429: "rate_limited"}.get(error.code, "bad_request")
    messages = {404: _("There is nothing at this address in your organisation."),
                429: _("Too many requests with this token: wait for the time Retry-After gives, then try again.")}
    return error_response(error.code or 400, code, messages.get(error.code, error.description or ""))


def routing_error(error: HTTPException):
    """The JSON answer to an address under /api/v1 that no route takes (404) or a method it does not (405): the
    app answers those before any blueprint runs. None elsewhere."""
    if not request.path.startswith(f"{bp.url_prefix}/"):
        return None
    if error.code == 405:
        response = error_response(405, "method_not_allowed", _("This address does not take %(method)s.",
                                                               method=request.method))
        response.headers["Allow"] = ", ".join(sorted(getattr(error, "valid_methods", None) or ()))
        return response
    return error_response(404, "not_found", _("There is nothing at this address in your organisation."))


def rate_limit_key() -> str:
    """The rate limit counts per token (its digest; the secret never reaches the storage), else per address."""
    secret = bearer(request)
    return f"token:{digest(secret)}" if secret else f"address:{request.remote_addr}"


@bp.before_request
def authenticate_token():
    # A browser's session cookie authenticates nothing here: no one is logged in for the API's code.
    g._login_user = login_manager.anonymous_user()
    if request.endpoint in PUBLIC:
        return None
    token = authenticate(bearer(request))
    if token is None:
        raise ApiError(401, "invalid_token", _("Send a valid API token as “Authorization: Bearer cxapi_…”: this "
                                               "one is missing, wrong, expired or revoked."))
    g.api_token = token
    return None


def needs(scope: str):
    """Let the view through when the request's token holds `scope`; 403 otherwise."""
    assert scope in SCOPES, scope

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if scope not in g.api_token.scopes:
                raise ApiError(403, "insufficient_scope",
                               _("This token may not do this: it needs the scope %(scope)s.", scope=scope),
                               scope=scope)
            return view(*args, **kwargs)

        wrapped.api_scope = scope
        return wrapped

    return decorator


def _organisation_id() -> int:
    return g.api_token.organisation_id


def _number(name: str, default: int | None, minimum: int, maximum: int) -> int | None:
    text = request.args.get(name)
    if text is None:
        return default
    value = whole_number(text, minimum, maximum)
    if value is None:
        raise ApiError(400, "invalid_parameter", _("The parameter %(name)s must be a whole number from %(min)s to "
                                                   "%(max)s.", name=name, min=minimum, max=maximum),
                       parameter=name)
    return value


def respond(payload, status: int = 200):
    """The JSON answer, committed first (a token's last use), with its ETag: 304 when the client has it."""
    db.session.commit()
    response = jsonify(payload)
    response.status_code = status
    response.headers["Cache-Control"] = "private, no-cache"
    if request.method in ("GET", "HEAD") and status == 200:
        response.set_etag(hashlib.sha256(response.get_data()).hexdigest())
        response = response.make_conditional(request)
    return response


def listing(query, serialize, rows=None):
    """A page of `query`'s rows and the `next` link (the same address with `after` the page's last id); `rows`
    turns the page's rows into what is serialised (a page of people into their scorecards)."""
    limit = _number("limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
    after = _number("after", 0, 0, MAX_ID)
    found = reads.page(query, after, limit)
    following = None
    if found.next_after is not None:
        args = {**request.args.to_dict(), "limit": limit, "after": found.next_after}
        following = url_for(request.endpoint, **(request.view_args or {}), **args, _external=True)
    shown = rows(found.rows) if rows is not None else found.rows
    return respond({"data": [serialize(row) for row in shown], "next": following})


def _filter(name: str) -> str | None:
    value = request.args.get(name)
    return value.strip() if value is not None and value.strip() else None


# --- reading ---------------------------------------------------------------------------------------------------


@bp.get("/people")
@needs("people:read")
def list_people():
    organisation_id = _organisation_id()
    paths, roles = reads.team_paths(organisation_id), reads.role_keys(organisation_id)
    return listing(reads.people(organisation_id), lambda row: serializers.person(row, paths, roles))


@bp.get("/teams")
@needs("people:read")
def list_teams():
    organisation_id = _organisation_id()
    paths = reads.team_paths(organisation_id)
    return listing(reads.teams(organisation_id), lambda row: serializers.team(row, paths))


@bp.get("/training/progress")
@needs("training:read")
def list_training_progress():
    person_id = _number("person_id", None, 1, MAX_ID)
    return listing(reads.training_progress(_organisation_id(), person_id), serializers.progress)


@bp.get("/training/certificates")
@needs("training:read")
def list_certificates():
    person_id = _number("person_id", None, 1, MAX_ID)
    return listing(reads.certificates(_organisation_id(), person_id), serializers.certificate)


@bp.get("/actions")
@needs("actions:read")
def list_action_items():
    return listing(reads.action_items(_organisation_id(), _filter("status")),
                   serializers.action_item)


@bp.get("/kpi-values")
@needs("kpis:read")
def list_kpi_values():
    query = reads.kpi_values(_organisation_id(), _filter("period"), _filter("kpi"))
    return listing(query, serializers.kpi_value)


@bp.get("/scorecards")
@needs("kpis:read")
def list_scorecards():
    """A page of people's scorecards for a quarter (the last closed one unless `period` says), as HR's pages
    show them."""
    organisation_id = _organisation_id()
    period_text = _filter("period")
    try:
        period = parse_period(period_text) if period_text else last_closed_period()
    except Refused:
        raise ApiError(400, "invalid_parameter", _("The parameter period must be a quarter, like 2026-Q1."),
                       parameter="period") from None
    team_id = _number("team_id", None, 1, MAX_ID)  # another organisation's team has none of its people

    def cards(people):
        return scorecards_for(reads.these_people(organisation_id, people), period, current_language())

    return listing(reads.scorecard_people(organisation_id, team_id), serializers.scorecard, rows=cards)


@bp.get("/campaigns")
@needs("results:read")
def list_campaigns():
    return listing(reads.closed_campaigns(_organisation_id()), serializers.campaign)


@bp.get("/campaigns/<int:campaign_id>/results")
@needs("results:read")
def show_campaign_results(campaign_id: int):
    campaign = reads.closed_campaign(_organisation_id(), campaign_id)
    if campaign is None:
        raise ApiError(404, "not_found", _("Your organisation has no closed campaign with this number."))
    return respond(serializers.campaign_results(organisation_results(campaign, current_language())))


# --- writing ---------------------------------------------------------------------------------------------------


@bp.post("/kpi-values")
@needs("kpis:write")
def import_kpi_values():
    values = _records("values", '{"values": [{"period": "2026-Q3", "kpi": "nps", "team": "Sales", "value": 41}]}')
    plan, written = import_records(g.api_token.organisation, values, source=_source())
    if plan.errors:
        return _refused(plan.errors)
    counts = plan.counts
    return respond({"written": written, "created": counts["create"], "updated": counts["update"],
                    "unchanged": counts["unchanged"]})


def _records(key: str, example: str) -> list:
    """The list a write sends as `key` in its JSON body; 400 when the body is not that."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get(key), list):
        raise ApiError(400, "invalid_body", _("Send JSON like %(example)s.", example=example))
    return body[key]


def _source() -> tuple[str, int, str]:
    """Who wrote, for the audit trail: the token (no one is logged in here)."""
    return ("api_token", g.api_token.id, g.api_token.name)


def _refused(errors):
    """422: nothing was stored; each problem by the record's index (from 0) and field."""
    db.session.rollback()
    listed = [{"index": None if error.line is None else error.line - 1, "field": error.column,
               "message": str(error.message)} for error in errors]
    return error_response(422, "values_refused", _("Nothing was stored: correct the values listed in errors "
                                                   "and send them all again."), errors=listed)


@bp.post("/people")
@needs("people:write")
def import_people():
    people = _records("people", '{"people": [{"email": "anna@example.com", "name": "Anna Rossi", "team": "Sales"}]}')
    plan, created, updated = import_roster_records(g.api_token.organisation, people, source=_source())
    if plan.errors:
        return _refused(plan.errors)
    return respond({"created": created, "updated": updated, "unchanged": plan.counts.unchanged,
                    "new_teams": plan.new_teams})


# --- the description -------------------------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi_json():
    response = jsonify(openapi_document(url_for("api_v1.list_people", _external=True).rsplit("/", 1)[0]))
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest())
    return response.make_conditional(request)


@bp.get("/docs")
def api_reference():
    base = url_for("api_v1.list_people", _external=True).rsplit("/", 1)[0]
    return render_template("api/reference.html", endpoints=ENDPOINTS, base=base, scopes=SCOPES,
                           limit=current_app.config["API_RATE_LIMIT"], default_limit=DEFAULT_LIMIT,
                           max_limit=MAX_LIMIT, page_parameters=PAGE_PARAMETERS)
