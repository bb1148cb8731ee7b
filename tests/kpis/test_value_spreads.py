"""HR's KPI values page: per KPI, how people's values spread against their plans' targets (a small histogram)."""
from __future__ import annotations

import html
import re

import pytest

from cxculture.extensions import db
from tests.conftest import login
from tests.kpis.scorecard_factories import contact_centre_scorecard_data, person, set_value


@pytest.fixture
def bank_values(demo, make_person):
    """Three people on the contact-centre plan (CSAT target 85, threshold 75): 88 met, 90 met, 70 below the
    threshold; a fourth person with no plan (another job role) at 60; the team's own CSAT at 50."""
    bank = demo["demo-bank"]
    who = person("employee@bank.example.com")
    contact_centre_scorecard_data(bank, who)
    for email, value in (("second@bank.example.com", 90.0), ("third@bank.example.com", 70.0)):
        colleague = make_person(bank, email, team=who.team, job_role=who.job_role)
        set_value(bank, "csat", "2026-Q2", value, person=colleague)
    leader = person("leader@bank.example.com")
    assert leader.job_role_id != who.job_role_id
    set_value(bank, "csat", "2026-Q2", 60.0, person=leader)
    set_value(bank, "csat", "2026-Q2", 50.0, team=who.team)
    db.session.commit()
    return who


def figure(page: str, name: str) -> tuple[str, str]:
    """(caption text, SVG description) of the spread figure of the KPI called `name`."""
    for found in re.finditer(r'<figure class="kv-spread".*?</figure>', page, re.S):
        caption = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", re.search(
            r"<figcaption[^>]*>(.*?)</figcaption>", found.group(0), re.S).group(1))).split())
        if caption.startswith(name):
            return caption, html.unescape(re.search(r"<desc[^>]*>(.*?)</desc>", found.group(0), re.S).group(1))
    raise AssertionError(f"no spread figure for {name}")


def test_hr_sees_each_kpi_spread_with_its_target(client, bank_values):
    login(client, "hr@bank.example.com")
    page = client.get("/hr/kpi-values?period=2026-Q2").get_data(as_text=True)
    assert "How people's values spread in 2026-Q2" in page
    caption, desc = figure(page, "Customer satisfaction (CSAT)")
    assert "2 of 3 people on their plan's target (67%)." in caption
    # Everyone's value counts in the spread (the leader's 60 too, with no plan); the team's own 50 does not.
    assert desc.startswith("4 values from 60% to 90%.") and "target 85%." in desc
    assert desc.endswith("2 of 3 people on their plan's target (67%).")
    counts = [int(n) for n in re.findall(r": (\d+)(?=;|\.)", desc)]
    assert sum(counts) == 4
    aht_caption, aht_desc = figure(page, "Average handling time (AHT)")
    assert "0 of 1 person on their plan's target (0%)." in aht_caption and "target 300 s" in aht_desc
    nps_caption, _nps = figure(page, "Net Promoter Score (NPS)")
    assert "No reward plan has this KPI for the quarter." in nps_caption


def test_the_kpi_filter_keeps_one_spread(client, bank_values):
    login(client, "hr@bank.example.com")
    csat = re.search(r'<option value="(\d+)">Customer satisfaction \(CSAT\)</option>',
                     client.get("/hr/kpi-values?period=2026-Q2").get_data(as_text=True)).group(1)
    page = client.get(f"/hr/kpi-values?period=2026-Q2&kpi={csat}").get_data(as_text=True)
    assert page.count('<figure class="kv-spread"') == 1
    figure(page, "Customer satisfaction (CSAT)")


def test_spreads_in_italian(client, bank_values):
    hr = person("hr@bank.example.com")
    hr.language = "it"
    db.session.commit()
    login(client, "hr@bank.example.com")
    page = client.get("/hr/kpi-values?period=2026-Q2").get_data(as_text=True)
    caption, desc = figure(page, "Soddisfazione del cliente (CSAT)")
    assert "2 di 3 persone" in caption and "67%" in caption
    assert desc.startswith("4 valori da 60% a 90%.") and "obiettivo 85%" in desc


def test_no_spreads_for_a_quarter_without_values(client, bank_values):
    login(client, "hr@bank.example.com")
    page = client.get("/hr/kpi-values?period=2025-Q4").get_data(as_text=True)
    assert "kv-spread" not in page


def test_another_organisation_sees_none_of_them(client, bank_values):
    login(client, "hr@retail.example.com")
    page = client.get("/hr/kpi-values?period=2026-Q2").get_data(as_text=True)
    assert "kv-spread" not in page  # the retail demo has no values for 2026-Q2 here, and the bank's are not shown


def test_training_completion_is_left_to_the_training_records(client, demo, bank_values):
    set_value(demo["demo-bank"], "training_completion", "2026-Q2", 100.0, person=bank_values)
    db.session.commit()
    login(client, "hr@bank.example.com")
    page = client.get("/hr/kpi-values?period=2026-Q2").get_data(as_text=True)
    assert "CX training completion" in page  # in the table of values
    with pytest.raises(AssertionError, match="no spread figure"):
        figure(page, "CX training completion")
