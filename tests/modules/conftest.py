"""Training fixtures: a small module library (tests/modules/fixture_library) loaded next to the demo."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.modules.library import sync_library
from cxculture.modules.paths import ensure_default_paths
from cxculture.orgs.models import Organisation

FIXTURE_LIBRARY = Path(__file__).parent / "fixture_library"
#: Every quiz of the fixture library: choice "a" is right, and for the multiple-choice q5 "a" and "b".
RIGHT_ANSWERS = {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q4": ["a"], "q5": ["a", "b"]}
WRONG_ANSWERS = {"q1": ["b"], "q2": ["b"], "q3": ["a"], "q4": ["a"], "q5": ["a"]}


@pytest.fixture
def library(app):
    """The fixture library loaded into the database; returns the sync report."""
    report = sync_library(FIXTURE_LIBRARY)
    db.session.commit()
    return report


@pytest.fixture
def trained(demo, library):
    """The demo organisations with the fixture library and their default paths."""
    for organisation in db.session.scalars(select(Organisation)):
        ensure_default_paths(organisation)
    db.session.commit()
    return demo
