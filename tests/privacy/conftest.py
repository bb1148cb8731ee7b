"""Fixtures of the privacy tests: a person with training records made through the pages."""
from __future__ import annotations

import pytest

from tests.modules.conftest import RIGHT_ANSWERS
from tests.modules.learner_helpers import complete_module

FRONT_LINE_PATH = ("what-is-cx", "customer-journey", "listening-to-customers")


@pytest.fixture
def certified(client, trained, login_as):
    """The bank's employee with their front-line path completed (progress, attempts, a certificate), logged in."""
    person = login_as("employee", org="bank")
    for slug in FRONT_LINE_PATH:
        complete_module(client, slug, RIGHT_ANSWERS)
    return person
