"""Teams as Groups, and the safety stop that holds a sync deactivating too many people for an administrator."""
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.mail.models import MailMessage
from cxculture.orgs.models import Person, Team
from cxculture.orgs.service import person_by_email
from cxculture.scim.models import ScimHeldChange
from tests.conftest import login

GROUP = "urn:ietf:params:scim:schemas:core:2.0:Group"


def active_retail_people(retail) -> list[Person]:
    return list(db.session.scalars(select(Person).where(Person.organisation_id == retail.id,
                                                        Person.active.is_(True)).order_by(Person.id)))


def deactivate(scim, person):
    return scim.patch(f"/Users/{person.id}", {"Operations": [{"op": "replace", "value": {"active": False}}]})


def test_a_group_is_a_team_and_its_members_are_the_people_in_it(scim, retail):
    employee, manager = person_by_email("employee@retail.example.com"), person_by_email("manager@retail.example.com")
    created = scim.post("/Groups", {"schemas": [GROUP], "displayName": "Customer Care Rome",
                                    "members": [{"value": str(employee.id)}]})
    assert created.status_code == 201, created.json
    team = db.session.get(Team, int(created.json["id"]))
    team_id = team.id
    assert team.organisation_id == retail.id and team.name == "Customer Care Rome"
    db.session.expire_all()
    assert person_by_email("employee@retail.example.com").team_id == team.id
    # Okta and Entra ID add and remove members one by one.
    added = scim.patch(f"/Groups/{team.id}", {"Operations": [{"op": "add", "path": "members",
                                                               "value": [{"value": str(manager.id)}]}]})
    assert {m["value"] for m in added.json["members"]} == {str(employee.id), str(manager.id)}
    removed = scim.patch(f"/Groups/{team.id}", {"Operations": [
        {"op": "remove", "path": f'members[value eq "{employee.id}"]'}]})
    assert [m["value"] for m in removed.json["members"]] == [str(manager.id)]
    db.session.expire_all()
    assert person_by_email("employee@retail.example.com").team_id is None
    found = scim.get("/Groups", query_string={"filter": 'displayName eq "Customer Care Rome"',
                                              "excludedAttributes": "members"}).json
    assert found["totalResults"] == 1 and "members" not in found["Resources"][0]
    assert scim.delete(f"/Groups/{team_id}").status_code == 204
    db.session.expire_all()
    assert db.session.get(Team, team_id) is None and person_by_email("manager@retail.example.com").team_id is None


def test_groups_refuse_what_the_roster_refuses(scim, retail):
    nameless = scim.post("/Groups", {"schemas": [GROUP]})
    assert nameless.status_code == 400 and "displayName" in nameless.json["detail"]
    parent = db.session.scalar(select(Team).where(Team.organisation_id == retail.id, Team.children.any()))
    refused = scim.delete(f"/Groups/{parent.id}")
    assert refused.status_code == 409 and "sub-team" in refused.json["detail"]
    assert db.session.get(Team, parent.id) is not None
    bank_team = db.session.scalar(select(Team).where(Team.organisation_id != retail.id))
    assert scim.get(f"/Groups/{bank_team.id}").status_code == 404
    stranger = person_by_email("employee@bank.example.com")
    wrong_member = scim.post("/Groups", {"schemas": [GROUP], "displayName": "Mixed",
                                         "members": [{"value": str(stranger.id)}]})
    assert wrong_member.status_code == 400 and "members" in wrong_member.json["detail"]
    assert db.session.scalar(select(Team).where(Team.name == "Mixed")) is None  # nothing half made


def test_a_sync_deactivating_too_many_people_waits_for_an_administrator(app, scim, retail, client):
    people = [p for p in active_retail_people(retail) if not p.email.startswith("admin@")]
    limit = len(active_retail_people(retail)) * 40 // 100
    for person in people[:limit]:
        assert deactivate(scim, person).status_code == 200
    held = deactivate(scim, people[limit])
    assert held.status_code == 503 and held.headers["Retry-After"] == "3600"
    assert "waits for an administrator" in held.json["detail"]
    assert deactivate(scim, people[limit]).status_code == 503  # the provider's retry: still one waiting change
    assert scim.patch(f"/Users/{people[limit + 1].id}", {"Operations": [
        {"op": "replace", "path": "emails", "value": [{"value": "someone.else@retail.example.com"}]}]}
    ).status_code == 503  # while anything waits, every risky change waits
    db.session.expire_all()
    assert db.session.get(Person, people[limit].id).active
    assert db.session.scalar(select(func.count(ScimHeldChange.id)).where(ScimHeldChange.status == "waiting")) == 2
    # The administrators hear of it once, when the first change starts to wait.
    mails = db.session.scalars(select(MailMessage).where(MailMessage.kind == "provisioning")).all()
    assert [m.recipient for m in mails] == ["admin@retail.example.com"]
    # Other changes go on.
    assert scim.patch(f"/Users/{people[limit].id}", {"Operations": [
        {"op": "replace", "path": "displayName", "value": "Still Here"}]}).status_code == 200

    login(client, "admin@retail.example.com")
    home = client.get("/home/admin").get_data(as_text=True)
    assert "Provisioning paused: changes wait for you" in home and "2 deactivations or e-mail changes" in home
    page = client.get("/admin/provisioning").get_data(as_text=True)
    assert "Changes that wait for you" in page and people[limit].email in page
    assert "someone.else@retail.example.com" in page
    question = client.get("/admin/provisioning/waiting/apply")
    assert question.status_code == 200 and "1 person would be deactivated" in question.get_data(as_text=True)
    assert client.post("/admin/provisioning/waiting/apply").status_code == 400  # not confirmed: nothing done
    db.session.expire_all()
    assert db.session.get(Person, people[limit].id).active
    assert client.post("/admin/provisioning/waiting/apply", data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert not db.session.get(Person, people[limit].id).active
    assert db.session.get(Person, people[limit + 1].id).email == "someone.else@retail.example.com"
    assert deactivate(scim, people[limit]).status_code == 200  # the provider's retry now finds it done


def test_discarding_keeps_everyone_and_the_stop_holds_the_next_attempt_again(scim, retail, client):
    people = [p for p in active_retail_people(retail) if not p.email.startswith("admin@")]
    login(client, "admin@retail.example.com")
    assert client.post("/admin/provisioning/safety-stop", data={"safety_share": "5"}).status_code == 302
    limit = max(1, len(active_retail_people(retail)) * 5 // 100)
    for person in people[:limit]:
        assert deactivate(scim, person).status_code == 200
    assert deactivate(scim, people[limit]).status_code == 503
    assert client.post("/admin/provisioning/waiting/discard", data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, people[limit].id).active
    assert deactivate(scim, people[limit]).status_code == 503


def test_the_safety_stop_refuses_a_share_outside_1_to_100(client, retail):
    login(client, "admin@retail.example.com")
    for value in ("0", "101", "forty", ""):
        page = client.post("/admin/provisioning/safety-stop", data={"safety_share": value})
        assert page.status_code == 400 and "Enter a percentage from 1 to 100." in page.get_data(as_text=True)
    assert "value=\"40\"" in client.get("/admin/provisioning").get_data(as_text=True)
