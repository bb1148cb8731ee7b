"""Scorecard data: status and trend in both directions, missing values, the previous quarter, plans, notes."""
from __future__ import annotations

import pytest
from sqlalchemy import event, select

from cxculture.extensions import db
from cxculture.kpis import scorecards as service
from cxculture.kpis.scorecards import (
    BELOW_TARGET,
    BELOW_THRESHOLD,
    BETTER,
    MET,
    NEW,
    NO_VALUE,
    SAME,
    WORSE,
    line_status,
    line_trend,
)
from cxculture.orgs.models import Person
from tests.kpis.scorecard_factories import contact_centre_scorecard_data, make_plan, person, set_value


@pytest.mark.parametrize("value, target, threshold, better, expected", [
    (88, 85, 75, "higher", MET),
    (85, 85, 75, "higher", MET),
    (80, 85, 75, "higher", BELOW_TARGET),
    (75, 85, 75, "higher", BELOW_TARGET),
    (74.9, 85, 75, "higher", BELOW_THRESHOLD),
    (70, 85, None, "higher", BELOW_TARGET),
    (290, 300, 360, "lower", MET),
    (300, 300, 360, "lower", MET),
    (330, 300, 360, "lower", BELOW_TARGET),
    (361, 300, 360, "lower", BELOW_THRESHOLD),
    (None, 300, 360, "lower", NO_VALUE),
    (-10, 20, 0, "higher", BELOW_THRESHOLD),
])
def test_status_honours_which_way_is_better(value, target, threshold, better, expected):
    assert line_status(value, target, threshold, better) == expected


@pytest.mark.parametrize("value, previous, better, expected", [
    (88, 82, "higher", BETTER), (80, 82, "higher", WORSE), (82, 82, "higher", SAME),
    (330, 345, "lower", BETTER), (350, 345, "lower", WORSE), (345, 345.0, "lower", SAME),
    (50, None, "higher", NEW), (None, 40, "higher", None),
])
def test_trend_against_the_previous_quarter(value, previous, better, expected):
    assert line_trend(value, previous, better) == expected


def test_scorecard_of_a_person(demo):
    who = person("employee@bank.example.com")
    contact_centre_scorecard_data(demo["demo-bank"], who)
    card = service.scorecard(who, "2026-Q2", "en")
    assert (card.period, card.previous_period, card.name) == ("2026-Q2", "2026-Q1", who.name)
    assert card.plan == f"{who.job_role.name_en} · 2026-Q2"
    lines = {line.key: line for line in card.lines}
    assert [line.key for line in card.lines] == ["csat", "fcr", "aht"]
    assert (lines["csat"].value, lines["csat"].previous, lines["csat"].status, lines["csat"].trend) == (
        88.0, 82.0, MET, BETTER)
    assert (lines["fcr"].status, lines["fcr"].trend, lines["fcr"].change) == (BELOW_THRESHOLD, WORSE, -8.5)
    assert (lines["aht"].status, lines["aht"].trend) == (BELOW_TARGET, BETTER)  # lower is better
    assert lines["csat"].small_sample and not lines["fcr"].small_sample
    assert (card.met, card.weight_met) == (1, 40)
    # The behaviours each KPI supports; AHT supports none of the catalogue's behaviours.
    assert lines["csat"].behaviours and not lines["aht"].behaviours
    assert [line.key for line in card.also_measured] == ["nps"]
    assert card.also_measured[0].status is None and card.also_measured[0].trend == NEW
    # AHT works against "stays with the customer": the plan's alignment notes say so.
    assert any(note.kpi.startswith("Average handling time") for note in card.conflicts)
    assert any("Average handling time" in s for s in card.suggestions)


def test_missing_values_and_the_next_quarter(demo):
    organisation = demo["demo-bank"]
    who = person("employee@bank.example.com")
    contact_centre_scorecard_data(organisation, who)
    make_plan(organisation, who.job_role.key, "2026-Q3", (("csat", 50, 85, 75), ("fcr", 50, 75, None)))
    set_value(organisation, "csat", "2026-Q3", 88.0, person=who)
    db.session.commit()
    card = service.scorecard(who, "2026-Q3", "en")
    lines = {line.key: line for line in card.lines}
    assert (lines["csat"].previous, lines["csat"].trend) == (88.0, SAME)
    assert (lines["fcr"].value, lines["fcr"].previous, lines["fcr"].status, lines["fcr"].trend) == (
        None, 61.5, NO_VALUE, None)
    assert card.also_measured == []  # NPS was measured in Q2 only


