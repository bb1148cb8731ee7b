"""The customer journey: the starter journey on first use, the map, and its editor (admins and leaders)."""
from __future__ import annotations

from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.listening.journey import ensure_journey, starter_journey
from cxculture.listening.models import JourneyStage, Touchpoint
from cxculture.orgs.teams import teams_by_path
from tests.listening.helpers import remark_by, touchpoint


def _exists(model, row_id) -> bool:
    return db.session.scalar(select(func.count(model.id)).where(model.id == row_id)) == 1


def _stages(organisation_id):
    return list(db.session.scalars(select(JourneyStage).where(JourneyStage.organisation_id == organisation_id)
                                   .order_by(JourneyStage.position)))


def test_the_starter_journey_is_given_once_on_first_use_with_its_kpis(client, login_as, retail):
    login_as("employee")
    page = client.get("/listening/")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    for stage in starter_journey():
        assert stage["name"]["en"] in text
    client.get("/listening/")
    assert ensure_journey(retail.id) is False
    assert len(_stages(retail.id)) == len(starter_journey())
    contact = db.session.scalar(select(Touchpoint).where(Touchpoint.organisation_id == retail.id,
                                                         Touchpoint.key == "contact_centre"))
    assert {k.key for k in contact.kpis} == {"csat", "fcr", "aht"}
    assert "Edit the journey" not in text


def test_the_map_reads_in_italian_and_counts_open_remarks(client, login_as, demo):
    point = touchpoint(demo["demo-retail"], "store", "Vendite/Milano Store")
    remark_by("employee@retail.example.com", point)
    login_as("employee")  # reads Italian, the organisation's language
    text = client.get("/listening/").get_data(as_text=True)
    assert "Scoperta" in text and "Negozio o filiale" in text and "1 segnalazione aperta" in text


def test_editors_add_rename_move_and_remove_stages(client, login_as, retail):
    login_as("leader")
    assert client.get("/listening/journey/edit").status_code == 200
    missing = client.post("/listening/journey/stages", data={"name_en": "", "name_it": " "})
    assert missing.status_code == 400 and "Write a name, in English or in Italian." in missing.get_data(as_text=True)
    assert client.post("/listening/journey/stages", data={"name_en": "Renew", "name_it": ""}).status_code == 302
    stage = _stages(retail.id)[-1]
    assert stage.name("it") == "Renew"
    client.post(f"/listening/journey/stages/{stage.id}", data={f"stage-{stage.id}-name_en": "Renew",
                                                                 f"stage-{stage.id}-name_it": "Rinnovo"})
    client.post(f"/listening/journey/stages/{stage.id}/move", data={"direction": "up"})
    db.session.expire_all()
    stages = _stages(retail.id)
    assert stages[-2].id == stage.id and stages[-2].name("it") == "Rinnovo"
    assert client.get(f"/listening/journey/stages/{stage.id}/remove").status_code == 200
    unconfirmed = client.post(f"/listening/journey/stages/{stage.id}/remove")
    assert unconfirmed.status_code == 400 and db.session.get(JourneyStage, stage.id) is not None
    stage_id = stage.id
    assert client.post(f"/listening/journey/stages/{stage_id}/remove", data={"confirm": "yes"}).status_code == 302
    assert not _exists(JourneyStage, stage_id)


def test_a_stage_with_touchpoints_is_not_removed(client, login_as, retail):
    login_as("admin")
    client.get("/listening/")
    stage = _stages(retail.id)[0]
    response = client.post(f"/listening/journey/stages/{stage.id}/remove", data={"confirm": "yes"})
    assert response.status_code == 400 and "still has 3 touchpoints" in response.get_data(as_text=True)
    assert db.session.get(JourneyStage, stage.id) is not None


