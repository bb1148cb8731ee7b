"""Acting on results: actions start from a pillar, a statement or a team's heatmap cell, owners are typed rather than
picked from a long list, progress is recorded by leaders and owners, and everyone reads what was shared on
"You said, we did"."""
from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import func, select

from cxculture.assessments.models import ActionItem, ActionUpdate
from cxculture.extensions import db
from cxculture.orgs.models import Person
from cxculture.orgs.service import person_by_email
from tests.assessments.results_factories import retail_campaign, teams

TODAY = date.today()
DUE = (TODAY + timedelta(days=30)).isoformat()
STATEMENT = "Some of our targets push us to hurry customers along"


def _person(local: str, org: str = "retail"):
    return person_by_email(f"{local}@{org}.example.com")


@pytest.fixture
def retail(demo):
    """Demo Retail reading English, with a closed campaign whose Milano team is shown (retail_campaign)."""
    for local in ("leader", "manager", "hr", "employee"):
        _person(local).language = "en"
    organisation = demo["demo-retail"]
    campaign = retail_campaign(organisation, title="Culture 2025")
    db.session.commit()
    return campaign


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return unescape(response.get_data(as_text=True))


def _links(page: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'href="(/assessments/actions/new\?[^"]+)"', page)]


def _count(model=ActionItem) -> int:
    return db.session.scalar(select(func.count(model.id)))


def _create(client, url: str, **fields):
    """Submit the new-action form reached from `url`, keeping what the page carried in its hidden fields."""
    page = client.get(url).get_data(as_text=True)
    hidden = dict(re.findall(r'<input id="(item_key|team_id)" name="\1" type="hidden" value="([^"]*)"', page))
    campaign = re.search(r'<option selected value="(\d+)">', page.split('name="campaign_id"')[1])
    data = {"title": "Pilot first-contact resolution targets", "pillar": "rewards", "due_date": DUE,
            "status": "open", "campaign_id": campaign.group(1) if campaign else "", "owner_id": "hr@retail",
            "shared": "y", **hidden, **fields}
    return client.post("/assessments/actions/new", data=data)


# Starting from the results -------------------------------------------------------------------------------------

def test_leaders_start_actions_from_a_pillar_a_statement_and_a_heatmap_cell(client, login_as, retail, demo):
    login_as("leader")
    links = _links(_page(client, f"/assessments/{retail.id}/results"))
    pillar_links = [link for link in links if "item=" not in link and "team=" not in link]
    assert len(pillar_links) == 6  # one per pillar of the overview
    assert any("item=rewards-2" in link and "pillar=rewards" in link for link in links)
    milano = teams(demo["demo-retail"])["Vendite/Milano Store"]
    assert any(f"team={milano.id}" in link and "pillar=listening" in link for link in links)
    hidden = teams(demo["demo-retail"])["Vendite/Roma Store"]  # too few answers: no cell to act on
    assert not any(f"team={hidden.id}&" in link or link.endswith(f"team={hidden.id}") for link in links)


def test_only_leaders_are_offered_to_start_an_action(client, login_as, retail):
    login_as("leader")
    assert _links(_page(client, f"/assessments/{retail.id}/results"))  # kept for the leader...
    client.post("/logout")
    login_as("manager")
    response = client.get(f"/assessments/{retail.id}/results")
    assert response.status_code == 200
    assert not _links(response.get_data(as_text=True))  # ...never shown to another reader


def test_an_action_from_a_statement_and_team_records_them_and_shows_them(client, login_as, retail, demo):
    login_as("leader")
    milano = teams(demo["demo-retail"])["Vendite/Milano Store"]
    url = f"/assessments/actions/new?campaign={retail.id}&pillar=rewards&item=rewards-2&team={milano.id}"
    form = _page(client, url)
    assert STATEMENT in form and "Milano Store" in form and "Culture 2025" in form
    response = _create(client, url, owner_id="Hr")  # part of a name, one person: enough
    assert response.status_code == 302
    action = db.session.scalar(select(ActionItem))
    assert response.headers["Location"].endswith(f"/assessments/actions/{action.id}")
    assert (action.campaign_id, action.pillar, action.item_key, action.team_id, action.shared) == (
        retail.id, "rewards", "rewards-2", milano.id, True)
    assert action.owner_id == _person("hr").id
    page = _page(client, f"/assessments/actions/{action.id}")
    assert STATEMENT in page and "Milano Store" in page and "created" in page  # the flash, then the action


