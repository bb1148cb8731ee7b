"""Who answered and what was answered cannot be joined: schema, data, ids, row order, double submits."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import DateTime, delete, func, inspect, select

from cxculture.assessments.answering import save_draft, submit
from cxculture.assessments.answers import Answer, Comment, Invitee, Participation, Response
from cxculture.assessments.instruments import sync_shipped_instruments
from cxculture.assessments.models import Campaign, Draft
from cxculture.extensions import db
from cxculture.orgs.service import person_by_email
from cxculture.refusals import Refused
from tests.assessments.results_factories import open_now

ANONYMOUS_TABLES = ("response", "response_answer", "response_comment")


@pytest.fixture
def campaign(demo):
    instrument = sync_shipped_instruments()[0]
    campaign = Campaign(organisation_id=demo["demo-bank"].id, instrument=instrument, title="Q4 culture check",
                        opens_on=date.today() - timedelta(days=1), closes_on=date.today() + timedelta(days=7),
                        status="open")
    db.session.add(campaign)
    return open_now(campaign)


def answer_all(campaign, person, value, comment=None):
    values = {item["key"]: value for item in campaign.instrument.items}
    save_draft(campaign, person, values, {"obstacles": comment} if comment else {})
    submit(campaign, person)
    db.session.commit()


def test_schema_keeps_participation_and_responses_apart():
    metadata = db.metadata
    participation = metadata.tables["participation"]
    person_columns = {"person_id"}
    for name in ANONYMOUS_TABLES:
        table = metadata.tables[name]
        assert not set(table.c.keys()) & person_columns, f"{name} names a person"
        assert not any(fk.column.table.name in ("person", "participation", "assessment_draft")
                       for fk in table.foreign_keys), f"{name} points at who answered"
        assert not any(isinstance(c.type, DateTime) for c in table.c), f"{name} has a timestamp"
    assert not any(isinstance(c.type, DateTime) for c in participation.c)
    assert not any(fk.column.table.name in ANONYMOUS_TABLES for fk in participation.foreign_keys)
    shared = set(participation.c.keys()) & set(metadata.tables["response"].c.keys())
    assert shared == {"id", "campaign_id"}


def test_schema_in_the_database_matches(app):
    inspector = inspect(db.engine)
    for name in ("participation", *ANONYMOUS_TABLES):
        columns = {c["name"] for c in inspector.get_columns(name)}
        assert "person_id" not in columns or name == "participation"
        assert not {"created_at", "updated_at", "submitted_at"} & columns


def test_ids_are_random_and_rows_hold_no_person(campaign):
    for email, value in (("employee@bank.example.com", 5), ("manager@bank.example.com", 2),
                         ("hr@bank.example.com", 4)):
        answer_all(campaign, person_by_email(email), value, comment=f"comment {value}")
    for model in (Participation, Response, Answer, Comment):
        ids = db.session.scalars(select(model.id)).all()
        assert ids and all(re.fullmatch(r"[0-9a-f]{32}", i) for i in ids)
    participants = set(db.session.scalars(select(Participation.person_id)))
    assert participants == {person_by_email(e).id for e in ("employee@bank.example.com", "manager@bank.example.com",
                                                             "hr@bank.example.com")}
    assert db.session.scalar(select(func.count(Draft.id))) == 0  # drafts are gone once submitted


def test_submitting_twice_stores_nothing_twice(campaign):
    person = person_by_email("employee@bank.example.com")
    answer_all(campaign, person, 4)
    with pytest.raises(Refused) as raised:
        submit(campaign, person)
    assert raised.value.code == "already-answered"
    with pytest.raises(Refused):
        save_draft(campaign, person, {"vision-1": 3}, {})
    assert db.session.scalar(select(func.count(Response.id))) == 1
    assert db.session.scalar(select(func.count(Participation.id))) == 1


def test_incomplete_draft_cannot_be_submitted(campaign):
    person = person_by_email("employee@bank.example.com")
    save_draft(campaign, person, {"vision-1": 4}, {})
    with pytest.raises(Refused) as raised:
        submit(campaign, person)
    assert raised.value.code == "invalid" and "vision-2" in raised.value.details["problems"]
    assert db.session.scalar(select(func.count(Participation.id))) == 0


@pytest.mark.parametrize("values, problem", [({"vision-1": 6}, "range"), ({"vision-1": "x"}, "range"),
                                             ({"nope": 3}, "unknown")])
def test_bad_values_are_refused_and_change_nothing(campaign, values, problem):
    person = person_by_email("employee@bank.example.com")
    save_draft(campaign, person, {"vision-2": 4}, {})
    with pytest.raises(Refused) as raised:
        save_draft(campaign, person, values, {})
    assert problem in raised.value.details["problems"].values()
    draft = db.session.scalar(select(Draft))
    assert draft.answers["items"] == {"vision-2": 4}


def test_closed_campaign_accepts_nothing(campaign):
    campaign.status = "closed"
    db.session.commit()
    with pytest.raises(Refused) as raised:
        save_draft(campaign, person_by_email("employee@bank.example.com"), {"vision-1": 4}, {})
    assert raised.value.code == "closed"


def test_only_invited_teams_answer(campaign):
    from cxculture.orgs.models import Team

    branches = db.session.scalar(select(Team).where(Team.name == "Branches",
                                                    Team.organisation_id == campaign.organisation_id))
    campaign.status, campaign.population = "draft", None
    db.session.execute(delete(Invitee).where(Invitee.campaign_id == campaign.id))
    campaign.teams = [branches]
    open_now(campaign)
    save_draft(campaign, person_by_email("employee@bank.example.com"), {"vision-1": 4}, {})  # London Bridge
    with pytest.raises(Refused) as raised:
        save_draft(campaign, person_by_email("hr@bank.example.com"), {"vision-1": 4}, {})  # People team
    assert raised.value.code == "not-invited"
