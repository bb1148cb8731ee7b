"""The administrator's pages: organisation settings, teams, job roles and people."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from cxculture.extensions import db
from cxculture.orgs.models import JobRole, Organisation, Person, Team
from cxculture.orgs.service import person_by_email

from .conftest import field_error, people_snapshot, role, roles_snapshot, team, teams_snapshot, text

PAGES = (
    "/admin/organisation",
    "/admin/teams",
    "/admin/job-roles",
    "/admin/people",
    "/admin/people/new",
)


# Every page, and who may see it ---------------------------------------------------------------------------------

@pytest.mark.parametrize("url", PAGES)
def test_each_page_renders_for_the_admin(client, admin, url):
    response = client.get(url)
    assert response.status_code == 200
    assert 'aria-current="page"' in text(response)  # the administration tabs mark where we are


def test_edit_pages_render_for_the_admin(client, admin, retail):
    store = team(retail, "Vendite/Milano Store")
    assert "Milano Store" in text(client.get(f"/admin/teams/{store.id}/edit"))
    assert "frontline" in text(client.get(f"/admin/job-roles/{role(retail, 'frontline').id}/edit"))
    assert admin.email in text(client.get(f"/admin/people/{admin.id}/edit"))


@pytest.mark.parametrize("permission", ["employee", "manager", "leader", "hr"])
@pytest.mark.parametrize("url", PAGES)
def test_non_admins_are_forbidden(client, login_as, permission, url):
    login_as(permission)
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("permission", ["employee", "hr"])
def test_non_admins_cannot_change_anything(client, login_as, retail, permission):
    login_as(permission)
    before = people_snapshot(), teams_snapshot(), roles_snapshot()
    store = team(retail, "Vendite/Milano Store")
    employee = person_by_email("employee@retail.example.com")
    assert client.post("/admin/teams", data={"name": "Intruders"}).status_code == 403
    assert client.post(f"/admin/teams/{store.id}/delete").status_code == 403
    assert client.post("/admin/job-roles", data={"key": "x", "name_en": "X", "name_it": "X"}).status_code == 403
    assert client.post(f"/admin/people/{employee.id}/edit", data={"email": "x@y.com"}).status_code == 403
    assert client.post("/admin/organisation", data={"anonymity_threshold": "3"}).status_code == 403
    assert (people_snapshot(), teams_snapshot(), roles_snapshot()) == before


def test_anonymous_visitors_are_sent_to_login(client, demo):
    response = client.get("/admin/people")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


# Another organisation's rows ------------------------------------------------------------------------------------

def _other_organisation_urls(bank):
    bank_team = team(bank, "Branches/Manchester")
    bank_role = role(bank, "frontline")
    bank_person = person_by_email("employee@bank.example.com")
    return [
        ("get", f"/admin/teams/{bank_team.id}/edit", None),
        ("post", f"/admin/teams/{bank_team.id}/edit", {"name": "Hijacked", "parent_id": ""}),
        ("post", f"/admin/teams/{team(bank, 'Digital').id}/delete", None),
        ("get", f"/admin/job-roles/{bank_role.id}/edit", None),
        ("post", f"/admin/job-roles/{bank_role.id}/edit", {"name_en": "Hijacked", "name_it": "Rubato"}),
        ("post", f"/admin/job-roles/{role(bank, 'executive').id}/delete", None),
        ("get", f"/admin/people/{bank_person.id}/edit", None),
        ("post", f"/admin/people/{bank_person.id}/edit",
         {"email": "hijacked@bank.example.com", "name": "Hijacked", "permissions": ["admin"], "active": "y"}),
    ]


def test_another_organisations_ids_give_404_and_change_nothing(client, admin, bank):
    # An empty team and an unused job role in the bank, so a delete would succeed if it were allowed.
    empty = Team(organisation=bank, name="Digital Lab")
    unused = JobRole(organisation=bank, key="unused", name_en="Unused", name_it="Inutilizzato")
    db.session.add_all([empty, unused])
    db.session.commit()
    requests = [*_other_organisation_urls(bank), ("post", f"/admin/teams/{empty.id}/delete", None),
                ("post", f"/admin/job-roles/{unused.id}/delete", None)]
    before = people_snapshot(), teams_snapshot(), roles_snapshot()
    for method, url, data in requests:
        response = getattr(client, method)(url, data=data)
        assert response.status_code == 404, (method, url)
    assert (people_snapshot(), teams_snapshot(), roles_snapshot()) == before


@pytest.mark.parametrize("url", ["/admin/teams/999999/edit", "/admin/job-roles/999999/edit",
                                 "/admin/people/999999/edit"])
def test_unknown_ids_give_404(client, admin, url):
    assert client.get(url).status_code == 404


# People list: search, pagination, queries -----------------------------------------------------------------------

def _rows(response) -> int:
    return len(re.findall(r'href="/admin/people/\d+/edit"', response.get_data(as_text=True)))


def test_people_list_shows_team_path_role_permissions_and_status(client, admin, retail, make_person):
    make_person(retail, "new.hire@retail.example.com", name="Aaron Newhire", password=None,
                team=team(retail, "Vendite/Roma Store"), job_role=role(retail, "frontline"))
    make_person(retail, "gone@retail.example.com", name="Aaron Gone", active=False)
    page = text(client.get("/admin/people?q=aaron"))
    assert "Vendite/Roma Store" in page
    assert "Front line" in page
    assert "invited" in page and "deactivated" in page
    page = text(client.get("/admin/people?q=admin@retail"))
    assert "Administrator" in page and "Risorse umane" in page and "active" in page


def test_search_matches_name_or_email_in_own_organisation_only(client, admin):
    by_name = client.get("/admin/people?q=Manager%20Demo")
    assert "manager@retail.example.com" in text(by_name)
    assert _rows(by_name) == 1
    by_email = client.get("/admin/people?q=EMPLOYEE@RETAIL")
    assert "employee@retail.example.com" in text(by_email) and _rows(by_email) == 1
    other = client.get("/admin/people?q=bank.example.com")
    assert _rows(other) == 0
    assert "Nobody matches “bank.example.com”." in text(other)


def test_people_are_paginated(client, admin):
    first = client.get("/admin/people")
    assert _rows(first) == 25
    assert "Page 1 of 3" in text(first)
    assert 'href="/admin/people?page=2"' in first.get_data(as_text=True)
    assert _rows(client.get("/admin/people?page=2")) == 25
    assert _rows(client.get("/admin/people?page=3")) == 62 - 50
    assert client.get("/admin/people?page=4").status_code == 404


def test_pagination_keeps_the_search(client, admin, app, retail, make_person):
    for n in range(app.config["PAGE_SIZE"] + 1):
        make_person(retail, f"temp{n:02}@retail.example.com", name=f"Temp {n:02}")
    first = client.get("/admin/people?q=temp")
    assert _rows(first) == 25
    assert 'href="/admin/people?page=2&amp;q=temp"' in first.get_data(as_text=True)
    assert _rows(client.get("/admin/people?q=temp&page=2")) == 1


def test_people_list_runs_a_fixed_number_of_queries(client, admin):
    """No query per row: a full page costs the same as a page of one."""
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/admin/people?q=employee@retail")
        one_row = len(statements)
        statements.clear()
        client.get("/admin/people")
        full_page = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert full_page <= one_row + 1, full_page  # + 1: the one-row page's person has no manager to load
    assert full_page <= 12


# Creating and editing people -----------------------------------------------------------------------------------

def person_form(**overrides) -> dict:
    data = {
        "email": "Nuova.Persona@Retail.example.com ",
        "name": "Nuova Persona",
        "language": "",
        "job_role_id": "",
        "team_id": "",
        "manager_id": "",
        "permissions": ["employee"],
        "active": "y",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_create_person_then_show_their_invitation_link(client, admin, retail):
    store = team(retail, "Vendite/Torino Store")
    manager = person_by_email("manager@retail.example.com")
    response = client.post("/admin/people/new", data=person_form(
        language="it", job_role_id=str(role(retail, "frontline").id), team_id=str(store.id),
        manager_id=str(manager.id), permissions=["employee", "manager"],
    ))
    assert response.status_code == 302
    db.session.expire_all()
    person = person_by_email("nuova.persona@retail.example.com")
    assert person is not None and person.organisation_id == retail.id
    assert (person.name, person.language, person.team_id, person.manager_id) == (
        "Nuova Persona", "it", store.id, manager.id)
    assert person.job_role.key == "frontline"
    assert person.permissions == {"employee", "manager"}
    assert person.active and person.invited
    assert response.headers["Location"].endswith(f"/admin/people/{person.id}/edit")

    page = client.get(response.headers["Location"])
    body = text(page)
    assert "Nuova Persona is created and their invitation is e-mailed to them." in body
    link = re.search(r'id="invitation-link"[^>]*value="([^"]+)"', page.get_data(as_text=True)).group(1)
    assert "/invitation/" in link
    client.post("/logout")
    assert client.get(link.replace("http://localhost", "")).status_code == 200  # the link opens the set-password page


def test_edit_person(client, admin, retail):
    employee = person_by_email("employee@retail.example.com")
    roma = team(retail, "Vendite/Roma Store")
    response = client.post(f"/admin/people/{employee.id}/edit", data=person_form(
        email="Employee.Renamed@retail.example.com", name="Renamed", language="en", team_id=str(roma.id),
        job_role_id="", manager_id="", permissions=["employee", "hr"], active=None,
    ))
    assert response.status_code == 302
    db.session.expire_all()
    employee = db.session.get(Person, employee.id)
    assert (employee.email, employee.name, employee.language, employee.team_id, employee.job_role_id,
            employee.manager_id, employee.active) == (
        "employee.renamed@retail.example.com", "Renamed", "en", roma.id, None, None, False)
    assert employee.permissions == {"employee", "hr"}
    assert "Renamed is saved." in text(client.get(response.headers["Location"]))


def test_edit_page_of_an_invited_person_shows_their_link(client, admin, retail, make_person):
    invited = make_person(retail, "pending@retail.example.com", password=None)
    active = person_by_email("employee@retail.example.com")
    assert 'id="invitation-link"' in client.get(f"/admin/people/{invited.id}/edit").get_data(as_text=True)
    assert 'id="invitation-link"' not in client.get(f"/admin/people/{active.id}/edit").get_data(as_text=True)


def test_edit_form_shows_current_values(client, admin, retail):
    employee = person_by_email("employee@retail.example.com")
    page = client.get(f"/admin/people/{employee.id}/edit").get_data(as_text=True)
    assert f'<option selected value="{employee.team_id}">Vendite/Milano Store</option>' in page
    assert f'<option selected value="{employee.manager_id}">' in page
    assert re.search(r'<input checked id="permissions-0" name="permissions" type="checkbox" value="employee">', page)
    assert 'value="manager"' in page and 'checked id="permissions-1"' not in page


def _ids(bank, retail):
    """Ids the bad-input cases refer to, by name."""
    deactivated = Person(organisation=retail, email="left@retail.example.com", name="Left", active=False)
    deactivated.permissions = ["employee"]
    db.session.add(deactivated)
    db.session.commit()
    return {
        "bank_team": str(team(bank, "Branches/Manchester").id),
        "bank_role": str(role(bank, "frontline").id),
        "bank_person": str(person_by_email("employee@bank.example.com").id),
        "deactivated": str(deactivated.id),
    }


TAKEN_WORDS = "cannot be used: the address is already taken. Check it, or use another address."
TAKEN = f"employee@retail.example.com {TAKEN_WORDS}"
BAD_NEW_PERSON = [
    ({"email": "employee@retail.example.com"}, "email", TAKEN),
    ({"email": " EMPLOYEE@Retail.Example.com"}, "email", TAKEN),
    ({"email": "admin@bank.example.com"}, "email", f"admin@bank.example.com {TAKEN_WORDS}"),
    ({"email": "not-an-address"}, "email", "Enter a valid e-mail address, like name@example.com."),
    ({"email": ""}, "email", "Enter the e-mail address."),
    ({"name": "  "}, "name", "Enter the person's name."),
    ({"language": "fr"}, "language", "Choose English, Italian or the organisation's default."),
    ({"permissions": None}, "permissions", "Choose at least one permission."),
    ({"permissions": ["superuser"]}, "permissions", "Choose permissions from the list."),
    ({"team_id": "{bank_team}"}, "team_id", "Choose one of your organisation's teams."),
    ({"team_id": "not-a-number"}, "team_id", "Choose from the list."),
    ({"job_role_id": "{bank_role}"}, "job_role_id", "Choose one of your organisation's job roles."),
    ({"manager_id": "{bank_person}"}, "manager_id", "Choose an active person of your organisation as manager."),
    ({"manager_id": "{deactivated}"}, "manager_id", "Choose an active person of your organisation as manager."),
]


@pytest.mark.parametrize("overrides, field, message", BAD_NEW_PERSON,
                         ids=[f"{case[1]}-{i}" for i, case in enumerate(BAD_NEW_PERSON)])
def test_bad_new_person_is_refused_with_a_message_next_to_the_field(client, admin, bank, retail, overrides, field,
                                                                     message):
    ids = _ids(bank, retail)
    overrides = {k: v.format(**ids) if isinstance(v, str) else v for k, v in overrides.items()}
    before = people_snapshot()
    response = client.post("/admin/people/new", data=person_form(**overrides))
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert people_snapshot() == before


BAD_EDIT = [
    # (overrides, field, message); "{self}" is the edited person: the demo manager, who manages the demo employee.
    ({"manager_id": "{self}"}, "manager_id", "A person cannot be their own manager."),
    ({"manager_id": "{employee}"}, "manager_id",
     "Employee Demo Retail reports, directly or not, to Manager Demo Retail: this would make a loop of managers."),
    ({"email": "hr@retail.example.com"}, "email", f"hr@retail.example.com {TAKEN_WORDS}"),
    ({"team_id": "{bank_team}"}, "team_id", "Choose one of your organisation's teams."),
    ({"job_role_id": "{bank_role}"}, "job_role_id", "Choose one of your organisation's job roles."),
    ({"manager_id": "{bank_person}"}, "manager_id", "Choose an active person of your organisation as manager."),
    ({"permissions": None}, "permissions", "Choose at least one permission."),
]


@pytest.mark.parametrize("overrides, field, message", BAD_EDIT, ids=[f"{c[1]}-{i}" for i, c in enumerate(BAD_EDIT)])
def test_bad_edit_is_refused_and_changes_nothing(client, admin, bank, retail, overrides, field, message):
    manager = person_by_email("manager@retail.example.com")
    ids = _ids(bank, retail) | {"self": str(manager.id),
                                "employee": str(person_by_email("employee@retail.example.com").id)}
    overrides = {k: v.format(**ids) if isinstance(v, str) else v for k, v in overrides.items()}
    data = person_form(email=manager.email, name="Changed Name", **{k: v for k, v in overrides.items()
                                                                     if k not in ("email",)})
    if "email" in overrides:
        data["email"] = overrides["email"]
    before = people_snapshot()
    response = client.post(f"/admin/people/{manager.id}/edit", data=data)
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert people_snapshot() == before


def test_a_longer_manager_loop_is_refused(client, admin, retail):
    leader = person_by_email("leader@retail.example.com")  # manages the demo manager, who manages the employee
    employee = person_by_email("employee@retail.example.com")
    before = people_snapshot()
    response = client.post(f"/admin/people/{leader.id}/edit", data=person_form(
        email=leader.email, name=leader.name, permissions=["leader"], manager_id=str(employee.id)))
    assert "this would make a loop of managers" in text(response)
    assert people_snapshot() == before


def test_admin_cannot_remove_own_admin_permission(client, admin):
    before = people_snapshot()
    response = client.post(f"/admin/people/{admin.id}/edit", data=person_form(
        email=admin.email, name=admin.name, permissions=["employee"]))
    assert "You cannot remove your own administrator permission; ask another administrator." in text(response)
    assert people_snapshot() == before
    db.session.expire_all()
    assert person_by_email(admin.email).can("admin")


def test_admin_cannot_deactivate_themselves(client, admin):
    before = people_snapshot()
    response = client.post(f"/admin/people/{admin.id}/edit", data=person_form(
        email=admin.email, name=admin.name, permissions=["admin"], active=None))
    assert "You cannot deactivate yourself; ask another administrator." in text(response)
    assert people_snapshot() == before


def test_admin_may_remove_another_admins_permission(client, admin, retail, make_person):
    other = make_person(retail, "second.admin@retail.example.com", permissions=("admin",))
    response = client.post(f"/admin/people/{other.id}/edit", data=person_form(
        email=other.email, name=other.name, permissions=["employee"]))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, other.id).permissions == {"employee"}


def test_a_deactivated_manager_stays_until_changed(client, admin, retail):
    """Saving someone whose manager left must not silently drop or refuse that manager."""
    employee = person_by_email("employee@retail.example.com")
    manager = person_by_email("manager@retail.example.com")
    manager.active = False
    db.session.commit()
    response = client.post(f"/admin/people/{employee.id}/edit", data=person_form(
        email=employee.email, name="Employee Renamed", manager_id=str(manager.id), team_id=str(employee.team_id)))
    assert response.status_code == 302
    db.session.expire_all()
    employee = db.session.get(Person, employee.id)
    assert (employee.name, employee.manager_id) == ("Employee Renamed", manager.id)


# Organisation settings ------------------------------------------------------------------------------------------

def settings_form(**overrides) -> dict:
    data = {"name": "Demo Retail S.p.A.", "default_language": "en", "anonymity_threshold": "7",
            "benchmark_opt_in": None}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _settings(organisation_id: int) -> tuple:
    db.session.expire_all()
    o = db.session.get(Organisation, organisation_id)
    return o.name, o.slug, o.default_language, o.anonymity_threshold, o.benchmark_opt_in


def test_organisation_settings_are_saved(client, admin, retail):
    page = text(client.get("/admin/organisation"))
    assert "demo-retail" in page  # the slug, read-only
    response = client.post("/admin/organisation", data=settings_form(slug="hacked"))
    assert response.status_code == 302
    assert _settings(retail.id) == ("Demo Retail S.p.A.", "demo-retail", "en", 7, False)
    assert "The organisation settings are saved." in text(client.get(response.headers["Location"]))


@pytest.mark.parametrize("overrides, message", [
    ({"anonymity_threshold": "2"},
     "The anonymity threshold cannot be below 3: smaller groups could identify who answered."),
    ({"anonymity_threshold": "0"},
     "The anonymity threshold cannot be below 3: smaller groups could identify who answered."),
    ({"anonymity_threshold": "-5"},
     "The anonymity threshold cannot be below 3: smaller groups could identify who answered."),
    ({"anonymity_threshold": "51"}, "The anonymity threshold cannot be above 50."),
    ({"anonymity_threshold": ""}, "Enter the anonymity threshold as a whole number."),
    ({"anonymity_threshold": "three"}, "Not a valid integer value."),
    ({"name": ""}, "Enter the organisation's name."),
    ({"default_language": "de"}, "Choose English or Italian."),
])
def test_bad_organisation_settings_are_refused(client, admin, retail, overrides, message):
    before = _settings(retail.id)
    response = client.post("/admin/organisation", data=settings_form(**overrides))
    assert response.status_code == 400
    assert message in text(response)
    assert _settings(retail.id) == before


@pytest.mark.parametrize("threshold", ["3", "50"])
def test_threshold_limits_are_accepted(client, admin, retail, threshold):
    assert client.post("/admin/organisation", data=settings_form(anonymity_threshold=threshold)).status_code == 302
    assert _settings(retail.id)[3] == int(threshold)


def test_threshold_service_refuses_below_three_too(app, retail):
    from cxculture.orgs.operations import update_organisation_settings
    from cxculture.refusals import Refused

    with app.test_request_context(), pytest.raises(Refused) as refused:
        update_organisation_settings(retail, name="X", default_language="en", anonymity_threshold=2,
                                     benchmark_opt_in=False)
    assert "anonymity_threshold" in refused.value.errors
    assert db.session.get(Organisation, retail.id).anonymity_threshold == 5