@pytest.mark.parametrize("item, message", [
    ("listening-1", "is not in the campaign's questionnaire under that pillar"),  # another pillar's statement
    ("rewards-99", "is not in the campaign's questionnaire under that pillar"),
])
def test_a_tampered_statement_is_refused_above_the_form_and_nothing_is_stored(client, login_as, retail, item,
                                                                            message):
    login_as("leader")
    response = _create(client, f"/assessments/actions/new?campaign={retail.id}&pillar=rewards&item={item}")
    assert response.status_code == 400
    alert = response.get_data(as_text=True).split('role="alert"')[1].split("</div>")[0]
    assert message in unescape(alert)
    assert _count() == 0


def test_another_organisations_team_is_refused(client, login_as, retail, demo):
    login_as("leader")
    bank_team = teams(demo["demo-bank"])
    other = next(iter(bank_team.values()))
    response = _create(client, f"/assessments/actions/new?campaign={retail.id}&pillar=rewards&team={other.id}")
    assert response.status_code == 400
    assert "not a team of your organisation" in unescape(response.get_data(as_text=True))
    assert _count() == 0


# The owner, typed --------------------------------------------------------------------------------------------

def test_the_owner_box_suggests_everyone_and_takes_a_name_or_an_address(client, login_as, retail):
    login_as("leader")
    form = _page(client, "/assessments/actions/new")
    suggestions = [unescape(s) for s in
                   re.findall(r'<option value="([^"]+)"></option>', form.split('<datalist id="owner_id-people">')[1])]
    active = db.session.scalar(select(func.count(Person.id)).where(
        Person.organisation_id == retail.organisation_id, Person.active.is_(True)))
    assert len(suggestions) == active > 30
    assert f"{_person('hr').name} (hr@retail.example.com)" in suggestions
    hr = _person("hr")
    for typed in (f"{hr.name} ({hr.email})", hr.email.upper(), f"  {hr.name}  "):
        db.session.execute(ActionItem.__table__.delete())
        db.session.commit()
        assert _create(client, "/assessments/actions/new", owner_id=typed).status_code == 302, typed
        assert db.session.scalar(select(ActionItem.owner_id)) == hr.id


def test_a_name_matching_several_people_lists_them_and_keeps_what_was_typed(client, login_as, retail):
    login_as("leader")
    response = _create(client, "/assessments/actions/new", owner_id="luca")
    body = unescape(response.get_data(as_text=True))
    assert response.status_code == 400
    error = body.split('id="owner_id-error">')[1].split("</p>")[0]
    assert "“luca” matches" in error and "luca.colombo@retail.example.com" in error
    assert 'value="luca"' in body  # what they typed is still there
    assert _count() == 0


# Progress ------------------------------------------------------------------------------------------------------

@pytest.fixture
def owned(retail):
    """An action of Demo Retail owned by its employee account."""
    action = ActionItem(organisation_id=retail.organisation_id, campaign_id=retail.id, pillar="rewards",
                        item_key="rewards-2", title="Try a week without the handling-time target",
                        owner_id=_person("employee").id, due_date=TODAY + timedelta(days=10), status="open",
                        created_by_id=_person("leader").id)
    db.session.add(action)
    db.session.commit()
    return action


