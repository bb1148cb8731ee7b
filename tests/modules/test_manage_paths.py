"""Administrators edit each job role's training path: add, remove, reorder, required or elective, due dates."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.modules.models import Module, PathItem, TrainingPath
from cxculture.modules.paths import parse_due_date
from cxculture.orgs.models import JobRole
from cxculture.refusals import Refused
from cxculture.util import utcnow


def _role(organisation, key: str) -> JobRole:
    return db.session.scalar(select(JobRole).where(JobRole.organisation_id == organisation.id, JobRole.key == key))


def _module(slug: str) -> Module:
    return db.session.scalar(select(Module).where(Module.slug == slug))


def _items(role: JobRole) -> list[tuple[str, bool, date | None]]:
    """The role's path as (slug, required, due date), in order."""
    rows = db.session.execute(
        select(Module.slug, PathItem.required, PathItem.due_date, PathItem.position)
        .join(PathItem, PathItem.module_id == Module.id).join(TrainingPath, PathItem.path_id == TrainingPath.id)
        .where(TrainingPath.job_role_id == role.id).order_by(PathItem.position)
    ).all()
    assert [r.position for r in rows] == list(range(len(rows))), "positions are not 0..n-1"
    return [(r.slug, r.required, r.due_date) for r in rows]


def _item(role: JobRole, slug: str) -> PathItem:
    return db.session.scalar(
        select(PathItem).join(TrainingPath).join(Module)
        .where(TrainingPath.job_role_id == role.id, Module.slug == slug))


def _path_url(role, *rest) -> str:
    return "/".join([f"/admin/training/paths/{role.id}", *map(str, rest)])


def _flashes(client) -> str:
    return client.get("/admin/training").get_data(as_text=True)


@pytest.fixture
def admin(login_as, trained):
    return login_as("admin", org="bank")


@pytest.fixture
def bank(trained):
    return trained["demo-bank"]


# Who may -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("account", ["leader", "hr", "manager", "employee"])
def test_only_administrators_reach_the_path_pages(client, login_as, trained, account):
    login_as(account, org="bank")
    role = _role(trained["demo-bank"], "frontline")
    item = _item(role, "what-is-cx")
    before = _items(role)
    for method, url, data in [
        ("GET", "/admin/training", None),
        ("GET", _path_url(role), None),
        ("POST", _path_url(role), {"module_id": _module("leading-a-customer-centric-culture").id}),
        ("POST", _path_url(role, "items", item.id, "move"), {"direction": "down"}),
        ("POST", _path_url(role, "items", item.id, "remove"), {}),
        ("POST", _path_url(role, "items", item.id, "required"), {"required": "0"}),
        ("POST", _path_url(role, "items", item.id, "due-date"), {"due_date": "2030-01-01"}),
    ]:
        response = client.open(url, method=method, data=data)
        assert response.status_code == 403, f"{method} {url}"
    assert _items(role) == before


def test_another_organisations_roles_and_items_are_not_found(client, admin, trained):
    retail = trained["demo-retail"]
    their_role = _role(retail, "frontline")
    their_item = _item(their_role, "what-is-cx")
    my_role = _role(trained["demo-bank"], "frontline")
    before = _items(their_role)
    for method, url, data in [
        ("GET", _path_url(their_role), None),
        ("POST", _path_url(their_role), {"module_id": _module("leading-a-customer-centric-culture").id}),
        ("POST", _path_url(their_role, "items", their_item.id, "remove"), {}),
        # My own role in the URL does not open another organisation's item either.
        ("POST", _path_url(my_role, "items", their_item.id, "remove"), {}),
        ("POST", _path_url(my_role, "items", their_item.id, "move"), {"direction": "down"}),
        ("POST", _path_url(my_role, "items", their_item.id, "required"), {"required": "0"}),
        ("POST", _path_url(my_role, "items", their_item.id, "due-date"), {"due_date": "2030-01-01"}),
    ]:
        assert client.open(url, method=method, data=data).status_code == 404, f"{method} {url}"
    assert _items(their_role) == before


