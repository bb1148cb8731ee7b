"""The privacy page (from the providers' declarations, both languages, in every page's footer) and the record of
processing an administrator downloads."""
from __future__ import annotations

import pytest

from cxculture.privacy.registry import holdings
from tests.conftest import login


def test_the_privacy_page_is_readable_without_logging_in_and_linked_from_the_footer(client, app):
    login_page = client.get("/login").get_data(as_text=True)
    assert 'href="/privacy"' in login_page
    page = client.get("/privacy")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Where the anonymity rule applies" in text
    for _provider, holding in holdings():
        assert str(holding.why).replace("'", "&#39;") in text


def test_the_privacy_page_is_in_italian(client, demo):
    login(client, "employee@retail.example.com")  # Demo Retail speaks Italian
    text = client.get("/privacy").get_data(as_text=True)
    assert "Dove vale la regola dell" in text and "Demo Retail" in text
    assert "Record of processing" not in text and "Registro dei trattamenti" not in text  # for administrators


def test_an_administrator_downloads_the_record_of_processing(client, demo):
    login(client, "admin@bank.example.com")
    assert 'href="/privacy/record.csv"' in client.get("/privacy").get_data(as_text=True)
    response = client.get("/privacy/record.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Area,Table,What is stored,Why,Who sees it,How long,On erasure,Anonymous")
    assert len(lines) == 1 + len(holdings())


@pytest.mark.parametrize("account", ["employee", "manager", "hr", "leader"])
def test_only_administrators_download_the_record(client, demo, account):
    login(client, f"{account}@bank.example.com")
    assert client.get("/privacy/record.csv").status_code == 403


def test_the_page_and_the_record_show_the_organisations_own_retention(client, demo):
    login(client, "admin@bank.example.com")
    assert "24 months" in client.get("/privacy").get_data(as_text=True)  # the default for survey comments
    saved = client.post("/admin/retention", data={
        "survey_comment_months": "7", "kpi_value_years": "3", "deactivated_person_months": "12",
        "delivered_outbox_days": "90", "audit_record_months": "36", "confirm": "yes"})
    assert saved.status_code == 302
    page = client.get("/privacy").get_data(as_text=True)
    assert "7 months" in page and "3 years" in page and "24 months" not in page
    record = client.get("/privacy/record.csv").get_data(as_text=True)
    assert "7 months" in record and "3 years" in record
    client.post("/logout")
    assert "24 months" in client.get("/privacy").get_data(as_text=True)  # anyone else: the defaults