def test_the_owner_records_progress_and_the_status_on_their_own_action(client, login_as, owned):
    login_as("employee")
    home = _page(client, "/home/employee")
    assert f'href="/assessments/actions/{owned.id}"' in home  # "Actions you own"
    response = client.post(f"/assessments/actions/{owned.id}/updates",
                           data={"note": "Ran the week in the Milano store: calls took longer, fewer came back.",
                                 "status": "in_progress"})
    assert response.status_code == 302
    page = _page(client, f"/assessments/actions/{owned.id}")
    assert "fewer came back" in page and "status now In progress" in page
    update = db.session.scalar(select(ActionUpdate))
    assert (update.author_id, update.status, owned.status) == (_person("employee").id, "in_progress", "in_progress")


def test_a_leader_changing_the_status_leaves_a_trace(client, login_as, owned):
    login_as("leader")
    response = client.post(f"/assessments/actions/{owned.id}/edit", data={
        "status": "done", "owner_id": _person("employee").email, "due_date": owned.due_date.isoformat()})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/assessments/actions/{owned.id}")
    update = db.session.scalar(select(ActionUpdate))
    assert (update.status, update.note, update.author_id) == ("done", None, _person("leader").id)


@pytest.mark.parametrize("data, message", [
    ({"note": "", "status": "open"}, "Write what was done or found, or change the status."),
    ({"note": "x" * 1001, "status": "open"}, "Keep it under 1000 characters."),
    ({"note": "Done", "status": "finished"}, "Choose a status from the list."),
    ({"note": "Bell\x07", "status": "open"}, "control"),
])
def test_a_bad_update_is_explained_and_changes_nothing(client, login_as, owned, data, message):
    login_as("leader")
    response = client.post(f"/assessments/actions/{owned.id}/updates", data=data)
    assert response.status_code == 400
    assert message in unescape(response.get_data(as_text=True))
    assert _count(ActionUpdate) == 0 and owned.status == "open"


def test_someone_else_can_neither_read_nor_update_an_action_they_do_not_own(client, owned, make_person, demo):
    outsider = make_person(demo["demo-retail"], "colleague@retail.example.com")
    from tests.conftest import login
    login(client, outsider.email)
    assert client.get(f"/assessments/actions/{owned.id}").status_code == 403
    assert client.post(f"/assessments/actions/{owned.id}/updates", data={"note": "Mine now"}).status_code == 403
    assert _count(ActionUpdate) == 0


# The list after saving -------------------------------------------------------------------------------------------

def test_a_list_filtered_by_pillar_says_so_and_offers_every_pillar(client, login_as, owned):
    login_as("leader")
    page = _page(client, "/assessments/actions?pillar=vision")
    assert "Only actions on Vision are listed." in page and "Show every pillar" in page
    assert "Try a week without" not in page
    assert "Try a week without" in _page(client, "/assessments/actions")


# You said, we did ------------------------------------------------------------------------------------------------

def test_everyone_reads_what_was_shared_with_its_latest_progress(client, login_as, owned, demo):
    owned.shared = True
    hidden = ActionItem(organisation_id=owned.organisation_id, pillar="vision", title="Not for staff yet",
                        status="open", due_date=TODAY, shared=False)
    dropped = ActionItem(organisation_id=owned.organisation_id, pillar="vision", title="Given up", status="dropped",
                         due_date=TODAY, shared=True)
    elsewhere = ActionItem(organisation_id=demo["demo-bank"].id, pillar="vision", title="The bank's own",
                           status="open", due_date=TODAY, shared=True)
    owned.updates.append(ActionUpdate(organisation_id=owned.organisation_id, note="First week done.",
                                      author_id=owned.owner_id))
    db.session.add_all([hidden, dropped, elsewhere])
    db.session.commit()
    login_as("manager")  # not the owner: their name is never shown
    home = _page(client, "/home/employee")
    assert "/assessments/you-said-we-did" in home
    page = _page(client, "/assessments/you-said-we-did")
    assert "Try a week without the handling-time target" in page and STATEMENT in page
    assert "First week done." in page and "Culture 2025" in page
    for absent in ("Not for staff yet", "Given up", "The bank's own", _person("employee").name):
        assert absent not in page
