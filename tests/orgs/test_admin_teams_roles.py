"""Administrators managing the team tree and the job roles."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event, func, select

from cxculture.extensions import db
from cxculture.orgs.models import JobRole, Person, Team
from cxculture.orgs.service import people_per_team, person_by_email, team_tree
from cxculture.orgs.teams import teams_by_path

from .conftest import field_error, role, roles_snapshot, team, teams_snapshot, text

CONFIRM = {"confirm": "yes"}


def follow(client, response):
    """The page a redirect leads to (the isolated test client cannot follow redirects itself)."""
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"])


def add_team(organisation, name, parent=None) -> Team:
    new = Team(organisation=organisation, name=name, parent=parent)
    db.session.add(new)
    db.session.commit()
    return new


# The tree -------------------------------------------------------------------------------------------------------

def test_tree_nests_teams_with_their_people_count(client, admin, retail):
    milano = team(retail, "Vendite/Milano Store")
    in_milano = db.session.scalar(select(func.count(Person.id)).where(Person.team_id == milano.id))
    page = text(client.get("/admin/teams"))
    # Vendite's list holds its stores, each with its own count.
    vendite = page[page.index('<span class="tree-name">Vendite</span>'):]
    vendite = vendite[:vendite.index("</ul>")]
    assert "Milano Store" in vendite and "Roma Store" in vendite and "Torino Store" in vendite
    assert re.search(rf"Milano Store</span>\s*<span[^>]*>{in_milano} people</span>", vendite)


def test_people_per_team_matches_a_count_per_team(app, retail):
    counts = people_per_team(retail.id)
    for path, t in teams_by_path(retail.id).items():
        expected = db.session.scalar(select(func.count(Person.id)).where(Person.team_id == t.id))
        assert counts.get(t.id, 0) == expected, path
    roots = {node.name: node for node in team_tree(retail.id)}
    assert [c.path for c in roots["Vendite"].children] == [
        "Vendite/Milano Store", "Vendite/Roma Store", "Vendite/Torino Store"]
    assert roots["Vendite"].people == 0


def test_tree_costs_the_same_queries_however_many_teams(client, admin, retail):
    statements = []

    def count(*args):
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        client.get("/admin/teams")
        before = len(statements)
        for n in range(6):
            add_team(retail, f"Extra {n}", parent=team(retail, "Vendite"))
        statements.clear()
        client.get("/admin/teams")
        after = len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    assert after == before


# Creating, renaming and moving ----------------------------------------------------------------------------------

def test_create_top_level_team_and_sub_team(client, admin, retail):
    response = client.post("/admin/teams", data={"name": "  Logistica ", "parent_id": ""})
    assert response.status_code == 302
    logistica = team(retail, "Logistica")
    assert logistica.parent_id is None
    assert "Team Logistica is created." in text(client.get(response.headers["Location"]))
    assert client.post("/admin/teams", data={"name": "Magazzino", "parent_id": str(logistica.id)}).status_code == 302
    assert team(retail, "Logistica/Magazzino").parent_id == logistica.id


@pytest.mark.parametrize("name, parent, field, message", [
    ("Vendite", None, "name", "There is already a team called Vendite in that place."),
    ("vendite", None, "name", "There is already a team called vendite in that place."),
    ("Roma Store", "Vendite", "name", "There is already a team called Roma Store in that place."),
    ("Sales/North", None, "name", 'A team name cannot contain "/"'),
    ("", None, "name", "Enter the team's name."),
    ("Elsewhere", "bank", "parent_id", "Choose one of your organisation's teams."),
    ("Elsewhere", "999999", "parent_id", "Choose one of your organisation's teams."),
    ("Elsewhere", "abc", "parent_id", "Choose from the list."),
])
def test_bad_new_team_is_refused(client, admin, retail, bank, name, parent, field, message):
    parent_id = {None: "", "Vendite": str(team(retail, "Vendite").id),
                 "bank": str(team(bank, "Branches").id)}.get(parent, parent)
    before = teams_snapshot()
    response = client.post("/admin/teams", data={"name": name, "parent_id": parent_id})
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert teams_snapshot() == before


def test_same_name_under_another_parent_is_fine(client, admin, retail):
    response = client.post("/admin/teams", data={"name": "Roma Store", "parent_id": str(team(retail, "Direzione").id)})
    assert response.status_code == 302
    assert team(retail, "Direzione/Roma Store")


def test_rename_and_move_a_team_with_its_people(client, admin, retail):
    roma = team(retail, "Vendite/Roma Store")
    members = db.session.scalar(select(func.count(Person.id)).where(Person.team_id == roma.id))
    response = client.post(f"/admin/teams/{roma.id}/edit",
                           data={"name": "Roma Centro", "parent_id": str(team(retail, "Servizio clienti").id)})
    assert response.status_code == 302
    assert team(retail, "Servizio clienti/Roma Centro").id == roma.id
    assert db.session.scalar(select(func.count(Person.id)).where(Person.team_id == roma.id)) == members
    assert client.post(f"/admin/teams/{roma.id}/edit", data={"name": "Roma Centro", "parent_id": ""}).status_code == 302
    assert team(retail, "Roma Centro").parent_id is None


def test_edit_form_offers_neither_the_team_nor_its_sub_teams_as_parent(client, admin, retail):
    vendite = team(retail, "Vendite")
    page = client.get(f"/admin/teams/{vendite.id}/edit").get_data(as_text=True)
    options = re.findall(r'<option[^>]*value="(\d+)"', page)
    assert str(vendite.id) not in options
    assert str(team(retail, "Vendite/Roma Store").id) not in options
    assert str(team(retail, "Direzione").id) in options


@pytest.mark.parametrize("target, message", [
    ("Vendite", "A team cannot be moved under itself or one of its own sub-teams."),
    ("Vendite/Roma Store", "A team cannot be moved under itself or one of its own sub-teams."),
    ("Vendite/Roma Store/Trastevere", "A team cannot be moved under itself or one of its own sub-teams."),
])
def test_team_cannot_move_under_itself_or_its_descendants(client, admin, retail, target, message):
    add_team(retail, "Trastevere", parent=team(retail, "Vendite/Roma Store"))
    vendite = team(retail, "Vendite")
    before = teams_snapshot()
    response = client.post(f"/admin/teams/{vendite.id}/edit",
                           data={"name": "Vendite", "parent_id": str(team(retail, target).id)})
    assert response.status_code == 400
    assert message in field_error(response, "parent_id")
    assert teams_snapshot() == before


def test_move_refused_when_the_name_is_taken_under_the_new_parent(client, admin, retail):
    add_team(retail, "Roma Store", parent=team(retail, "Direzione"))
    roma = team(retail, "Vendite/Roma Store")
    before = teams_snapshot()
    response = client.post(f"/admin/teams/{roma.id}/edit",
                           data={"name": "Roma Store", "parent_id": str(team(retail, "Direzione").id)})
    assert "There is already a team called Roma Store in that place." in field_error(response, "name")
    assert teams_snapshot() == before


def test_move_refused_when_the_tree_would_grow_too_deep(client, admin, retail):
    level = team(retail, "Direzione")
    for name in ("L2", "L3", "L4", "L5"):
        level = add_team(retail, name, parent=level)
    vendite = team(retail, "Vendite")  # has a level of stores below it
    before = teams_snapshot()
    # Direzione/L2/L3/L4 is 4 levels deep: with Vendite and its stores below, the stores would be at level 6.
    response = client.post(f"/admin/teams/{vendite.id}/edit",
                           data={"name": "Vendite", "parent_id": str(team(retail, "Direzione/L2/L3/L4").id)})
    assert "Teams nest at most 5 levels deep" in field_error(response, "parent_id")
    assert teams_snapshot() == before
    response = client.post(f"/admin/teams/{vendite.id}/edit",
                           data={"name": "Vendite", "parent_id": str(team(retail, "Direzione/L2/L3").id)})
    assert response.status_code == 302  # the stores land on level 5: allowed
    assert team(retail, "Direzione/L2/L3/Vendite/Roma Store")


# Deleting --------------------------------------------------------------------------------------------------------

def test_delete_an_empty_team(client, admin, retail):
    empty_id = add_team(retail, "Temporanea").id
    response = client.post(f"/admin/teams/{empty_id}/delete", data=CONFIRM)
    assert response.status_code == 302
    assert db.session.get(Team, empty_id) is None
    assert "Team Temporanea is deleted." in text(client.get(response.headers["Location"]))


@pytest.mark.parametrize("path, message", [
    ("Vendite/Roma Store", "Roma Store still has 10 people: move them to another team first."),
    ("Vendite", "Vendite still has 3 sub-teams: move or delete them first."),
])
def test_delete_a_team_with_people_or_sub_teams_is_refused(client, admin, retail, path, message):
    target = team(retail, path)
    before = teams_snapshot()
    response = follow(client, client.post(f"/admin/teams/{target.id}/delete", data=CONFIRM))
    assert message in text(response)
    assert teams_snapshot() == before


def test_delete_refused_for_deactivated_members_too(client, admin, retail, make_person):
    empty = add_team(retail, "Ex")
    make_person(retail, "former@retail.example.com", team=empty, active=False)
    response = follow(client, client.post(f"/admin/teams/{empty.id}/delete", data=CONFIRM))
    assert "Ex still has 1 person: move them to another team first." in text(response)
    assert db.session.get(Team, empty.id) is not None


def test_delete_asks_first(client, admin, retail):
    empty = add_team(retail, "Temporanea")
    page = client.get(f"/admin/teams/{empty.id}/delete")
    assert page.status_code == 200 and "This cannot be undone" in text(page)
    refused = client.post(f"/admin/teams/{empty.id}/delete")
    assert refused.status_code == 400 and "Nothing has been changed yet" in text(refused)
    assert db.session.get(Team, empty.id) is not None


# Job roles -------------------------------------------------------------------------------------------------------

def test_job_roles_list_counts_people(client, admin, retail):
    frontline = role(retail, "frontline")
    holders = db.session.scalar(select(func.count(Person.id)).where(Person.job_role_id == frontline.id))
    page = client.get("/admin/job-roles").get_data(as_text=True)
    row = page[page.index("<code>frontline</code>"):]
    row = row[:row.index("</tr>")]
    assert f'<td class="num">{holders}</td>' in row
    assert "delete" not in row  # a role someone holds offers no delete button


def test_create_job_role(client, admin, retail):
    response = client.post("/admin/job-roles",
                           data={"key": "field_sales", "name_en": "Field sales", "name_it": "Vendite esterne"})
    assert response.status_code == 302
    created = role(retail, "field_sales")
    assert (created.name_en, created.name_it) == ("Field sales", "Vendite esterne")
    assert "Job role Field sales is created." in text(client.get(response.headers["Location"]))


def test_a_key_used_by_another_organisation_is_fine(client, admin, retail, bank):
    db.session.add(JobRole(organisation=bank, key="field_sales", name_en="Field sales", name_it="Vendite esterne"))
    db.session.commit()
    response = client.post("/admin/job-roles", data={"key": "field_sales", "name_en": "Field", "name_it": "Campo"})
    assert response.status_code == 302
    assert role(retail, "field_sales") is not None


@pytest.mark.parametrize("data, field, message", [
    ({"key": "frontline"}, "key", "Another job role already has the key frontline."),
    ({"key": "Field_Sales"}, "key", "Use only lower-case letters, digits and underscores"),
    ({"key": "field sales"}, "key", "Use only lower-case letters, digits and underscores"),
    ({"key": "vendite-esterne"}, "key", "Use only lower-case letters, digits and underscores"),
    ({"key": ""}, "key", "Enter a key."),
    ({"name_en": " "}, "name_en", "Enter the name."),
    ({"name_it": ""}, "name_it", "Enter the name."),
])
def test_bad_job_role_is_refused(client, admin, data, field, message):
    before = roles_snapshot()
    response = client.post("/admin/job-roles", data={"key": "field_sales", "name_en": "Field sales",
                                                     "name_it": "Vendite esterne"} | data)
    assert response.status_code == 400
    assert message in field_error(response, field)
    assert roles_snapshot() == before


def test_edit_job_role_names_but_never_the_key(client, admin, retail):
    frontline = role(retail, "frontline")
    response = client.post(f"/admin/job-roles/{frontline.id}/edit",
                           data={"key": "hacked", "name_en": "Store staff", "name_it": "Personale di negozio"})
    assert response.status_code == 302
    db.session.expire_all()
    frontline = db.session.get(JobRole, frontline.id)
    assert (frontline.key, frontline.name_en, frontline.name_it) == ("frontline", "Store staff",
                                                                     "Personale di negozio")


def test_edit_job_role_refuses_empty_names(client, admin, retail):
    frontline = role(retail, "frontline")
    before = roles_snapshot()
    response = client.post(f"/admin/job-roles/{frontline.id}/edit", data={"name_en": "", "name_it": "X"})
    assert "Enter the name." in field_error(response, "name_en")
    assert roles_snapshot() == before


def test_delete_job_role_nobody_has(client, admin, retail):
    unused = JobRole(organisation=retail, key="unused", name_en="Unused", name_it="Inutilizzato")
    db.session.add(unused)
    db.session.commit()
    unused_id = unused.id
    response = follow(client, client.post(f"/admin/job-roles/{unused_id}/delete", data=CONFIRM))
    assert "Job role Unused is deleted." in text(response)
    assert role(retail, "unused") is None


def test_delete_job_role_someone_has_is_refused(client, admin, retail, make_person):
    unused = JobRole(organisation=retail, key="rare", name_en="Rare", name_it="Raro")
    db.session.add(unused)
    db.session.commit()
    make_person(retail, "former@retail.example.com", job_role=unused, active=False)
    before = roles_snapshot()
    response = follow(client, client.post(f"/admin/job-roles/{unused.id}/delete", data=CONFIRM))
    assert "Rare is still the job role of 1 person: give them another role first." in text(response)
    assert roles_snapshot() == before
    assert person_by_email("former@retail.example.com").job_role_id == unused.id