def test_an_item_of_another_role_of_the_same_organisation_is_not_found(client, admin, bank):
    frontline, executive = _role(bank, "frontline"), _role(bank, "executive")
    item = _item(executive, "what-is-cx")
    assert client.post(_path_url(frontline, "items", item.id, "remove")).status_code == 404
    assert _items(executive)[0][0] == "what-is-cx"


# The list of paths -------------------------------------------------------------------------------------------

def test_the_list_shows_every_role_with_the_executive_path_first(client, admin, bank):
    body = client.get("/admin/training").get_data(as_text=True)
    assert "first path the organisation is asked to complete" in body
    names = [r.name_en for r in db.session.scalars(select(JobRole).where(JobRole.organisation_id == bank.id))]
    rows = body[body.index("<tbody>"):]  # not the page head: a random CSRF token may hold "HR"
    positions = {name: rows.index(name) for name in names}
    executive = _role(bank, "executive").name_en
    assert min(positions, key=positions.get) == executive
    assert 'href="/admin/training"' in body  # the Training tab


def test_the_list_counts_modules_and_required_ones(client, admin, bank):
    frontline = _role(bank, "frontline")
    _item(frontline, "listening-to-customers").required = False
    db.session.commit()
    body = client.get("/admin/training").get_data(as_text=True)
    row = body[body.index("<tbody>"):]
    row = row[row.index(frontline.name_en):]
    row = row[:row.index("</tr>")]
    cells = [c.split("<")[0] for c in row.split('<td class="num">')[1:]]
    assert cells[:3] == ["3", "2", "1"]  # modules, required, electives


# Adding ------------------------------------------------------------------------------------------------------

def test_add_a_module_as_an_elective_with_a_due_date(client, admin, bank):
    executive = _role(bank, "executive")
    response = client.post(_path_url(executive), data={
        "module_id": _module("customer-journey").id, "due_date": "2031-03-31"})  # required unchecked
    assert response.status_code == 302
    assert _items(executive)[-1] == ("customer-journey", False, date(2031, 3, 31))
    assert "Title of customer-journey is added to the path." in _flashes(client)


def test_add_a_required_module_to_a_role_without_a_path(client, admin, bank):
    role = JobRole(organisation_id=bank.id, key="sales_engineer", name_en="Sales engineer", name_it="Tecnico")
    db.session.add(role)
    db.session.commit()
    page = client.get(_path_url(role)).get_data(as_text=True)
    assert "This path has no modules yet" in page
    assert db.session.scalar(select(func.count(TrainingPath.id)).where(TrainingPath.job_role_id == role.id)) == 0
    client.post(_path_url(role), data={"module_id": _module("what-is-cx").id, "required": "y"})
    assert _items(role) == [("what-is-cx", True, None)]


def test_the_add_form_offers_only_live_modules_not_in_the_path(client, admin, bank):
    _module("customer-journey").retired_at = utcnow()
    db.session.commit()
    page = client.get(_path_url(_role(bank, "executive"))).get_data(as_text=True)
    select_html = page[page.index('<select'):page.index('</select>')]
    assert "Title of listening-to-customers" in select_html
    assert "Title of customer-journey" not in select_html  # retired
    assert "Title of what-is-cx" not in select_html  # already in the path


def _retired_module_id():
    module = _module("customer-journey")
    module.retired_at = utcnow()
    db.session.commit()
    return module.id


@pytest.mark.parametrize("module_id, due_date, field, message", [
    (lambda: 999999, "", "module_id", "not in the library"),
    (lambda: "", "", "module_id", "Choose the module to add."),
    (lambda: "abc", "", "module_id", "Choose from the list."),
    (lambda: _module("what-is-cx").id, "", "module_id", "already in this path"),
    (_retired_module_id, "", "module_id", "retired from the library"),
    (lambda: _module("listening-to-customers").id, "31/02/2031", "due_date", "YYYY-MM-DD"),
    (lambda: _module("listening-to-customers").id, "next friday", "due_date", "YYYY-MM-DD"),
    (lambda: _module("listening-to-customers").id, "1999-12-31", "due_date", "1 January 2000 or later"),
])
def test_bad_additions_are_refused_with_a_message_and_change_nothing(client, admin, bank, module_id, due_date,
                                                                     field, message):
    executive = _role(bank, "executive")
    before = _items(executive)
    response = client.post(_path_url(executive), data={"module_id": module_id(), "due_date": due_date,
                                                        "required": "y"})
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in body
    assert f'id="{field}-error"' in body  # shown next to the field it concerns
    assert _items(executive) == before


