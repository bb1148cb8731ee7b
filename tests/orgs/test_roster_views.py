"""The roster pages: upload, preview, confirm, result, exports and invitations, as an administrator sees them."""
from __future__ import annotations

import io
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.orgs.models import Person, RosterImport, Team
from tests.conftest import DEMO_PASSWORD

HEADER = "email,name,team,job_role,permissions,manager_email,language"
GOOD_FILE = "\n".join([
    HEADER,
    "olivia.new@bank.example.com,Olivia New,Branches/Leeds,frontline,,james.new@bank.example.com,",
    "james.new@bank.example.com,James New,Branches/Leeds,team_lead,manager employee,leader@bank.example.com,en",
]) + "\n"
INVITATION_LINK = re.compile(r"http://localhost/invitation/[A-Za-z0-9._-]+")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def upload(client, content: str | bytes, filename: str = "roster.csv"):
    data = content.encode() if isinstance(content, str) else content
    if len(data) > 400 * 1024:
        # Werkzeug's test client spools a large body to a temporary file it never closes; encode it here instead.
        boundary = "roster-test-boundary"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n"
                f"Content-Type: text/csv\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        return client.post("/admin/roster/import", data=body,
                           content_type=f"multipart/form-data; boundary={boundary}")
    return client.post("/admin/roster/import", data={"file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def follow(client, response):
    """GET where a response redirects to (the isolated test client cannot follow redirects itself)."""
    assert response.status_code == 302, response.status_code
    return client.get(response.headers["Location"])


def import_id_of(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    match = re.fullmatch(r"/admin/roster/imports/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


@pytest.fixture
def bank_admin(login_as):
    return login_as("admin", org="bank")


def test_upload_page_offers_the_form_and_the_export(client, bank_admin):
    page = client.get("/admin/roster/import").get_data(as_text=True)
    assert 'type="file"' in page and 'accept=".csv"' in page and 'enctype="multipart/form-data"' in page
    assert "/admin/roster/export.csv" in page
    assert "manager_email" in page


def test_good_file_preview_confirm_result_and_invitation(client, bank_admin):
    people, teams = count(Person), count(Team)
    import_id = import_id_of(upload(client, GOOD_FILE))

    preview = client.get(f"/admin/roster/imports/{import_id}")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "roster.csv" in page
    assert page.count('class="row-create"') == 2
    assert "Branches/Leeds" in page and "New teams" in page
    assert "Confirm import" in page
    assert (count(Person), count(Team)) == (people, teams)  # a preview writes nothing

    confirm = client.post(f"/admin/roster/imports/{import_id}")
    assert confirm.status_code == 302
    assert confirm.headers["Location"] == f"/admin/roster/imports/{import_id}/result"
    assert (count(Person), count(Team)) == (people + 2, teams + 1)
    olivia = db.session.scalar(select(Person).where(Person.email == "olivia.new@bank.example.com"))
    assert olivia.team.path == "Branches/Leeds" and olivia.manager.email == "james.new@bank.example.com"
    assert olivia.manager.manager.email == "leader@bank.example.com"

    result = client.get(confirm.headers["Location"]).get_data(as_text=True)
    assert "Created: 2. Updated: 0." in result
    assert "Olivia New" in result and "James New" in result
    links = INVITATION_LINK.findall(result)
    assert len(links) == 2
    assert f"/admin/roster/imports/{import_id}/invitations.csv" in result

    # A second confirm (double submit, back button) writes nothing and says so.
    again = follow(client, client.post(f"/admin/roster/imports/{import_id}"))
    assert "already applied" in again.get_data(as_text=True)
    assert (count(Person), count(Team)) == (people + 2, teams + 1)
    # The preview of an applied import shows its result.
    assert client.get(f"/admin/roster/imports/{import_id}").headers["Location"].endswith("/result")

    # The person opens their link, sets a password, and the link is spent.
    client.post("/logout")
    link = links[0].removeprefix("http://localhost")
    assert "James New" in client.get(link).get_data(as_text=True)
    response = client.post(link, data={"password": "a long new password", "confirm": "a long new password"})
    assert response.status_code == 302
    client.post("/logout")
    assert client.get(link).status_code == 410
    james = db.session.scalar(select(Person).where(Person.email == "james.new@bank.example.com"))
    assert not james.invited


def test_import_invitations_csv_lists_the_new_people(client, bank_admin):
    import_id = import_id_of(upload(client, GOOD_FILE))
    client.post(f"/admin/roster/imports/{import_id}")
    response = client.get(f"/admin/roster/imports/{import_id}/invitations.csv")
    assert response.status_code == 200
    text = response.data.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "email,name,invitation_url"
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["james.new@bank.example.com",
                                                                "olivia.new@bank.example.com"]
    assert all(INVITATION_LINK.search(line) for line in lines[1:])


@pytest.mark.parametrize(
    "content, message",
    [
        (b"email,team\na@bank.example.com,Sales\n", "Missing required columns: name"),
        (f"{HEADER}\na@bank.example.com,A,,chef,,,\n".encode(), "Unknown job role chef"),
        (
            f"{HEADER}\na@bank.example.com,A,,,,,\nb@bank.example.com,B,,,,,\na@bank.example.com,A,,,,,\n".encode(),
            "a@bank.example.com appears more than once in the file: rows 2 and 4",
        ),
        (f"{HEADER}\nnot-an-email,A,,,,,\n".encode(), "not-an-email is not a valid e-mail address"),
        (
            f"{HEADER}\na@bank.example.com,A,,,,nobody@bank.example.com,\n".encode(),
            "Unknown manager nobody@bank.example.com",
        ),
        (
            f"{HEADER}\na@bank.example.com,A,,,,b@bank.example.com,\nb@bank.example.com,B,,,,a@bank.example.com,\n".encode(),
            "The managers form a loop: a@bank.example.com → b@bank.example.com → a@bank.example.com",
        ),
        (
            f"{HEADER}\nmanager@bank.example.com,Manager Demo Bank,,,,employee@bank.example.com,\n".encode(),
            "loop: manager@bank.example.com → employee@bank.example.com → manager@bank.example.com",
        ),
        (
            f"{HEADER}\nadmin@retail.example.com,Someone,,,,,\n".encode(),
            "admin@retail.example.com cannot be used: the address is already taken",
        ),
        (
            "email,name\nok@bank.example.com,Ok\nnic@bank.example.com,Niccolò\n".encode("latin-1"),
            "The file is not in UTF-8: line 3",
        ),
        (f"{HEADER}\na@bank.example.com,A,Sales//Milano,,,,\n".encode(), "is not a valid team path"),
        (f"{HEADER}\na@bank.example.com,A,,,,,fr\n".encode(), "Unknown language fr"),
    ],
    ids=[
        "missing column",
        "unknown job role",
        "duplicate email",
        "bad email",
        "unknown manager",
        "loop in file",
        "loop with existing people",
        "another organisation",
        "latin-1",
        "bad team path",
        "unknown language",
    ],
)
def test_bad_file_preview_names_the_problem_and_confirm_changes_nothing(client, bank_admin, content, message):
    people, teams = count(Person), count(Team)
    import_id = import_id_of(upload(client, content))
    page = client.get(f"/admin/roster/imports/{import_id}").get_data(as_text=True)
    assert message in page
    assert "This file cannot be imported" in page and "Nothing has been changed" in page
    assert "Confirm import" not in page
    assert "Upload a corrected file" in page
    assert re.search(r"Row \d+(, column \w+)?:", page)
    response = follow(client, client.post(f"/admin/roster/imports/{import_id}"))
    assert "Nothing was changed" in response.get_data(as_text=True)
    assert (count(Person), count(Team)) == (people, teams)
    assert db.session.get(RosterImport, import_id).applied_at is None


def test_bad_row_is_named_by_row_and_column(client, bank_admin):
    import_id = import_id_of(upload(client, f"{HEADER}\nok@bank.example.com,Ok,,,,,\nx@bank.example.com,X,,chef,,,\n"))
    page = client.get(f"/admin/roster/imports/{import_id}").get_data(as_text=True)
    assert "Row 3, column job_role:" in page


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "The file is empty."),
        (b"email,name\n" + b"x" * (5 * 1024 * 1024), "The file is 5.0 MB; the limit is 2 MB"),
    ],
    ids=["empty", "5 MB"],
)
def test_empty_or_huge_upload_is_refused_before_it_is_stored(client, bank_admin, content, message):
    people, teams = count(Person), count(Team)
    response = upload(client, content)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(RosterImport) == 0
    assert (count(Person), count(Team)) == (people, teams)


def test_upload_needs_a_csv_file(client, bank_admin):
    response = client.post("/admin/roster/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a CSV file to upload." in response.get_data(as_text=True)
    response = upload(client, GOOD_FILE, filename="roster.xlsx")
    assert response.status_code == 400
    assert "must be a .csv file" in response.get_data(as_text=True)
    assert count(RosterImport) == 0


def test_semicolons_and_bom_are_accepted(client, bank_admin):
    content = ("\ufeff" + GOOD_FILE.replace(",", ";").replace("\n", "\r\n")).encode()
    import_id = import_id_of(upload(client, content))
    page = client.get(f"/admin/roster/imports/{import_id}").get_data(as_text=True)
    assert page.count('class="row-create"') == 2 and "Confirm import" in page


def test_export_downloads_the_roster_and_reimports_unchanged(client, bank_admin):
    people, teams = count(Person), count(Team)
    response = client.get("/admin/roster/export.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="demo-bank-roster-{date.today().isoformat()}.csv"'
    )
    assert response.data.startswith(b"\xef\xbb\xbf")
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0] == HEADER
    assert "admin@bank.example.com,Admin Demo Bank,Operations/Back Office,back_office,admin,," in lines

    import_id = import_id_of(upload(client, response.data, filename="export.csv"))
    page = client.get(f"/admin/roster/imports/{import_id}").get_data(as_text=True)
    assert "row-create" not in page and "row-update" not in page and "row-refused" not in page
    assert page.count('class="row-unchanged"') == len(lines) - 1
    assert "already up to date" in page
    client.post(f"/admin/roster/imports/{import_id}")
    assert (count(Person), count(Team)) == (people, teams)


def test_italian_export_uses_semicolons(client, login_as):
    login_as("admin", org="retail")  # Demo Retail speaks Italian
    response = client.get("/admin/roster/export.csv")
    header = response.data.decode("utf-8-sig").splitlines()[0]
    assert header == HEADER.replace(",", ";")
    assert "demo-retail-roster-" in response.headers["Content-Disposition"]
    import_id = import_id_of(upload(client, response.data))
    page = client.get(f"/admin/roster/imports/{import_id}").get_data(as_text=True)
    assert "row-refused" not in page and "row-update" not in page


def test_invitations_page_and_csv_list_people_without_a_password(client, bank_admin, make_person, demo):
    bank = demo["demo-bank"]
    make_person(bank, "waiting@bank.example.com", "Waiting Person", password=None)
    make_person(bank, "gone@bank.example.com", "Gone Person", password=None, active=False)
    make_person(demo["demo-retail"], "elsewhere@retail.example.com", "Elsewhere", password=None)
    page = client.get("/admin/invitations").get_data(as_text=True)
    assert "Waiting Person" in page
    assert "Gone Person" not in page and "Elsewhere" not in page and "Employee Demo Bank" not in page
    assert len(INVITATION_LINK.findall(page)) == 1

    response = client.get("/admin/invitations.csv")
    assert response.headers["Content-Disposition"].startswith('attachment; filename="demo-bank-invitations-')
    lines = response.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "email,name,invitation_url"
    assert len(lines) == 2 and lines[1].startswith(
        "waiting@bank.example.com,Waiting Person,http://localhost/invitation/"
    )

    # The link works until the person sets a password; then the page no longer lists them.
    link = INVITATION_LINK.search(lines[1]).group(0).removeprefix("http://localhost")
    client.post("/logout")
    client.post(link, data={"password": "a long new password", "confirm": "a long new password"})
    client.post("/logout")
    assert client.get(link).status_code == 410
    client.post("/login", data={"email": "admin@bank.example.com", "password": DEMO_PASSWORD})
    assert "Waiting Person" not in client.get("/admin/invitations").get_data(as_text=True)


ADMIN_URLS = [
    ("get", "/admin/roster/import"),
    ("post", "/admin/roster/import"),
    ("get", "/admin/roster/export.csv"),
    ("get", "/admin/invitations"),
    ("get", "/admin/invitations.csv"),
    ("get", "/admin/roster/imports/{id}"),
    ("post", "/admin/roster/imports/{id}"),
    ("get", "/admin/roster/imports/{id}/result"),
    ("get", "/admin/roster/imports/{id}/invitations.csv"),
]


@pytest.fixture
def bank_import(app, demo):
    """An import uploaded in Demo Bank."""
    from cxculture.orgs.roster import create_roster_import

    admin = db.session.scalar(select(Person).where(Person.email == "admin@bank.example.com"))
    roster_import = create_roster_import(demo["demo-bank"], admin, "roster.csv", GOOD_FILE.encode())
    db.session.commit()
    return roster_import.id


@pytest.mark.parametrize("method, url", ADMIN_URLS)
@pytest.mark.parametrize("permission", ["employee", "manager", "leader", "hr"])
def test_only_administrators_get_in(client, login_as, bank_import, permission, method, url):
    login_as(permission, org="bank")
    response = getattr(client, method)(url.format(id=bank_import))
    assert response.status_code == 403


@pytest.mark.parametrize("method, url", ADMIN_URLS)
def test_anonymous_visitors_are_sent_to_log_in(client, bank_import, method, url):
    response = getattr(client, method)(url.format(id=bank_import))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("method, url", [(m, u) for m, u in ADMIN_URLS if "{id}" in u])
def test_another_organisations_import_is_not_found(client, login_as, bank_import, method, url):
    login_as("admin", org="retail")
    people = count(Person)
    response = getattr(client, method)(url.format(id=bank_import))
    assert response.status_code == 404
    assert count(Person) == people
    assert db.session.get(RosterImport, bank_import).applied_at is None


def test_unknown_import_is_not_found(client, bank_admin):
    assert client.get("/admin/roster/imports/999999").status_code == 404
