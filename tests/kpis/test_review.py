"""The reward-alignment review: customer share, conflicts, unrewarded behaviours, the rewards pillar, the PDF."""
from __future__ import annotations

import subprocess

import pytest

from cxculture.extensions import db
from cxculture.kpis import catalogue_changes
from cxculture.kpis.alignment import alignment_review, plan_alignment
from cxculture.orgs.service import person_by_email
from tests.assessments.results_factories import make_campaign, respond_many
from tests.conftest import get_file
from tests.kpis.factories import SALES_PLAN, behaviours, kpis, make_plan


@pytest.fixture
def org(make_organisation):
    return make_organisation("Acme")


def test_customer_share_and_conflicts_of_a_plan_leaning_on_aht(org):
    alignment = plan_alignment(make_plan(org), "en")
    assert alignment.weights == {"customer_outcome": 60, "behaviour": 0, "efficiency": 40, "financial": 0}
    assert (alignment.customer_share, alignment.other_share, alignment.weights_complete) == (60, 40, True)
    conflicts = {(c.kpi, c.behaviour) for c in alignment.conflicts}
    aht = "Average handling time (AHT)" if "(AHT)" in kpis(org)["aht"].name_en else kpis(org)["aht"].name_en
    assert {kpi for kpi, _ in conflicts} == {aht}
    assert {behaviours(org)[k].name_en for k in ("stays-until-solved", "resolves-first-time", "asks-the-need")} == {
        b for _, b in conflicts}
    assert all(c.weight == 40 and c.rationale for c in alignment.conflicts)
    assert alignment.conflicting_weight == 40 and alignment.leans_away
    alternatives = {a.kpi for a in alignment.alternatives}
    assert kpis(org)["repeat_contact"].name_en in alternatives and kpis(org)["fcr"].name_en not in alternatives
    assert any(aht in s and "40%" in s for s in alignment.suggestions)


def test_a_sales_plan_is_below_the_customer_goal(org):
    alignment = plan_alignment(make_plan(org, role_key="frontline", components=SALES_PLAN), "it")
    assert (alignment.customer_share, alignment.other_share) == (30, 70)
    assert alignment.title == "Front line · 2026-Q3"
    assert any("30%" in s for s in alignment.suggestions)


def test_incomplete_weights_are_flagged(org):
    alignment = plan_alignment(make_plan(org, components=(("fcr", 60, 80, None),)), "en")
    assert not alignment.weights_complete and alignment.total_weight == 60
    assert "The weights add up to 60%, not 100%" in alignment.suggestions[0]


def test_unrewarded_behaviours_are_those_no_plan_kpi_supports(org):
    make_plan(org)  # AHT, FCR, CSAT
    review = alignment_review(org.id, "2026-Q3", "en")
    supported = {"stays-until-solved", "resolves-first-time", "owns-the-problem", "speaks-clearly", "keeps-informed"}
    expected = {b.name_en for key, b in behaviours(org).items() if key not in supported}
    assert {b.name for b in review.unrewarded} == expected
    follows_up = next(b for b in review.unrewarded if b.name == behaviours(org)["follows-up"].name_en)
    assert follows_up.measured_by == (kpis(org)["complaint_resolution"].name_en,)


def test_deactivated_behaviours_and_kpis_leave_the_review(org):
    make_plan(org)
    catalogue_changes.set_behaviour_active(behaviours(org)["follows-up"], False)
    catalogue_changes.set_kpi_active(kpis(org)["aht"], False)
    review = alignment_review(org.id, "2026-Q3", "en")
    assert behaviours(org)["follows-up"].name_en not in {b.name for b in review.unrewarded}
    assert review.conflicts == []


def test_no_plans_no_campaign(org):
    review = alignment_review(org.id, "2026-Q3", "en")
    assert review.plans == [] and review.rewards_pillar is None
    assert review.suggestions == ["No reward plan for 2026-Q3 yet: add one per job role to see how it aligns."]


