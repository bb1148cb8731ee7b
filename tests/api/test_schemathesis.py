"""Schemathesis reads the API's OpenAPI document and sends what it allows (and what it does not) to the app:
every answer must be one the document describes, in its shape, and never a server error.

The operations' Hypothesis strategies are run by hand: schemathesis's pytest loader (`from_fixture`) does not
work with this pytest (it renames the test's node through an attribute pytest 9 removed).
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from tests.api.conftest import bearer


@pytest.fixture
def app_config():
    return {"API_RATE_LIMIT": "100000 per minute"}  # the fuzzing is not about the rate limit


@pytest.mark.slow
def test_every_answer_is_one_the_document_describes(app, demo, make_token):
    token = make_token(demo["demo-retail"])
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def answers_as_described(case):
            # A value the document allows may still be refused (422) by the import's rules: a KPI key or an
            # e-mail that the organisation does not have, a quarter not over yet.
            excluded = [positive_data_acceptance] if case.method == "POST" else []
            case.call_and_validate(headers=bearer(token), excluded_checks=excluded)

        answers_as_described()
        checked.append(operation.label)
    assert len(checked) == 11, checked
