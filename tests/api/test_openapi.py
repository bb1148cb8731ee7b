"""The API's OpenAPI 3.1 document is valid and describes every route; the reference page lists them all."""
from __future__ import annotations

import re

from openapi_spec_validator import validate

from cxculture.api.tokens import SCOPES


def _api_rules(app):
    return {(method.lower(), rule.rule.removeprefix("/api/v1").replace("<int:campaign_id>", "{campaign_id}"))
            for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api_v1.")
            and rule.endpoint not in ("api_v1.openapi_json", "api_v1.api_reference")
            for method in rule.methods - {"HEAD", "OPTIONS"}}


def test_the_document_is_valid_openapi_and_covers_every_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.headers["ETag"]
    document = response.get_json()
    validate(document)
    assert document["openapi"] == "3.1.0"
    described = {(method, path) for path, operations in document["paths"].items() for method in operations}
    assert described == _api_rules(app)
    for operations in document["paths"].values():
        for operation in operations.values():
            assert operation["x-scope"] in SCOPES


def test_the_reference_page_lists_each_endpoint_scope_and_example(app, client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', page)  # nothing from another server
    for method, path in _api_rules(app):
        assert f"{method.upper()} {path}" in page
    for scope in SCOPES:
        assert scope in page
    assert "curl " in page and "Authorization: Bearer" in page
