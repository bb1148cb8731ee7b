"""The API's description, written by hand in one place: the OpenAPI 3.1 document and the reference page both
read `ENDPOINTS`, so the two cannot disagree."""
from __future__ import annotations

import json
from dataclasses import dataclass, field

from ..params import MAX_ID

#: A quarter as every period parameter writes it: 2026-Q1.
QUARTER_PATTERN = r"^[1-9][0-9]{3}-Q[1-4]$"
PAGE_PARAMETERS = (
    ("limit", "integer", "How many rows a page holds: 1 to 500 (default 50)."),
    ("after", "integer", ("The cursor: rows with an id above this one. Follow the `next` link rather than "
                         "building it.")),
)


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    operation_id: str
    scope: str
    summary: str
    #: (name, JSON type, description) of each query parameter.
    parameters: tuple[tuple[str, str, str], ...] = ()
    #: (name, description) of each path parameter (whole numbers).
    path_parameters: tuple[tuple[str, str], ...] = ()
    #: What a successful answer looks like.
    example: dict = field(default_factory=dict)
    #: What the body of a POST looks like.
    body_example: dict | None = None
    paged: bool = True

    @property
    def example_text(self) -> str:
        return json.dumps(self.example, indent=2, ensure_ascii=False)

    @property
    def body_text(self) -> str:
        return json.dumps(self.body_example, indent=2, ensure_ascii=False)