def test_rewards_pillar_is_shown_above_the_threshold(org):
    make_plan(org)
    campaign = make_campaign(org, title="Culture 2026", invited=10)
    respond_many(campaign, 6, rewards=2)
    pillar = alignment_review(org.id, "2026-Q3", "en").rewards_pillar
    assert (pillar.campaign, pillar.visible, pillar.score, pillar.respondents) == ("Culture 2026", True, 2.0, 6)
    assert pillar.favourable == 0
    assert any("2.0 of 5" in s for s in alignment_review(org.id, "2026-Q3", "en").suggestions)


def test_rewards_pillar_is_hidden_below_the_threshold(org):
    campaign = make_campaign(org, title="Small campaign", invited=10)
    respond_many(campaign, 3, rewards=1)
    pillar = alignment_review(org.id, "2026-Q3", "en").rewards_pillar
    assert (pillar.campaign, pillar.visible, pillar.score, pillar.favourable, pillar.respondents) == (
        "Small campaign", False, None, None, None)


# The page and the PDF

def _hr(login_as, language: str):
    person = person_by_email("hr@retail.example.com")
    person.language = language
    db.session.commit()
    return login_as("hr")


def test_review_page_shows_figures_and_conflicts(client, login_as, retail):
    make_plan(retail, period="2019-Q3")
    make_plan(retail, role_key="frontline", period="2019-Q3", components=SALES_PLAN)
    _hr(login_as, "en")
    page = client.get("/hr/alignment?period=2019-Q3").get_data(as_text=True)
    assert "Reward alignment review · 2019-Q3" in page
    assert "60% on customers" in page and "30% on customers" in page and "70% on efficiency and financial" in page
    assert page.count('class="kp-conflict-row"') == 5  # AHT x3, sales per hour and NPS x1 each
    assert page.count("<svg") == 2 and "Behaviours no plan rewards" in page


@pytest.mark.parametrize("language, words", [
    ("en", ["Reward alignment review · 2019-Q3", "60% on customers", "30% on customers", "Conflicts",
            "Behaviours no plan rewards"]),
    ("it", ["2019-Q3", "60% sui clienti", "30% sui clienti", "Conflitti", "Comportamenti che nessun piano premia"]),
])
def test_review_pdf_in_the_readers_language(client, login_as, retail, tmp_path, language, words):
    make_plan(retail, period="2019-Q3")
    make_plan(retail, role_key="frontline", period="2019-Q3", components=SALES_PLAN)
    _hr(login_as, language)
    response = get_file(client, "/hr/alignment.pdf?period=2019-Q3")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "review.pdf"
    path.write_bytes(response.get_data())
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(text.split())
    for word in words:
        assert word in text, word


def test_review_pdf_html_is_standalone(app, login_as, retail, client):
    from cxculture.kpis.views.review import render_review_pdf_html

    make_plan(retail, period="2019-Q3")
    hr = person_by_email("hr@retail.example.com")
    with app.test_request_context():
        from flask_login import login_user

        login_user(hr)
        html = render_review_pdf_html("2019-Q3")
    assert "size: A4" in html and "app.css" not in html and html.count("<svg") == 1


def test_weight_bars_chart_states_every_number(app):
    import xml.etree.ElementTree as ET

    from cxculture.charts import WeightBar, weight_bars

    with app.test_request_context():
        svg = weight_bars([WeightBar("Contact centre", [60, 0, 40, 0]), WeightBar("Draft", [30, 0, 0, 20])],
                          ["Customer outcome", "Behaviour", "Efficiency", "Financial"], "Weights", goal=50,
                          goal_label="half on customers", chart_id="w1")
    root = ET.fromstring(str(svg))
    ns = "{http://www.w3.org/2000/svg}"
    assert root.get("role") == "img" and root.find(f"{ns}title").text == "Weights"
    desc = root.find(f"{ns}desc").text
    assert "Contact centre: Customer outcome 60%, Behaviour 0%, Efficiency 40%, Financial 0% (total 100%)" in desc
    assert "Draft: " in desc and "(total 50%)" in desc
    texts = [t.text for t in root.iter(f"{ns}text")]
    assert "60%" in texts and "40%" in texts and "half on customers" in texts
