"""HR's KPI values pages: entry by hand, import preview and confirm, export; only HR gets in."""
import io

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.kpis.models import Kpi, KpiImport, KpiValue
from cxculture.kpis.periods import last_closed_period
from cxculture.orgs.service import person_by_email

PERIOD = str(last_closed_period())


def _count() -> int:
    return db.session.scalar(select(func.count(KpiValue.id)))


def _kpi(organisation, key) -> Kpi:
    return db.session.scalar(select(Kpi).where(Kpi.organisation_id == organisation.id, Kpi.key == key))


def _upload(client, text: str, kind: str = "values"):
    return client.post("/hr/kpi-values/import", data={"kind": kind, "file": (io.BytesIO(text.encode()), "q.csv")},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("account", ["employee", "manager", "leader", "admin"])
def test_only_hr_reaches_the_values_pages(client, login_as, account):
    login_as(account)
    assert client.get("/hr/kpi-values").status_code == 403
    assert client.get("/hr/kpi-values/import").status_code == 403


def test_hr_enters_a_value_by_hand_and_corrects_it(client, login_as, demo):
    login_as("hr", org="bank")
    bank = demo["demo-bank"]
    fcr = _kpi(bank, "fcr")
    form = {"period": PERIOD, "kpi_id": fcr.id, "email": "employee@bank.example.com", "team_id": "", "value": "71,5"}
    response = client.post("/hr/kpi-values", data=form)
    assert response.status_code == 302
    before = _count()
    client.post("/hr/kpi-values", data={**form, "value": "73"})
    assert _count() == before  # the same KPI, quarter and person: replaced, not added
    employee = person_by_email("employee@bank.example.com")
    value = db.session.scalar(select(KpiValue).where(KpiValue.person_id == employee.id, KpiValue.kpi_id == fcr.id,
                                                     KpiValue.period == PERIOD))
    assert value.value == 73.0
    page = client.get(f"/hr/kpi-values?period={PERIOD}&kpi={fcr.id}").get_data(as_text=True)
    assert "employee@bank.example.com" in page and "73" in page


@pytest.mark.parametrize("change, field, message", [
    ({"value": "140"}, "value", "The valid range of this KPI is 0 – 100"),
    ({"value": "many"}, "value", "Write a number"),
    ({"email": "nobody@bank.example.com"}, "email", "Nobody in the organisation"),
    ({"email": "employee@retail.example.com"}, "email", "Nobody in the organisation"),
    ({"email": ""}, "email", "Give a person"),
])
def test_a_bad_value_says_what_and_where_and_changes_nothing(client, login_as, demo, change, field, message):
    login_as("hr", org="bank")
    fcr = _kpi(demo["demo-bank"], "fcr")
    before = _count()
    form = {"period": PERIOD, "kpi_id": fcr.id, "email": "employee@bank.example.com", "team_id": "", "value": "70",
            **change}
    response = client.post("/hr/kpi-values", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert f'id="{field}-error"' in body and message in body
    assert _count() == before


def test_an_open_quarter_is_not_offered(client, login_as, demo):
    login_as("hr", org="bank")
    fcr = _kpi(demo["demo-bank"], "fcr")
    current = str(last_closed_period().next())
    response = client.post("/hr/kpi-values", data={"period": current, "kpi_id": fcr.id,
                                                   "email": "employee@bank.example.com", "value": "70"})
    assert response.status_code == 400 and 'id="period-error"' in response.get_data(as_text=True)


def test_hr_imports_a_file_after_a_preview(client, login_as, demo):
    login_as("hr", org="bank")
    text = f"period,kpi,email,team,value\n{PERIOD},csat,employee@bank.example.com,,88\n"
    response = _upload(client, text)
    assert response.status_code == 302
    preview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Ready to import" in preview and "88" in preview
    assert '<div class="stat">1</div><div class="stat-label">new values' in preview
    before = _count()
    kpi_import = db.session.scalar(select(KpiImport).order_by(KpiImport.id.desc()))
    confirmed = client.post(f"/hr/kpi-values/imports/{kpi_import.id}")
    assert confirmed.status_code == 302 and _count() == before + 1
    # A second confirm (another tab, a double click) writes nothing.
    again = client.post(f"/hr/kpi-values/imports/{kpi_import.id}", follow_redirects=True)
    assert "already applied" in again.get_data(as_text=True) and _count() == before + 1


def test_a_refused_file_lists_each_problem_by_row_and_column(client, login_as, demo):
    login_as("hr", org="bank")
    text = (f"period,kpi,email,team,value\n{PERIOD},csat,employee@bank.example.com,,880\n"
            f"{PERIOD},xyz,employee@bank.example.com,,1\n")
    preview = client.get(_upload(client, text).headers["Location"]).get_data(as_text=True)
    assert "Row 2, column value" in preview and "Row 3, column kpi" in preview
    assert "Confirm import" not in preview


def test_the_upload_form_refuses_a_missing_file(client, login_as, demo):
    login_as("hr", org="bank")
    response = client.post("/hr/kpi-values/import", data={"kind": "values"})
    assert response.status_code == 400 and "Choose a CSV file" in response.get_data(as_text=True)


def test_the_export_downloads_the_quarter(client, login_as, demo):
    login_as("hr", org="bank")
    bank = demo["demo-bank"]
    db.session.add(KpiValue(organisation_id=bank.id, kpi_id=_kpi(bank, "nps").id, period=PERIOD,
                            person_id=person_by_email("employee@bank.example.com").id, value=41))
    db.session.commit()
    response = client.get(f"/hr/kpi-values/export.csv?period={PERIOD}")
    assert response.mimetype == "text/csv"
    assert f"{PERIOD},nps,employee@bank.example.com,,41" in response.get_data(as_text=True)


def test_deleting_a_value_asks_first(client, login_as, demo):
    login_as("hr", org="bank")
    bank = demo["demo-bank"]
    value = KpiValue(organisation_id=bank.id, kpi_id=_kpi(bank, "nps").id, period=PERIOD,
                     person_id=person_by_email("employee@bank.example.com").id, value=41)
    db.session.add(value)
    db.session.commit()
    page = client.get(f"/hr/kpi-values/{value.id}/delete").get_data(as_text=True)
    assert "Delete this value?" in page and "employee@bank.example.com" in page
    assert _count() == 1
    assert client.post(f"/hr/kpi-values/{value.id}/delete", data={"confirm": "yes"}).status_code == 302
    assert _count() == 0
