"""The café fixture shared by the page and PDF tests."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from cxculture.cafes.agenda import draft_agenda
from cxculture.cafes.service import add_action, add_decision, answer_invitation, invite_by_email, update_agenda_item
from cxculture.extensions import db
from cxculture.orgs.service import person_by_email
from tests.assessments.results_factories import retail_campaign
from tests.cafes.helpers import new_cafe

HOST_SECRETS = ("Secret note about the contact centre", "Secret decision on budgets", "Secret action on hiring",
                "Whole organisation", "Demo Retail", "@retail.example.com")


@pytest.fixture
def cafe(app, demo):
    """Demo Retail's "Spring café": drafted from a closed campaign, with a note, a secret and a published
    decision, an action, and leader@bank.example.com (renamed "Olivia Guest") invited by address, who accepted."""
    retail = demo["demo-retail"]
    leader = person_by_email("leader@retail.example.com")
    leader.name = "Giulia Host"  # demo names carry their organisation's name
    retail_campaign(retail)
    cafe = new_cafe(retail, title="Spring café", language="en")
    draft_agenda(cafe, leader)
    weakest = next(i for i in cafe.agenda if i.kind == "weakest")
    update_agenda_item(weakest, title=weakest.title, prompts_text="\n".join(weakest.prompts),
                       notes="Secret note about the contact centre")
    add_decision(cafe, text="Secret decision on budgets", agenda_item_id=weakest.id, created_by=leader)
    add_decision(cafe, text="Every leader serves customers one day a quarter", agenda_item_id=weakest.id,
                 published=True, created_by=leader)
    add_action(cafe, title="Secret action on hiring", pillar="hiring", owner_id=leader.id,
               due_date=date.today() + timedelta(days=10), agenda_item_id=weakest.id, created_by=leader)
    guest = person_by_email("leader@bank.example.com")
    guest.name = "Olivia Guest"
    invite_by_email(cafe, guest.email, invited_by=leader)
    answer_invitation(cafe.id, guest, accept=True)
    db.session.commit()
    return cafe
