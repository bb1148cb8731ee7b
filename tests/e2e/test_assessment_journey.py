"""The culture self-assessment in a real browser: an employee answers anonymously; the leader sees the
organisation's results with small teams hidden; a manager sees only their own teams."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from cxculture.assessments.answers import Invitee, Participation, Response
from cxculture.assessments.instruments import sync_shipped_instruments
from cxculture.assessments.models import Campaign
from cxculture.extensions import db
from cxculture.orgs.service import organisation_by_slug
from tests.assessments.results_factories import make_campaign, open_now, respond_many, teams

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]


@pytest.fixture
def campaigns(live_server):
    """Demo Bank: last quarter's closed campaign with results, and an open one to answer."""
    with live_server.app.app_context():
        bank = organisation_by_slug("demo-bank")
        closed = make_campaign(bank, title="Culture check Q3")
        t = teams(bank)
        respond_many(closed, 8, team=t["Branches/London Bridge"], vision=5)
        respond_many(closed, 7, team=t["Branches/Manchester"], vision=3)
        respond_many(closed, 9, team=t["Customer Care/Contact Centre"], rewards=2)
        respond_many(closed, 2, team=t["Digital"])
        today = date.today()
        open_campaign = Campaign(organisation_id=bank.id, instrument=sync_shipped_instruments()[0],
                                 title="Culture check Q4", opens_on=today - timedelta(days=1),
                                 closes_on=today + timedelta(days=14), status="open", invited_count=40)
        db.session.add(open_campaign)
        open_now(open_campaign)
        ids = closed.id, open_campaign.id
    yield ids
    with live_server.app.app_context():
        for campaign_id in ids:
            db.session.execute(db.delete(Participation).where(Participation.campaign_id == campaign_id))
            db.session.execute(db.delete(Invitee).where(Invitee.campaign_id == campaign_id))
            for response in db.session.scalars(db.select(Response).where(Response.campaign_id == campaign_id)):
                db.session.delete(response)
            db.session.delete(db.session.get(Campaign, campaign_id))
        db.session.commit()


def test_employee_answers_leader_and_manager_see_what_they_may(page: Page, log_in, log_out, campaigns,
                                                               live_server):
    closed_id, open_id = campaigns
    log_in("employee@bank.example.com")
    card = page.locator("section", has_text="Culture check Q4")
    card.get_by_role("link", name=re.compile("^Start")).click()
    expect(page.locator("main")).to_contain_text("Your answers are anonymous")
    page.get_by_role("link", name="Start", exact=True).click()
    for pillar in ("vision", "listening", "communication", "rewards", "hiring", "improvement"):
        # Wait for the pillar's own page: `.all()` does not wait, and on a loaded machine it could still read the
        # previous page's fieldsets while the next one loads.
        expect(page).to_have_url(re.compile(f"/answer/{pillar}$"))
        for fieldset in page.locator("fieldset").all():
            fieldset.get_by_text("Agree", exact=True).click()
        page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Submit my answers").click()
    expect(page.locator("main")).to_contain_text(re.compile("thank", re.I))
    page.goto("/home/employee")
    expect(page.locator("main")).to_contain_text("Thank you, your answers are in")
    with live_server.app.app_context():
        assert db.session.scalar(db.select(db.func.count(Response.id)).where(Response.campaign_id == open_id)) == 1
    log_out("Employee Demo Bank")

    log_in("leader@bank.example.com")
    page.goto(f"/assessments/{closed_id}/results")
    main = page.locator("main")
    expect(main).to_contain_text("Branches/London Bridge")
    expect(main).to_contain_text("Customer Care/Contact Centre")
    expect(main).to_contain_text("not enough answers")  # Digital, 2 answers
    log_out("Leader Demo Bank")

    log_in("manager@bank.example.com")
    page.goto(f"/assessments/{closed_id}/results")
    expect(page.locator("main")).to_contain_text("London Bridge")
    expect(page.locator("main")).not_to_contain_text("Customer Care/Contact Centre")
    expect(page.locator("main")).not_to_contain_text("Branches/Manchester")


def test_a_leader_acts_on_a_statement_the_owner_reports_progress_and_everyone_reads_it(
        page: Page, log_in, log_out, campaigns, live_server):
    from cxculture.assessments.models import ActionItem

    closed_id, _open_id = campaigns
    log_in("leader@bank.example.com")
    page.goto(f"/assessments/{closed_id}/results#items")
    rewards_row = page.locator("table.rs-items tr", has_text="Some of our targets push us")
    rewards_row.get_by_role("link", name=re.compile("Start an action")).click()
    expect(page.locator("main")).to_contain_text("Some of our targets push us to hurry customers")
    page.get_by_label("What will be done").fill("Pilot first-contact resolution targets in the contact centre")
    page.get_by_label("Owner").fill("manager@bank")  # part of the address: one person
    page.get_by_label("Due date").fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Create action").click()
    expect(page.locator("h1")).to_have_text("Pilot first-contact resolution targets in the contact centre")
    expect(page.locator("main")).to_contain_text("Manager Demo Bank")
    log_out("Leader Demo Bank")

    try:
        log_in("manager@bank.example.com")
        page.get_by_role("link", name="Pilot first-contact resolution targets in the contact centre").first.click()
        page.get_by_label("What was done or found").fill("Two teams started without the handling-time target.")
        page.get_by_label("Status after this update").select_option(label="In progress")
        page.get_by_role("button", name="Add the update").click()
        expect(page.locator("#updates")).to_contain_text("Two teams started without the handling-time target.")
        log_out("Manager Demo Bank")

        log_in("employee@bank.example.com")
        page.get_by_role("link", name="You said, we did").click()
        card = page.locator(".ysd-card", has_text="Pilot first-contact resolution")
        expect(card).to_contain_text("Some of our targets push us to hurry customers")
        expect(card).to_contain_text("Two teams started without the handling-time target.")
        expect(card).not_to_contain_text("Manager Demo Bank")
    finally:
        with live_server.app.app_context():
            for action in db.session.scalars(db.select(ActionItem).where(ActionItem.campaign_id == closed_id)):
                db.session.delete(action)
            db.session.commit()