def test_a_refused_addition_does_not_leave_an_empty_path_behind(client, admin, bank):
    role = JobRole(organisation_id=bank.id, key="sales_engineer", name_en="Sales engineer", name_it="Tecnico")
    db.session.add(role)
    db.session.commit()
    client.post(_path_url(role), data={"module_id": _module("what-is-cx").id, "due_date": "1990-01-01"})
    assert db.session.scalar(select(func.count(TrainingPath.id)).where(TrainingPath.job_role_id == role.id)) == 0


def test_adding_a_past_due_date_warns_but_saves(client, admin, bank):
    executive = _role(bank, "executive")
    past = date.today() - timedelta(days=3)
    client.post(_path_url(executive), data={"module_id": _module("listening-to-customers").id,
                                            "due_date": past.isoformat(), "required": "y"})
    assert _items(executive)[-1] == ("listening-to-customers", True, past)
    assert "already past" in _flashes(client)


# Reordering, removing, required and due dates ----------------------------------------------------------------

def test_move_up_and_down(client, admin, bank):
    frontline = _role(bank, "frontline")
    assert [s for s, *_ in _items(frontline)] == ["what-is-cx", "customer-journey", "listening-to-customers"]
    client.post(_path_url(frontline, "items", _item(frontline, "listening-to-customers").id, "move"),
                data={"direction": "up"})
    assert [s for s, *_ in _items(frontline)] == ["what-is-cx", "listening-to-customers", "customer-journey"]
    client.post(_path_url(frontline, "items", _item(frontline, "what-is-cx").id, "move"), data={"direction": "down"})
    assert [s for s, *_ in _items(frontline)] == ["listening-to-customers", "what-is-cx", "customer-journey"]


def test_moving_past_either_end_changes_nothing(client, admin, bank):
    frontline = _role(bank, "frontline")
    before = _items(frontline)
    client.post(_path_url(frontline, "items", _item(frontline, "what-is-cx").id, "move"), data={"direction": "up"})
    assert "already first" in _flashes(client)
    client.post(_path_url(frontline, "items", _item(frontline, "listening-to-customers").id, "move"),
                data={"direction": "down"})
    assert "already last" in _flashes(client)
    assert _items(frontline) == before


def test_an_unknown_direction_is_a_bad_request(client, admin, bank):
    frontline = _role(bank, "frontline")
    url = _path_url(frontline, "items", _item(frontline, "what-is-cx").id, "move")
    assert client.post(url, data={"direction": "sideways"}).status_code == 400


def test_remove_renumbers_the_rest(client, admin, bank):
    frontline = _role(bank, "frontline")
    item_id = _item(frontline, "customer-journey").id
    client.post(_path_url(frontline, "items", item_id, "remove"), data={"confirm": "yes"})
    assert [s for s, *_ in _items(frontline)] == ["what-is-cx", "listening-to-customers"]


def test_required_and_elective_are_set_not_toggled(client, admin, bank):
    frontline = _role(bank, "frontline")
    url = _path_url(frontline, "items", _item(frontline, "customer-journey").id, "required")
    for _ in range(2):  # a double submit makes it an elective once, not back and forth
        client.post(url, data={"required": "0"})
        assert _items(frontline)[1] == ("customer-journey", False, None)
    client.post(url, data={"required": "1"})
    assert _items(frontline)[1] == ("customer-journey", True, None)
    assert client.post(url, data={"required": "maybe"}).status_code == 400


