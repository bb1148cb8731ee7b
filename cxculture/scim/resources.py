"""SCIM's JSON: Users and Groups as the roster holds them, list responses, errors, and what the server publishes
about itself (ServiceProviderConfig, ResourceTypes, Schemas: RFC 7643 sections 5-7)."""
from __future__ import annotations

from ..extensions import db
from ..orgs.models import Person, Team
from ..util import utcnow
from .models import ScimGroup, ScimUser
from .service import ENTERPRISE_SCHEMA, GROUP_SCHEMA, USER_SCHEMA, external_id, group_members, user_name

LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
ERROR_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:Error"
CONFIG_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
RESOURCE_TYPE_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
SCHEMA_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Schema"
#: The most resources one page of a list holds.
MAX_COUNT = 200


def _iso(moment) -> str:
    return (moment or utcnow()).replace(microsecond=0).isoformat() + "Z"


def user_resource(person: Person, base: str) -> dict:
    resource = {
        "schemas": [USER_SCHEMA, ENTERPRISE_SCHEMA],
        "id": str(person.id),
        "userName": user_name(person),
        "displayName": person.name,
        "name": {"formatted": person.name},
        "emails": [{"value": person.email}],
        "active": person.active,
        "meta": {"resourceType": "User", "created": _iso(person.created_at), "lastModified": _iso(person.created_at),
                 "location": f"{base}/Users/{person.id}"},
    }
    row = db.session.get(ScimUser, person.id)
    if row is not None and (row.given_name or row.family_name):
        resource["name"].update({k: v for k, v in (("givenName", row.given_name), ("familyName", row.family_name))
                                 if v})
    language = row.preferred_language if row is not None and row.preferred_language else person.language
    if language:
        resource["preferredLanguage"] = language
    if row is not None and row.external_id:
        resource["externalId"] = row.external_id
    if person.team is not None:
        resource["groups"] = [{"value": str(person.team_id), "display": person.team.name,
                               "$ref": f"{base}/Groups/{person.team_id}", "type": "direct"}]
    if person.manager_id is not None:
        resource[ENTERPRISE_SCHEMA] = {"manager": {"value": str(person.manager_id),
                                                   "$ref": f"{base}/Users/{person.manager_id}"}}
    return resource


def group_resource(team: Team, base: str, *, members: bool = True) -> dict:
    resource = {
        "schemas": [GROUP_SCHEMA],
        "id": str(team.id),
        "displayName": team.name,
        "meta": {"resourceType": "Group", "created": _iso(None), "lastModified": _iso(None),
                 "location": f"{base}/Groups/{team.id}"},
    }
    if members:
        resource["members"] = [{"value": str(p.id), "$ref": f"{base}/Users/{p.id}"}
                               for p in group_members(team)]
    external = external_id(ScimGroup, team.id)
    if external:
        resource["externalId"] = external
    return resource


def list_response(total: int, start: int, resources: list[dict]) -> dict:
    return {"schemas": [LIST_SCHEMA], "totalResults": total, "startIndex": start, "itemsPerPage": len(resources),
            "Resources": resources}


def error(status: int, detail: str, scim_type: str | None = None) -> dict:
    body = {"schemas": [ERROR_SCHEMA], "status": str(status), "detail": detail}
    if scim_type:
        body["scimType"] = scim_type
    return body


def service_provider_config(base: str, docs: str) -> dict:
    return {
        "schemas": [CONFIG_SCHEMA],
        "documentationUri": docs,
        "patch": {"supported": True},
        # Bulk is not offered: each request is one transaction (a PATCH's operations all or none).
        "bulk": {"supported": False, "maxOperations": 0, "maxPayloadSize": 0},
        "filter": {"supported": True, "maxResults": MAX_COUNT},
        "changePassword": {"supported": False},
        "sort": {"supported": False},
        "etag": {"supported": False},
        "authenticationSchemes": [{
            "type": "oauthbearertoken", "name": "Bearer token",
            "description": "The organisation's provisioning token, made on the Provisioning (SCIM) page.",
            "primary": True,
        }],
        "meta": {"resourceType": "ServiceProviderConfig", "location": f"{base}/ServiceProviderConfig"},
    }


