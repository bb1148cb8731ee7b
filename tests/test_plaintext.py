"""Names and titles people type for others to read refuse NUL, control characters and direction overrides,
with a message that names the field; the roster import refuses them by row and column."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.orgs.models import Team
from cxculture.plaintext import unsafe_characters

#: (account, form address, field, its label): every free-text name or title a person types.
NAME_FIELDS = [
    ("admin", "/admin/teams", "name", "Name"),
    ("admin", "/admin/job-roles", "name_en", "Name in English"),
    ("admin", "/admin/job-roles", "name_it", "Name in Italian"),
    ("admin", "/admin/people/new", "name", "Name"),
    ("admin", "/admin/organisation", "name", "Name"),
    ("hr", "/hr/kpis/new", "name_en", "Name in English"),
    ("hr", "/hr/behaviours/new", "name_it", "Behaviour in Italian"),
    ("admin", "/assessments/campaigns/new", "title", "Title"),
    ("leader", "/assessments/actions/new", "title", "What will be done"),
    ("leader", "/leadership/cafes/new", "title", "Title"),
]
BAD_TEXT = {
    "nul": ("Sales\x00", "U+0000"),
    "right-to-left override": ("Sales \u202egnitekram", "U+202E"),
    "left-to-right isolate": ("\u2066Sales\u2069", "U+2066, U+2069"),
    "escape": ("Sales\x1b[31m", "U+001B"),
    "c1 control": ("Sa\x9bles", "U+009B"),
    "line break": ("Sales\nTeam", "U+000A"),
}


def _log_in_reading_english(login_as, account: str) -> None:
    """The demo organisations read Italian by default."""
    login_as(account).language = "en"
    db.session.commit()


@pytest.mark.parametrize("bad", BAD_TEXT.values(), ids=BAD_TEXT.keys())
@pytest.mark.parametrize(("account", "path", "field", "label"), NAME_FIELDS, ids=lambda v: str(v))
def test_a_name_with_control_or_direction_characters_is_refused_naming_the_field(
        client, login_as, account, path, field, label, bad):
    _log_in_reading_english(login_as, account)
    value, shown = bad
    response = client.post(path, data={field: value})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f"{label} contains a character that is not allowed ({shown})" in page


def test_a_refused_team_name_creates_nothing(client, login_as, demo):
    _log_in_reading_english(login_as, "admin")
    before = db.session.scalar(select(func.count()).select_from(Team))
    assert client.post("/admin/teams", data={"name": "Vendite\u202e", "parent_id": ""}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Team)) == before
    assert client.post("/admin/teams", data={"name": "Vendite Nord", "parent_id": ""}).status_code == 302


def test_multi_line_text_keeps_its_line_breaks_but_not_overrides():
    assert unsafe_characters("first\r\nsecond\tthird", multiline=True) == []
    assert unsafe_characters("first\n\u202esecond", multiline=True) == ["U+202E"]
    assert unsafe_characters("Ünïcödé names, emoji 🙂 and Arabic اسم are fine") == []


def test_the_roster_import_refuses_direction_overrides_by_row_and_column(client, login_as):
    _log_in_reading_english(login_as, "admin")
    content = ("email,name,team\r\nanna@retail.example.com,Anna,Vendite\r\n"
               "bruno@retail.example.com,Bruno\u202e,Vendite\r\n").encode()
    from io import BytesIO

    response = client.post("/admin/roster/import", data={"file": (BytesIO(content), "roster.csv")},
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "name contains a character that is not allowed (U+202E)" in page
    assert "Row 3" in page or "row 3" in page


def test_the_refusal_reads_in_italian_too(client, login_as):
    login_as("admin")  # Demo Retail reads Italian
    response = client.post("/admin/teams", data={"name": "Vendite\u202e", "parent_id": ""})
    assert response.status_code == 400
    assert "Nome contiene un carattere non ammesso (U+202E)" in response.get_data(as_text=True)
