"""The SCIM 2.0 endpoints under /scim/v2, as Microsoft Entra ID and Okta call them.

A request proves its organisation with the organisation's provisioning token (`Authorization: Bearer cxscim_...`);
no cookie ever authenticates here, so there is no CSRF to guard against. Each request is one transaction: what it
asks is all made, or nothing is.
"""
from __future__ import annotations

import json

from flask import Blueprint, g, make_response, request, url_for
from sqlalchemy.exc import IntegrityError

from ..extensions import csrf, db
from ..params import whole_number
from ..secret_tokens import bearer
from . import resources
from . import service as scim
from .resources import MAX_COUNT

bp = Blueprint("scim_protocol", __name__, url_prefix="/scim/v2")
csrf.exempt(bp)
MEDIA_TYPE = "application/scim+json"
#: The largest request body read (a Group's members, thousands of them, fit).
MAX_BODY = 1024 * 1024


def _json(body, status: int = 200, headers: dict | None = None):
    response = make_response(json.dumps(body, ensure_ascii=False), status, headers or {})
    response.mimetype = MEDIA_TYPE
    response.headers["Cache-Control"] = "no-store"
    return response


def _error(status: int, detail: str, scim_type: str | None = None, headers: dict | None = None):
    return _json(resources.error(status, detail, scim_type), status, headers)


def _base() -> str:
    return url_for("scim_protocol.service_provider_config", _external=True).rsplit("/", 1)[0]


@bp.before_request
def _authenticate():
    organisation = scim.organisation_for_token(bearer(request))
    if organisation is None:
        db.session.rollback()
        return _error(401, "Send the organisation's provisioning token as Authorization: Bearer <token>.",
                      headers={"WWW-Authenticate": 'Bearer realm="scim"'})
    g.scim_organisation = organisation
    g.audit_actor = "SCIM provisioning"
    db.session.commit()  # the token's last use
    return None


@bp.errorhandler(scim.ScimError)
def _scim_error(error: scim.ScimError):
    db.session.rollback()
    return _error(error.status, error.detail, error.scim_type)


@bp.errorhandler(scim.Held)
def _held(held: scim.Held):
    """Nothing of the request is made; the change waits for an administrator, and the provider tries again."""
    db.session.rollback()
    organisation = g.scim_organisation
    waiting = scim.hold(organisation.id, held)
    db.session.commit()
    return _error(503, f"This change waits for an administrator: the safety stop holds deactivations and e-mail "
                       f"changes beyond {scim.settings_of(organisation.id).safety_share}% of active people a day. "
                       f"{waiting} change(s) wait.",
                  headers={"Retry-After": str(scim.RETRY_AFTER_SECONDS)})


@bp.errorhandler(IntegrityError)
def _conflict(_error_):
    db.session.rollback()
    return _error(409, "Another request changed the same record at the same time: send it again.")


@bp.errorhandler(404)
def _not_found(_error_):
    return _error(404, "There is no such SCIM endpoint here.")


_ENDPOINTS = ("ServiceProviderConfig", "ResourceTypes", "Schemas", "Users", "Groups")


