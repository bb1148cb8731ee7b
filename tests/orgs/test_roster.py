"""The roster service: parsing, checking and planning a file, applying it once, exporting."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from cxculture.extensions import db
from cxculture.orgs.models import JobRole, Person, RosterImport, Team
from cxculture.orgs.roster import (
    COLUMNS,
    apply_roster_import,
    create_roster_import,
    invited_people,
    people_created_by_import,
    plan_roster,
    roster_rows,
)
from cxculture.orgs.teams import ensure_team_path
from cxculture.spreadsheets import csv_bytes, escape_cell, unescape_cell

HEADER = "email,name,team,job_role,permissions,manager_email,language"

GOOD_FILE = "\n".join([
    HEADER,
    "giulia@acme.example.com,Giulia Rossi,Sales/Milano Store,frontline,employee,marco@acme.example.com,it",
    "marco@acme.example.com,Marco Bianchi,Sales,team_lead,manager employee,anna@acme.example.com,",
    "anna@acme.example.com,Anna Verdi,Direzione,executive,leader;employee,,en",
]) + "\n"


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def messages(plan) -> list[str]:
    return [str(error.message) for error in plan.errors]


@pytest.fixture
def acme(app, make_organisation):
    """An organisation, with a request context so translated messages can be read."""
    organisation = make_organisation("Acme")
    with app.test_request_context():
        yield organisation


@pytest.fixture
def admin(acme, make_person):
    return make_person(acme, "admin@acme.example.com", "Ada Admin", permissions=("admin",))


def upload(organisation, content: str | bytes, by=None) -> RosterImport:
    data = content.encode() if isinstance(content, str) else content
    roster_import = create_roster_import(organisation, by, "roster.csv", data)
    db.session.commit()
    return roster_import


# --- a good file -------------------------------------------------------------------------------------------------


def test_plan_of_a_good_file_says_what_it_creates_and_writes_nothing(acme):
    people, teams = count(Person), count(Team)
    plan = plan_roster(acme, GOOD_FILE.encode())
    assert plan.ok, messages(plan)
    assert [row.action for row in plan.rows] == ["create", "create", "create"]
    assert [row.line for row in plan.rows] == [2, 3, 4]
    assert plan.counts.create == 3 and plan.counts.total == 3
    assert plan.new_teams == ["Sales", "Sales/Milano Store", "Direzione"]
    assert plan.rows[1].target["permissions"] == "employee manager"
    db.session.rollback()
    assert (count(Person), count(Team)) == (people, teams)


def test_apply_creates_people_teams_and_managers(acme, admin):
    roster_import = upload(acme, GOOD_FILE, admin)
    result = apply_roster_import(roster_import, admin)
    db.session.commit()
    assert result.applied and (result.created, result.updated) == (3, 0)
    giulia = db.session.scalar(select(Person).where(Person.email == "giulia@acme.example.com"))
    assert giulia.name == "Giulia Rossi" and giulia.organisation_id == acme.id
    assert giulia.team.path == "Sales/Milano Store"
    assert giulia.job_role.key == "frontline"
    assert giulia.permissions == {"employee"}
    assert giulia.language == "it"
    assert giulia.invited
    assert giulia.manager.email == "marco@acme.example.com"
    assert giulia.manager.manager.email == "anna@acme.example.com"
    assert giulia.manager.permissions == {"manager", "employee"}
    assert giulia.manager.manager.manager is None
    assert roster_import.applied_at is not None
    assert (roster_import.created_count, roster_import.updated_count) == (3, 0)
    assert {p.email for p in people_created_by_import(roster_import)} == {
        "giulia@acme.example.com", "marco@acme.example.com", "anna@acme.example.com"}
    assert {p.email for p in invited_people(acme.id)} == {p.email for p in people_created_by_import(roster_import)}


def test_a_second_apply_writes_nothing(acme, admin):
    roster_import = upload(acme, GOOD_FILE, admin)
    apply_roster_import(roster_import, admin)
    db.session.commit()
    applied_at = roster_import.applied_at
    people, teams = count(Person), count(Team)
    again = apply_roster_import(roster_import, admin)
    db.session.commit()
    assert again.status == "already_applied"
    assert (count(Person), count(Team)) == (people, teams)
    assert roster_import.applied_at == applied_at
    assert roster_import.created_count == 3


def test_a_confirm_that_lost_the_race_writes_nothing(acme, admin):
    """Another request applied the import after this one loaded it: the conditional UPDATE finds it taken."""
    roster_import = upload(acme, GOOD_FILE, admin)
    assert roster_import.applied_at is None
    db.session.execute(
        update(RosterImport).where(RosterImport.id == roster_import.id).values(applied_at=db.func.current_timestamp()),
        execution_options={"synchronize_session": False},
    )
    assert roster_import.applied_at is None  # this session's copy is stale on purpose
    result = apply_roster_import(roster_import, admin)
    assert result.status == "already_applied"
    assert count(Person) == 1


def test_reimporting_the_same_file_is_all_unchanged(acme, admin):
    apply_roster_import(upload(acme, GOOD_FILE, admin), admin)
    db.session.commit()
    people, teams = count(Person), count(Team)
    plan = plan_roster(acme, GOOD_FILE.encode(), admin)
    assert plan.ok and not plan.has_changes
    assert {row.action for row in plan.rows} == {"unchanged"}
    assert plan.new_teams == []
    result = apply_roster_import(upload(acme, GOOD_FILE, admin), admin)
    db.session.commit()
    assert result.applied and (result.created, result.updated) == (0, 0)
    assert (count(Person), count(Team)) == (people, teams)


def test_update_lists_each_changed_field(acme, admin, make_person):
    sales = ensure_team_path(acme, "Sales")
    boss = make_person(acme, "boss@acme.example.com", "Boss")
    make_person(acme, "luca@acme.example.com", "Luca", team=sales, language="en", manager=boss)
    content = f"{HEADER}\nluca@acme.example.com,Luca Neri,Sales/Roma,frontline,employee manager,,it\n"
    plan = plan_roster(acme, content.encode(), admin)
    (row,) = plan.rows
    assert row.action == "update"
    assert [(c.column, c.old, c.new) for c in row.changes] == [
        ("name", "Luca", "Luca Neri"),
        ("team", "Sales", "Sales/Roma"),
        ("job_role", "", "frontline"),
        ("permissions", "employee", "employee manager"),
        ("manager_email", "boss@acme.example.com", ""),
        ("language", "en", "it"),
    ]
    assert plan.new_teams == ["Sales/Roma"]
    apply_roster_import(upload(acme, content, admin), admin)
    db.session.commit()
    luca = db.session.scalar(select(Person).where(Person.email == "luca@acme.example.com"))
    assert (luca.name, luca.team.path, luca.job_role.key, luca.manager, luca.language) == (
        "Luca Neri", "Sales/Roma", "frontline", None, "it")
    assert luca.permissions == {"employee", "manager"}
    assert luca.password_hash is not None  # an update never touches the password


def test_columns_left_out_are_left_alone(acme, admin, make_person):
    sales = ensure_team_path(acme, "Sales")
    frontline = db.session.scalar(select(JobRole).where(JobRole.organisation_id == acme.id, JobRole.key == "frontline"))
    make_person(acme, "luca@acme.example.com", "Luca", team=sales, job_role=frontline, language="it",
                permissions=("manager",))
    plan = plan_roster(acme, b"email,name\nluca@acme.example.com,Luca\n", admin)
    assert plan.rows[0].action == "unchanged"
    apply_roster_import(upload(acme, "email,name\nluca@acme.example.com,Luca Neri\n", admin), admin)
    db.session.commit()
    luca = db.session.scalar(select(Person).where(Person.email == "luca@acme.example.com"))
    assert (luca.name, luca.team.path, luca.job_role.key, luca.language) == ("Luca Neri", "Sales", "frontline", "it")
    assert luca.permissions == {"manager"}


def test_new_people_from_a_short_file_are_employees(acme, admin):
    apply_roster_import(upload(acme, "email,name\nNew.Person@Acme.example.com , New Person \n", admin), admin)
    db.session.commit()
    person = db.session.scalar(select(Person).where(Person.email == "new.person@acme.example.com"))
    assert person.name == "New Person"
    assert person.permissions == {"employee"}
    assert (person.team, person.job_role, person.manager, person.language) == (None, None, None, None)


@pytest.mark.parametrize("content", [
    # Excel in Italy: ";" between columns, a BOM, CRLF line ends, headers in capitals with spaces.
    ("\ufeff EMAIL ;Name;Team;Job_Role;Permissions;Manager_Email;Language\r\n"
     "giulia@acme.example.com;Giulia Rossi;Sales/Milano Store;frontline;employee manager;;it\r\n"),
    ("\ufeffemail,name,team,job_role,permissions,manager_email,language\r\n"
     "giulia@acme.example.com,Giulia Rossi,Sales/Milano Store,frontline,\"employee,manager\",,it\r\n"),
    # Columns in another order, blank lines and empty trailing columns left by a spreadsheet.
    ("\nlanguage,permissions,team,name,email,job_role,manager_email,,\n"
     "it,employee manager,Sales/Milano Store,Giulia Rossi,giulia@acme.example.com,frontline,,,\n,,,,,,,,\n\n"),
])
def test_spreadsheet_dialects_are_accepted(acme, admin, content):
    plan = plan_roster(acme, content.encode(), admin)
    assert plan.ok, messages(plan)
    (row,) = plan.rows
    assert row.action == "create"
    assert row.target == {"name": "Giulia Rossi", "team": "Sales/Milano Store", "job_role": "frontline",
                          "permissions": "employee manager", "manager_email": "", "language": "it"}


def test_team_paths_match_existing_teams_whatever_the_case(acme, admin):
    ensure_team_path(acme, "Sales/Milano Store")
    db.session.commit()
    content = (f"{HEADER}\na@acme.example.com,A,sales / milano store,,,,\nb@acme.example.com,B,SALES/Roma,,,,\n"
               "c@acme.example.com,C,sales/roma,,,,\n")
    plan = plan_roster(acme, content.encode(), admin)
    assert [row.target["team"] for row in plan.rows] == ["Sales/Milano Store", "Sales/Roma", "Sales/Roma"]
    assert plan.new_teams == ["Sales/Roma"]


# --- bad files ---------------------------------------------------------------------------------------------------


def rows(*lines: str) -> bytes:
    return ("\n".join([HEADER, *lines]) + "\n").encode()


BAD_FILES = [
    # (id, content, (row, column, part of the message))
    ("empty file", b"", (None, None, "The file is empty.")),
    ("only blank lines", b"\xef\xbb\xbf\r\n\r\n", (None, None, "The file is empty.")),
    ("too large", b"email,name\n" + b"x" * (5 * 1024 * 1024), (None, None, "The file is 5.0 MB; the limit is 2 MB")),
    (
        "latin-1",
        "email,name\nok@acme.example.com,Ok\nnic@acme.example.com,Niccolò\n".encode("latin-1"),
        (3, None, "not in UTF-8: line 3"),
    ),
    ("header only", HEADER.encode() + b"\n", (None, None, "a header but no rows")),
    ("missing column", b"email,team\na@acme.example.com,Sales\n", (1, None, "Missing required columns: name")),
    ("unknown column", b"email,name,shoe_size\na@acme.example.com,A,42\n", (1, None, "Unknown columns: shoe_size")),
    ("column twice", b"email,name,Name\na@acme.example.com,A,B\n", (1, None, "more than once: name")),
    (
        "too many rows",
        ("email,name\n" + "".join(f"p{i}@acme.example.com,P {i}\n" for i in range(10_001))).encode(),
        (None, None, "10001 rows of people; the limit is 10000"),
    ),
    ("bad email", rows("not-an-email,A,,,,,"), (2, "email", "not-an-email is not a valid e-mail address")),
    ("missing email", rows(",A,,,,,"), (2, "email", "The e-mail address is missing")),
    (
        "duplicate email",
        rows("a@acme.example.com,A,,,,,", "b@acme.example.com,B,,,,,", "A@acme.example.com,A2,,,,,"),
        (4, "email", "a@acme.example.com appears more than once in the file: rows 2 and 4"),
    ),
    (
        "other organisation",
        rows("taken@other.example.com,Taken,,,,,"),
        (2, "email", "taken@other.example.com cannot be used: the address is already taken"),
    ),
    ("missing name", rows("a@acme.example.com,,,,,,"), (2, "name", "The name is missing")),
    (
        "long name",
        rows(f"a@acme.example.com,{'n' * 201},,,,,"),
        (2, "name", "The name is 201 characters long; the limit is 200"),
    ),
    (
        "unknown job role",
        rows("a@acme.example.com,A,,chef,,,"),
        (2, "job_role", "Unknown job role chef. The job roles are: back_office, contact_centre, executive, frontline"),
    ),
    (
        "empty team segment",
        rows("a@acme.example.com,A,Sales//Milano,,,,"),
        (2, "team", "Sales//Milano is not a valid team path: a part of the path is empty"),
    ),
    ("team too deep", rows("a@acme.example.com,A,A/B/C/D/E/F,,,,"), (2, "team", "it has 6 levels; the limit is 5")),
    (
        "unknown permission",
        rows("a@acme.example.com,A,,,employee boss,,"),
        (2, "permissions", "Unknown permission boss. The permissions are: employee, manager, leader, hr, admin"),
    ),
    ("unknown language", rows("a@acme.example.com,A,,,,,fr"), (2, "language", "Unknown language fr")),
    (
        "unknown manager",
        rows("a@acme.example.com,A,,,,nobody@acme.example.com,"),
        (2, "manager_email", "Unknown manager nobody@acme.example.com"),
    ),
    (
        "manager in another organisation",
        rows("a@acme.example.com,A,,,,taken@other.example.com,"),
        (2, "manager_email", "Unknown manager taken@other.example.com"),
    ),
    (
        "own manager",
        rows("a@acme.example.com,A,,,,a@acme.example.com,"),
        (2, "manager_email", "a@acme.example.com cannot be their own manager"),
    ),
    (
        "loop in the file",
        rows(
            "a@acme.example.com,A,,,,b@acme.example.com,",
            "b@acme.example.com,B,,,,c@acme.example.com,",
            "c@acme.example.com,C,,,,a@acme.example.com,",
        ),
        (2, "manager_email", "loop: a@acme.example.com → b@acme.example.com → c@acme.example.com → a@acme.example.com"),
    ),
    (
        "loop through existing people",
        rows("boss@acme.example.com,Boss,,,,worker@acme.example.com,"),
        (2, "manager_email", "loop: boss@acme.example.com → worker@acme.example.com → boss@acme.example.com"),
    ),
    (
        "unclosed quote",
        b'email,name\nok@acme.example.com,Ok\na@acme.example.com,"Anna\nb@acme.example.com,B\n',
        (3, None, "Row 3 cannot be read as CSV: check its quotes"),
    ),
    ("control character", b"email,name\na@acme.example.com,A\x00B\n", (2, "name", "control character")),
    ("extra cells", b"email,name\na@acme.example.com,A,surprise\n", (2, None, "3 cells but the header has 2 columns")),
    (
        "own admin permission",
        rows("admin@acme.example.com,Ada Admin,,,employee,,"),
        (2, "permissions", "your own admin permission"),
    ),
]


@pytest.fixture
def bad_file_setting(acme, admin, make_organisation, make_person):
    """Someone in another organisation, and a boss with one report, for the bad files to trip over."""
    other = make_organisation("Other")
    make_person(other, "taken@other.example.com")
    boss = make_person(acme, "boss@acme.example.com", "Boss")
    make_person(acme, "worker@acme.example.com", "Worker", manager=boss)
    return acme


@pytest.mark.parametrize("content, expected", [case[1:] for case in BAD_FILES], ids=[case[0] for case in BAD_FILES])
def test_bad_file_is_refused_with_a_clear_message_and_changes_nothing(bad_file_setting, admin, content, expected):
    line, column, text = expected
    people, teams = count(Person), count(Team)
    plan = plan_roster(bad_file_setting, content, admin)
    assert not plan.ok
    found = [e for e in plan.errors if text in str(e.message)]
    assert found, messages(plan)
    assert (found[0].line, found[0].column) == (line, column)
    if plan.rows:
        assert plan.counts.refused >= 1
    roster_import = upload(bad_file_setting, content, admin)
    result = apply_roster_import(roster_import, admin)
    assert result.status == "refused"
    db.session.rollback()
    assert (count(Person), count(Team)) == (people, teams)
    assert db.session.get(RosterImport, roster_import.id).applied_at is None


def test_every_row_is_checked_in_one_pass(bad_file_setting, admin):
    content = rows(
        "ok@acme.example.com,Fine,Sales,frontline,,,",
        "not-an-email,A,,chef,,,",
        "b@acme.example.com,B,,,boss,,fr",
    )
    plan = plan_roster(bad_file_setting, content, admin)
    assert [row.action for row in plan.rows] == ["create", "refused", "refused"]
    assert [(e.line, e.column) for e in plan.errors] == [
        (3, "email"),
        (3, "job_role"),
        (4, "permissions"),
        (4, "language"),
    ]
    assert plan.new_teams == ["Sales"]


def test_apply_checks_again_and_refuses_what_changed_since_the_preview(acme, admin, make_organisation, make_person):
    roster_import = upload(acme, GOOD_FILE, admin)
    assert plan_roster(acme, roster_import.content, admin).ok
    make_person(make_organisation("Other"), "giulia@acme.example.com")  # taken meanwhile
    people, teams = count(Person), count(Team)
    result = apply_roster_import(roster_import, admin)
    assert result.status == "refused"
    errors = " ".join(str(e.message) for e in result.plan.errors)
    assert "giulia@acme.example.com cannot be used: the address is already taken" in errors
    db.session.rollback()
    assert (count(Person), count(Team)) == (people, teams)
    assert db.session.get(RosterImport, roster_import.id).applied_at is None


# --- export ------------------------------------------------------------------------------------------------------


def test_export_writes_the_import_format(acme, admin):
    apply_roster_import(upload(acme, GOOD_FILE, admin), admin)
    db.session.commit()
    exported = roster_rows(acme.id)
    assert exported[0] == ["admin@acme.example.com", "Ada Admin", "", "", "admin", "", ""]
    assert [
        "giulia@acme.example.com",
        "Giulia Rossi",
        "Sales/Milano Store",
        "frontline",
        "employee",
        "marco@acme.example.com",
        "it",
    ] in exported
    assert [
        "marco@acme.example.com",
        "Marco Bianchi",
        "Sales",
        "team_lead",
        "employee manager",
        "anna@acme.example.com",
        "",
    ] in exported


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_export_then_import_is_all_unchanged(app, demo, delimiter):
    bank = demo["demo-bank"]
    admin = db.session.scalar(select(Person).where(Person.email == "admin@bank.example.com"))
    with app.test_request_context():
        content = csv_bytes(COLUMNS, roster_rows(bank.id), delimiter)
        assert content.startswith(b"\xef\xbb\xbf")
        plan = plan_roster(bank, content, admin)
        assert plan.ok, messages(plan)
        assert len(plan.rows) > 40
        assert {row.action for row in plan.rows} == {"unchanged"}
        assert plan.new_teams == []


def test_export_quotes_cells_a_spreadsheet_would_run_and_import_undoes_it(acme, admin, make_person):
    team = ensure_team_path(acme, "+Plus team")
    make_person(acme, "formula@acme.example.com", '=HYPERLINK("http://evil")', team=team)
    content = csv_bytes(COLUMNS, roster_rows(acme.id))
    text = content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'+Plus team" in text
    plan = plan_roster(acme, content, admin)
    assert {row.action for row in plan.rows} == {"unchanged"}, [row.changes for row in plan.rows]


@pytest.mark.parametrize(
    "value, escaped",
    [
        ("=1+2", "'=1+2"),
        ("+39 02", "'+39 02"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Anna", "Anna"),
        ("", ""),
        ("'quoted", "'quoted"),
    ],
)
def test_formula_escaping(value, escaped):
    assert escape_cell(value) == escaped
    assert unescape_cell(escape_cell(value)) == value


def test_export_leaves_out_deactivated_people(acme, admin, make_person):
    make_person(acme, "gone@acme.example.com", active=False)
    assert [row[0] for row in roster_rows(acme.id)] == ["admin@acme.example.com"]
    assert invited_people(acme.id) == []


def test_planning_loads_what_it_needs_up_front(acme, admin, make_person):
    """The number of queries does not grow with the rows of the file."""
    from sqlalchemy import event

    boss = make_person(acme, "boss@acme.example.com", "Boss")
    for i in range(20):
        make_person(acme, f"old{i}@acme.example.com", f"Old {i}", manager=boss)
    lines = [
        f"p{i}@acme.example.com,P {i},Area {i % 7}/Team {i % 13},frontline,employee,"
        f"{'boss@acme.example.com' if i % 2 else f'old{i % 20}@acme.example.com'},it"
        for i in range(500)
    ]
    lines += [f"old{i}@acme.example.com,Old {i} Renamed,,,,boss@acme.example.com," for i in range(20)]
    content = rows(*lines)
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    db.session.expire_all()
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        plan = plan_roster(acme, content, admin)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert plan.ok, messages(plan)
    assert plan.counts.create == 500 and plan.counts.update == 20
    assert len(statements) <= 8, statements
