"""The catalogue pages as HR: lists, forms with their errors, deactivation; others get 403, other organisations 404."""
from __future__ import annotations

import re

import pytest

from cxculture.extensions import db
from cxculture.kpis.models import Kpi
from tests.conftest import DEMO_PASSWORD, login
from tests.kpis.factories import behaviours, kpis, make_plan


def test_kpi_list_groups_by_category(client, hr, retail):
    page = client.get("/hr/kpis").get_data(as_text=True)
    for heading in ("Customer outcome", "Customer-centric behaviour", "Efficiency", "Financial"):
        assert heading in page
    assert "Average handling time" in page and "0 to 7,200" in page and "Lower is better" in page
    assert page.index("Customer outcome") < page.index("Efficiency")


@pytest.mark.parametrize("url", ["/hr/kpis", "/hr/kpis/new", "/hr/behaviours", "/hr/behaviours/new",
                                 "/hr/plans", "/hr/plans/new", "/hr/alignment"])
@pytest.mark.parametrize("account", ["employee", "manager"])
def test_only_hr_may_open_the_pages(client, demo, url, account):
    login(client, f"{account}@retail.example.com")
    assert client.get(url).status_code == 403


def test_other_organisations_objects_are_404(client, hr, demo):
    bank = demo["demo-bank"]
    kpi, behaviour = kpis(bank)["aht"], behaviours(bank)["follows-up"]
    link = kpi.links[0]
    plan = make_plan(bank)
    for url in (f"/hr/kpis/{kpi.id}", f"/hr/kpis/{kpi.id}/edit", f"/hr/kpis/{kpi.id}/links/{link.id}/edit",
                f"/hr/behaviours/{behaviour.id}/edit", f"/hr/plans/{plan.id}",
                f"/hr/plans/{plan.id}/components/{plan.components[0].id}/edit", f"/hr/plans/{plan.id}/delete"):
        assert client.get(url).status_code == 404, url
    for url in (f"/hr/kpis/{kpi.id}/active", f"/hr/kpis/{kpi.id}/delete", f"/hr/behaviours/{behaviour.id}/active",
                f"/hr/plans/{plan.id}/delete", f"/hr/plans/{plan.id}/components"):
        assert client.post(url, data={"active": "0"}).status_code == 404, url
    assert db.session.get(Kpi, kpi.id).active


def test_a_link_of_another_kpi_is_404(client, hr, retail):
    own = kpis(retail)
    other_link = own["nps"].links[0]
    assert client.get(f"/hr/kpis/{own['aht'].id}/links/{other_link.id}/edit").status_code == 404


def test_create_a_kpi_with_italian_decimals(client, hr, retail):
    response = client.post("/hr/kpis/new", data={
        "key": "Call_Backs", "name_en": "Call-backs kept", "name_it": "Richiamate mantenute",
        "definition_en": "Promised call-backs made on time.", "definition_it": "Richiamate fatte in tempo.",
        "category": "behaviour", "unit": "percent", "better": "higher", "min_value": "0", "max_value": "99,5",
        "survey": ""})
    assert response.status_code == 302
    kpi = kpis(retail)["call_backs"]
    assert (kpi.max_value, kpi.survey, kpi.name("it")) == (99.5, None, "Richiamate mantenute")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Call-backs kept" in page and "Not linked to any behaviour yet" in page