def test_set_and_clear_a_due_date(client, admin, bank):
    frontline = _role(bank, "frontline")
    url = _path_url(frontline, "items", _item(frontline, "customer-journey").id, "due-date")
    client.post(url, data={"due_date": "2031-06-30", "action": "save"})
    assert _items(frontline)[1][2] == date(2031, 6, 30)
    assert "is due by" in _flashes(client)
    client.post(url, data={"due_date": "2031-06-30", "action": "clear"})
    assert _items(frontline)[1][2] is None
    client.post(url, data={"due_date": "15/07/2031", "action": "save"})
    assert _items(frontline)[1][2] == date(2031, 7, 15)
    client.post(url, data={"due_date": "", "action": "save"})  # an emptied field clears it too
    assert _items(frontline)[1][2] is None


def test_a_past_due_date_is_saved_with_a_warning_and_shown_as_past(client, admin, bank):
    frontline = _role(bank, "frontline")
    past = date.today() - timedelta(days=1)
    client.post(_path_url(frontline, "items", _item(frontline, "what-is-cx").id, "due-date"),
                data={"due_date": past.isoformat()})
    assert _items(frontline)[0][2] == past
    page = client.get(_path_url(frontline)).get_data(as_text=True)
    assert "already past" in page and "Anyone who has not finished it is overdue." in page


@pytest.mark.parametrize("typed, message", [
    ("2031-13-01", "YYYY-MM-DD"), ("tomorrow", "YYYY-MM-DD"), ("1999-01-01", "1 January 2000 or later"),
])
def test_a_bad_due_date_is_refused_and_the_old_one_kept(client, admin, bank, typed, message):
    frontline = _role(bank, "frontline")
    item = _item(frontline, "what-is-cx")
    item.due_date = date(2030, 1, 1)
    db.session.commit()
    client.post(_path_url(frontline, "items", item.id, "due-date"), data={"due_date": typed})
    assert _items(frontline)[0][2] == date(2030, 1, 1)
    flashes = _flashes(client)
    assert message in flashes and "Due date of Title of what-is-cx" in flashes


@pytest.mark.parametrize("action, data", [
    ("remove", {}), ("move", {"direction": "up"}), ("required", {"required": "0"}),
    ("due-date", {"due_date": "2031-01-01"}),
])
def test_a_stale_form_says_so_and_changes_nothing(client, admin, bank, action, data):
    frontline = _role(bank, "frontline")
    item_id = _item(frontline, "customer-journey").id
    client.post(_path_url(frontline, "items", item_id, "remove"), data={"confirm": "yes"})  # another tab removed it
    before = _items(frontline)
    response = client.post(_path_url(frontline, "items", item_id, action), data=data)
    assert response.status_code == 302 and response.headers["Location"].endswith(_path_url(frontline))
    assert "no longer in this path" in _flashes(client)
    assert _items(frontline) == before


def test_the_editor_shows_the_path_in_the_page_language(client, login_as, trained):
    login_as("admin", org="retail")
    page = client.get(_path_url(_role(trained["demo-retail"], "frontline"))).get_data(as_text=True)
    assert "Titolo di customer-journey" in page
    assert page.index("Titolo di what-is-cx") < page.index("Titolo di customer-journey")


# The service on its own --------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed, expected", [
    ("", None), ("  ", None), (None, None), ("2030-02-01", date(2030, 2, 1)), ("01/02/2030", date(2030, 2, 1)),
    ("2000-01-01", date(2000, 1, 1)),
])
def test_parse_due_date_accepts(typed, expected):
    assert parse_due_date(typed) == expected


@pytest.mark.parametrize("typed, code", [
    ("1999-12-31", "date-too-early"), ("30/02/2030", "bad-date"), ("2030-2-30", "bad-date"), ("1/2", "bad-date"),
    ("soon", "bad-date"),
])
def test_parse_due_date_refuses(typed, code):
    with pytest.raises(Refused) as refused:
        parse_due_date(typed)
    assert refused.value.code == code
