"""Users as an identity provider provisions them: the token, the organisation, what a request may and may not do."""
from sqlalchemy import select

from cxculture.audit.models import AuditRecord
from cxculture.extensions import db
from cxculture.orgs.models import Person
from cxculture.orgs.service import person_by_email
from tests.conftest import login
from tests.scim.conftest import make_token

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"


def new_user(email="new.hire@retail.example.com", **extra):
    """A user as Microsoft Entra ID sends it with its default attribute mappings."""
    return {"schemas": [USER, ENTERPRISE], "userName": email, "active": True, "displayName": "Nina Hire",
            "name": {"givenName": "Nina", "familyName": "Hire"},
            "emails": [{"primary": True, "type": "work", "value": email}], "externalId": "e-1001", **extra}


def test_no_token_a_wrong_one_or_a_revoked_one_is_refused_and_no_cookie_counts(app, client, retail, scim):
    assert client.get("/scim/v2/Users").status_code == 401
    wrong = client.get("/scim/v2/Users", headers={"Authorization": "Bearer cxscim_not-the-token"})
    assert wrong.status_code == 401 and wrong.json["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]
    login(client, "admin@retail.example.com")  # a browser session is not a provisioning token
    assert client.get("/scim/v2/Users").status_code == 401
    assert client.post("/admin/provisioning/token/revoke", data={"confirm": "yes"}).status_code == 302
    assert scim.get("/Users").status_code == 401


def test_a_provider_creates_a_person_who_is_an_employee_and_is_invited(scim, retail):
    response = scim.post("/Users", new_user(roles=[{"value": "admin"}], entitlements=[{"value": "hr"}]))
    assert response.status_code == 201, response.json
    assert response.headers["Content-Type"].startswith("application/scim+json")
    person = person_by_email("new.hire@retail.example.com")
    assert person.organisation_id == retail.id and person.name == "Nina Hire" and person.active
    assert person.permissions == {"employee"}  # a provider never grants permissions
    assert response.json["id"] == str(person.id) and response.json["externalId"] == "e-1001"
    assert response.headers["Location"].endswith(f"/scim/v2/Users/{person.id}")
    created = db.session.scalar(select(AuditRecord).where(AuditRecord.action == "person.created",
                                                          AuditRecord.target_id == str(person.id)))
    assert created.actor_label == "SCIM provisioning"
    # Sent twice (a retry): the second is a conflict, not a second person.
    again = scim.post("/Users", new_user())
    assert again.status_code == 409 and again.json["scimType"] == "uniqueness"
    assert db.session.scalar(select(db.func.count(Person.id)).where(Person.email == person.email)) == 1


def test_people_are_found_by_user_name_external_id_and_address(scim, retail):
    created = scim.post("/Users", new_user(userName="nina@corp.example.onmicrosoft.com")).json
    for query in ('userName eq "nina@corp.example.onmicrosoft.com"', 'externalId eq "e-1001"',
                  'emails[type eq "work"].value eq "new.hire@retail.example.com"'):
        found = scim.get("/Users", query_string={"filter": query}).json
        assert found["totalResults"] == 1 and found["Resources"][0]["id"] == created["id"], query
    # People made here before provisioning are found by their address as userName.
    existing = scim.get("/Users", query_string={"filter": 'userName eq "manager@retail.example.com"'}).json
    assert existing["totalResults"] == 1
    bad = scim.get("/Users", query_string={"filter": 'name.givenName sw "N"'})
    assert bad.status_code == 400 and bad.json["scimType"] == "invalidFilter"


def test_one_organisation_never_reaches_another(app, scim, retail):
    bank_person = person_by_email("employee@bank.example.com")
    assert scim.get(f"/Users/{bank_person.id}").status_code == 404
    assert scim.patch(f"/Users/{bank_person.id}", {"Operations": [
        {"op": "replace", "path": "active", "value": False}]}).status_code == 404
    listed = scim.get("/Users", query_string={"count": "200"}).json
    emails = {r["emails"][0]["value"] for r in listed["Resources"]}
    assert emails and all(e.endswith("@retail.example.com") for e in emails)
    # An address of the other organisation is taken, in words that name neither it nor the person.
    taken = scim.post("/Users", new_user(email="employee@bank.example.com"))
    assert taken.status_code == 409 and "bank" not in taken.json["detail"].lower().replace("employee@bank", "")
    assert person_by_email("employee@bank.example.com").organisation.slug == "demo-bank"


def test_entra_deactivates_with_a_string_false_and_the_person_is_signed_out(app, scim, retail):
    person = person_by_email("employee@retail.example.com")
    browser = app.test_client()
    login(browser, person.email)
    assert browser.get("/account").status_code == 200
    response = scim.patch(f"/Users/{person.id}", {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                                                   "Operations": [{"op": "Replace", "path": "active",
                                                                   "value": "False"}]})
    assert response.status_code == 200 and response.json["active"] is False
    db.session.expire_all()
    assert not person_by_email("employee@retail.example.com").active
    assert browser.get("/account").status_code == 302  # to the login page


def test_a_patch_is_all_or_nothing_and_bad_input_says_what_and_where(scim, retail):
    person = person_by_email("employee@retail.example.com")
    before = (person.name, person.language)
    response = scim.patch(f"/Users/{person.id}", {"Operations": [
        {"op": "replace", "path": "displayName", "value": "Renamed"},
        {"op": "replace", "path": "active", "value": "maybe"}]})
    assert response.status_code == 400 and response.json["scimType"] == "invalidValue"
    assert "active" in response.json["detail"]
    db.session.expire_all()
    assert (person_by_email("employee@retail.example.com").name, person.language) == before
    for body, words in ((b"{not json", "not valid JSON"), (b"[]", "JSON object")):
        bad = scim.client.post("/scim/v2/Users", data=body, headers=scim.headers, content_type="application/scim+json")
        assert bad.status_code == 400 and words in bad.json["detail"]
    missing = scim.post("/Users", {"schemas": [USER], "displayName": "No Name"})
    assert missing.status_code == 400 and "userName" in missing.json["detail"]
    no_address = scim.post("/Users", {"schemas": [USER], "userName": "nina"})
    assert no_address.status_code == 400 and "e-mail address" in no_address.json["detail"]
    no_ops = scim.patch(f"/Users/{person.id}", {"Operations": []})
    assert no_ops.status_code == 400 and "Operations" in no_ops.json["detail"]
    assert scim.get("/Users/not-a-number").status_code == 404


def test_language_and_manager_follow_the_provider_and_an_unknown_manager_is_refused(scim, retail):
    manager = person_by_email("manager@retail.example.com")
    created = scim.post("/Users", new_user(preferredLanguage="it-IT",
                                           **{ENTERPRISE: {"manager": {"value": str(manager.id)}}})).json
    person = person_by_email("new.hire@retail.example.com")
    assert person.language == "it" and person.manager_id == manager.id
    assert created["preferredLanguage"] == "it-IT" and created[ENTERPRISE]["manager"]["value"] == str(manager.id)
    bank_manager = person_by_email("manager@bank.example.com")
    refused = scim.patch(f"/Users/{person.id}", {"Operations": [
        {"op": "replace", "path": f"{ENTERPRISE}:manager", "value": str(bank_manager.id)}]})
    assert refused.status_code == 400 and "manager" in refused.json["detail"]


def test_a_deleted_person_is_deactivated_gone_for_scim_and_comes_back_when_created_again(scim, retail):
    person_id = scim.post("/Users", new_user()).json["id"]
    assert scim.delete(f"/Users/{person_id}").status_code == 204
    assert scim.get(f"/Users/{person_id}").status_code == 404
    db.session.expire_all()
    person = person_by_email("new.hire@retail.example.com")
    assert not person.active  # kept (training record) until retention; never erased by a provider
    back = scim.post("/Users", new_user())
    assert back.status_code == 201 and back.json["id"] == person_id
    db.session.expire_all()
    assert person_by_email("new.hire@retail.example.com").active


def test_the_token_is_shown_once_and_only_its_hint_afterwards(app, client, retail):
    token = make_token(app.test_client())
    login(client, "admin@retail.example.com")
    page = client.get("/admin/provisioning").get_data(as_text=True)
    assert token not in page and token[-4:] in page
    assert "/scim/v2" in page


def test_only_administrators_see_the_provisioning_page(client, retail):
    for account in ("hr", "leader", "manager", "employee"):
        login(client, f"{account}@retail.example.com")
        assert client.get("/admin/provisioning").status_code == 403, account
        assert client.post("/admin/provisioning/token").status_code == 403, account
        client.post("/logout")


def test_each_organisation_has_its_own_token(app, retail):
    bank_token = make_token(app.test_client(), "admin@bank.example.com")
    client = app.test_client()
    listed = client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {bank_token}"}).json
    assert {r["emails"][0]["value"].split("@")[1] for r in listed["Resources"]} == {"bank.example.com"}
