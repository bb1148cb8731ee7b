"""API tests: tokens made as an administrator would, and a client that sends one."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cxculture.api.tokens import SCOPES, create_token
from cxculture.extensions import db


@pytest.fixture
def make_token(app):
    """Returns a callable: make_token(organisation, scopes=..., days=...) -> the plain token (committed)."""

    def _make(organisation, scopes=tuple(SCOPES), days=90, name="BI tool"):
        made = create_token(organisation.id, name=name, scopes=list(scopes), days=days)
        db.session.commit()
        return made.plain

    return _make


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def count(model) -> int:
    """How many rows `model` has, in every organisation."""
    return db.session.scalar(select(func.count()).select_from(model))
