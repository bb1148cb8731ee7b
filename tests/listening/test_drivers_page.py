"""The leader's drivers page through the test client: permissions, tenancy, the fallback under 25 teams, the
analysis at 25, and teams hidden by the anonymity rules never used."""
from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.kpis.models import Kpi, KpiValue
from cxculture.kpis.periods import Period
from cxculture.listening.drivers import MIN_TEAMS, drivers_of
from cxculture.orgs.models import Team
from cxculture.orgs.service import person_by_email
from cxculture.pillars import PILLARS
from tests.assessments.results_factories import make_campaign, respond_many

URL = "/listening/drivers"


@pytest.fixture
def demo(demo):
    """The demo organisations, their named accounts reading English (the pages' words are checked)."""
    for org in ("retail", "bank"):
        for local in ("admin", "leader", "hr", "manager", "employee"):
            person_by_email(f"{local}@{org}.example.com").language = "en"
    db.session.commit()
    return demo


def _outcome(scores: dict[str, int]) -> float:
    """NPS made of two pillars: listening weighs twice what improvement does."""
    return 20 * scores["listening"] + 10 * scores["improvement"] - 60


def _compared_teams(organisation, count: int, small: int = 0, seed: int = 5, weak_listening: bool = False):
    """A closed campaign of `count` teams of five respondents (each team answering alike, pillar by pillar at
    random) and `small` teams of two, each team with an NPS value for the campaign's quarter: the outcome is
    _outcome() of the team's scores, except that a small team's is far off, so using it would show. With
    `weak_listening` every team scores 1-2 on listening and 3-5 elsewhere."""
    rng = random.Random(seed)
    campaign = make_campaign(organisation, title="Culture drivers")
    period = str(Period.containing(campaign.closes_on))
    nps = db.session.scalar(select(Kpi).where(Kpi.organisation_id == organisation.id, Kpi.survey == "nps"))
    parent = Team(organisation_id=organisation.id, name="Regions")
    db.session.add(parent)
    for number in range(count + small):
        team = Team(organisation_id=organisation.id, name=f"Region {number:02}", parent=parent)
        db.session.add(team)
        db.session.flush()
        scores = {p: rng.randint(3, 5) if weak_listening else rng.randint(1, 5) for p in PILLARS}
        if weak_listening:
            scores["listening"] = rng.randint(1, 2)
        size = 5 if number < count else 2
        respond_many(campaign, size, team=team, **scores)
        value = _outcome(scores) if number < count else 400.0
        db.session.add(KpiValue(organisation_id=organisation.id, kpi_id=nps.id, period=period, team_id=team.id,
                                value=value, answers=100 if number else 12))
    db.session.commit()
    return campaign


@pytest.mark.parametrize("permission", ["employee", "manager", "hr"])
def test_only_those_who_see_the_organisations_results_may_open_it(client, login_as, permission):
    login_as(permission)
    assert client.get(URL).status_code == 403


def test_a_visitor_is_sent_to_log_in(client, demo):
    assert client.get(URL).status_code == 302


def test_the_leaders_home_links_to_it(client, login_as, demo):
    _compared_teams(demo["demo-retail"], 3)
    login_as("leader")
    assert 'href="/listening/drivers"' in client.get("/home/leader").get_data(as_text=True)


@pytest.mark.parametrize("count, analysed", [(MIN_TEAMS - 1, False), (MIN_TEAMS, True)])
def test_twenty_five_teams_are_needed_for_an_analysis(client, login_as, demo, count, analysed):
    _compared_teams(demo["demo-retail"], count)
    login_as("leader")
    page = client.get(URL + "?outcome=nps").get_data(as_text=True)
    assert ("Not enough teams to compare" in page) is not analysed
    assert ("Which pillars go with" in page) is analysed
    if analysed:
        assert "R² = 1.00" in page
        assert "with 25 teams a few teams can change the order" in page
        assert "association across teams, not cause" in page
        assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart"' in page
        assert "1 of these teams has a value from fewer than 30 customer answers" in page
    else:
        assert "Only 24 teams have both a" in page
        assert "Here are the organisation" in page and "figures: its pillar scores in Culture drivers" in page


def test_the_pillars_that_make_the_outcome_come_first(demo):
    _compared_teams(demo["demo-retail"], 30)
    result = drivers_of(demo["demo-retail"].id, "nps")
    assert result.fallback is None and result.teams == 30 and result.respondents == 150
    assert result.r_squared == pytest.approx(1.0)
    assert [d.pillar for d in result.pillars[:2]] == ["listening", "improvement"]
    assert sum(d.relative for d in result.pillars) == pytest.approx(100)


