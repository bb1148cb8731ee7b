"""KPI value imports: every error names its row and column, nothing is written unless every row is right."""
from datetime import date

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.kpis.models import KpiImport, KpiValue
from cxculture.kpis.values import apply_import, create_import, plan_import, value_rows

TODAY = date(2026, 11, 22)  # 2026-Q3 is closed, 2026-Q4 is not
VALUES_HEADER = "period,kpi,email,team,value"
DISTRIBUTIONS_HEADER = "period,kpi,email,team,score,count"


def _file(*lines, header=VALUES_HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def _count() -> int:
    return db.session.scalar(select(func.count(KpiValue.id)))


def _apply(organisation, kind, content):
    kpi_import = create_import(organisation, None, kind, "values.csv", content)
    result = apply_import(kpi_import, today=TODAY)
    db.session.commit()
    return result


GOOD_VALUES = _file(
    "2026-Q3,fcr,giulia@acme.example.com,,71.5",
    "2026-Q3,aht,giulia@acme.example.com,,412",
    "2026-Q3,fcr,,Sales/Milano,68",
    "2026-Q2,fcr,marco@acme.example.com,,\"64,5\"",
)


def test_a_good_file_is_planned_then_written_once(acme):
    plan = plan_import(acme, "values", GOOD_VALUES, today=TODAY)
    assert plan.ok, plan.errors
    assert plan.counts == {"create": 4, "update": 0, "unchanged": 0}
    assert _count() == 0  # planning writes nothing
    result = _apply(acme, "values", GOOD_VALUES)
    assert result.status == "applied" and result.written == 4
    values = {(v.kpi.key, v.period, v.person.email if v.person else v.team.name): v.value
              for v in db.session.scalars(select(KpiValue))}
    assert values == {("fcr", "2026-Q3", "giulia@acme.example.com"): 71.5,
                      ("aht", "2026-Q3", "giulia@acme.example.com"): 412.0,
                      ("fcr", "2026-Q3", "Milano"): 68.0,
                      ("fcr", "2026-Q2", "marco@acme.example.com"): 64.5}


def test_reimporting_the_same_file_changes_nothing(acme):
    _apply(acme, "values", GOOD_VALUES)
    plan = plan_import(acme, "values", GOOD_VALUES, today=TODAY)
    assert plan.counts == {"create": 0, "update": 0, "unchanged": 4} and not plan.has_changes
    assert _apply(acme, "values", GOOD_VALUES).written == 0
    assert _count() == 4


def test_a_changed_value_is_an_update(acme):
    _apply(acme, "values", GOOD_VALUES)
    plan = plan_import(acme, "values", _file("2026-Q3,fcr,giulia@acme.example.com,,75"), today=TODAY)
    assert plan.counts["update"] == 1 and plan.values[0].previous == 71.5


def test_an_import_is_applied_at_most_once(acme):
    kpi_import = create_import(acme, None, "values", "v.csv", GOOD_VALUES)
    db.session.commit()
    assert apply_import(kpi_import, today=TODAY).status == "applied"
    db.session.commit()
    assert apply_import(db.session.get(KpiImport, kpi_import.id), today=TODAY).status == "already_applied"
    assert _count() == 4


@pytest.mark.parametrize("line, column, message", [
    ("2026-Q5,fcr,giulia@acme.example.com,,70", "period", "is not a quarter"),
    ("2026-Q4,fcr,giulia@acme.example.com,,70", "period", "is not over yet"),
    ("2026-Q3,nope,giulia@acme.example.com,,70", "kpi", "no KPI with the key"),
    ("2026-Q3,fcr,nobody@acme.example.com,,70", "email", "Nobody in the organisation"),
    ("2026-Q3,fcr,,Sales/Torino,70", "team", "There is no team"),
    ("2026-Q3,fcr,giulia@acme.example.com,Sales/Milano,70", "email", "not both"),
    ("2026-Q3,fcr,,,70", "email", "Say whose value it is"),
    ("2026-Q3,fcr,giulia@acme.example.com,,lots", "value", "is not a number"),
    ("2026-Q3,fcr,giulia@acme.example.com,,140", "value", "outside the valid range"),
    ("2026-Q3,nps,giulia@acme.example.com,,-101", "value", "outside the valid range"),
])
def test_a_bad_row_names_its_row_and_column_and_nothing_is_written(acme, line, column, message):
    content = _file("2026-Q3,fcr,marco@acme.example.com,,70", line)
    plan = plan_import(acme, "values", content, today=TODAY)
    assert not plan.ok
    assert [(e.line, e.column) for e in plan.errors] == [(3, column)]
    assert message in str(plan.errors[0].message)
    result = _apply(acme, "values", content)
    assert result.status == "refused" and _count() == 0


def test_a_duplicate_row_points_at_the_first(acme):
    content = _file("2026-Q3,fcr,giulia@acme.example.com,,70", "2026-Q3,FCR,Giulia@acme.example.com,,71")
    plan = plan_import(acme, "values", content, today=TODAY)
    assert [(e.line, e.column) for e in plan.errors] == [(3, None)]
    assert "Row 2 already gives fcr" in str(plan.errors[0].message)


@pytest.mark.parametrize("content, message", [
    (b"", "The file is empty"),
    (b"period,kpi,email,value,colour\n2026-Q3,fcr,a@b.c,1,red\n", "Unknown columns: colour"),
    (b"period,kpi,email\n2026-Q3,fcr,a@b.c\n", "Missing required columns: value"),
    (b"period,kpi,value\n2026-Q3,fcr,1\n", "Add an email column"),
    (b"period,kpi,email,value\n", "header but no rows"),
    ("period,kpi,email,value\n2026-Q3,fcr,\xe0,1\n".encode("latin-1"), "not in UTF-8"),
])
def test_a_bad_file_is_refused_whole(acme, content, message):
    plan = plan_import(acme, "values", content, today=TODAY)
    assert not plan.ok and message in str(plan.errors[0].message)


def test_an_italian_excel_file_with_semicolons_reads(acme):
    content = "\ufeffperiod;kpi;email;team;value\r\n2026-Q3;csat;giulia@acme.example.com;;82,5\r\n".encode()
    plan = plan_import(acme, "values", content, today=TODAY)
    assert plan.ok and plan.values[0].value == 82.5


# Distributions ----------------------------------------------------------------------------------------------

def test_distributions_compute_nps_csat_and_ces(acme):
    content = _file(
        "2026-Q3,nps,,Sales/Milano,10,30", "2026-Q3,nps,,Sales/Milano,9,20", "2026-Q3,nps,,Sales/Milano,8,30",
        "2026-Q3,nps,,Sales/Milano,3,20",
        "2026-Q3,csat,giulia@acme.example.com,,5,10", "2026-Q3,csat,giulia@acme.example.com,,2,10",
        "2026-Q3,ces,giulia@acme.example.com,,6,4", "2026-Q3,ces,giulia@acme.example.com,,3,1",
        header=DISTRIBUTIONS_HEADER)
    plan = plan_import(acme, "distributions", content, today=TODAY)
    assert plan.ok, plan.errors
    by_kpi = {v.kpi.key: v for v in plan.values}
    assert (by_kpi["nps"].value, by_kpi["nps"].answers) == (30.0, 100)
    assert (by_kpi["csat"].value, by_kpi["csat"].answers) == (50.0, 20)
    assert (by_kpi["ces"].value, by_kpi["ces"].answers) == (5.4, 5)
    # Fewer than 30 answers: shown with a warning, still imported.
    assert {v.kpi.key for v in plan.warnings} == {"csat", "ces"}
    _apply(acme, "distributions", content)
    stored = db.session.scalar(select(KpiValue).where(KpiValue.answers == 100))
    assert stored.value == 30.0 and stored.distribution == {"3": 20, "8": 30, "9": 20, "10": 30}
    assert plan_import(acme, "distributions", content, today=TODAY).counts["unchanged"] == 3


@pytest.mark.parametrize("line, column, message", [
    ("2026-Q3,aht,giulia@acme.example.com,,5,3", "kpi", "cannot be computed from survey answers"),
    ("2026-Q3,csat,giulia@acme.example.com,,6,3", "score", "use a whole number from 1 to 5"),
    ("2026-Q3,nps,giulia@acme.example.com,,11,3", "score", "from 0 to 10"),
    ("2026-Q3,ces,giulia@acme.example.com,,2.5,3", "score", "from 1 to 7"),
    ("2026-Q3,nps,giulia@acme.example.com,,9,-1", "count", "is not a number of answers"),
    ("2026-Q3,nps,giulia@acme.example.com,,9,many", "count", "is not a number of answers"),
])
def test_a_bad_distribution_row_names_its_row_and_column(acme, line, column, message):
    content = _file("2026-Q3,nps,marco@acme.example.com,,9,3", line, header=DISTRIBUTIONS_HEADER)
    plan = plan_import(acme, "distributions", content, today=TODAY)
    assert [(e.line, e.column) for e in plan.errors] == [(3, column)]
    assert message in str(plan.errors[0].message)


def test_a_score_given_twice_and_a_group_without_answers_are_refused(acme):
    content = _file("2026-Q3,nps,marco@acme.example.com,,9,3", "2026-Q3,nps,marco@acme.example.com,,9,4",
                    "2026-Q3,csat,marco@acme.example.com,,5,0", header=DISTRIBUTIONS_HEADER)
    plan = plan_import(acme, "distributions", content, today=TODAY)
    messages = [(e.line, str(e.message)) for e in plan.errors]
    assert messages[0][0] == 3 and "Row 2 already gives the answers scoring 9" in messages[0][1]
    assert messages[1][0] == 4 and "has no answers at all" in messages[1][1]


def test_the_export_reimports_unchanged(acme):
    _apply(acme, "values", GOOD_VALUES)
    rows = value_rows(acme.id, "2026-Q3")
    assert rows[0] == ["2026-Q3", "aht", "giulia@acme.example.com", "", "412"]
    content = _file(*[",".join(row) for row in rows])
    assert plan_import(acme, "values", content, today=TODAY).counts == {"create": 0, "update": 0, "unchanged": 3}


def test_another_organisations_people_are_unknown(acme, make_organisation, make_person):
    other = make_organisation("Other")
    make_person(other, "olga@other.example.com")
    plan = plan_import(acme, "values", _file("2026-Q3,fcr,olga@other.example.com,,70"), today=TODAY)
    assert plan.errors[0].column == "email"
