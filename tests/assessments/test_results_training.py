"""The training hook: a person's plan follows their team's weakest pillars, only from results that may be shown."""
from __future__ import annotations

import pytest

from cxculture.assessments.results.summary import weakest_pillars_for
from cxculture.extensions import db
from cxculture.modules.personalisation import PillarFocus
from cxculture.modules.plan import build_plan
from cxculture.orgs.service import person_by_email
from tests.assessments.results_factories import make_campaign, respond_many, retail_campaign, teams


@pytest.fixture
def retail(trained):
    return trained["demo-retail"]


def pillar_reasons(person):
    return {(r.pillar, r.scope) for entry in build_plan(person).entries for r in entry.reasons if r.kind == "pillar"}


def test_front_line_plan_follows_the_team_lowest_pillars(client, retail):
    retail_campaign(retail)  # Milano: listening 2, improvement 3
    employee = person_by_email("employee@retail.example.com")
    assert weakest_pillars_for(employee) == PillarFocus(("listening", "improvement"), "team")
    assert ("listening", "team") in pillar_reasons(employee)
    employee.language = "en"
    db.session.commit()
    from tests.conftest import login

    login(client, "employee@retail.example.com")
    page = client.get("/home/employee").get_data(as_text=True)
    assert "Your team's lowest pillar: Listening" in page


def test_hidden_team_falls_back_to_the_organisation(retail):
    retail_campaign(retail)
    torino = teams(retail)["Vendite/Torino Store"]
    person = next(p for p in torino_people(torino))
    focus = weakest_pillars_for(person)
    # Organisation-wide: listening (3.64) and improvement (3.89) are the lowest.
    assert focus == PillarFocus(("listening", "improvement"), "organisation")
    assert ("listening", "organisation") in pillar_reasons(person)


def torino_people(team):
    from sqlalchemy import select

    from cxculture.orgs.models import Person

    return db.session.scalars(select(Person).where(Person.team_id == team.id, Person.job_role_id.is_not(None)))


def test_nothing_when_the_whole_campaign_is_too_small_or_none_is_closed(retail):
    employee = person_by_email("employee@retail.example.com")
    assert weakest_pillars_for(employee) is None
    open_one = make_campaign(retail, status="open")
    respond_many(open_one, 20, team=teams(retail)["Vendite/Milano Store"], listening=1)
    assert weakest_pillars_for(employee) is None
    small = make_campaign(retail, title="Small")
    respond_many(small, 4, team=teams(retail)["Vendite/Milano Store"], listening=1)
    assert weakest_pillars_for(employee) is None
    assert not any(r.kind == "pillar" for e in build_plan(employee).entries for r in e.reasons)
