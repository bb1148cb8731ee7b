"""Reward plan services: one plan per job role and quarter, components in range and on the right side."""
from __future__ import annotations

import pytest

from cxculture.extensions import db
from cxculture.kpis import catalogue_changes, plan_changes
from cxculture.kpis.models import RewardPlan
from cxculture.kpis.periods import Period
from cxculture.refusals import Refused
from tests.kpis.factories import AHT_PLAN, kpis, make_plan, role


@pytest.fixture
def org(make_organisation):
    return make_organisation("Acme")


def test_create_an_empty_plan_once_per_role_and_quarter(org):
    centre = role(org, "contact_centre")
    plan = plan_changes.create_plan(org.id, job_role_id=centre.id, period="2026-q3")
    assert (plan.period, plan.components) == ("2026-Q3", [])
    with pytest.raises(Refused) as refused:
        plan_changes.create_plan(org.id, job_role_id=centre.id, period="2026-Q3")
    assert "already has a plan for 2026-Q3" in str(refused.value.errors["job_role_id"])


@pytest.mark.parametrize("job_role, period, field", [
    (None, "2026-Q3", "job_role_id"), (999999, "2026-Q3", "job_role_id"),
    ("frontline", "2026-Q5", "period"), ("frontline", "Q3 2026", "period"),
])
def test_bad_plan_input(org, job_role, period, field):
    job_role_id = role(org, job_role).id if isinstance(job_role, str) else job_role
    with pytest.raises(Refused) as refused:
        plan_changes.create_plan(org.id, job_role_id=job_role_id, period=period)
    assert field in refused.value.errors


def test_another_organisations_job_role_is_refused(org, make_organisation):
    foreign = role(make_organisation("Other"), "frontline")
    with pytest.raises(Refused):
        plan_changes.create_plan(org.id, job_role_id=foreign.id, period="2026-Q3")


def test_copy_the_previous_plan_of_the_role(org):
    make_plan(org, period="2026-Q1", components=(("nps", 100, 10, None),))
    make_plan(org, period="2026-Q2")
    catalogue_changes.set_kpi_active(kpis(org)["csat"], False)
    plan = plan_changes.create_plan(org.id, job_role_id=role(org, "contact_centre").id, period="2026-Q3",
                                    copy_previous=True)
    copied = [(c.kpi.key, c.weight, c.target, c.threshold) for c in plan.components]
    assert copied == [("aht", 40, 300, 420), ("fcr", 30, 75, 60)]  # from Q2, without the deactivated CSAT


def test_copy_without_a_previous_plan_says_so(org):
    with pytest.raises(Refused) as refused:
        plan_changes.create_plan(org.id, job_role_id=role(org, "frontline").id, period="2026-Q3", copy_previous=True)
    assert "no plan before 2026-Q3" in str(refused.value.errors["copy_previous"])
    assert db.session.query(RewardPlan).count() == 0


def test_add_components_in_order_and_total_the_weights(org):
    plan = make_plan(org, components=())
    plan_changes.add_component(plan, kpi_id=kpis(org)["fcr"].id, weight=60, target=80, threshold=70)
    plan_changes.add_component(plan, kpi_id=kpis(org)["aht"].id, weight=30, target=300, threshold=None)
    assert [c.kpi.key for c in plan.components] == ["fcr", "aht"]
    assert plan_changes.weight_total(plan) == 90  # kept as a draft; the page and the review flag it


@pytest.mark.parametrize("key, changes, field, words", [
    ("fcr", {"weight": None}, "weight", "Enter the weight"),
    ("fcr", {"weight": 0}, "weight", "more than 0 and at most 100"),
    ("fcr", {"weight": 120}, "weight", "more than 0 and at most 100"),
    ("fcr", {"weight": "ten"}, "weight", "as a percentage"),
    ("fcr", {"target": None}, "target", "Enter the target"),
    ("fcr", {"target": 120}, "target", "from 0 to 100"),
    ("fcr", {"threshold": -5}, "threshold", "The threshold must lie in the valid range"),
    ("fcr", {"threshold": 90}, "threshold", "Higher is better for First-contact resolution, so the threshold"),
    ("aht", {"target": 300, "threshold": 200}, "threshold", "Lower is better for Average handling time"),
    ("aht", {"target": 9000}, "target", "from 0 to 7,200"),
])
def test_bad_component_input_names_the_field(org, key, changes, field, words):
    plan = make_plan(org, components=())
    fields = {"kpi_id": kpis(org)[key].id, "weight": 50, "target": 80 if key == "fcr" else 300,
              "threshold": None} | changes
    with pytest.raises(Refused) as refused:
        plan_changes.add_component(plan, **fields)
    assert words in str(refused.value.errors[field])
    db.session.rollback()
    assert db.session.get(RewardPlan, plan.id).components == []


def test_threshold_equal_to_target_is_allowed(org):
    plan = make_plan(org, components=())
    component = plan_changes.add_component(plan, kpi_id=kpis(org)["aht"].id, weight=100, target=300, threshold=300)
    assert component.threshold == 300


def test_a_kpi_once_per_plan_and_only_active_ones(org):
    plan = make_plan(org)
    with pytest.raises(Refused) as refused:
        plan_changes.add_component(plan, kpi_id=kpis(org)["aht"].id, weight=10, target=300, threshold=None)
    assert "already in this plan" in str(refused.value.errors["kpi_id"])
    catalogue_changes.set_kpi_active(kpis(org)["nps"], False)
    with pytest.raises(Refused) as refused:
        plan_changes.add_component(plan, kpi_id=kpis(org)["nps"].id, weight=10, target=30, threshold=None)
    assert "active KPI" in str(refused.value.errors["kpi_id"])


def test_update_move_and_remove_components(org):
    plan = make_plan(org)
    aht, fcr, csat = plan.components
    plan_changes.update_component(aht, kpi_id=None, weight=20, target=280, threshold=400)
    assert (aht.weight, aht.target, aht.threshold, aht.kpi.key) == (20, 280, 400, "aht")
    plan_changes.move_component(csat, -1)
    assert [c.kpi.key for c in sorted(plan.components, key=lambda c: c.position)] == ["aht", "csat", "fcr"]
    plan_changes.move_component(aht, -1)  # already first: nothing moves
    assert sorted(plan.components, key=lambda c: c.position)[0] is aht
    plan_changes.remove_component(fcr)
    db.session.commit()
    assert [c.kpi.key for c in db.session.get(RewardPlan, plan.id).components] == ["aht", "csat"]


def test_plan_rows_total_weights_per_job_role(org):
    make_plan(org)
    make_plan(org, role_key="frontline", components=(("sales_per_hour", 50, 500, None),))
    rows = {row.job_role: row for row in plan_changes.plan_rows(org.id, "2026-Q3", "en")}
    assert rows["Contact centre"].complete and rows["Contact centre"].customer_weight == 60
    assert rows["Front line"].total_weight == 50 and not rows["Front line"].complete
    assert rows["Executive"].plan_id is None


def test_plan_periods_add_the_quarters_that_have_plans(org):
    make_plan(org, period="2019-Q2")
    periods = plan_changes.plan_periods(org.id)
    assert Period(2019, 2) in periods and periods == sorted(periods, reverse=True)
    assert periods[0] == max(periods)


def test_delete_plan(org):
    plan = make_plan(org, components=AHT_PLAN)
    plan_changes.delete_plan(plan)
    db.session.commit()
    assert db.session.query(RewardPlan).count() == 0