def resource_types(base: str) -> list[dict]:
    return [
        {"schemas": [RESOURCE_TYPE_SCHEMA], "id": "User", "name": "User", "endpoint": "/Users",
         "description": "A person of the organisation", "schema": USER_SCHEMA,
         "schemaExtensions": [{"schema": ENTERPRISE_SCHEMA, "required": False}],
         "meta": {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/User"}},
        {"schemas": [RESOURCE_TYPE_SCHEMA], "id": "Group", "name": "Group", "endpoint": "/Groups",
         "description": "A team of the organisation", "schema": GROUP_SCHEMA,
         "meta": {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/Group"}},
    ]


def _attribute(name: str, kind: str = "string", *, required: bool = False, multi: bool = False,
               mutability: str = "readWrite", returned: str = "default", uniqueness: str = "none",
               description: str = "", sub: list[dict] | None = None, references: list[str] | None = None) -> dict:
    attribute = {"name": name, "type": kind, "multiValued": multi, "description": description, "required": required,
                 "mutability": mutability, "returned": returned, "uniqueness": uniqueness}
    if kind == "string":
        attribute["caseExact"] = False
    if sub is not None:
        attribute["subAttributes"] = sub
    if references is not None:
        attribute["referenceTypes"] = references
    return attribute


def schemas(base: str) -> list[dict]:
    """The attributes this server keeps: anything else a provider sends is accepted and not stored."""
    user = [
        _attribute("userName", required=True, uniqueness="server",
                   description="What the identity provider calls the person; their e-mail address unless it says"),
        # The roster always has a name and says whether the person is active: these cannot be removed.
        _attribute("displayName", required=True, description="The person's name"),
        _attribute("name", "complex", required=True, description="The person's name, in parts", sub=[
            _attribute("formatted"), _attribute("givenName"), _attribute("familyName")]),
        # Required here: the address is the person's login, and their invitation goes to it (a userName that is
        # an address will do as well).
        _attribute("emails", "complex", multi=True, required=True,
                   description="The person's work e-mail address (their login)",
                   sub=[_attribute("value", required=True)]),
        _attribute("active", "boolean", required=True, description="Whether the person may sign in"),
        _attribute("preferredLanguage", description="en or it; anything else follows the organisation"),
        _attribute("groups", "complex", multi=True, mutability="readOnly",
                   description="The person's team (change it through the Group's members)",
                   sub=[_attribute("value", mutability="readOnly"), _attribute("display", mutability="readOnly"),
                        _attribute("$ref", "reference", mutability="readOnly", references=["Group"]),
                        _attribute("type", mutability="readOnly")]),
    ]
    group = [
        _attribute("displayName", required=True, description="The team's name"),
        _attribute("members", "complex", multi=True, description="The team's people (a person has one team)",
                   sub=[_attribute("value", mutability="immutable"),
                        _attribute("$ref", "reference", mutability="immutable", references=["User"])]),
    ]
    enterprise = [
        _attribute("manager", "complex", description="The person's manager", sub=[
            _attribute("value", description="The manager's id"),
            _attribute("$ref", "reference", references=["User"]),
            _attribute("displayName", mutability="readOnly")]),
    ]

    def schema(urn: str, name: str, description: str, attributes: list[dict]) -> dict:
        return {"schemas": [SCHEMA_SCHEMA], "id": urn, "name": name, "description": description,
                "attributes": attributes, "meta": {"resourceType": "Schema", "location": f"{base}/Schemas/{urn}"}}

    return [schema(USER_SCHEMA, "User", "A person of the organisation", user),
            schema(GROUP_SCHEMA, "Group", "A team of the organisation", group),
            schema(ENTERPRISE_SCHEMA, "EnterpriseUser", "The person's manager", enterprise)]