def test_editors_add_and_edit_a_touchpoint_with_owner_and_kpis(client, login_as, retail):
    login_as("admin")
    client.get("/listening/")
    stage = _stages(retail.id)[3]
    team = teams_by_path(retail.id)["Servizio clienti/Contact center"]
    bad = client.post("/listening/journey/touchpoints/new", data={"name_en": "WhatsApp", "stage_id": "999999",
                                                                  "owner_team_id": str(team.id)})
    assert bad.status_code == 400 and "Choose a stage of your organisation" in bad.get_data(as_text=True)
    response = client.post("/listening/journey/touchpoints/new", data={
        "name_en": "WhatsApp", "name_it": "WhatsApp", "stage_id": str(stage.id), "owner_team_id": str(team.id)})
    assert response.status_code == 302
    point = db.session.scalar(select(Touchpoint).where(Touchpoint.name_en == "WhatsApp"))
    assert point.stage_id == stage.id and point.owner_team_id == team.id
    assert point.position == len(stage.touchpoints)
    client.post(f"/listening/journey/touchpoints/{point.id}/move", data={"direction": "up"})
    db.session.expire_all()
    assert db.session.get(Touchpoint, point.id).position == len(stage.touchpoints) - 1


def test_a_touchpoint_with_remarks_is_not_removed_and_one_without_asks_first(client, login_as, retail):
    point = touchpoint(retail, "store")
    other = touchpoint(retail, "collections")
    remark_by("employee@retail.example.com", point)
    login_as("leader")
    page = client.get(f"/listening/journey/touchpoints/{point.id}/remove")
    assert page.status_code == 400 and "1 remark was logged at this touchpoint" in page.get_data(as_text=True)
    assert client.post(f"/listening/journey/touchpoints/{point.id}/remove",
                       data={"confirm": "yes"}).status_code == 400
    assert client.get(f"/listening/journey/touchpoints/{other.id}/remove").status_code == 200
    point_id, other_id = point.id, other.id
    assert client.post(f"/listening/journey/touchpoints/{other_id}/remove",
                       data={"confirm": "yes"}).status_code == 302
    assert _exists(Touchpoint, point_id) and not _exists(Touchpoint, other_id)


def test_only_admins_and_leaders_edit(client, login_as, retail):
    point = touchpoint(retail, "store")
    login_as("manager")
    assert client.get("/listening/journey/edit").status_code == 403
    assert client.post("/listening/journey/stages", data={"name_en": "X"}).status_code == 403
    assert client.get(f"/listening/journey/touchpoints/{point.id}/edit").status_code == 403
    assert db.session.scalar(select(func.count(JourneyStage.id)).where(JourneyStage.name_en == "X")) == 0


def test_another_organisations_stage_and_touchpoint_are_404(client, login_as, demo):
    point = touchpoint(demo["demo-retail"], "store")
    login_as("admin", org="bank")
    client.get("/listening/")
    stage_id = point.stage_id
    assert client.get(f"/listening/journey/touchpoints/{point.id}/edit").status_code == 404
    assert client.post(f"/listening/journey/touchpoints/{point.id}/move", data={"direction": "up"}).status_code == 404
    assert client.post(f"/listening/journey/touchpoints/{point.id}/remove", data={"confirm": "yes"}).status_code == 404
    assert client.post(f"/listening/journey/stages/{stage_id}", data={"name_en": "Mine"}).status_code == 404
    assert client.post(f"/listening/journey/stages/{stage_id}/remove", data={"confirm": "yes"}).status_code == 404
    bank_stage = _stages(demo["demo-bank"].id)[0]
    response = client.post("/listening/journey/touchpoints/new", data={
        "name_en": "Sneaky", "stage_id": str(bank_stage.id),
        "owner_team_id": str(teams_by_path(demo["demo-retail"].id)["Vendite/Milano Store"].id)})
    assert response.status_code == 400 and "Choose a team of your organisation" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Touchpoint, point.id).name_en == "Store or branch"


def test_a_refused_rename_names_the_field_and_changes_nothing(client, login_as, retail):
    login_as("leader")
    client.get("/listening/")
    stage = _stages(retail.id)[0]
    response = client.post(f"/listening/journey/stages/{stage.id}", data={
        f"stage-{stage.id}-name_en": "x" * 121, f"stage-{stage.id}-name_it": "Scoperta"})
    assert response.status_code == 400
    assert f'id="stage-{stage.id}-name_en-error"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(JourneyStage, stage.id).name_en == "Discover"
