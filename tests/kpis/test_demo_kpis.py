"""The demo KPI data: plans for every job role, values for two quarters, a plan that leans on AHT."""
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.kpis.alignment import alignment_review
from cxculture.kpis.demo import PERIODS, load_demo_kpis
from cxculture.kpis.models import KpiValue, RewardPlan


def test_both_organisations_get_plans_and_values_once(demo):
    organisations = list(demo.values())
    report = load_demo_kpis(organisations)
    assert sorted(report.loaded) == ["demo-bank", "demo-retail"] and report.values > 500
    for organisation in organisations:
        for period in PERIODS:
            plans = db.session.scalars(select(RewardPlan).where(RewardPlan.organisation_id == organisation.id,
                                                                RewardPlan.period == period)).all()
            assert len(plans) == 7 and all(sum(c.weight for c in p.components) == 100 for p in plans)
    surveyed = db.session.scalar(select(func.count(KpiValue.id)).where(KpiValue.answers.is_not(None)))
    assert surveyed == 2 * 3 * 7  # two quarters, three surveys, seven surveyed teams
    assert load_demo_kpis(organisations).loaded == []


def test_values_lie_in_their_kpis_ranges(demo):
    load_demo_kpis(list(demo.values()))
    for value in db.session.scalars(select(KpiValue)):
        assert value.kpi.in_range(value.value), (value.kpi.key, value.value)


def test_retails_contact_centre_leans_on_handling_time(demo):
    load_demo_kpis(list(demo.values()))
    review = alignment_review(demo["demo-retail"].id, "2026-Q3")
    contact_centre = next(p for p in review.plans if p.job_role == "Contact centre")
    assert contact_centre.customer_share == 40
    assert {c.kpi for c in contact_centre.conflicts} == {"Average handling time (AHT)", "Contacts handled per hour"}


def test_the_review_tells_plans_that_pull_away_from_the_aligned_ones(demo):
    load_demo_kpis(list(demo.values()))
    review = alignment_review(demo["demo-bank"].id, "2026-Q3")
    leaning = {plan.job_role for plan in review.plans if plan.leans_away}
    # Bank's rebalanced contact centre keeps AHT at 10% only: aligned; front line is paid on sales and upsell.
    assert leaning == {"Front line", "Executive", "Marketing and digital"}
