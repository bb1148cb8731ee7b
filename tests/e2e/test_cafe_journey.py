"""A training café in a real browser: a leader plans it, edits the agenda drafted from data, records a decision
and an action, and downloads the pre-read brief."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from cxculture.assessments.answers import Response
from cxculture.assessments.models import ActionItem, Campaign
from cxculture.cafes.models import Cafe, CafeAction
from cxculture.extensions import db
from cxculture.orgs.service import organisation_by_slug
from tests.assessments.results_factories import make_campaign, respond_many, teams
from tests.e2e.conftest import download

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]


@pytest.fixture
def bank_results(live_server):
    """Demo Bank with a closed campaign, so the agenda has figures; everything is removed afterwards."""
    with live_server.app.app_context():
        bank = organisation_by_slug("demo-bank")
        campaign = make_campaign(bank, title="Culture check for the café")
        t = teams(bank)
        respond_many(campaign, 8, team=t["Branches/London Bridge"], rewards=2)
        respond_many(campaign, 9, team=t["Customer Care/Contact Centre"], rewards=2, hiring=3)
        campaign_id, bank_id = campaign.id, bank.id
    yield campaign_id
    with live_server.app.app_context():
        for cafe in db.session.scalars(db.select(Cafe).where(Cafe.organisation_id == bank_id)):
            links = list(db.session.scalars(db.select(CafeAction).where(CafeAction.cafe_id == cafe.id)))
            action_ids = [link.action_item_id for link in links]
            for link in links:
                db.session.delete(link)
            db.session.flush()
            db.session.execute(db.delete(ActionItem).where(ActionItem.id.in_(action_ids)))
            db.session.delete(cafe)
        for response in db.session.scalars(db.select(Response).where(Response.campaign_id == campaign_id)):
            db.session.delete(response)
        db.session.delete(db.session.get(Campaign, campaign_id))
        db.session.commit()


def test_leader_plans_edits_records_and_downloads_the_brief(page: Page, log_in, bank_results):
    log_in("leader@bank.example.com")
    page.goto("/home/leader")
    page.locator("section", has_text="Training cafés").get_by_role("link", name="Plan a café").click()
    day = date.today() + timedelta(days=14)
    page.get_by_label("Title", exact=True).fill("Quarterly leadership café")
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Start time").fill("09:30")
    page.get_by_label("Place").fill("Board room, 5th floor")
    page.get_by_label("Rewards").check()
    page.get_by_role("button", name="Plan the café").click()

    main = page.locator("main")
    expect(main).to_contain_text("Quarterly leadership café")
    expect(main).to_contain_text("Weakest pillar: Rewards")
    expect(main).to_contain_text("Follow-up: the actions we agreed")

    # The facilitator edits the drafted item: a title of their own, a prompt, notes.
    page.locator("li.cf-item", has_text="Weakest pillar: Rewards").get_by_role(
        "link", name=re.compile("^Edit and record")
    ).click()
    page.get_by_label("Title", exact=True).fill("Rewards: what we really pay for")
    prompts = page.get_by_label("Discussion prompts", exact=True)
    prompts.fill(prompts.input_value() + "\nWhich bonus would a customer be proud of?")
    page.get_by_label("Notes", exact=True).fill("Contact centre targets still reward short calls.")
    page.get_by_role("button", name="Save the item").click()
    expect(main).to_contain_text("Agenda item saved.")
    expect(main).to_contain_text("Rewards: what we really pay for")
    expect(main).to_contain_text("Which bonus would a customer be proud of?")

    # Decisions and actions, recorded on the item.
    page.locator("li.cf-item", has_text="Rewards: what we really pay for").get_by_role(
        "link", name=re.compile("^Edit and record")
    ).click()
    page.get_by_label("Decision", exact=True).fill(
        "Average handling time leaves the contact-centre bonus from next quarter."
    )
    page.get_by_label("Publish to every employee").check()
    page.get_by_role("button", name="Record the decision").click()
    expect(main).to_contain_text("Decision recorded.")
    page.get_by_label("What will be done").fill("Draft a first-contact-resolution bonus with HR")
    page.get_by_label("Owner").fill("HR Demo Bank")
    page.get_by_label("Due date").fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Agree the action").click()
    expect(main).to_contain_text("Action “Draft a first-contact-resolution bonus with HR” agreed.")
    expect(main).to_contain_text("published to employees")

    page.get_by_role("link", name="Quarterly leadership café").first.click()
    brief = page.get_by_role("link", name="Pre-read brief (PDF)")
    response = download(page, brief, 60_000)
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
