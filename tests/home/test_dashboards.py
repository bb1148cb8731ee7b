"""Each permission's dashboard: what it shows, an organisation with no data, tenancy, and its SQL statement count."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from cxculture.assessments.models import ActionItem
from cxculture.assessments.results.report import campaign_results, pillar_overview
from cxculture.cafes.models import Cafe
from cxculture.extensions import db
from cxculture.kpis.periods import last_closed_period
from cxculture.kpis.scorecards import organisation_people_query, scorecard_counts, scorecards_for
from cxculture.kpis.values import create_import
from cxculture.lms.models import XapiStatement
from cxculture.mail.models import MailMessage
from cxculture.orgs.models import Person
from cxculture.orgs.roster import create_roster_import
from cxculture.orgs.service import person_by_email
from tests.assessments.results_factories import make_campaign, open_campaign_in, respond_many, retail_campaign, teams
from tests.conftest import login
from tests.modules.team_helpers import assign, counted_queries

TODAY = date.today()


def section(page: str, title_id: str) -> str:
    """The <section> of a dashboard labelled by the heading with this id."""
    return page.split(f'id="{title_id}"')[1].split("</section>")[0]


def text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def action(organisation, title: str, due: date | None = None, owner=None, status: str = "open") -> ActionItem:
    row = ActionItem(organisation_id=organisation.id, pillar="listening", title=title, due_date=due,
                     owner_id=owner.id if owner else None, status=status)
    db.session.add(row)
    db.session.commit()
    return row


def cafe(organisation, title: str, starts_at: datetime, status: str = "planned") -> Cafe:
    row = Cafe(organisation_id=organisation.id, title=title, starts_at=starts_at, status=status, language="en")
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def retail(demo):
    """Demo Retail with its named accounts reading English, a closed campaign (retail_campaign: Milano shown, Roma
    and Torino hidden) and the one before it (Milano scored 3 everywhere), for the trend."""
    for local in ("admin", "leader", "hr", "manager", "employee"):
        person_by_email(f"{local}@retail.example.com").language = "en"
    organisation = demo["demo-retail"]
    campaign = retail_campaign(organisation, title="Culture 2025")
    previous = make_campaign(organisation, title="Culture 2024", closes_on=campaign.closes_on - timedelta(days=365))
    respond_many(previous, 10, team=teams(organisation)["Vendite/Milano Store"], default=3)
    db.session.commit()
    return organisation


# The manager ------------------------------------------------------------------------------------------------

def test_manager_sees_each_persons_progress_and_what_is_overdue(client, trained, login_as):
    manager = login_as("manager", org="bank")
    late = person_by_email("harry.wilson@bank.example.com")
    assign(late, "customer-journey", due=TODAY - timedelta(days=1), by=manager)
    card = section(text(client, "/home/manager"), "people-title")
    rows = card.split("<li>")[1:]
    harry = next(row for row in rows if "Harry Wilson" in row)
    assert "overdue</span> Title of customer-journey" in harry
    assert re.search(r"\d+/\d+ required", harry)
    late = ["badge-bad" in row for row in rows]
    assert late == sorted(late, reverse=True)  # overdue first
    assert any("Employee Demo Bank" in row for row in rows)
    assert 'href="/team/training"' in card and 'href="/team/training/assign"' in card


def test_manager_sees_the_teams_results_with_their_trend(app, client, retail, login_as):
    manager = login_as("manager", org="retail")
    card = section(text(client, "/home/manager"), "team-results-title")
    assert "Vendite/Milano Store" in card and "Culture 2025" in card and "Culture 2024" in card
    assert "rs-down" in card  # listening fell from 3 to 2
    with app.test_request_context():
        from cxculture.assessments.results.summary import latest_closed_campaign

        latest = latest_closed_campaign(manager.organisation_id)
        page = campaign_results(latest, manager)
        overview = pillar_overview(latest, manager)
    assert [(p.key, p.figure.score, p.change) for p in overview.pillars] == \
        [(p.key, p.figure.score, p.change) for p in page.pillars]


def test_a_hidden_team_shows_no_figure_on_its_managers_dashboard(client, retail):
    leader = person_by_email("leader@retail.example.com")
    rome_lead = db.session.scalar(select(Person).where(Person.team_id == teams(retail)["Vendite/Roma Store"].id,
                                                       Person.manager_id == leader.id))
    rome_lead.language = "en"
    db.session.commit()
    login(client, rome_lead.email)
    card = section(text(client, "/home/manager"), "team-results-title")
    assert "are not shown: fewer than 5 people answered" in card
    assert "rs-change" not in card and "<strong>" + "4.0" not in card and "Favourable" not in card


def test_manager_sees_the_open_actions_of_their_team_only(client, retail, login_as):
    manager = person_by_email("manager@retail.example.com")
    report = db.session.scalar(select(Person).where(Person.manager_id == manager.id))
    action(retail, "Milano action overdue", due=TODAY - timedelta(days=2), owner=report)
    action(retail, "Manager's own action", owner=manager)
    action(retail, "Someone else's action", owner=person_by_email("hr@retail.example.com"))
    action(retail, "Done action", owner=manager, status="done")
    login_as("manager", org="retail")
    page = text(client, "/home/manager")
    card = section(page, "team-actions-title")
    assert "Milano action overdue" in card and "Manager&#39;s own action" in card
    assert "Someone else" not in card and "Done action" not in card
    assert card.index("Milano action overdue") < card.index("Manager&#39;s own action")  # soonest due first
    assert "overdue" in card.split("Milano action overdue")[1].split("</li>")[0]
    assert re.search(r'<div class="stat">2</div>\s*<div class="stat-label">open actions owned by you or your team',
                     page)


# The leader -------------------------------------------------------------------------------------------------

def test_leader_sees_pillars_trend_turnout_overdue_actions_and_the_next_cafe(client, retail, login_as):
    open_campaign_in(retail, "Pulse December")
    action(retail, "Overdue retail action", due=TODAY - timedelta(days=3))
    action(retail, "Later retail action", due=TODAY + timedelta(days=30))
    cafe(retail, "Café next month", datetime.combine(TODAY + timedelta(days=30), datetime.min.time()))
    cafe(retail, "Café next week", datetime.combine(TODAY + timedelta(days=7), datetime.min.time()))
    cafe(retail, "Café long ago", datetime(2020, 1, 1))
    login_as("leader", org="retail")
    page = text(client, "/home/leader")

    results = section(page, "lead-results-title")
    assert "Culture 2025" in results and "The whole organisation" in results and "Culture 2024" in results
    assert results.count('<th scope="row">') == 6
    turnout = section(page, "lead-turnout-title")
    assert "Pulse December" in turnout and "invited people have answered" in turnout
    assert re.search(r'href="/assessments/campaigns/\d+"', turnout)
    overdue = section(page, "lead-actions-title")
    assert "Overdue retail action" in overdue and "Later retail action" not in overdue
    assert re.search(r'href="/assessments/actions/\d+"', overdue)
    cafes = section(page, "lead-cafes-title")
    assert "Café next week" in cafes and "Café next month" not in cafes and "long ago" not in cafes

    client.post("/logout")
    login_as("leader", org="bank")  # another organisation sees none of it
    other = text(client, "/home/leader")
    for word in ("Culture 2025", "Pulse December", "Overdue retail action", "Café next week"):
        assert word not in other


def test_leader_sees_no_results_when_the_organisation_is_below_the_threshold(client, demo, login_as):
    bank = demo["demo-bank"]
    campaign = make_campaign(bank, title="Tiny check")
    respond_many(campaign, 3, team=teams(bank)["Digital"])
    login_as("leader", org="bank")
    card = section(text(client, "/home/leader"), "lead-results-title")
    assert "Tiny check" in card and "Fewer than 5 people answered" in card and "<table" not in card


# HR ---------------------------------------------------------------------------------------------------------

@pytest.fixture
def kpis(demo):
    from cxculture.kpis.demo import load_demo_kpis

    load_demo_kpis(list(demo.values()))
    db.session.commit()
    return demo


def test_scorecard_counts_agree_with_the_scorecards(app, kpis):
    bank = kpis["demo-bank"]
    with app.test_request_context():
        cards = scorecards_for(organisation_people_query(bank.id), "2026-Q3", "en")
    counts = {c.team_id: c for c in scorecard_counts(bank.id, "2026-Q3")}
    planned = [card for card in cards if card.plan]
    assert sum(c.people for c in counts.values()) == len(planned) > 0
    assert sum(c.lines for c in counts.values()) == sum(len(card.lines) for card in planned)
    assert sum(c.met for c in counts.values()) == sum(card.met for card in planned)
    assert sum(c.with_value for c in counts.values()) == sum(
        sum(line.value is not None for line in card.lines) for card in planned)
    for team_id, found in counts.items():
        assert found.met == sum(card.met for card in planned if card.team_id == team_id)


def test_hr_sees_plans_pulling_away_waiting_imports_and_scorecards(client, kpis, login_as):
    hr = login_as("hr", org="bank")
    bank, retail = kpis["demo-bank"], kpis["demo-retail"]
    waiting = create_import(bank, hr, "values", "q3-values.csv", b"period,kpi,email,value\n")
    superseded = create_import(bank, hr, "values", "old-values.csv", b"x")
    superseded.uploaded_at -= timedelta(hours=2)
    applied = create_import(bank, hr, "values", "applied.csv", b"x")
    applied.uploaded_at -= timedelta(hours=1)
    applied.applied_at = applied.uploaded_at
    create_import(retail, None, "values", "retail-values.csv", b"x")
    db.session.commit()
    page = text(client, "/home/hr")

    plans = section(page, "hr-plans-title")
    assert re.search(r'href="/hr/plans/\d+"', plans) and "on customers" in plans
    assert 'href="/hr/alignment?period=' in plans
    imports = section(page, "hr-imports-title")
    assert f'href="/hr/kpi-values/imports/{waiting.id}"' in imports and "q3-values.csv" in imports
    assert "old-values.csv" not in imports and "applied.csv" not in imports and "retail-values" not in imports
    period = str(last_closed_period())
    cards = section(page, "hr-scorecards-title")
    assert f"Scorecards of {period}" in cards and f'href="/hr/scorecards?period={period}' in cards
    total = sum(c.people for c in scorecard_counts(bank.id, period))
    if total:
        assert re.search(rf'href="/hr/scorecards\?period={period}&amp;team=\d+"', cards)


# The administrator ------------------------------------------------------------------------------------------

def test_admin_sees_what_needs_setting_up(client, demo, login_as, make_person):
    bank, retail = demo["demo-bank"], demo["demo-retail"]
    loose = make_person(bank, "loose@bank.example.com", name="Loose Person", team=None, job_role=None)
    make_person(bank, "newbie@bank.example.com", name="New Person", password=None, team=teams(bank)["Digital"],
                job_role=person_by_email("employee@bank.example.com").job_role)
    make_person(retail, "stray@retail.example.com", name="Stray Retail", team=None, job_role=None)
    upload = create_roster_import(bank, None, "roster-december.csv", b"email\n")
    db.session.add(MailMessage(organisation_id=bank.id, kind="invitation", recipient="x@bank.example.com",
                               subject="Hello", status="rejected", last_error="550 no such user"))
    db.session.add(XapiStatement(id="00000000-0000-0000-0000-000000000001", organisation_id=bank.id,
                                 event="module-started", statement={}, status="rejected"))
    db.session.commit()
    login_as("admin", org="bank")
    card = section(text(client, "/home/admin"), "admin-attention-title")
    assert "1 person has no team" in card
    assert f'href="/admin/people/{loose.id}/edit"' in card and "Loose Person" in card and "Stray Retail" not in card
    assert "1 person has no job role" in card
    assert 'href="/admin/invitations"' in card and "not accepted yet" in card
    assert f'href="/admin/roster/imports/{upload.id}"' in card and "roster-december.csv" in card
    assert "xAPI statements are not reaching the LRS" in card and 'href="/admin/lms/xapi"' in card
    assert "E-mails are not getting through" in card


def test_admin_of_a_set_up_organisation_is_told_all_is_set(client, demo, login_as):
    login_as("admin", org="bank")
    card = section(text(client, "/home/admin"), "admin-attention-title")
    assert "All set" in card


# An organisation with no data, beside the demo's -------------------------------------------------------------

EVERY_PERMISSION = ("employee", "manager", "leader", "hr", "admin")


@pytest.fixture
def empty_boss(client, make_organisation, make_person):
    """A person holding every permission in a new organisation with nothing in it yet; logged in."""
    organisation = make_organisation("Empty Co")
    person = make_person(organisation, "boss@empty.example.com", name="Boss", permissions=EVERY_PERMISSION)
    login(client, person.email)
    return person


EMPTY_STATES = {
    "manager": ["Nobody reports to you yet", "No culture self-assessment has closed yet",
                "Neither you nor your people own an open action item"],
    "leader": ["No culture self-assessment has closed yet", "No campaign is open", "No action items yet",
               "No café is planned"],
    "hr": ["No reward plans yet", "No import is waiting", "Nobody has a reward plan for"],
    "admin": ["1 person has no team", "1 person has no job role", "No campaign yet", "No platform registered"],
}


def test_every_dashboard_says_what_to_do_first_in_an_empty_organisation_and_shows_no_one_elses_data(
        client, demo, empty_boss):
    for dashboard, says in EMPTY_STATES.items():
        page = re.sub(r"\s+", " ", text(client, f"/home/{dashboard}"))
        for words in says:
            assert words in page, (dashboard, words)
        for other in ("Demo Bank", "Demo Retail", "bank.example.com", "retail.example.com", "Branches", "Vendite"):
            assert other not in page, (dashboard, other)


# SQL statements ---------------------------------------------------------------------------------------------

#: The most statements each dashboard may run (login session, person and navigation included).
STATEMENT_LIMITS = {"manager": 20, "leader": 24, "hr": 12, "admin": 18}


def _grow(organisation, manager, make_person, n: int) -> None:
    """More of everything a dashboard lists: people in the manager's team (some without a job role), actions
    they own (some overdue), cafés."""
    for i in range(n):
        person = make_person(organisation, f"grown{n}-{i}@bank.example.com", team=manager.team, manager=manager,
                             job_role=None if i % 2 else manager.job_role, password=None)
        action(organisation, f"Grown action {n}-{i}", due=TODAY - timedelta(days=i % 3), owner=person)
        cafe(organisation, f"Grown café {n}-{i}", datetime.combine(TODAY + timedelta(days=i + 1), datetime.min.time()))


@pytest.mark.parametrize("dashboard", ["manager", "leader", "hr", "admin"])
def test_statement_count_is_bounded_and_does_not_grow(client, demo, make_person, dashboard):
    bank = demo["demo-bank"]
    manager = person_by_email("manager@bank.example.com")
    boss = make_person(bank, "boss@bank.example.com", name="Boss", permissions=EVERY_PERMISSION,
                       team=manager.team, job_role=manager.job_role)
    login(client, boss.email)
    _grow(bank, boss, make_person, 2)
    text(client, f"/home/{dashboard}")  # what a first response reads once

    def count() -> int:
        db.session.expire_all()
        with counted_queries() as statements:
            text(client, f"/home/{dashboard}")
        return statements()

    few = count()
    _grow(bank, boss, make_person, 12)
    many = count()
    assert few == many, f"{dashboard}: {few} statements with few rows, {many} with more"
    assert many <= STATEMENT_LIMITS[dashboard], many
