"""Campaign pages: create, edit, open and close; bad input; turnout with suppressed teams; permissions; instruments."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cxculture.assessments import campaigns as service
from cxculture.assessments.anonymity import campaign_threshold
from cxculture.assessments.answering import save_draft, submit
from cxculture.assessments.answers import Participation
from cxculture.assessments.campaigns import finish_closing
from cxculture.assessments.instruments import sync_shipped_instruments
from cxculture.assessments.models import Campaign, Instrument
from cxculture.extensions import db
from cxculture.orgs.models import Person, Team
from cxculture.orgs.service import team_paths

TODAY = date.today()


def _team(org, path):
    return next(tid for tid, p in team_paths(org.id).items() if p == path)


def _form(instrument, **overrides):
    data = {"title": "Spring culture check", "opens_on": TODAY.isoformat(),
            "closes_on": (TODAY + timedelta(days=14)).isoformat(), "threshold_override": "",
            "instrument_id": str(instrument)}
    data.update(overrides)
    return data


@pytest.fixture(autouse=True)
def english_pages(demo):
    """Demo Retail is Italian by default; these tests read the English wording."""
    for person in db.session.scalars(select(Person).where(Person.organisation_id == demo["demo-retail"].id)):
        person.language = "en"
    db.session.commit()


@pytest.fixture
def shipped(demo):
    instrument = sync_shipped_instruments()[0]
    db.session.commit()
    return instrument


def _campaign(org, instrument, status="open", teams=(), **fields):
    campaign = Campaign(organisation_id=org.id, instrument=instrument, title=fields.pop("title", "Check"),
                        opens_on=TODAY - timedelta(days=1), closes_on=TODAY + timedelta(days=7), status="draft",
                        **fields)
    campaign.teams = [db.session.get(Team, t) for t in teams]
    db.session.add(campaign)
    db.session.flush()
    if status == "open":
        service.open_campaign(campaign)
    db.session.commit()
    return campaign


def _answer(campaign, people):
    values = {item["key"]: 4 for item in campaign.instrument.items}
    for person in people:
        save_draft(campaign, person, values, {})
        submit(campaign, person)
    db.session.commit()


# Create, edit, open, close ----------------------------------------------------------------------------------

def test_admin_creates_opens_and_closes_a_campaign(client, login_as, demo, shipped):
    login_as("admin")
    retail = demo["demo-retail"]
    store = _team(retail, "Vendite/Milano Store")
    response = client.post("/assessments/campaigns/new", data=_form(shipped.id, team_ids=[str(store)],
                                                                    threshold_override="7"))
    assert response.status_code == 302
    campaign = db.session.scalar(select(Campaign).where(Campaign.organisation_id == retail.id))
    assert (campaign.status, campaign.threshold_override, campaign.instrument_id) == ("draft", 7, shipped.id)
    assert [t.id for t in campaign.teams] == [store]
    assert campaign_threshold(campaign) == 7

    page = client.get(f"/assessments/campaigns/{campaign.id}").get_data(as_text=True)
    assert "Open for answers" in page and "Vendite/Milano Store" in page

    assert client.post(f"/assessments/campaigns/{campaign.id}/open", data={"confirm": "yes"}).status_code == 302
    db.session.refresh(campaign)
    assert campaign.status == "open" and campaign.opened_at is not None
    assert campaign.invited_count == 12  # the Milano store's people
    # Edit is refused once open.
    response = client.post(f"/assessments/campaigns/{campaign.id}/edit", data=_form(shipped.id, title="Renamed"))
    assert response.status_code == 302
    db.session.refresh(campaign)
    assert campaign.title == "Spring culture check"

    assert client.post(f"/assessments/campaigns/{campaign.id}/close", data={"confirm": "yes"}).status_code == 302
    db.session.refresh(campaign)
    assert campaign.status == "closing" and campaign.closed_at is not None  # the job queue closes it out
    assert finish_closing(campaign.id)
    db.session.refresh(campaign)
    assert campaign.status == "closed"
    listing = client.get("/assessments/campaigns").get_data(as_text=True)
    assert "Spring culture check" in listing and "Closed" in listing


def test_leader_edits_a_draft(client, login_as, demo, shipped):
    login_as("leader")
    campaign = _campaign(demo["demo-retail"], shipped, status="draft")
    response = client.post(f"/assessments/campaigns/{campaign.id}/edit",
                           data=_form(shipped.id, title="Renamed", threshold_override="3"))
    assert response.status_code == 302
    db.session.refresh(campaign)
    assert (campaign.title, campaign.threshold_override) == ("Renamed", 3)
    # The organisation's 5 still applies: the larger wins.
    assert service.campaign_threshold(campaign) == 5


@pytest.mark.parametrize("overrides, field, message", [
    ({"closes_on": (TODAY - timedelta(days=1)).isoformat()}, "closes_on", "after the opening date"),
    ({"closes_on": TODAY.isoformat()}, "closes_on", "after the opening date"),
    ({"threshold_override": "2"}, "threshold_override", "never be below 3"),
    ({"threshold_override": "many"}, "threshold_override", ""),
    ({"team_ids": ["999999"]}, "team_ids", "not a team of this organisation"),
    ({"team_ids": ["OTHER-ORG"]}, "team_ids", "not a team of this organisation"),
    ({"title": "  "}, "title", "Enter a title"),
    ({"instrument_id": "999999"}, "instrument_id", "from the list"),
])
def test_bad_campaign_input_is_refused_and_changes_nothing(client, login_as, demo, shipped, overrides, field,
                                                           message):
    login_as("admin")
    if overrides.get("team_ids") == ["OTHER-ORG"]:
        overrides = {"team_ids": [str(_team(demo["demo-bank"], "Digital"))]}
    response = client.post("/assessments/campaigns/new", data=_form(shipped.id, **overrides))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body
    assert re.search(rf'id="{field}-error"', body), f"the message is not next to {field}"
    assert db.session.scalar(select(func.count(Campaign.id))) == 0


def test_another_organisations_copy_is_not_an_instrument_choice(client, login_as, demo, shipped):
    bank_copy = Instrument(organisation_id=demo["demo-bank"].id, key="cx-culture", version=1,
                           content=shipped.content, based_on_id=shipped.id)
    db.session.add(bank_copy)
    db.session.commit()
    login_as("admin")
    response = client.post("/assessments/campaigns/new", data=_form(bank_copy.id))
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Campaign.id))) == 0


def test_only_one_campaign_is_open_at_a_time(client, login_as, demo, shipped):
    retail = demo["demo-retail"]
    first = _campaign(retail, shipped, title="First round")
    second = _campaign(retail, shipped, status="draft", title="Second round")
    login_as("admin")
    page = client.get(f"/assessments/campaigns/{second.id}").get_data(as_text=True)
    assert "only one campaign can be open at a time" in page
    response = client.post(f"/assessments/campaigns/{second.id}/open", data={"confirm": "yes"},
                           follow_redirects=True)
    assert "“First round” is open: close it before opening another campaign." in response.get_data(as_text=True)
    db.session.refresh(second)
    assert second.status == "draft"
    client.post(f"/assessments/campaigns/{first.id}/close", data={"confirm": "yes"})
    response = client.post(f"/assessments/campaigns/{second.id}/open", data={"confirm": "yes"},
                           follow_redirects=True)
    assert "close it before opening another campaign" in response.get_data(as_text=True)  # still closing
    finish_closing(first.id)
    client.post(f"/assessments/campaigns/{second.id}/open", data={"confirm": "yes"})
    db.session.refresh(second)
    assert second.status == "open"


def test_opening_a_closed_or_open_campaign_is_refused(client, login_as, demo, shipped):
    campaign = _campaign(demo["demo-retail"], shipped)
    login_as("admin")
    response = client.post(f"/assessments/campaigns/{campaign.id}/open", data={"confirm": "yes"},
                           follow_redirects=True)
    assert "Only a draft campaign can be opened." in response.get_data(as_text=True)
    client.post(f"/assessments/campaigns/{campaign.id}/close", data={"confirm": "yes"})
    response = client.post(f"/assessments/campaigns/{campaign.id}/close", data={"confirm": "yes"},
                           follow_redirects=True)
    assert "Only an open campaign can be closed." in response.get_data(as_text=True)


# Turnout -----------------------------------------------------------------------------------------------------

def _people(org, path):
    team_id = _team(org, path)
    return list(db.session.scalars(select(Person).where(Person.team_id == team_id).order_by(Person.id)))


def test_turnout_counts_and_flags_low_turnout(client, login_as, demo, shipped):
    retail = demo["demo-retail"]
    campaign = _campaign(retail, shipped)
    invited = campaign.invited_count
    everyone = db.session.scalar(select(func.count(Person.id)).where(
        Person.organisation_id == retail.id, Person.active.is_(True)))
    assert invited == everyone - 1  # admin@ holds only the admin permission: not an employee, not invited
    milano = _people(retail, "Vendite/Milano Store")
    _answer(campaign, milano[:6])
    login_as("leader")
    body = client.get(f"/assessments/campaigns/{campaign.id}").get_data(as_text=True)
    percent = round(100 * 6 / invited)
    assert f"{percent}%" in body and f"6 of {invited} invited people have answered" in body
    assert "Low turnout" in body
    # Milano (6 >= 5) would be shown, but Vendite = Milano + 0 + 0 would then show it too: fine, nothing hidden
    # under Vendite has answers. Every other team has none and is hidden.
    assert "Vendite/Milano Store" in body
    for person in milano:
        assert person.name not in body and person.email not in body


def test_turnout_per_team_hides_small_teams_and_their_complement(demo, shipped):
    retail = demo["demo-retail"]
    campaign = _campaign(retail, shipped)
    _answer(campaign, _people(retail, "Vendite/Milano Store")[:9] + _people(retail, "Vendite/Roma Store")[:3])
    turnout = service.campaign_turnout(campaign, team_paths(retail.id))
    shown = {row.path: row.respondents for row in turnout.teams}
    assert turnout.respondents == 12
    # Roma (3) is under the threshold; Vendite (12) = Milano (9) + Roma would give it away, so Milano is hidden
    # too (or Vendite); in no case can Roma's count be worked out.
    assert "Vendite/Roma Store" not in shown
    assert not ("Vendite" in shown and "Vendite/Milano Store" in shown)
    assert all(n >= 5 for n in shown.values())
    assert turnout.hidden_teams >= 2


def test_turnout_per_team_shows_teams_at_the_threshold(demo, shipped):
    retail = demo["demo-retail"]
    campaign = _campaign(retail, shipped)
    _answer(campaign, _people(retail, "Vendite/Milano Store")[:5] + _people(retail, "Vendite/Roma Store")[:5]
            + _people(retail, "Vendite/Torino Store")[:5])
    turnout = service.campaign_turnout(campaign, team_paths(retail.id))
    shown = {row.path: (row.respondents, row.invited) for row in turnout.teams}
    assert shown["Vendite/Milano Store"] == (5, 12)
    assert shown["Vendite/Roma Store"] == (5, 10)
    assert shown["Vendite"] == (15, 31)


def test_a_campaign_for_some_teams_invites_only_them(demo, shipped):
    bank = demo["demo-bank"]
    branches = _team(bank, "Branches")
    campaign = _campaign(bank, shipped, teams=[branches])
    assert campaign.invited_count == 16  # London Bridge 9 + Manchester 7


# Permissions -------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("account", ["employee", "manager", "hr"])
def test_campaign_pages_are_for_admins_and_leaders(client, login_as, demo, shipped, account):
    campaign = _campaign(demo["demo-retail"], shipped, status="draft")
    login_as(account)
    for method, url in (("GET", "/assessments/campaigns"), ("GET", "/assessments/campaigns/new"),
                        ("GET", f"/assessments/campaigns/{campaign.id}"),
                        ("POST", f"/assessments/campaigns/{campaign.id}/open"),
                        ("GET", "/assessments/instruments")):
        assert client.open(url, method=method).status_code == 403, url
    db.session.refresh(campaign)
    assert campaign.status == "draft"


def test_another_organisations_campaign_is_not_found(client, login_as, demo, shipped):
    campaign = _campaign(demo["demo-bank"], shipped)
    login_as("admin")
    assert client.get(f"/assessments/campaigns/{campaign.id}").status_code == 404
    assert client.post(f"/assessments/campaigns/{campaign.id}/close", data={"confirm": "yes"}).status_code == 404
    db.session.refresh(campaign)
    assert campaign.status == "open"


def test_administration_tabs_and_leader_home_lead_to_campaigns(client, login_as, demo):
    login_as("admin")
    assert 'href="/assessments/campaigns"' in client.get("/admin/organisation").get_data(as_text=True)
    client.post("/logout")
    login_as("leader")
    assert 'href="/assessments/campaigns"' in client.get("/home/leader").get_data(as_text=True)


# Instruments -------------------------------------------------------------------------------------------------

def _edit_data(content, **changes):
    data = {}
    for pillar in content["pillars"]:
        data[f"{pillar['key']}-count"] = str(len(pillar["items"]))
        for index, item in enumerate(pillar["items"]):
            base = f"{pillar['key']}-{index}"
            data[f"{base}-key"] = item["key"]
            data[f"{base}-en"] = item["text"]["en"]
            data[f"{base}-it"] = item["text"]["it"]
            if item["reverse"]:
                data[f"{base}-reverse"] = "y"
    for index, question in enumerate(content["open_questions"]):
        data[f"question-{index}-en"] = question["text"]["en"]
        data[f"question-{index}-it"] = question["text"]["it"]
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_copies_and_edits_the_instrument(client, login_as, demo, shipped):
    login_as("admin")
    listing = client.get("/assessments/instruments").get_data(as_text=True)
    assert "Make our own copy" in listing
    response = client.post(f"/assessments/instruments/{shipped.id}/copy")
    copy = db.session.scalar(select(Instrument).where(Instrument.organisation_id == demo["demo-retail"].id))
    assert response.headers["Location"].endswith(f"/assessments/instruments/{copy.id}/edit")
    # A second copy is not made.
    client.post(f"/assessments/instruments/{shipped.id}/copy")
    assert db.session.scalar(select(func.count(Instrument.id)).where(Instrument.organisation_id.is_not(None))) == 1

    # Add a statement (not saved yet), then save it with its texts.
    added = client.post(f"/assessments/instruments/{copy.id}/edit", data=_edit_data(copy.content, add="vision"))
    assert added.status_code == 200 and 'name="vision-5-en"' in added.get_data(as_text=True)
    response = client.post(f"/assessments/instruments/{copy.id}/edit", data=_edit_data(
        copy.content, **{"vision-count": "6", "vision-5-key": "vision-6", "vision-5-en": "We smile.",
                         "vision-5-it": "Sorridiamo.", "save": "1"}))
    assert response.status_code == 302
    db.session.refresh(copy)
    assert copy.version == 1 and copy.content["pillars"][0]["items"][-1]["text"] == {"en": "We smile.",
                                                                                       "it": "Sorridiamo."}
    # The shipped instrument is read-only.
    response = client.post(f"/assessments/instruments/{shipped.id}/edit", data=_edit_data(shipped.content))
    assert response.status_code == 302
    assert client.get(f"/assessments/instruments/{shipped.id}").status_code == 200


@pytest.mark.parametrize("changes, field, message", [
    ({"vision-0-it": ""}, "vision-0-text", "both English and Italian"),
    ({"vision-4-reverse": None}, "vision-items", "reverse-worded"),
    ({"question-1-en": " "}, "question-1", "both English and Italian"),
    ({"listening-2-en": "x" * 501}, "listening-2-en", "Keep it to 500 characters"),
])
def test_a_bad_instrument_edit_is_refused_next_to_the_field(client, login_as, demo, shipped, changes, field,
                                                            message):
    login_as("admin")
    client.post(f"/assessments/instruments/{shipped.id}/copy")
    copy = db.session.scalar(select(Instrument).where(Instrument.organisation_id.is_not(None)))
    before = copy.content
    response = client.post(f"/assessments/instruments/{copy.id}/edit",
                           data=_edit_data(copy.content, save="1", **changes))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert f'id="{field}-error"' in body and message in body
    db.session.refresh(copy)
    assert copy.content == before


def test_removing_below_three_statements_is_refused(client, login_as, demo, shipped):
    login_as("admin")
    client.post(f"/assessments/instruments/{shipped.id}/copy")
    copy = db.session.scalar(select(Instrument).where(Instrument.organisation_id.is_not(None)))
    content = copy.content
    for _ in range(2):
        response = client.post(f"/assessments/instruments/{copy.id}/edit", data=_edit_data(content, remove="vision:0"))
        assert response.status_code == 200
        content["pillars"][0]["items"].pop(0)
    response = client.post(f"/assessments/instruments/{copy.id}/edit", data=_edit_data(content, remove="vision:0"))
    assert response.status_code == 400
    assert "at least 3 statements" in response.get_data(as_text=True)


def test_editing_a_copy_used_by_a_campaign_makes_a_new_version(client, login_as, demo, shipped):
    login_as("admin")
    client.post(f"/assessments/instruments/{shipped.id}/copy")
    copy = db.session.scalar(select(Instrument).where(Instrument.organisation_id.is_not(None)))
    campaign = _campaign(demo["demo-retail"], copy, status="draft")
    assert "saving creates version 2" in client.get(f"/assessments/instruments/{copy.id}/edit").get_data(as_text=True)
    response = client.post(f"/assessments/instruments/{copy.id}/edit", follow_redirects=True,
                           data=_edit_data(copy.content, save="1", **{"hiring-0-en": "We hire for empathy."}))
    assert "saved as version 2" in response.get_data(as_text=True)
    versions = db.session.scalars(select(Instrument).where(Instrument.organisation_id.is_not(None))
                                  .order_by(Instrument.version)).all()
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].content["pillars"][4]["items"][0]["text"]["en"] == "We hire for empathy."
    db.session.refresh(campaign)
    assert campaign.instrument_id == versions[0].id  # the campaign keeps its pinned version
    # The old version can no longer be edited; the list offers the new one.
    assert client.get(f"/assessments/instruments/{copy.id}/edit").status_code == 302
    assert f"/assessments/instruments/{versions[1].id}/edit" in client.get("/assessments/instruments").get_data(
        as_text=True)


def test_instruments_of_another_organisation_are_not_found(client, login_as, demo, shipped):
    bank_copy = Instrument(organisation_id=demo["demo-bank"].id, key="cx-culture", version=1,
                           content=shipped.content, based_on_id=shipped.id)
    db.session.add(bank_copy)
    db.session.commit()
    login_as("admin")
    for method, url in (("GET", f"/assessments/instruments/{bank_copy.id}"),
                        ("GET", f"/assessments/instruments/{bank_copy.id}/edit"),
                        ("POST", f"/assessments/instruments/{bank_copy.id}/copy")):
        assert client.open(url, method=method).status_code == 404
    assert db.session.scalar(select(func.count(Participation.id))) == 0
