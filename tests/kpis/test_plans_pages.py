"""The reward plan pages as HR: list by quarter, create (with copy), components, live weight total, delete."""
from __future__ import annotations

import re

from cxculture.extensions import db
from cxculture.kpis.models import RewardPlan
from tests.kpis.factories import kpis, make_plan, role


def test_list_shows_every_job_role_for_the_quarter(client, hr, retail):
    make_plan(retail, period="2019-Q3")
    make_plan(retail, role_key="frontline", period="2019-Q3", components=(("nps", 50, 30, None),))
    page = client.get("/hr/plans?period=2019-Q3").get_data(as_text=True)
    assert "Reward plans · 2019-Q3" in page and '<option value="2019-Q3" selected>' in page
    assert "ready: weights add up to 100%" in page and "draft: weights add up to 50%" in page
    assert "no plan" in page  # the other job roles


def test_the_quarter_defaults_to_the_newest_with_plans(client, hr, retail):
    make_plan(retail, period="2019-Q2")
    assert "Reward plans · 2019-Q2" in client.get("/hr/plans").get_data(as_text=True)
    assert "Reward plans · 2019-Q2" in client.get("/hr/plans?period=nonsense").get_data(as_text=True)


def test_create_a_plan_copying_the_previous_one(client, hr, retail):
    make_plan(retail, period="2019-Q2")
    centre = role(retail, "contact_centre")
    listing = client.get("/hr/plans?period=2019-Q3").get_data(as_text=True)
    assert f"/hr/plans/new?period=2019-Q3&amp;job_role={centre.id}&amp;copy=1" in listing
    form = client.get(f"/hr/plans/new?period=2019-Q3&job_role={centre.id}&copy=1").get_data(as_text=True)
    checkbox = re.search(r'<input[^>]*name="copy_previous"[^>]*>', form).group(0)
    assert '<option selected value="2019-Q3">' in form and "checked" in checkbox
    response = client.post("/hr/plans/new", data={"job_role_id": str(centre.id), "period": "2019-Q3",
                                                  "copy_previous": "y"})
    assert response.status_code == 302
    plan = db.session.scalar(db.select(RewardPlan).where(RewardPlan.period == "2019-Q3"))
    assert [c.kpi.key for c in plan.components] == ["aht", "fcr", "csat"]
    again = client.post("/hr/plans/new", data={"job_role_id": str(centre.id), "period": "2019-Q3"})
    assert again.status_code == 400 and "already has a plan for 2019-Q3" in again.get_data(as_text=True)


def test_plan_page_totals_weights_and_flags_conflicts(client, hr, retail):
    plan = make_plan(retail, period="2019-Q3")
    page = client.get(f"/hr/plans/{plan.id}").get_data(as_text=True)
    assert "adds up to 100%" in page and "alert-error" not in page
    assert page.count('class="kp-conflict-row"') == 1 and "60% on customers" in page and "<svg" in page
    assert "Average handling time" not in page.split('id="kpi_id"', 1)[1].split("</select>", 1)[0]


def test_add_a_component_and_see_the_total_is_not_100(client, hr, retail):
    plan = make_plan(retail, period="2019-Q3", components=(("fcr", 60, 80, 70),))
    nps = kpis(retail)["nps"]
    response = client.post(f"/hr/plans/{plan.id}/components",
                           data={"kpi_id": str(nps.id), "weight": "30", "target": "40", "threshold": "20"})
    assert response.status_code == 302
    page = client.get(f"/hr/plans/{plan.id}").get_data(as_text=True)
    assert "The weights add up to 90%, not 100%." in page and "10% of the bonus is not assigned yet" in page
    assert "must add up to 100%" in page


def test_a_bad_component_names_the_field_and_adds_nothing(client, hr, retail):
    plan = make_plan(retail, period="2019-Q3", components=())
    aht = kpis(retail)["aht"]
    response = client.post(f"/hr/plans/{plan.id}/components",
                           data={"kpi_id": str(aht.id), "weight": "40", "target": "300", "threshold": "200"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="threshold-error"' in page and "must be at least the target" in page
    response = client.post(f"/hr/plans/{plan.id}/components", data={"kpi_id": "", "weight": "x", "target": ""})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and 'id="weight-error"' in page
    assert db.session.get(RewardPlan, plan.id).components == []


def test_edit_move_and_remove_components(client, hr, retail):
    plan = make_plan(retail, period="2019-Q3")
    aht, fcr, csat = plan.components
    page = client.get(f"/hr/plans/{plan.id}/components/{aht.id}/edit").get_data(as_text=True)
    assert "The other components weigh 60% together: this one should weigh 40%" in page
    response = client.post(f"/hr/plans/{plan.id}/components/{aht.id}/edit",
                           data={"weight": "20", "target": "9000", "threshold": ""})
    assert response.status_code == 400 and "from 0 to 7,200" in response.get_data(as_text=True)
    client.post(f"/hr/plans/{plan.id}/components/{aht.id}/edit", data={"weight": "20", "target": "280"})
    client.post(f"/hr/plans/{plan.id}/components/{csat.id}/move", data={"direction": "up"})
    client.post(f"/hr/plans/{plan.id}/components/{fcr.id}/delete", data={"confirm": "yes"})
    plan = db.session.get(RewardPlan, plan.id)
    assert [(c.kpi.key, c.weight) for c in plan.components] == [("aht", 20), ("csat", 30)]


def test_delete_a_plan_after_confirming(client, hr, retail):
    plan_id = make_plan(retail, period="2019-Q3").id
    page = client.get(f"/hr/plans/{plan_id}/delete").get_data(as_text=True)
    assert "its 3 components will be deleted" in page
    response = client.post(f"/hr/plans/{plan_id}/delete", data={"confirm": "yes"})
    assert response.status_code == 302 and "period=2019-Q3" in response.headers["Location"]
    assert db.session.get(RewardPlan, plan_id) is None


def test_another_plans_component_is_404(client, hr, retail):
    first = make_plan(retail, period="2019-Q3")
    second = make_plan(retail, role_key="frontline", period="2019-Q3")
    component = second.components[0]
    assert client.get(f"/hr/plans/{first.id}/components/{component.id}/edit").status_code == 404
    assert client.post(f"/hr/plans/{first.id}/components/{component.id}/delete").status_code == 404
