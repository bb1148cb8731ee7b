"""Fixtures and helpers shared by the administration tests."""
from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.orgs.models import JobRole, Organisation, Person, Team


def text(response) -> str:
    """The page as a reader sees it: entities decoded, so messages compare as written."""
    return html.unescape(response.get_data(as_text=True))


def field_error(response, field: str) -> str:
    """The error message shown next to `field`, or "" when there is none."""
    found = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', response.get_data(as_text=True), re.S)
    return html.unescape(found.group(1)) if found else ""


def people_snapshot(organisation_id: int | None = None) -> list[tuple]:
    """Every person's columns and permissions, to prove a refused change changed nothing."""
    db.session.expire_all()
    query = select(Person).order_by(Person.id)
    if organisation_id is not None:
        query = query.where(Person.organisation_id == organisation_id)
    return [
        (p.id, p.organisation_id, p.email, p.name, p.language, p.job_role_id, p.team_id, p.manager_id, p.active,
         p.password_hash, tuple(sorted(p.permissions)))
        for p in db.session.scalars(query)
    ]


def teams_snapshot() -> list[tuple]:
    db.session.expire_all()
    return [(t.id, t.organisation_id, t.parent_id, t.name) for t in db.session.scalars(select(Team).order_by(Team.id))]


def roles_snapshot() -> list[tuple]:
    db.session.expire_all()
    return [(r.id, r.organisation_id, r.key, r.name_en, r.name_it)
            for r in db.session.scalars(select(JobRole).order_by(JobRole.id))]


def team(organisation: Organisation, path: str) -> Team:
    from cxculture.orgs.teams import teams_by_path

    return teams_by_path(organisation.id)[path]


def role(organisation: Organisation, key: str) -> JobRole:
    return db.session.scalar(select(JobRole).where(JobRole.organisation_id == organisation.id, JobRole.key == key))


@pytest.fixture
def retail(demo):
    return demo["demo-retail"]


@pytest.fixture
def bank(demo):
    return demo["demo-bank"]


@pytest.fixture
def admin(login_as):
    """Demo Retail's administrator, logged in, reading English (the organisation's default is Italian)."""
    person = login_as("admin")
    person.language = "en"
    db.session.commit()
    return person