def test_no_plan_for_the_quarter(demo):
    who = person("employee@bank.example.com")
    card = service.scorecard(who, "2025-Q4", "en")
    assert card.plan is None and card.lines == [] and card.conflicts == []


def test_scorecards_of_many_people_take_a_fixed_number_of_queries(demo):
    organisation = demo["demo-bank"]
    people = list(db.session.scalars(select(Person).where(Person.organisation_id == organisation.id)))
    make_plan(organisation, "frontline", "2026-Q2", (("csat", 50, 85, 75), ("nps", 50, 40, 20)))
    for index, someone in enumerate(people):
        set_value(organisation, "csat", "2026-Q2", 70 + index % 25, person=someone)
        set_value(organisation, "csat", "2026-Q1", 75, person=someone)
    db.session.commit()

    def count(limit):
        query = service.organisation_people_query(organisation.id).limit(limit)
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            db.session.expunge_all()
            cards = service.scorecards_for(query, "2026-Q2", "en")
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        # The training plans ask for the latest culture campaign once per team (reports.load_plans' documented
        # exception): that grows with teams, never with people.
        return len(cards), sum(not s.startswith("SELECT campaign.") for s in statements)

    few, many = count(3), count(len(people))
    assert few[0] == 3 and many[0] == len(people)
    assert many[1] == few[1]


def test_team_pack_summary(demo):
    organisation = demo["demo-bank"]
    who = person("employee@bank.example.com")
    contact_centre_scorecard_data(organisation, who)
    colleague = db.session.scalar(select(Person).where(Person.team_id == who.team_id, Person.id != who.id,
                                                       Person.job_role_id == who.job_role_id))
    set_value(organisation, "csat", "2026-Q2", 80.0, person=colleague)
    set_value(organisation, "nps", "2026-Q2", 42.0, team=who.team)
    set_value(organisation, "fcr", "2026-Q2", 66.0, team=who.team)
    db.session.commit()
    query = service.organisation_people_query(organisation.id, [who.team_id]).where(
        Person.id.in_([who.id, colleague.id]))
    cards = service.scorecards_for(query, "2026-Q2", "en")
    pack = service.team_pack("Branch", cards, organisation.id, "2026-Q2", "en", who.team_id)
    csat = next(k for k in pack.kpis if k.name.startswith("Customer satisfaction"))
    assert (csat.people, csat.with_value, csat.met, csat.mean, csat.median) == (2, 2, 1, 84.0, 84.0)
    fcr = next(k for k in pack.kpis if k.name.startswith("First-contact"))
    assert (fcr.with_value, fcr.team_value) == (1, 66.0)
    assert [name for name, _unit, _value in pack.team_only] == ["Net Promoter Score (NPS)"]


def test_formatting():
    assert service.format_value(72.0, "percent", "en") == "72%"
    assert service.format_value(61.5, "percent", "it") == "61,5%"
    assert service.format_value(312, "seconds") == "312 s"
    assert service.format_value(1234.5, "euro", "it") == "€ 1.234,50"
    assert service.format_value(None, "points") == "—"
    assert service.format_change(-8.5, "percent", "en") == "−8.5 pts"
    assert service.format_change(15, "seconds") == "+15 s"
    assert service.format_change(0, "points") == "±0"


def test_culture_snapshot_only_when_the_team_may_be_shown(demo):
    from tests.assessments.results_factories import make_campaign, respond_many

    organisation = demo["demo-bank"]
    who = person("employee@bank.example.com")
    other = db.session.scalar(select(Person).where(Person.organisation_id == organisation.id,
                                                   Person.team_id.is_not(None), Person.team_id != who.team_id))
    campaign = make_campaign(organisation, title="Culture check")
    respond_many(campaign, 6, team=who.team, rewards=2)
    respond_many(campaign, 8, team=other.team)
    card = service.scorecard(who, "2026-Q2", "en")
    assert card.culture.visible and card.culture.campaign == "Culture check"
    assert dict(card.culture.pillars)["rewards"] == 2.0 and dict(card.culture.pillars)["vision"] == 4.0

    small = make_campaign(organisation, title="Later check")
    respond_many(small, 3, team=who.team)
    respond_many(small, 8, team=other.team)
    card = service.scorecard(who, "2026-Q2", "en")
    assert card.culture.campaign == "Later check" and not card.culture.visible and card.culture.pillars == ()