def _page(row: dict) -> dict:
    return {"data": [row], "next": "https://cx.example.com/api/v1/...?limit=50&after=42"}


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("get", "/people", "listPeople", "people:read",
             "The organisation's people (erased people are left out).",
             example=_page({"id": 7, "email": "anna@example.com", "name": "Anna Rossi", "active": True,
                            "team_id": 3, "team": "Sales/Milano", "job_role": "front_line", "manager_id": 2,
                            "permissions": ["employee"]})),
    Endpoint("post", "/people", "importPeople", "people:write",
             "Create and update people, all or nothing, by the rules of the roster import: a person is found by "
             "e-mail; team paths that do not exist yet are created; new people get an invitation by e-mail. "
             "Permissions cannot be set here. When any person is refused nothing is stored and the answer is 422 "
             "with every error by index and field. Sending the same people again changes nothing.",
             body_example={"people": [{"email": "anna@example.com", "name": "Anna Rossi", "team": "Sales/Milano",
                                       "job_role": "frontline", "manager_email": "marco@example.com",
                                       "language": "it"}]},
             example={"created": 1, "updated": 0, "unchanged": 0, "new_teams": ["Sales/Milano"]}, paged=False),
    Endpoint("get", "/teams", "listTeams", "people:read", "The organisation's teams, with their full paths.",
             example=_page({"id": 3, "name": "Milano", "path": "Sales/Milano", "parent_id": 1})),
    Endpoint("get", "/training/progress", "listTrainingProgress", "training:read",
             "Training progress: each module a person started, its status and best quiz score.",
             parameters=(("person_id", "integer", "Only this person's modules."),),
             example=_page({"id": 11, "person_id": 7, "module": "listening-basics", "module_version": 2,
                            "status": "completed", "score": 90, "lessons_done": 4,
                            "started_at": "2026-03-02T09:15:00Z", "completed_at": "2026-03-04T16:40:00Z"})),
    Endpoint("get", "/training/certificates", "listCertificates", "training:read",
             "Certificates issued for completed training paths.",
             parameters=(("person_id", "integer", "Only this person's certificates."),),
             example=_page({"id": 5, "code": "K7F2M9Q4", "person_id": 7, "job_role": "Front line",
                            "modules": ["listening-basics"], "issued_at": "2026-03-04T16:41:00Z"})),
    Endpoint("get", "/actions", "listActionItems", "actions:read", "Action items and their status.",
             parameters=(("status", "string", "Only items with this status (open, in_progress, done...)."),),
             example=_page({"id": 9, "title": "Call back every complaint within a day", "pillar": "listening",
                            "status": "open", "due_date": "2026-06-30", "owner_id": 2, "team_id": 3,
                            "campaign_id": 4, "created_at": "2026-04-01T08:00:00Z"})),
    Endpoint("get", "/kpi-values", "listKpiValues", "kpis:read", "KPI values of people and teams per quarter.",
             parameters=(("period", "string", "Only this quarter, such as 2026-Q1."),
                         ("kpi", "string", "Only this KPI, by its key.")),
             example=_page({"id": 31, "kpi": "nps", "period": "2026-Q1", "person_id": None, "team_id": 3,
                            "value": 41.0, "answers": 230, "updated_at": "2026-04-03T10:00:00Z"})),
    Endpoint("post", "/kpi-values", "importKpiValues", "kpis:write",
             "Store KPI values, all or nothing, by the rules of the KPI values import. Each value gives a closed "
             "quarter, a KPI key, an e-mail (a person's value) or a team path (a team's value), and the value. "
             "When any value is refused nothing is stored and the answer is 422 with every error by index and "
             "field. Values already stored as sent are left alone: sending the same values again stores nothing.",
             body_example={"values": [{"period": "2026-Q1", "kpi": "nps", "team": "Sales/Milano", "value": 41},
                                      {"period": "2026-Q1", "kpi": "fcr", "email": "anna@example.com",
                                       "value": 78.5}]},
             example={"written": 2, "created": 2, "updated": 0, "unchanged": 0}, paged=False),
    Endpoint("get", "/scorecards", "listScorecards", "kpis:read",
             "People's scorecards for a quarter, as HR's scorecard pages show them: each KPI of the person's reward "
             "plan with its value, target and status, the training record and the team's culture snapshot (the "
             "pillar scores only when the team's figure is shown on the results pages; otherwise \"hidden\": true).",
             parameters=(("period", "string", "The quarter, such as 2026-Q1 (the last closed one if left out)."),
                         ("team_id", "integer", "Only this team's people.")),
             example=_page({"person_id": 7, "team_id": 3, "team": "Sales/Milano", "job_role": "Front line",
                            "period": "2026-Q1", "previous_period": "2025-Q4", "plan": "Front line 2026-Q1",
                            "kpis": [{"kpi": "fcr", "name": "First-contact resolution", "unit": "%",
                                      "better": "higher", "value": 78.5, "previous": 74.0, "weight": 40.0,
                                      "target": 75.0, "threshold": 70.0, "status": "met", "trend": "better",
                                      "answers": None, "small_sample": False}],
                            "also_measured": [], "met": 1, "weight_met": 40.0,
                            "training": {"required_done": 3, "required_total": 4, "percent": 75, "overdue": 0},
                            "culture": {"campaign": "Culture 2026", "team": "Sales/Milano", "hidden": True},
                            "reward_conflicts": []})),
    Endpoint("get", "/campaigns", "listCampaigns", "results:read", "Closed culture-assessment campaigns.",
             example=_page({"id": 4, "title": "Culture 2026", "status": "closed", "opens_on": "2026-02-01",
                            "closes_on": "2026-02-28"})),
    Endpoint("get", "/campaigns/{campaign_id}/results", "showCampaignResults", "results:read",
             "A closed campaign's results exactly as the leadership's results page shows them: a group with fewer "
             "respondents than the anonymity threshold (or one that could be worked out from the others) is "
             "{\"hidden\": true}, with no number at all. Comments are not available through the API.",
             path_parameters=(("campaign_id", "The campaign's number, from /campaigns."),),
             example={"campaign_id": 4, "title": "Culture 2026", "status": "closed", "closes_on": "2026-02-28",
                      "threshold": 5, "visible": True, "respondents": 48, "invited": 60,
                      "pillars": [{"pillar": "vision", "hidden": False, "score": 3.9, "favourable_percent": 68.0,
                                   "neutral_percent": 20.0, "unfavourable_percent": 12.0, "respondents": 48,
                                   "small_sample": False, "dont_know": 0}],
                      "teams": [{"team_id": 3, "label": "Sales/Milano", "hidden": True, "respondents": None,
                                 "pillars": {}}],
                      "job_roles": [], "items": []},
             paged=False),
)

_ERROR = {"$ref": "#/components/schemas/Error"}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ERROR}}}


