"""The catalogue services: KPIs, behaviours and links are checked field by field and change nothing when refused."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.kpis import catalogue_changes
from cxculture.kpis.changes import insert
from cxculture.kpis.models import Behaviour, Kpi, KpiBehaviourLink
from cxculture.refusals import Refused
from tests.kpis.factories import add_value, behaviours, kpis, make_plan

GOOD_KPI = {"key": "call_backs", "name_en": "Call-backs kept", "name_it": "Richiamate mantenute",
                "definition_en": "Share of promised call-backs made on time.",
                "definition_it": "Quota di richiamate promesse fatte in tempo.", "category": "behaviour",
                "unit": "percent", "better": "higher", "min_value": 0, "max_value": 100, "survey": None}


@pytest.fixture
def org(make_organisation):
    return make_organisation("Acme")


def kpi_count(org) -> int:
    return db.session.scalar(select(func.count(Kpi.id)).where(Kpi.organisation_id == org.id))


def test_a_new_organisation_has_the_shipped_catalogue(org):
    assert {"nps", "csat", "ces", "fcr", "aht", "sales_per_hour", "upsell_rate"} <= set(kpis(org))
    assert len(behaviours(org)) >= 20


def test_create_kpi_stores_both_languages(org):
    kpi = catalogue_changes.create_kpi(org.id, **GOOD_KPI)
    db.session.commit()
    assert (kpi.key, kpi.name("it"), kpi.text("definition", "it"), kpi.active) == (
        "call_backs", "Richiamate mantenute", "Quota di richiamate promesse fatte in tempo.", True)


def test_key_is_lowercased_and_trimmed(org):
    assert catalogue_changes.create_kpi(org.id, **(GOOD_KPI | {"key": "  Call_Backs "})).key == "call_backs"


@pytest.mark.parametrize("changes, field, words", [
    ({"key": ""}, "key", "Enter a key"),
    ({"key": "1st"}, "key", "starts with a letter"),
    ({"key": "call backs"}, "key", "starts with a letter"),
    ({"key": "x" * 41}, "key", "at most 40"),
    ({"key": "aht"}, "key", "already has the key “aht”"),
    ({"name_en": " "}, "name_en", "Enter the KPI's name"),
    ({"name_it": "x" * 121}, "name_it", "120 characters"),
    ({"definition_it": ""}, "definition_it", "Write what the KPI measures"),
    ({"category": "happiness"}, "category", "Choose a category"),
    ({"unit": "parsecs"}, "unit", "Choose a unit"),
    ({"better": "sideways"}, "better", "higher or lower"),
    ({"min_value": "lots"}, "min_value", "Write a number"),
    ({"min_value": 100, "max_value": 100}, "max_value", "greater than the minimum (100)"),
    ({"min_value": 50, "max_value": 10}, "max_value", "greater than the minimum"),
    ({"survey": "nps", "unit": "percent"}, "survey", "“points”"),
    ({"survey": "csat", "unit": "percent"}, "survey", "already takes its values from CSAT"),
    ({"survey": "xyz"}, "survey", "Choose a survey"),
])
def test_bad_kpi_input_is_refused_naming_the_field(org, changes, field, words):
    before = kpi_count(org)
    with pytest.raises(Refused) as refused:
        catalogue_changes.create_kpi(org.id, **(GOOD_KPI | changes))
    assert words in str(refused.value.errors[field])
    assert kpi_count(org) == before


def test_every_wrong_field_is_named_at_once(org):
    with pytest.raises(Refused) as refused:
        catalogue_changes.create_kpi(org.id, key="", name_en="", name_it="", definition_en="", definition_it="",
                                     category="", unit="", better="")
    assert {"key", "name_en", "name_it", "definition_en", "definition_it", "category", "unit", "better"} <= set(
        refused.value.errors)


def test_keys_are_unique_per_organisation_only(org, make_organisation):
    other = make_organisation("Other")
    catalogue_changes.create_kpi(org.id, **GOOD_KPI)
    catalogue_changes.create_kpi(other.id, **GOOD_KPI)
    with pytest.raises(Refused):
        catalogue_changes.create_kpi(org.id, **GOOD_KPI)


def test_one_sided_and_open_ranges_are_fine(org):
    kpi = catalogue_changes.create_kpi(org.id, **(GOOD_KPI | {"min_value": 0, "max_value": None, "unit": "count"}))
    assert kpi.in_range(1e9) and not kpi.in_range(-1)


def test_update_keeps_the_key_and_checks_the_range_against_recorded_values(org):
    aht = kpis(org)["aht"]
    add_value(org, "aht", 900)
    with pytest.raises(Refused) as refused:
        catalogue_changes.update_kpi(aht, **(_fields(aht) | {"max_value": 600}))
    assert "1 recorded values" in str(refused.value.errors["max_value"])
    updated = catalogue_changes.update_kpi(aht, **(_fields(aht) | {"key": "ignored", "max_value": 3600,
                                                                    "name_it": "AHT"}))
    assert (updated.key, updated.max_value, updated.name_it) == ("aht", 3600, "AHT")


def test_a_targets_outside_a_narrower_range_refuse_it(org):
    make_plan(org)  # AHT target 300, threshold 420
    aht = kpis(org)["aht"]
    with pytest.raises(Refused) as refused:
        catalogue_changes.update_kpi(aht, **(_fields(aht) | {"max_value": 400}))
    assert "1 recorded values, targets or thresholds" in str(refused.value.errors["max_value"])


def _fields(kpi: Kpi) -> dict:
    return {name: getattr(kpi, name) for name in (
        "name_en", "name_it", "definition_en", "definition_it", "category", "unit", "better", "min_value",
        "max_value", "survey")}


def test_a_used_kpi_cannot_be_deleted_but_can_be_deactivated(org):
    make_plan(org)
    aht = kpis(org)["aht"]
    with pytest.raises(Refused) as refused:
        catalogue_changes.delete_kpi(aht)
    assert "in 1 reward plans" in str(refused.value.errors[None]) and "Deactivate it instead" in str(
        refused.value.errors[None])
    catalogue_changes.set_kpi_active(aht, False)
    assert db.session.get(Kpi, aht.id).active is False
    catalogue_changes.set_kpi_active(aht, True)
    assert aht.active


def test_an_unused_kpi_is_deleted_with_its_links(org):
    upsell = kpis(org)["upsell_rate"]
    assert upsell.links
    catalogue_changes.delete_kpi(upsell)
    db.session.commit()
    assert "upsell_rate" not in kpis(org)
    assert db.session.scalar(select(func.count(KpiBehaviourLink.id)).where(KpiBehaviourLink.kpi_id == upsell.id)) == 0


# Behaviours

def test_create_and_edit_a_behaviour(org):
    behaviour = catalogue_changes.create_behaviour(org.id, key="calls-back", name_en="Calls back when promised",
                                                   name_it="Richiama quando l'ha promesso", pillar="improvement")
    catalogue_changes.update_behaviour(behaviour, key="changed", name_en="Calls back", name_it="Richiama",
                                       pillar="listening")
    assert (behaviour.key, behaviour.name("it"), behaviour.pillar) == ("calls-back", "Richiama", "listening")
    catalogue_changes.set_behaviour_active(behaviour, False)
    assert db.session.get(Behaviour, behaviour.id).active is False


@pytest.mark.parametrize("changes, field", [
    ({"key": "asks-the-need"}, "key"), ({"key": "Has Spaces"}, "key"), ({"name_en": ""}, "name_en"),
    ({"name_it": "x" * 201}, "name_it"), ({"pillar": "rewardz"}, "pillar"),
])
def test_bad_behaviour_input(org, changes, field):
    good = {"key": "calls-back", "name_en": "Calls back", "name_it": "Richiama", "pillar": "listening"}
    with pytest.raises(Refused) as refused:
        catalogue_changes.create_behaviour(org.id, **(good | changes))
    assert field in refused.value.errors


# Links

def test_add_edit_and_remove_a_link(org):
    kpi = catalogue_changes.create_kpi(org.id, **GOOD_KPI)
    behaviour = behaviours(org)["follows-up"]
    link = catalogue_changes.add_link(kpi, behaviour_id=behaviour.id, effect="supports", rationale_en="Kept promises.",
                                      rationale_it="Promesse mantenute.")
    catalogue_changes.update_link(link, behaviour_id=behaviour.id, effect="conflicts",
                                  rationale_en="Rushed call-backs.", rationale_it="Richiamate frettolose.")
    assert (link.effect, link.rationale("it")) == ("conflicts", "Richiamate frettolose.")
    catalogue_changes.remove_link(link)
    assert catalogue_changes.kpi_links(kpi) == []


def test_a_behaviour_is_linked_once_per_kpi_and_must_be_the_organisations(org, make_organisation):
    aht = kpis(org)["aht"]
    linked = behaviours(org)["stays-until-solved"]
    foreign = behaviours(make_organisation("Other"))["follows-up"]
    with pytest.raises(Refused) as refused:
        catalogue_changes.add_link(aht, behaviour_id=linked.id, effect="conflicts", rationale_en="x", rationale_it="x")
    assert "already linked" in str(refused.value.errors["behaviour_id"])
    with pytest.raises(Refused) as refused:
        catalogue_changes.add_link(aht, behaviour_id=foreign.id, effect="sideways", rationale_en="", rationale_it="x")
    assert set(refused.value.errors) == {"behaviour_id", "effect", "rationale_en"}


def test_kpi_links_list_conflicts_first(org):
    effects = [link.effect for link in catalogue_changes.kpi_links(kpis(org)["nps"])]
    assert effects[0] == "conflicts" and set(effects[1:]) == {"supports"}


def test_a_racing_duplicate_is_refused_and_the_rest_of_the_request_stays(org):
    kept = catalogue_changes.create_behaviour(org.id, key="kept", name_en="Kept", name_it="Tenuto", pillar="vision")
    duplicate = Kpi(organisation_id=org.id, key="aht", name_en="x", name_it="x", category="efficiency",
                    unit="seconds", better="lower")
    with pytest.raises(Refused) as refused:
        insert(duplicate, {"key": "taken"})
    assert refused.value.errors == {"key": "taken"}
    db.session.commit()
    assert behaviours(org)["kept"].id == kept.id and kpis(org)["aht"].name_en != "x"


def test_a_used_kpi_keeps_its_unit_and_direction(org):
    aht, upsell = kpis(org)["aht"], kpis(org)["upsell_rate"]
    make_plan(org)
    with pytest.raises(Refused) as refused:
        catalogue_changes.update_kpi(aht, **(_fields(aht) | {"better": "higher"}))
    assert "its unit and better direction stay" in str(refused.value.errors["better"])
    with pytest.raises(Refused) as refused:
        catalogue_changes.update_kpi(aht, **(_fields(aht) | {"unit": "minutes"}))
    assert "unit" in refused.value.errors
    updated = catalogue_changes.update_kpi(upsell, **(_fields(upsell) | {"unit": "points", "max_value": 50}))
    assert updated.unit == "points"
