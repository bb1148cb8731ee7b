"""Actions started from listening: a touchpoint (journey map, remarks inbox) or an outcome's drivers (where to focus).

The action area cannot import listening; listening fills its hook (cxculture.listening.rhythm), and the create form
refuses another organisation's touchpoint or an unknown outcome, naming it above the form."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from cxculture.assessments import action_sources
from cxculture.assessments.models import ActionItem
from cxculture.extensions import db
from cxculture.orgs.service import person_by_email

from .helpers import remark_by, touchpoint


def _form(**overrides) -> dict:
    data = {"title": "Shorten the queue at the till", "pillar": "listening",
            "owner_id": str(person_by_email("manager@retail.example.com").id),
            "due_date": (date.today() + timedelta(days=30)).isoformat(), "status": "open", "campaign_id": ""}
    data.update(overrides)
    return data


def _count() -> int:
    return db.session.scalar(select(func.count(ActionItem.id)))


def test_a_leader_starts_an_action_from_a_touchpoint_card(client, login_as, retail):
    point = touchpoint(retail, "store")
    login_as("leader")
    journey = client.get("/listening/")
    assert f"/assessments/actions/new?touchpoint={point.id}" in journey.text
    form = client.get(f"/assessments/actions/new?touchpoint={point.id}&pillar=listening")
    assert form.status_code == 200
    assert "What it answers" in form.text and "Touchpoint" in form.text and "Store" in form.text
    response = client.post("/assessments/actions/new", data=_form(touchpoint_id=str(point.id)))
    assert response.status_code == 302
    action = db.session.scalar(select(ActionItem).order_by(ActionItem.id.desc()))
    assert action.touchpoint_id == point.id and action.theme_key is None and action.driver_outcome is None
    page = client.get(response.headers["Location"])
    assert "Touchpoint" in page.text and f"/listening/remarks?touchpoint={point.id}" in page.text


def test_the_inbox_of_a_touchpoint_offers_an_action_to_leaders_only(client, login_as, retail):
    point = touchpoint(retail, "store", "Vendite/Milano Store")
    link = f"/assessments/actions/new?touchpoint={point.id}"
    login_as("leader")
    assert link in client.get(f"/listening/remarks?touchpoint={point.id}").text
    assert link not in client.get("/listening/remarks").text  # not filtered: no touchpoint to answer
    client.post("/logout")
    login_as("manager")
    assert link not in client.get(f"/listening/remarks?touchpoint={point.id}").text
    assert link not in client.get("/listening/").text


def test_another_organisations_touchpoint_is_refused_by_name(client, login_as, demo, retail):
    theirs = touchpoint(demo["demo-bank"], "store")
    login_as("leader")
    before = _count()
    response = client.post("/assessments/actions/new", data=_form(touchpoint_id=str(theirs.id)))
    assert response.status_code == 400
    assert "The touchpoint this action should answer is not one of your organisation" in response.text
    assert _count() == before


def test_an_action_from_a_driver_keeps_its_outcome(client, login_as, retail):
    login_as("leader")
    form = client.get("/assessments/actions/new?pillar=rewards&outcome=csat")
    assert "Drivers of" in form.text and "Customer satisfaction (CSAT)" in form.text
    response = client.post("/assessments/actions/new", data=_form(pillar="rewards", driver_outcome="csat"))
    assert response.status_code == 302
    action = db.session.scalar(select(ActionItem).order_by(ActionItem.id.desc()))
    assert (action.pillar, action.driver_outcome) == ("rewards", "csat")


def test_a_leader_starts_an_action_from_a_theme(client, login_as, retail):
    remark_by("employee@retail.example.com", touchpoint(retail, "store", "Vendite/Milano Store"))
    link = "/assessments/actions/new?theme=waiting"
    login_as("manager")
    assert "far too long" in client.get("/listening/themes").text and link not in client.get("/listening/themes").text
    client.post("/logout")
    login_as("leader")
    assert link in client.get("/listening/themes").text
    form = client.get(link)
    assert "Comment theme" in form.text and "Waiting" in form.text
    response = client.post("/assessments/actions/new", data=_form(theme_key="waiting"))
    assert response.status_code == 302
    action = db.session.scalar(select(ActionItem).order_by(ActionItem.id.desc()))
    assert action.theme_key == "waiting"
    assert "/listening/themes#theme-waiting" in client.get(response.headers["Location"]).text


def test_an_unknown_outcome_or_theme_is_refused_by_name(client, login_as, retail):
    login_as("leader")
    before = _count()
    response = client.post("/assessments/actions/new", data=_form(driver_outcome="enps-of-mars"))
    assert response.status_code == 400 and "is not NPS, CSAT or CES" in response.text
    response = client.post("/assessments/actions/new", data=_form(theme_key="no-such-theme"))
    assert response.status_code == 400 and "is not one of the comment themes" in response.text
    assert _count() == before


def test_only_leaders_create_actions_from_listening(client, login_as, retail):
    point = touchpoint(retail, "store")
    login_as("manager")
    assert client.get(f"/assessments/actions/new?touchpoint={point.id}").status_code == 403
    assert client.post("/assessments/actions/new", data=_form(touchpoint_id=str(point.id))).status_code == 403


def test_without_listening_an_action_answers_only_its_pillar(app, monkeypatch, retail):
    """The hook empty (listening not wired): a touchpoint is unknown, and nothing is described."""
    monkeypatch.setattr(action_sources, "_sources", {})
    assert action_sources.unknown_sources(retail.id, {"touchpoint_id": 1, "theme_key": None}) == ["touchpoint_id"]
    assert action_sources.described_sources(retail.id, {"touchpoint_id": 1}, "en") == []


def test_where_to_focus_offers_an_action_on_each_focus_pillar_to_leaders(client, login_as, demo):
    from .test_drivers_page import _compared_teams

    _compared_teams(demo["demo-retail"], 26, weak_listening=True)
    link = "/assessments/actions/new?pillar=listening&amp;outcome=nps"
    login_as("admin")  # sees the analysis, starts no action
    assert 'id="dr-focus-title"' in client.get("/listening/drivers").text
    assert link not in client.get("/listening/drivers").text
    client.post("/logout")
    login_as("leader")
    page = client.get("/listening/drivers").text
    assert link in page[page.index('id="dr-focus-title"'):]