def test_teams_hidden_by_the_anonymity_rules_are_never_used(client, login_as, demo):
    campaign = _compared_teams(demo["demo-retail"], 28, small=2)
    from cxculture.assessments.results.summary import shown_team_scores

    shown = {t.team_id for t in shown_team_scores(campaign)}
    small = set(db.session.scalars(select(Team.id).where(Team.name.in_(["Region 28", "Region 29"]))))
    assert small and not small & shown
    result = drivers_of(demo["demo-retail"].id, "nps")
    db.session.commit()  # reading the results marks them read: a request must not wait for this transaction
    # Their far-off NPS would pull R² well below 1 were either of them used.
    assert result.r_squared == pytest.approx(1.0)
    assert result.teams == len(shown - small) - 1  # "Regions" above them has no NPS of its own
    login_as("leader")
    assert "R² = 1.00" in client.get(URL).get_data(as_text=True)


def test_an_admin_sees_it_and_another_organisation_sees_only_its_own(client, login_as, demo):
    _compared_teams(demo["demo-retail"], 25)
    login_as("admin")
    assert "Which pillars go with" in client.get(URL).get_data(as_text=True)
    client.post("/logout")
    login_as("leader", org="bank")
    page = client.get(URL).get_data(as_text=True)
    assert "Culture drivers" not in page and "Which pillars go with" not in page
    assert "No results to compare yet" in page


def test_an_unknown_outcome_is_refused_with_a_message(client, login_as, demo):
    login_as("leader")
    response = client.get(URL + "?outcome=enps")
    assert response.status_code == 400
    assert "Choose one of the outcomes in the list." in response.get_data(as_text=True)


def test_only_the_kpi_outcomes_are_offered_and_an_outcome_without_values_says_so(client, login_as, demo):
    _compared_teams(demo["demo-retail"], 25)
    db.session.execute(db.delete(KpiValue).where(KpiValue.kpi_id.in_(
        select(Kpi.id).where(Kpi.organisation_id == demo["demo-retail"].id, Kpi.survey == "ces"))))
    db.session.commit()
    login_as("leader")
    page = client.get(URL + "?outcome=ces").get_data(as_text=True)
    assert 'value="nps"' in page and 'value="csat"' in page and 'value="ces" selected' in page
    assert "enps" not in page.lower()
    assert "no values of Customer Effort Score (CES) yet" in page


def test_the_page_speaks_italian(client, login_as, demo):
    _compared_teams(demo["demo-retail"], 25)
    login_as("leader")
    person_by_email("leader@retail.example.com").language = "it"
    db.session.commit()
    page = client.get(URL).get_data(as_text=True)
    assert "Che cosa guida i risultati" in page


def test_where_to_focus_names_an_important_pillar_that_scores_low(client, login_as, demo):
    _compared_teams(demo["demo-retail"], 26, weak_listening=True)
    result = drivers_of(demo["demo-retail"].id, "nps")
    db.session.commit()  # reading the results marks them read: a request must not wait for this transaction
    assert result.pillars[0].pillar == "listening" and result.pillars[0].focus
    assert not any(d.focus for d in result.pillars if d.pillar in ("vision", "communication", "rewards", "hiring"))
    login_as("leader")
    page = client.get(URL).get_data(as_text=True)
    focus = page[page.index('id="dr-focus-title"'):]
    assert "<strong>Listening</strong>" in focus
    # The chart names the pillar to focus on in words, and states every bar in its description.
    assert "Listening · focus" in page
    assert '<desc id="' in page and "Vision:" in page


def test_a_team_without_its_own_value_gets_its_peoples_weighted_by_their_answers(demo, make_person):
    retail = demo["demo-retail"]
    campaign = _compared_teams(retail, MIN_TEAMS)
    team = db.session.scalar(select(Team).where(Team.organisation_id == retail.id, Team.name == "Region 03"))
    own = db.session.scalar(select(KpiValue).where(KpiValue.team_id == team.id))
    value, kpi_id, period = own.value, own.kpi_id, own.period
    db.session.delete(own)
    # 100 answers at value + 30 and 300 at value - 10 pool to the team's value; a plain mean would be value + 10.
    for email, offset, answers in (("ann@retail.example.com", 30, 100), ("bob@retail.example.com", -10, 300)):
        person = make_person(retail, email, team_id=team.id)
        db.session.add(KpiValue(organisation_id=retail.id, kpi_id=kpi_id, period=period, person_id=person.id,
                                value=value + offset, answers=answers))
    db.session.commit()
    result = drivers_of(retail.id, "nps")
    assert campaign.title == result.campaign_title and result.teams == MIN_TEAMS
    assert result.r_squared == pytest.approx(1.0)
