"""CSV downloads are safe in a spreadsheet of any locale: no cell runs as a formula whether the file is split on
",", ";" or tabs, and an export re-imports unchanged."""
from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.orgs.models import Person
from cxculture.spreadsheets import csv_bytes, escape_cell, unescape_cell
from tests.conftest import login
from tests.test_tenancy import ARGUMENTS

FORMULA_STARTS = ("=", "+", "-", "@")
NUMBER = re.compile(r"-?\d+([.,]\d+)?%?")

#: Text a person could type that a spreadsheet would run, somewhere in the cell.
DANGEROUS = [
    "Rossi;=1+2", "Rossi,=1+2", "Rossi\t=1+2", "Rossi; =1+2", 'Rossi;"=1+2"', "Rossi;-2+3", "Rossi,+cmd|' /C calc'!A0",
    "x;@SUM(A1)", "=1+2", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", " =1", '"=1"', "a\n=1+2", "a\r\n=1+2",
    "a;b;=c,=d", "Rossi;", "Rossi,Mario", "plain text", "",
]


def _cells(text: str) -> list[str]:
    """Every cell a spreadsheet could see: read as "," and as ";" CSV, and split naively on every separator
    (a program that ignores quotes)."""
    cells = []
    for delimiter in (",", ";", "\t"):
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            cells += row
    cells += re.split(r"[,;\t\r\n]", text)
    return cells


def _runs_as_formula(cell: str) -> bool:
    cell = cell.strip(' "')
    return cell.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(cell)


def assert_safe(content: bytes) -> None:
    text = content.decode("utf-8-sig")
    running = [cell for cell in _cells(text) if _runs_as_formula(cell)]
    assert not running, f"cells a spreadsheet would run: {running}"


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("value", DANGEROUS)
def test_no_cell_runs_as_a_formula_in_either_locale(value, delimiter):
    assert_safe(csv_bytes(["name", "team"], [[value, "Vendite"], ["Anna", value]], delimiter))


@pytest.mark.parametrize("delimiter", [",", ";"])
@pytest.mark.parametrize("value", DANGEROUS)
def test_a_cell_stays_one_cell_in_either_locale(value, delimiter):
    """A cell holding ",", ";" or a tab is quoted, so a spreadsheet splitting on the other separator keeps it."""
    content = csv_bytes(["name", "n"], [[value, "1"]], delimiter).decode("utf-8-sig")
    for reading in (",", ";"):
        (header, row) = list(csv.reader(io.StringIO(content, newline=""), delimiter=reading))
        assert len(row) == len(header)  # the value added no column, whichever separator splits the line
        if reading == delimiter:
            assert unescape_cell(row[0]) == value and row[1] == "1"


@pytest.mark.parametrize("value", DANGEROUS)
def test_escaping_is_undone_on_import(value):
    assert unescape_cell(escape_cell(value)) == value


def test_numbers_stay_numbers_in_the_results_export():
    from cxculture.assessments.export import _cell

    assert _cell("-0.25", decimal_comma=True) == "-0,25"
    assert _cell("Rossi;=1+2", decimal_comma=True) == "Rossi;'=1+2"


def _campaign_with_results(organisation, team) -> int:
    """A closed campaign whose results name `team` (answered by enough people to be shown)."""
    from tests.assessments.results_factories import make_campaign, respond_many, teams

    campaign = make_campaign(organisation)
    respond_many(campaign, 6, team=team)
    respond_many(campaign, 6, team=teams(organisation)["Vendite/Milano Store"])
    return campaign.id


def _csv_routes(app):
    return [rule for rule in app.url_map.iter_rules() if rule.rule.endswith(".csv") and "GET" in rule.methods]


@pytest.mark.parametrize("language", ["en", "it"])
def test_every_csv_download_is_safe_in_both_locales(app, client, trained, language):
    """Every CSV route, with a person and a team named to run a formula once split on the other separator."""
    from cxculture.orgs.teams import ensure_team_path

    retail = trained["demo-retail"]
    team = ensure_team_path(retail, "Vendite;=1+2")
    for person in db.session.scalars(select(Person).where(Person.organisation_id == retail.id)).all()[:10]:
        person.name = "Rossi;=HYPERLINK(\"http://evil\")," + person.name
        person.team = team
    for person in db.session.scalars(select(Person).where(Person.organisation_id == retail.id)):
        person.language = language
    db.session.commit()
    routes = _csv_routes(app)
    campaign_id = _campaign_with_results(retail, team)
    arguments = {**ARGUMENTS, "campaign_id": lambda org: campaign_id}
    assert len(routes) >= 6
    downloaded = 0
    for account in ("admin", "hr", "leader", "manager"):
        client.post("/logout")
        login(client, f"{account}@retail.example.com")
        for rule in routes:
            values = {name: arguments[name](retail) for name in rule.arguments}
            if None in values.values():  # no such row in the demo (a roster import's invitations)
                continue
            url = app.url_for(rule.endpoint, **values)
            response = client.get(url)
            if response.status_code != 200:
                continue
            assert response.mimetype == "text/csv"
            assert_safe(response.data)
            downloaded += 1
    assert downloaded >= 8  # roster, invitations, KPI values, both training matrices, results