@bp.route("/<path:unknown>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown_endpoint(unknown: str):
    if unknown.split("/")[0] in _ENDPOINTS:
        return _error(405, f"/{unknown} does not take {request.method}.")
    return _error(404, f"There is no SCIM endpoint /{unknown} here.")


@bp.post("/.search")
def search_everything():
    return _error(501, "Search one resource type at a time: POST /Users/.search or /Groups/.search.")


@bp.errorhandler(405)
def _not_allowed(_error_):
    return _error(405, "This endpoint does not take this method.")


def _body() -> dict:
    if request.content_length and request.content_length > MAX_BODY:
        raise scim.ScimError(413, "The request body is too large.")
    try:
        body = json.loads(request.get_data(cache=False) or b"null")
    except (ValueError, UnicodeDecodeError):
        raise scim.ScimError(400, "The request body is not valid JSON.", "invalidSyntax") from None
    if not isinstance(body, dict):
        raise scim.ScimError(400, "The request body must be a JSON object.", "invalidSyntax")
    return body


def _paging(source) -> tuple[int, int]:
    start, count = source.get("startIndex"), source.get("count")
    start = str(start) if start is not None else None
    count = str(count) if count is not None else None
    start_value = whole_number(start, 1, 10**9) if start is not None else 1
    count_value = whole_number(count, 0, 10**9) if count is not None else MAX_COUNT
    if start_value is None or count_value is None:
        raise scim.ScimError(400, "startIndex and count must be whole numbers (startIndex from 1).", "invalidValue")
    return start_value, min(count_value, MAX_COUNT)


def _names(text: str | None) -> set[str]:
    return {name.strip().lower() for name in (text or "").split(",") if name.strip()}


def _projected(resource: dict, attributes: set[str], excluded: set[str]) -> dict:
    """`attributes` (only these) or `excludedAttributes` (all but these) of RFC 7644 3.4.2.5; id and schemas stay."""
    def wanted(key: str) -> bool:
        name = key.lower()
        if name in ("id", "schemas"):
            return True
        if attributes:
            return name in attributes or any(a.startswith((f"{name}.", f"{name}:"))
                                             for a in attributes)
        return name not in excluded

    return {key: value for key, value in resource.items() if wanted(key)}


def _list(search: dict | None, lister, render):
    """A list response for GET (query parameters) or POST .search (a SearchRequest body)."""
    source = search if search is not None else request.args
    start, count = _paging(source)
    filter_text = source.get("filter")
    attributes, excluded = _names(_joined(source.get("attributes"))), _names(_joined(source.get("excludedAttributes")))
    total, rows = lister(g.scim_organisation, filter_text, start, count)
    return _json(resources.list_response(total, start, [_projected(render(row, excluded), attributes, excluded)
                                                        for row in rows]))


def _joined(value) -> str | None:
    return ",".join(map(str, value)) if isinstance(value, list) else value


def _one(resource: dict):
    attributes, excluded = _names(request.args.get("attributes")), _names(request.args.get("excludedAttributes"))
    return _json(_projected(resource, attributes, excluded))


def _done(body: dict, status: int = 200):
    db.session.commit()
    headers = {"Location": body["meta"]["location"]} if status == 201 else None
    return _json(body, status, headers)


# Discovery -----------------------------------------------------------------------------------------------------

@bp.get("/ServiceProviderConfig")
def service_provider_config():
    return _json(resources.service_provider_config(_base(), url_for("scim_admin.provisioning", _external=True)))


@bp.get("/ResourceTypes")
def resource_types():
    types = resources.resource_types(_base())
    return _json(resources.list_response(len(types), 1, types))


@bp.get("/ResourceTypes/<name>")
def resource_type(name: str):
    found = next((t for t in resources.resource_types(_base()) if t["id"] == name), None)
    return _json(found) if found else _error(404, f"No resource type is called {name}.")


@bp.get("/Schemas")
def schemas():
    found = resources.schemas(_base())
    return _json(resources.list_response(len(found), 1, found))


@bp.get("/Schemas/<path:urn>")
def schema(urn: str):
    found = next((s for s in resources.schemas(_base()) if s["id"] == urn), None)
    return _json(found) if found else _error(404, f"No schema is called {urn}.")


# Users ---------------------------------------------------------------------------------------------------------

def _user(person, _excluded=()) -> dict:
    return resources.user_resource(person, _base())


def _group(team, excluded=()) -> dict:
    return resources.group_resource(team, _base(), members="members" not in excluded)


@bp.get("/Users")
def list_users():
    return _list(None, scim.list_users, _user)


@bp.post("/Users/.search")
def search_users():
    return _list(_body(), scim.list_users, _user)


@bp.post("/Users")
def create_user():
    person = scim.create_user(g.scim_organisation, _body())
    return _done(resources.user_resource(person, _base()), 201)


@bp.get("/Users/<user_id>")
def get_user(user_id: str):
    return _one(_user(scim.get_user(g.scim_organisation, user_id)))


@bp.put("/Users/<user_id>")
def replace_user(user_id: str):
    person = scim.get_user(g.scim_organisation, user_id)
    return _done(resources.user_resource(scim.replace_user(g.scim_organisation, person, _body()), _base()))


@bp.patch("/Users/<user_id>")
def patch_user(user_id: str):
    person = scim.get_user(g.scim_organisation, user_id)
    return _done(resources.user_resource(scim.patch_user(g.scim_organisation, person, _body()), _base()))


@bp.delete("/Users/<user_id>")
def delete_user(user_id: str):
    scim.delete_user(scim.get_user(g.scim_organisation, user_id))
    db.session.commit()
    return "", 204


# Groups --------------------------------------------------------------------------------------------------------

@bp.get("/Groups")
def list_groups():
    # Entra ID asks for groups without their members (excludedAttributes=members) when it only matches them.
    return _list(None, scim.list_groups, _group)


@bp.post("/Groups/.search")
def search_groups():
    return _list(_body(), scim.list_groups, _group)


@bp.post("/Groups")
def create_group():
    team = scim.create_group(g.scim_organisation, _body())
    return _done(resources.group_resource(team, _base()), 201)


@bp.get("/Groups/<group_id>")
def get_group(group_id: str):
    excluded = _names(request.args.get("excludedAttributes"))
    return _one(_group(scim.get_group(g.scim_organisation, group_id), excluded))


@bp.put("/Groups/<group_id>")
def replace_group(group_id: str):
    team = scim.get_group(g.scim_organisation, group_id)
    return _done(resources.group_resource(scim.replace_group(g.scim_organisation, team, _body()), _base()))


@bp.patch("/Groups/<group_id>")
def patch_group(group_id: str):
    team = scim.get_group(g.scim_organisation, group_id)
    return _done(resources.group_resource(scim.patch_group(g.scim_organisation, team, _body()), _base()))


@bp.delete("/Groups/<group_id>")
def delete_group(group_id: str):
    scim.delete_group(g.scim_organisation, scim.get_group(g.scim_organisation, group_id))
    db.session.commit()
    return "", 204
