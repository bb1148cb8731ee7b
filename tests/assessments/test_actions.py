"""Action items: leaders create and follow them up, managers and HR read the list, bad input changes nothing."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cxculture.assessments import actions as service
from cxculture.assessments.instruments import sync_shipped_instruments
from cxculture.assessments.models import ActionItem, Campaign
from cxculture.extensions import db
from cxculture.orgs.service import person_by_email
from cxculture.refusals import Refused

TODAY = date.today()


#: The pages are checked in Demo Bank, whose language is English; Demo Retail is the other organisation.
ORG, OTHER = "bank", "retail"


def _person(local: str, org: str = ORG):
    return person_by_email(f"{local}@{org}.example.com")


@pytest.fixture
def campaign(demo):
    campaign = Campaign(organisation_id=demo[f"demo-{ORG}"].id, instrument=sync_shipped_instruments()[0],
                        title="Q1 culture check", opens_on=TODAY - timedelta(days=30),
                        closes_on=TODAY - timedelta(days=2), status="closed")
    db.session.add(campaign)
    db.session.commit()
    return campaign


def _action(organisation, title="Share customer verbatims weekly", pillar="listening", owner="manager",
            due=TODAY + timedelta(days=20), status="open"):
    """An action item written directly (due dates in the past included)."""
    action = ActionItem(organisation_id=organisation.id, title=title, pillar=pillar,
                        owner_id=_person(owner, organisation.slug.removeprefix("demo-")).id,
                        due_date=due, status=status)
    db.session.add(action)
    db.session.commit()
    return action


def _count() -> int:
    return db.session.scalar(select(func.count(ActionItem.id)))


def _form(**overrides) -> dict:
    data = {"title": "Share customer verbatims at the Monday huddle", "pillar": "listening",
            "owner_id": str(_person("manager").id), "due_date": (TODAY + timedelta(days=30)).isoformat(),
            "status": "open", "campaign_id": ""}
    data.update(overrides)
    return data


# The service ---------------------------------------------------------------------------------------------------

def test_open_and_overdue_actions(demo):
    home = demo[f"demo-{ORG}"]
    late = _action(home, "Late one", due=TODAY - timedelta(days=3))
    started_late = _action(home, "Started, late", pillar="rewards", due=TODAY - timedelta(days=1),
                           status="in_progress")
    on_time = _action(home, "On time", due=TODAY + timedelta(days=3))
    _action(home, "Done late", due=TODAY - timedelta(days=9), status="done")
    _action(home, "Dropped", due=TODAY - timedelta(days=9), status="dropped")
    _action(demo[f"demo-{OTHER}"], "Another organisation's", due=TODAY - timedelta(days=3))

    assert [a.title for a in service.open_actions(home.id)] == [late.title, started_late.title, on_time.title]
    assert [a.title for a in service.overdue_actions(home.id)] == [late.title, started_late.title]
    assert [a.title for a in service.overdue_actions(home.id, pillar="rewards")] == [started_late.title]
    assert [a.title for a in service.open_actions(home.id, pillar="listening")] == [late.title, on_time.title]
    assert service.action_counts(home.id) == service.ActionCounts(open=3, overdue=2)
    assert service.is_overdue(late) and not service.is_overdue(on_time)


def test_due_today_is_not_overdue(demo):
    action = _action(demo[f"demo-{ORG}"], due=TODAY)
    assert service.overdue_actions(demo[f"demo-{ORG}"].id) == []
    assert not service.is_overdue(action)


@pytest.mark.parametrize("field, value, code", [
    ("title", "   ", "missing"),
    ("title", "x" * 201, "too-long"),
    ("pillar", "happiness", "unknown"),
    ("status", "finished", "unknown"),
    ("owner_id", None, "missing"),
    ("due_date", None, "missing"),
    ("due_date", TODAY - timedelta(days=1), "past"),
])
def test_create_refuses_bad_input(demo, field, value, code):
    home = demo[f"demo-{ORG}"]
    fields = {"title": "Celebrate a customer story every month", "pillar": "communication",
              "owner_id": _person("leader").id, "due_date": TODAY + timedelta(days=10), "status": "open"}
    fields[field] = value
    with pytest.raises(Refused) as refused:
        service.create_action(home.id, **fields)
    assert refused.value.codes == {field: code}
    assert _count() == 0


def test_owner_and_campaign_must_belong_to_the_organisation(demo, campaign):
    other = demo[f"demo-{OTHER}"]
    with pytest.raises(Refused) as refused:
        service.create_action(other.id, title="Fix the handling-time target", pillar="rewards",
                              owner_id=_person("leader").id, due_date=TODAY, campaign_id=campaign.id)
    assert refused.value.codes == {"owner_id": "unknown", "campaign_id": "unknown"}
    assert _count() == 0


def test_an_inactive_owner_is_refused_but_can_keep_their_action(demo):
    manager = _person("manager")
    action = _action(demo[f"demo-{ORG}"], due=TODAY - timedelta(days=2))
    manager.active = False
    db.session.commit()
    with pytest.raises(Refused):
        service.create_action(demo[f"demo-{ORG}"].id, title="x", pillar="vision", owner_id=manager.id,
                              due_date=TODAY)
    service.update_action(action, status="done", owner_id=manager.id, due_date=action.due_date)  # closing it
    assert action.status == "done"


def test_update_keeps_a_past_due_date_but_does_not_move_one_there(demo):
    action = _action(demo[f"demo-{ORG}"], due=TODAY - timedelta(days=5))
    service.update_action(action, status="in_progress", owner_id=action.owner_id, due_date=action.due_date)
    with pytest.raises(Refused) as refused:
        service.update_action(action, status="in_progress", owner_id=action.owner_id,
                              due_date=TODAY - timedelta(days=1))
    assert refused.value.codes == {"due_date": "past"}
    assert action.due_date == TODAY - timedelta(days=5)


# The pages -------------------------------------------------------------------------------------------------------

def test_leader_creates_an_action_from_a_result(client, login_as, campaign):
    login_as("leader", org=ORG)
    page = client.get(f"/assessments/actions/new?campaign={campaign.id}&pillar=rewards")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'<option selected value="{campaign.id}">' in body
    assert '<option selected value="rewards">' in body

    response = client.post(f"/assessments/actions/new?campaign={campaign.id}&pillar=rewards",
                           data=_form(pillar="rewards", campaign_id=str(campaign.id)))
    assert response.status_code == 302
    action = db.session.scalar(select(ActionItem))
    assert (action.pillar, action.campaign_id, action.owner_id) == ("rewards", campaign.id, _person("manager").id)
    assert action.created_by_id == _person("leader").id
    listing = client.get("/assessments/actions").get_data(as_text=True)
    assert "Share customer verbatims at the Monday huddle" in listing
    assert "Q1 culture check" in listing


def test_new_action_ignores_an_unknown_pillar_in_the_link(client, login_as):
    login_as("leader", org=ORG)
    body = client.get("/assessments/actions/new?pillar=happiness").get_data(as_text=True)
    pillar_select = body.split('name="pillar"')[1].split("</select>")[0]
    assert "selected" not in pillar_select.replace('<option selected value="">', "")


@pytest.mark.parametrize("overrides, field, message", [
    ({"title": "  "}, "title", "Write what will be done."),
    ({"pillar": "happiness"}, "pillar", "Choose one of the six pillars."),
    ({"owner_id": "OTHER-ORG"}, "owner_id", "Nobody of your organisation matches"),
    ({"owner_id": "employee@retail.example.com"}, "owner_id", "Nobody of your organisation matches"),
    ({"owner_id": "zzz"}, "owner_id", "Nobody of your organisation matches “zzz”."),
    ({"owner_id": "a"}, "owner_id", "Type more of the name, or the e-mail address."),
    ({"due_date": "31/02/2026"}, "due_date", "This is not a date"),
    ({"due_date": "2026-02-31"}, "due_date", "This is not a date"),
    ({"due_date": ""}, "due_date", "Choose a due date."),
    ({"due_date": (TODAY - timedelta(days=1)).isoformat()}, "due_date", "The due date is in the past."),
    ({"status": "finished"}, "status", "Choose a status from the list."),
])
def test_bad_input_is_explained_next_to_the_field(client, login_as, overrides, field, message):
    login_as("leader", org=ORG)
    if overrides.get("owner_id") == "OTHER-ORG":
        overrides["owner_id"] = str(_person("employee", OTHER).id)
    response = client.post("/assessments/actions/new", data=_form(**overrides))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    error = body.split(f'id="{field}-error">')[1].split("</p>")[0]
    assert message in error
    typed = " ".join(overrides.values())
    assert f"{OTHER}.example.com" not in body.replace(typed, "")  # what they typed comes back, nothing more
    assert _count() == 0


def test_another_organisations_campaign_in_the_link_is_not_found(client, login_as, campaign):
    login_as("leader", org=OTHER)
    assert client.get(f"/assessments/actions/new?campaign={campaign.id}").status_code == 404


def test_leader_follows_an_action_up(client, login_as, demo):
    action = _action(demo[f"demo-{ORG}"], due=TODAY - timedelta(days=4))
    login_as("leader", org=ORG)
    page = client.get(f"/assessments/actions/{action.id}/edit").get_data(as_text=True)
    assert action.title in page
    response = client.post(f"/assessments/actions/{action.id}/edit", data={
        "status": "done", "owner_id": str(_person("hr").id), "due_date": action.due_date.isoformat()})
    assert response.status_code == 302
    db.session.refresh(action)
    assert (action.status, action.owner_id) == ("done", _person("hr").id)


def test_a_bad_follow_up_changes_nothing(client, login_as, demo):
    action = _action(demo[f"demo-{ORG}"])
    login_as("leader", org=ORG)
    for owner, due, field in ((_person("hr"), "tomorrow", "due_date"),
                              (_person("leader", OTHER), TODAY.isoformat(), "owner_id")):
        response = client.post(f"/assessments/actions/{action.id}/edit", data={
            "status": "done", "owner_id": str(owner.id), "due_date": due})
        assert response.status_code == 400
        assert f'id="{field}-error"' in response.get_data(as_text=True)
    db.session.refresh(action)
    assert (action.status, action.owner_id) == ("open", _person("manager").id)


def test_another_organisations_action_is_not_found(client, login_as, demo):
    action = _action(demo[f"demo-{ORG}"])
    login_as("leader", org=OTHER)
    assert client.get(f"/assessments/actions/{action.id}/edit").status_code == 404
    assert client.post(f"/assessments/actions/{action.id}/edit", data={
        "status": "dropped", "owner_id": str(_person("leader", OTHER).id),
        "due_date": TODAY.isoformat()}).status_code == 404
    assert action.title not in client.get("/assessments/actions?show=all").get_data(as_text=True)
    db.session.refresh(action)
    assert action.status == "open"


def test_list_filters(client, login_as, demo):
    home = demo[f"demo-{ORG}"]
    _action(home, "Overdue listening action", due=TODAY - timedelta(days=3))
    _action(home, "Upcoming rewards action", pillar="rewards")
    _action(home, "Finished hiring action", pillar="hiring", due=TODAY - timedelta(days=30), status="done")
    login_as("leader", org=ORG)

    def titles(query):
        body = client.get(f"/assessments/actions{query}").get_data(as_text=True)
        return {t for t in ("Overdue listening action", "Upcoming rewards action", "Finished hiring action")
                if t in body}

    assert titles("") == {"Overdue listening action", "Upcoming rewards action"}
    assert titles("?show=overdue") == {"Overdue listening action"}
    assert titles("?show=closed") == {"Finished hiring action"}
    assert titles("?show=all") == {"Overdue listening action", "Upcoming rewards action", "Finished hiring action"}
    assert titles("?show=all&pillar=rewards") == {"Upcoming rewards action"}
    assert titles("?show=nonsense&pillar=nonsense") == {"Overdue listening action", "Upcoming rewards action"}


@pytest.mark.parametrize("account", ["manager", "hr"])
def test_managers_and_hr_read_but_do_not_edit(client, login_as, demo, account):
    action = _action(demo[f"demo-{ORG}"])
    login_as(account, org=ORG)
    body = client.get("/assessments/actions").get_data(as_text=True)
    assert action.title in body
    assert f"/assessments/actions/{action.id}/edit" not in body
    assert "/assessments/actions/new" not in body
    assert client.get("/assessments/actions/new").status_code == 403
    assert client.post(f"/assessments/actions/{action.id}/edit", data={
        "status": "done", "owner_id": str(action.owner_id), "due_date": TODAY.isoformat()}).status_code == 403
    db.session.refresh(action)
    assert action.status == "open"


def test_employees_do_not_see_the_list(client, login_as):
    login_as("employee", org=ORG)
    assert client.get("/assessments/actions").status_code == 403


def test_leader_home_counts_open_and_overdue_actions(client, login_as, demo):
    home = demo[f"demo-{ORG}"]
    _action(home, due=TODAY - timedelta(days=3))
    _action(home)
    login_as("leader", org=ORG)
    body = client.get("/home/leader").get_data(as_text=True)
    assert "open actions" in body and "1 overdue" in body
    assert "/assessments/actions?show=overdue" in body
