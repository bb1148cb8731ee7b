"""Fixtures the listening tests share."""
from __future__ import annotations

import pytest

from cxculture.extensions import db
from cxculture.orgs.service import person_by_email


@pytest.fixture
def retail(demo):
    """Demo Retail, its named accounts reading English (the pages' words are checked)."""
    for local in ("admin", "leader", "hr", "manager", "employee"):
        person_by_email(f"{local}@retail.example.com").language = "en"
    db.session.commit()
    return demo["demo-retail"]