def test_bad_kpi_form_shows_each_error_next_to_its_field(client, hr, retail):
    before = len(kpis(retail))
    data = {"key": "aht", "name_en": "", "name_it": "x", "definition_en": "x", "definition_it": "x",
            "category": "efficiency", "unit": "seconds", "better": "lower", "min_value": "20", "max_value": "10"}
    response = client.post("/hr/kpis/new", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="key-error"' in page and "already has the key “aht”" in page
    assert 'id="name_en-error"' in page and 'id="max_value-error"' in page and "greater than the minimum" in page
    unreadable = client.post("/hr/kpis/new", data=data | {"min_value": "abc"})
    assert unreadable.status_code == 400 and "not “abc”" in unreadable.get_data(as_text=True)
    assert len(kpis(retail)) == before


def test_edit_a_kpi_keeps_its_key(client, hr, retail):
    aht = kpis(retail)["aht"]
    page = client.get(f"/hr/kpis/{aht.id}/edit").get_data(as_text=True)
    assert 'name="key"' not in page and "stays as it is" in page
    data = {"name_en": "Handling time", "name_it": aht.name_it, "definition_en": aht.definition_en,
            "definition_it": aht.definition_it, "category": "efficiency", "unit": "seconds", "better": "lower",
            "min_value": "0", "max_value": "3600", "survey": "", "key": "hacked"}
    assert client.post(f"/hr/kpis/{aht.id}/edit", data=data).status_code == 302
    aht = db.session.get(Kpi, aht.id)
    assert (aht.key, aht.name_en, aht.max_value) == ("aht", "Handling time", 3600)


def test_deactivate_reactivate_and_refused_delete(client, hr, retail):
    make_plan(retail, period="2019-Q1")
    aht = kpis(retail)["aht"]
    page = client.get(f"/hr/kpis/{aht.id}").get_data(as_text=True)
    assert "cannot be deleted" in page and "Delete KPI" not in page
    client.post(f"/hr/kpis/{aht.id}/active", data={"active": "0"})
    assert db.session.get(Kpi, aht.id).active is False
    assert "deactivated" in client.get("/hr/kpis").get_data(as_text=True)
    response = client.post(f"/hr/kpis/{aht.id}/delete", follow_redirects=True)
    assert "cannot be deleted" in response.get_data(as_text=True) and db.session.get(Kpi, aht.id)
    client.post(f"/hr/kpis/{aht.id}/active", data={"active": "1"})
    assert db.session.get(Kpi, aht.id).active


def test_delete_an_unused_kpi(client, hr, retail):
    upsell = kpis(retail)["upsell_rate"]
    response = client.post(f"/hr/kpis/{upsell.id}/delete", data={"confirm": "yes"})
    assert response.status_code == 302 and "upsell_rate" not in kpis(retail)


def test_add_edit_and_remove_a_link(client, hr, retail):
    upsell, follows_up = kpis(retail)["upsell_rate"], behaviours(retail)["follows-up"]
    data = {"behaviour_id": str(follows_up.id), "effect": "conflicts", "rationale_en": "Sells instead of following up.",
            "rationale_it": "Vende invece di ricontattare."}
    assert client.post(f"/hr/kpis/{upsell.id}/links/new", data=data).status_code == 302
    again = client.post(f"/hr/kpis/{upsell.id}/links/new", data=data)
    assert again.status_code == 400 and "already linked" in again.get_data(as_text=True)
    link = next(one for one in db.session.get(Kpi, upsell.id).links if one.behaviour_id == follows_up.id)
    link_type, link_id = type(link), link.id
    page = client.get(f"/hr/kpis/{upsell.id}").get_data(as_text=True)
    assert "Sells instead of following up." in page and "kp-link-conflict" in page
    client.post(f"/hr/kpis/{upsell.id}/links/{link_id}/edit", data=data | {"effect": "supports"})
    assert db.session.get(link_type, link_id).effect == "supports"
    client.post(f"/hr/kpis/{upsell.id}/links/{link_id}/delete", data={"confirm": "yes"})
    assert db.session.get(link_type, link_id) is None


def test_behaviours_by_pillar_create_and_deactivate(client, hr, retail):
    page = client.get("/hr/behaviours").get_data(as_text=True)
    assert page.index('id="pillar-vision"') < page.index('id="pillar-improvement"')
    response = client.post("/hr/behaviours/new", data={"key": "calls-back", "name_en": "Calls back as promised",
                                                       "name_it": "Richiama come promesso", "pillar": "improvement"})
    assert response.status_code == 302
    behaviour = behaviours(retail)["calls-back"]
    assert "Calls back as promised" in client.get("/hr/behaviours").get_data(as_text=True)
    client.post(f"/hr/behaviours/{behaviour.id}/active", data={"active": "0"})
    assert behaviours(retail)["calls-back"].active is False
    bad = client.post("/hr/behaviours/new", data={"key": "calls-back", "name_en": "", "name_it": "x", "pillar": "x"})
    assert bad.status_code == 400 and "already has the key" in bad.get_data(as_text=True)


def test_italian_pages(client, retail):
    login(client, "hr@retail.example.com")  # Demo Retail speaks Italian
    page = client.get("/hr/kpis").get_data(as_text=True)
    assert "Catalogo dei KPI" in page and "Risultato per il cliente" in page and "Meglio più basso" in page


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_a_button_without_a_csrf_token_is_refused(client, retail, app_config):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": "hr@retail.example.com", "password": DEMO_PASSWORD, "csrf_token": token})
    aht = kpis(retail)["aht"]
    assert client.post(f"/hr/kpis/{aht.id}/active", data={"active": "0"}).status_code == 400
    assert db.session.get(Kpi, aht.id).active


def test_pages_are_well_formed(client, hr, retail):
    """Every opened <div> and <section> is closed (an unclosed head once swallowed a whole form)."""
    plan = make_plan(retail, period="2019-Q3")
    aht = kpis(retail)["aht"]
    for url in ("/hr/kpis", "/hr/kpis/new", f"/hr/kpis/{aht.id}", f"/hr/kpis/{aht.id}/edit",
                f"/hr/kpis/{aht.id}/links/new", f"/hr/kpis/{aht.id}/links/{aht.links[0].id}/edit", "/hr/behaviours",
                "/hr/behaviours/new", "/hr/plans?period=2019-Q3", "/hr/plans/new", f"/hr/plans/{plan.id}",
                f"/hr/plans/{plan.id}/components/{plan.components[0].id}/edit", f"/hr/plans/{plan.id}/delete",
                "/hr/alignment?period=2019-Q3", "/home/hr"):
        page = client.get(url).get_data(as_text=True)
        for tag in ("div", "section", "table", "form", "ul"):
            assert len(re.findall(rf"<{tag}[\s>]", page)) == page.count(f"</{tag}>"), (url, tag)