def _operation(endpoint: Endpoint) -> dict:
    parameters = [{"name": name, "in": "path", "required": True, "description": text,
                   "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}}
                  for name, text in endpoint.path_parameters]
    query = (*endpoint.parameters, *(PAGE_PARAMETERS if endpoint.paged else ()))
    for name, kind, text in query:
        schema = {"type": kind}
        if name == "limit":
            schema.update(minimum=1, maximum=500)
        elif kind == "integer":
            schema.update(minimum=0 if name == "after" else 1, maximum=MAX_ID)
        elif name == "period":
            schema.update(pattern=QUARTER_PATTERN)
        parameters.append({"name": name, "in": "query", "required": False, "description": text, "schema": schema})
    responses = {
        "200": {"description": "OK", "headers": {"ETag": {"schema": {"type": "string"}}},
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Page"}
                                                 if endpoint.paged else {"type": "object"},
                                                 "example": endpoint.example}}},
        "401": _error("No token, or a wrong, expired or revoked one."),
        "403": _error(f"The token lacks the scope {endpoint.scope}."),
        "429": {**_error("Too many requests with this token."),
                "headers": {"Retry-After": {"schema": {"type": "integer"}}}},
    }
    if endpoint.method == "get":
        responses["304"] = {"description": "Not modified (the If-None-Match ETag is current)."}
    if endpoint.paged or endpoint.parameters:
        responses["400"] = _error("A parameter is not valid.")
    if endpoint.path_parameters:
        responses["404"] = _error("No such campaign in the token's organisation.")
    operation = {"operationId": endpoint.operation_id, "summary": endpoint.summary, "description":
                 f"{endpoint.summary}\n\nScope: `{endpoint.scope}`.", "security": [{"token": [endpoint.scope]}],
                 "parameters": parameters, "responses": responses, "x-scope": endpoint.scope}
    if endpoint.body_example is not None:
        body = "People" if endpoint.path == "/people" else "KpiValues"
        operation["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": {"$ref": f"#/components/schemas/{body}"}, "example": endpoint.body_example}}}
        responses["400"] = _error("The body is not JSON with a list of records.")
        responses["422"] = {"description": "Refused: nothing was stored.", "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/Refusal"}}}}
    return operation


def openapi_document(server: str) -> dict:
    """The OpenAPI 3.1 document of /api/v1, served at `server`."""
    paths: dict[str, dict] = {}
    for endpoint in ENDPOINTS:
        paths.setdefault(endpoint.path, {})[endpoint.method] = _operation(endpoint)
    return {
        "openapi": "3.1.0",
        "info": {"title": "CX Culture API", "version": "1",
                 "description": "An organisation's people, training, action items, KPI values and culture-assessment "
                                "results, for HR systems and BI tools. Authenticate with an API token that an "
                                "administrator creates under Administration › API."},
        "servers": [{"url": server}],
        "security": [{"token": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer", "bearerFormat": "cxapi_…"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error", "message"],
                          "properties": {"error": {"type": "string"}, "message": {"type": "string"}}},
                "Page": {"type": "object", "required": ["data", "next"],
                         "properties": {"data": {"type": "array", "items": {"type": "object"}},
                                        "next": {"type": ["string", "null"], "format": "uri"}}},
                "KpiValue": {"type": "object", "required": ["period", "kpi", "value"], "additionalProperties": False,
                             "properties": {"period": {"type": "string", "pattern": "^[0-9]{4}-Q[1-4]$",
                                                       "examples": ["2026-Q1"]},
                                            "kpi": {"type": "string"}, "email": {"type": "string"},
                                            "team": {"type": "string"},
                                            "value": {"type": ["number", "string"]}}},
                "KpiValues": {"type": "object", "required": ["values"],
                              "properties": {"values": {"type": "array", "minItems": 1, "maxItems": 20_000,
                                                        "items": {"$ref": "#/components/schemas/KpiValue"}}}},
                "Person": {"type": "object", "required": ["email", "name"], "additionalProperties": False,
                           "properties": {name: {"type": "string"} for name in
                                          ("email", "name", "team", "job_role", "manager_email", "language")}},
                "People": {"type": "object", "required": ["people"],
                           "properties": {"people": {"type": "array", "minItems": 1, "maxItems": 10_000,
                                                     "items": {"$ref": "#/components/schemas/Person"}}}},
                "Refusal": {"type": "object", "required": ["error", "message", "errors"], "properties": {
                    "error": {"type": "string"}, "message": {"type": "string"},
                    "errors": {"type": "array", "items": {"type": "object", "properties": {
                        "index": {"type": ["integer", "null"]}, "field": {"type": ["string", "null"]},
                        "message": {"type": "string"}}}}}},
            },
        },
    }
