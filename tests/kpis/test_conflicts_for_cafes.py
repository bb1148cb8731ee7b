"""The KPI area's answer to a café agenda: the heaviest rewarded KPIs that work against customers."""
from cxculture.cafes.agenda import draft_agenda
from cxculture.cafes.sources import reward_conflicts
from cxculture.kpis.demo import load_demo_kpis
from cxculture.orgs.service import person_by_email
from tests.cafes.helpers import new_cafe


def test_cafes_get_the_newest_plans_conflicts_heaviest_first(demo):
    retail = demo["demo-retail"]
    assert reward_conflicts(retail.id, "en") == []  # no reward plans yet
    load_demo_kpis(list(demo.values()))
    conflicts = reward_conflicts(retail.id, "en")
    assert len(conflicts) == 8
    first = conflicts[0]
    assert (first.plan, first.kpi, first.weight) == ("Contact centre · 2026-Q3", "Average handling time (AHT)", 35)
    assert [c.weight for c in conflicts] == sorted((c.weight for c in conflicts), reverse=True)
    italian = reward_conflicts(retail.id, "it")[0]
    assert italian.kpi == "Tempo medio di gestione (AHT)" and italian.plan == "Contact center · 2026-Q3"


def test_the_drafted_agenda_discusses_them(demo):
    retail = demo["demo-retail"]
    load_demo_kpis(list(demo.values()))
    items = draft_agenda(new_cafe(retail, language="en"), person_by_email("leader@retail.example.com"))
    kpis = next(item for item in items if item.kind == "kpis")
    assert kpis.snapshot["conflicts"][0]["kpi"] == "Average handling time (AHT)"
