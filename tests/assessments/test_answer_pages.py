"""Answering through the pages: home card, intro, one pillar per page, resume, final page, submit once."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cxculture.assessments import campaigns as service
from cxculture.assessments.answers import Answer, Comment, Participation, Response
from cxculture.assessments.instruments import sync_shipped_instruments
from cxculture.assessments.models import Campaign, Draft
from cxculture.extensions import db
from cxculture.orgs.models import Team
from cxculture.orgs.service import person_by_email
from tests.conftest import login

PILLARS = ("vision", "listening", "communication", "rewards", "hiring", "improvement")


@pytest.fixture
def campaign(demo):
    instrument = sync_shipped_instruments()[0]
    campaign = Campaign(organisation_id=demo["demo-bank"].id, instrument=instrument, title="Autumn culture check",
                        opens_on=date.today() - timedelta(days=1), closes_on=date.today() + timedelta(days=7))
    db.session.add(campaign)
    db.session.flush()
    service.open_campaign(campaign)
    db.session.commit()
    return campaign


def _items(campaign, pillar):
    return next(p["items"] for p in campaign.instrument.pillars if p["key"] == pillar)


def _page(campaign, pillar, value=4, action="next", skip=()):
    data = {f"item-{item['key']}": str(value) for item in _items(campaign, pillar) if item["key"] not in skip}
    data["action"] = action
    return data


def _url(campaign, page=""):
    return f"/assessments/{campaign.id}/answer" + (f"/{page}" if page else "")


def _counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Participation, Response, Comment))


def _answer_every_pillar(client, campaign, value=4):
    for pillar in PILLARS:
        response = client.post(_url(campaign, pillar), data=_page(campaign, pillar, value))
        assert response.status_code == 302, pillar


def test_the_full_flow_through_the_pages(client, campaign):
    login(client, "employee@bank.example.com")
    home = client.get("/home/employee").get_data(as_text=True)
    assert "Culture self-assessment: Autumn culture check, closes" in home
    assert f'href="{_url(campaign)}"' in home and ">Start<" in home

    intro = client.get(_url(campaign)).get_data(as_text=True)
    assert campaign.instrument.text("intro", "en")[:40] in intro
    assert "Results are shown only for groups of at least 5 people." in intro
    assert f'href="{_url(campaign, "vision")}"' in intro

    page = client.get(_url(campaign, "vision")).get_data(as_text=True)
    assert "Page 1 of 7" in page and "<legend>" in page
    assert page.count('type="radio"') == 5 * len(_items(campaign, "vision"))
    assert "Strongly disagree" in page and "Strongly agree" in page

    for number, pillar in enumerate(PILLARS, start=1):
        response = client.post(_url(campaign, pillar), data=_page(campaign, pillar, 5))
        following = PILLARS[number] if number < len(PILLARS) else "final"
        assert response.headers["Location"].endswith(_url(campaign, following))
    final = client.get(_url(campaign, "final")).get_data(as_text=True)
    assert "Page 7 of 7" in final and "do not write names" in final
    assert final.count("complete</span>") == 6

    response = client.post(_url(campaign, "final"), data={"action": "submit", "open-obstacles": "Slow refunds.",
                                                          "open-start-doing": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith(_url(campaign, "thanks"))
    assert "Thank you, your answers are in" in client.get(_url(campaign, "thanks")).get_data(as_text=True)
    assert _counts() == (1, 1, 1)
    assert db.session.scalar(select(func.count(Answer.id))) == len(campaign.instrument.items)
    assert db.session.scalar(select(Comment.text)) == "Slow refunds."
    assert db.session.scalar(select(func.count(Draft.id))) == 0
    home = client.get("/home/employee").get_data(as_text=True)
    assert "Thank you, your answers are in" in home and ">Start<" not in home


def test_missing_answers_are_named_and_what_was_entered_is_kept(client, campaign):
    login(client, "employee@bank.example.com")
    first, second = (item["key"] for item in _items(campaign, "vision")[:2])
    response = client.post(_url(campaign, "vision"), data=_page(campaign, "vision", 2, skip=(first, second)))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Answer 2 more statements to continue." in body
    assert body.count("Choose how far you agree with this statement.") == 2
    assert f'href="#s-{first}"' in body and f'id="s-{first}-error"' in body
    # The answers given are kept, in the page and in the draft.
    assert body.count('value="2" checked') == len(_items(campaign, "vision")) - 2
    draft = db.session.scalar(select(Draft))
    assert len(draft.answers["items"]) == len(_items(campaign, "vision")) - 2
    assert draft.answers["page"] == "vision"


@pytest.mark.parametrize("action", ["back", "leave"])
def test_back_and_save_and_leave_never_lose_answers(client, campaign, action):
    login(client, "employee@bank.example.com")
    client.post(_url(campaign, "vision"), data=_page(campaign, "vision"))
    skip = [item["key"] for item in _items(campaign, "listening")[1:]]
    response = client.post(_url(campaign, "listening"), data=_page(campaign, "listening", 3, action=action,
                                                                   skip=skip))
    assert response.status_code == 302
    expected = _url(campaign, "vision") if action == "back" else "/home/employee"
    assert response.headers["Location"].endswith(expected)
    answers = db.session.scalar(select(Draft)).answers["items"]
    assert answers[_items(campaign, "listening")[0]["key"]] == 3
    page = client.get(_url(campaign, "listening")).get_data(as_text=True)
    assert page.count('value="3" checked') == 1


def test_resume_from_the_draft(client, campaign):
    login(client, "employee@bank.example.com")
    for pillar in PILLARS[:3]:
        client.post(_url(campaign, pillar), data=_page(campaign, pillar))
    client.post(_url(campaign, "rewards"), data=_page(campaign, "rewards", action="leave", skip=["rewards-1"]))
    client.post("/logout")
    login(client, "employee@bank.example.com")
    home = client.get("/home/employee").get_data(as_text=True)
    assert ">Continue<" in home and f'href="{_url(campaign, "rewards")}"' in home
    intro = client.get(_url(campaign)).get_data(as_text=True)
    assert "Continue where you left off" in intro and f'href="{_url(campaign, "rewards")}"' in intro
    page = client.get(_url(campaign, "vision")).get_data(as_text=True)
    assert page.count('value="4" checked') == len(_items(campaign, "vision"))


def test_submitting_with_unanswered_pillars_is_refused_and_keeps_comments(client, campaign):
    login(client, "employee@bank.example.com")
    client.post(_url(campaign, "vision"), data=_page(campaign, "vision"))
    response = client.post(_url(campaign, "final"), data={"action": "submit", "open-obstacles": "Kept."})
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "Some statements are not answered yet" in body and "Kept." in body
    assert body.count("complete</span>") == 1
    assert _counts() == (0, 0, 0)
    assert db.session.scalar(select(Draft)).answers["open"]["obstacles"] == "Kept."


@pytest.mark.parametrize("value", ["0", "6", "agree", "3.5"])
def test_values_off_the_scale_change_nothing(client, campaign, value):
    login(client, "employee@bank.example.com")
    client.post(_url(campaign, "vision"), data=_page(campaign, "vision", 2))
    data = _page(campaign, "vision", 5)
    data["item-vision-1"] = value
    response = client.post(_url(campaign, "vision"), data=data)
    assert response.status_code == 400
    assert "nothing on this page was saved" in response.get_data(as_text=True)
    assert set(db.session.scalar(select(Draft)).answers["items"].values()) == {2}


def test_a_comment_too_long_is_refused(client, campaign):
    login(client, "employee@bank.example.com")
    response = client.post(_url(campaign, "final"), data={"action": "leave", "open-obstacles": "x" * 2001})
    assert response.status_code == 400
    assert "Keep it to 2000 characters." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Draft.id))) == 0


def test_double_submit_from_two_tabs_stores_one_response(app, client, campaign):
    login(client, "employee@bank.example.com")
    other_tab = app.test_client()
    login(other_tab, "employee@bank.example.com")
    _answer_every_pillar(client, campaign)
    assert client.post(_url(campaign, "final"), data={"action": "submit", "open-obstacles": "Once."}).status_code == 302
    again = other_tab.post(_url(campaign, "final"), data={"action": "submit", "open-obstacles": "Twice?"},
                           follow_redirects=True)
    assert "Your answers were already in: nothing was sent twice." in again.get_data(as_text=True)
    # The back button on a pillar page after submitting stores nothing either.
    late = client.post(_url(campaign, "vision"), data=_page(campaign, "vision", 1))
    assert late.headers["Location"].endswith(_url(campaign, "thanks"))
    assert _counts() == (1, 1, 1)
    assert db.session.scalar(select(func.count(Draft.id))) == 0
    assert client.get(_url(campaign)).headers["Location"].endswith(_url(campaign, "thanks"))


def test_a_closed_campaign_refuses_answers(client, campaign):
    login(client, "employee@bank.example.com")
    client.post(_url(campaign, "vision"), data=_page(campaign, "vision"))
    service.close_campaign(campaign)
    db.session.commit()
    page = client.get(_url(campaign, "listening"))
    assert "This campaign is not accepting answers" in page.get_data(as_text=True)
    response = client.post(_url(campaign, "listening"), data=_page(campaign, "listening"))
    assert response.status_code == 409
    response = client.post(_url(campaign, "final"), data={"action": "submit"})
    assert response.status_code == 409
    assert _counts() == (0, 0, 0)
    assert "Culture self-assessment:" not in client.get("/home/employee").get_data(as_text=True)


def test_a_campaign_past_its_closing_date_refuses_answers(client, campaign):
    campaign.closes_on = date.today() - timedelta(days=1)
    db.session.commit()
    login(client, "employee@bank.example.com")
    response = client.post(_url(campaign, "vision"), data=_page(campaign, "vision"))
    assert response.status_code == 409
    assert db.session.scalar(select(func.count(Draft.id))) == 0


def test_a_person_not_invited_is_told_so(client, demo):
    bank = demo["demo-bank"]
    digital = db.session.scalar(select(Team).where(Team.organisation_id == bank.id, Team.name == "Digital"))
    campaign = Campaign(organisation_id=bank.id, instrument=sync_shipped_instruments()[0], title="Digital only",
                        opens_on=date.today(), closes_on=date.today() + timedelta(days=3), teams=[digital])
    db.session.add(campaign)
    db.session.flush()
    service.open_campaign(campaign)
    db.session.commit()
    login(client, "employee@bank.example.com")  # London Bridge
    assert "Digital only" not in client.get("/home/employee").get_data(as_text=True)
    response = client.post(_url(campaign, "vision"), data=_page(campaign, "vision"))
    assert response.status_code == 403
    assert "This campaign is not for you" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Draft.id))) == 0


def test_drafts_belong_to_their_person(app, client, campaign):
    login(client, "employee@bank.example.com")
    client.post(_url(campaign, "vision"), data=_page(campaign, "vision", 1))
    colleague = app.test_client()
    login(colleague, "manager@bank.example.com")
    page = colleague.get(_url(campaign, "vision")).get_data(as_text=True)
    assert "checked" not in page
    home = colleague.get("/home/employee").get_data(as_text=True)
    assert ">Start<" in home
    assert db.session.scalar(select(Draft.person_id)) == person_by_email("employee@bank.example.com").id


def test_another_organisations_campaign_is_not_found(client, campaign):
    login(client, "employee@retail.example.com")
    for method, page in (("GET", ""), ("GET", "vision"), ("POST", "vision"), ("POST", "final"), ("GET", "thanks")):
        assert client.open(_url(campaign, page), method=method, data=_page(campaign, "vision")).status_code == 404
    assert db.session.scalar(select(func.count(Draft.id))) == 0


def test_an_unknown_pillar_is_not_found(client, campaign):
    login(client, "employee@bank.example.com")
    assert client.get(_url(campaign, "marketing")).status_code == 404


def test_the_answer_page_is_accessible_markup(client, campaign):
    login(client, "employee@bank.example.com")
    page = client.get(_url(campaign, "hiring")).get_data(as_text=True)
    fieldsets = re.findall(r"<fieldset[^>]*>\s*<legend>", page)
    assert len(fieldsets) == len(_items(campaign, "hiring"))
    # Every radio sits inside its label, so the whole scale text is the click target and the accessible name.
    assert len(re.findall(r'<label class="as-point">\s*<input type="radio"', page)) == 5 * len(fieldsets)
    assert 'name="csrf_token"' in page
