"""What a leader reads of listening, in a real browser: the themes of what people wrote (a theme opens to its
comments without JavaScript, a search narrows them) and what drives the customers' outcomes."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from cxculture.assessments.answers import Comment, Response
from cxculture.assessments.models import Campaign
from cxculture.extensions import db
from cxculture.orgs.service import organisation_by_slug
from tests.assessments.results_factories import comment, make_campaign, respond_many, teams

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]


@pytest.fixture
def commented(live_server):
    """A closed Demo Bank campaign whose Contact Centre wrote about waiting; removed afterwards."""
    with live_server.app.app_context():
        bank = organisation_by_slug("demo-bank")
        campaign = make_campaign(bank, title="Culture check with comments")
        centre = teams(bank)["Customer Care/Contact Centre"]
        respond_many(campaign, 8, team=centre)
        for text in ("Customers wait far too long on the phone before anyone answers.",
                     "The queue on the phone is long and people give up waiting.",
                     "Our team leader always makes time to listen to us."):
            comment(campaign, text, team=centre)
        db.session.commit()
        campaign_id = campaign.id
    yield campaign_id
    with live_server.app.app_context():
        db.session.execute(db.delete(Comment).where(Comment.campaign_id == campaign_id))
        for response in db.session.scalars(db.select(Response).where(Response.campaign_id == campaign_id)):
            db.session.delete(response)
        db.session.delete(db.session.get(Campaign, campaign_id))
        db.session.commit()


def test_a_leader_reads_the_themes_and_what_drives_the_outcomes(page: Page, log_in, commented):
    log_in("leader@bank.example.com")
    page.get_by_role("link", name="Themes in comments").first.click()
    main = page.locator("main")
    expect(main).to_contain_text("Culture check with comments")
    waiting = page.locator("details", has_text=re.compile("Waiting", re.I)).first
    expect(waiting).not_to_have_attribute("open", "")
    waiting.locator("summary").click()  # opens without JavaScript: a details element
    expect(waiting).to_contain_text("Customers wait far too long on the phone")

    page.get_by_label("Search the comments").fill("queue")
    page.get_by_role("button", name="Show").click()
    expect(main).to_contain_text("The queue on the phone is long")
    expect(main).not_to_contain_text("Our team leader always makes time")

    page.goto("/home/leader")
    page.get_by_role("link", name="What drives the results").first.click()
    expect(page.locator("h1")).to_have_text("What drives the results")
    expect(main).to_contain_text("25")  # fewer teams than an analysis needs: the fallback says how many it needs
