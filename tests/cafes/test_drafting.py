"""The agenda drafted from data: weakest pillars, gaps, training, KPI conflicts, follow-up; suppression kept."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from cxculture.assessments.models import ActionItem
from cxculture.cafes.agenda import draft_agenda, draft_items
from cxculture.cafes.service import add_action, add_free_item, update_agenda_item
from cxculture.cafes.sources import set_reward_conflicts_provider
from cxculture.extensions import db
from cxculture.orgs.service import person_by_email
from tests.assessments.results_factories import make_campaign, respond_many, retail_campaign, roles, teams
from tests.cafes.helpers import kpi_conflicts, new_cafe


@pytest.fixture
def retail(demo):
    return demo["demo-retail"]


@pytest.fixture
def leader(retail):
    return person_by_email("leader@retail.example.com")


def _by_kind(items):
    result = {}
    for item in items:
        result.setdefault(item.kind, []).append(item)
    return result


def test_agenda_opens_with_follow_up_then_weakest_pillars_and_widest_gaps(app, retail, leader):
    retail_campaign(retail)
    cafe = new_cafe(retail, language="en")
    items = draft_agenda(cafe, leader)
    kinds = [i.kind for i in items]
    assert kinds[0] == "follow_up"
    assert kinds.index("weakest") < kinds.index("gap") < kinds.index("training") < kinds.index("benchmark")
    by_kind = _by_kind(items)
    # listening 3.64 and improvement 3.89 are the lowest of the organisation.
    assert [i.pillar for i in by_kind["weakest"]] == ["listening", "improvement"]
    assert by_kind["weakest"][0].title == "Weakest pillar: Listening"
    assert by_kind["weakest"][0].snapshot["score"] == pytest.approx(131 / 36, abs=0.01)
    assert by_kind["weakest"][0].snapshot["respondents"] == 36
    # Leadership (5 x 5) against everyone else: listening and improvement are the widest gaps.
    assert [i.pillar for i in by_kind["gap"]] == ["listening", "improvement"]
    assert by_kind["gap"][0].snapshot["gap"] == pytest.approx(5 - 106 / 31, abs=0.01)
    assert all(len(i.prompts) >= 3 for i in items)
    assert "kpis" not in by_kind  # no reward plans yet


def test_focus_pillars_are_added_when_not_already_weakest(app, retail, leader):
    retail_campaign(retail)
    cafe = new_cafe(retail, language="en", focus_pillars=["listening", "hiring"])
    focus = _by_kind(draft_agenda(cafe, leader))["focus"]
    assert [i.pillar for i in focus] == ["hiring"]
    assert focus[0].snapshot["status"] == "shown"


def test_the_agenda_is_drafted_in_the_cafes_language(app, retail, leader):
    retail_campaign(retail)
    items = _by_kind(draft_agenda(new_cafe(retail, language="it"), leader))
    assert items["weakest"][0].title == "Pilastro più debole: Ascolto"
    assert items["weakest"][0].prompts[0].startswith("Cosa si aspettano i clienti")


def test_a_campaign_below_the_threshold_gives_no_figure(app, retail, leader):
    campaign = make_campaign(retail)
    respond_many(campaign, 4, team=teams(retail)["Direzione"], default=1)  # 4 < threshold 5
    items = draft_agenda(new_cafe(retail), leader)
    by_kind = _by_kind(items)
    assert "weakest" not in by_kind and "gap" not in by_kind
    assert by_kind["results"][0].snapshot == {"campaign": campaign.title, "campaign_id": campaign.id,
                                              "threshold": 5, "status": "hidden"}
    assert all("score" not in i.snapshot for i in items)


def test_a_hidden_leadership_split_gives_no_gap(app, retail, leader):
    campaign = make_campaign(retail)
    t, r = teams(retail), roles(retail)
    respond_many(campaign, 20, team=t["Vendite/Milano Store"], role=r["frontline"], rewards=2)
    respond_many(campaign, 3, team=t["Direzione"], role=r["executive"], leadership=True, default=5)
    by_kind = _by_kind(draft_agenda(new_cafe(retail), leader))
    assert "gap" not in by_kind  # three leaders are below the threshold of 5
    assert by_kind["weakest"][0].pillar == "rewards"
    for item in by_kind["weakest"]:
        assert set(item.snapshot) >= {"score", "favourable"}
        assert "leadership" not in item.snapshot


def test_no_closed_campaign_says_so(app, retail, leader):
    by_kind = _by_kind(draft_agenda(new_cafe(retail), leader))
    assert by_kind["results"][0].snapshot["status"] == "no-campaign"


def test_leadership_training_and_kpi_conflicts_from_a_registered_provider(app, retail, leader):
    set_reward_conflicts_provider(app, kpi_conflicts)
    by_kind = _by_kind(draft_agenda(new_cafe(retail, language="en"), leader))
    conflicts = by_kind["kpis"][0].snapshot["conflicts"]
    assert conflicts == [{"plan": "Contact centre · 2026-Q3", "kpi": "Average handling time", "weight": 40.0,
                          "behaviour": "Resolve at first contact",
                          "rationale": "It pushes agents to end calls before the solution."}]
    training = by_kind["training"][0].snapshot
    assert training["people"] == 5 and set(training) >= {"percent", "path_completed", "overdue_people"}


def test_next_cafe_opens_with_the_actions_of_the_previous_one(app, retail, leader):
    first = new_cafe(retail, title="First café", days=-30)
    draft_agenda(first, leader)
    agreed = add_action(first, title="Call back unhappy customers", pillar="listening", owner_id=leader.id,
                        due_date=date.today() + timedelta(days=3), created_by=leader)
    other = ActionItem(organisation_id=retail.id, pillar="vision", title="Older overdue action", owner_id=leader.id,
                       due_date=date.today() - timedelta(days=5), status="open")
    db.session.add(other)
    db.session.commit()
    second = new_cafe(retail, title="Second café", days=7)
    follow_up = _by_kind(draft_agenda(second, leader))["follow_up"][0]
    assert follow_up.position == 1
    snapshot = follow_up.snapshot
    assert snapshot["previous"]["title"] == "First café"
    assert [row["id"] for row in snapshot["actions"]][:2] == [agreed.id, other.id]
    assert snapshot["actions"][0]["from_previous"] is True
    assert snapshot["actions"][1]["overdue"] is True and snapshot["overdue"] == 1


def test_redraft_refreshes_figures_and_keeps_the_facilitators_edits(app, retail, leader):
    cafe = new_cafe(retail, language="en")
    draft_agenda(cafe, leader)
    follow_up = cafe.agenda[0]
    update_agenda_item(follow_up, title="Where our actions stand", prompts_text="- Our own question\n\n", notes="Kept")
    free = add_free_item(cafe, title="Guest talk", prompts_text="")
    results_item = next(i for i in cafe.agenda if i.kind == "results")
    db.session.commit()
    retail_campaign(retail)  # a campaign closes between drafting and the café
    items = draft_agenda(cafe, leader)
    db.session.commit()
    assert items[0].title == "Where our actions stand" and items[0].prompts == ["Our own question"]
    assert items[0].notes == "Kept"
    assert free in items
    assert results_item not in items  # the data no longer supports it and nothing hangs on it
    assert {"weakest", "gap"} <= {i.kind for i in items}
    assert [i.position for i in items] == list(range(1, len(items) + 1))


def test_drafted_items_carry_only_primitive_json(app, retail, leader):
    import json

    retail_campaign(retail)
    set_reward_conflicts_provider(app, kpi_conflicts)
    for item in draft_items(new_cafe(retail), leader):
        json.dumps(item.snapshot)


def test_the_prompt_library_has_three_or_four_prompts_per_key_in_both_languages(app):
    from cxculture.cafes.prompts import GENERAL_KEYS, prompt_library, prompts_for
    from cxculture.pillars import PILLARS

    library = prompt_library()
    for key in (*PILLARS, *GENERAL_KEYS):
        assert 3 <= len(prompts_for(key, "en")) == len(prompts_for(key, "it")) <= 4, key
    assert prompts_for("rewards", "fr") == prompts_for("rewards", "en")
    assert set(library) == {*PILLARS, *GENERAL_KEYS}


def test_the_follow_up_shows_each_actions_current_status(app, retail, leader):
    from cxculture.assessments.actions import update_action
    from cxculture.cafes.pages import cafe_view

    first = new_cafe(retail, title="First café", days=-30)
    draft_agenda(first, leader)
    agreed = add_action(first, title="Call back unhappy customers", pillar="listening", owner_id=leader.id,
                        due_date=date.today() + timedelta(days=3), created_by=leader)
    second = new_cafe(retail, title="Second café", days=7)
    draft_agenda(second, leader)
    update_action(agreed, status="done", owner_id=leader.id, due_date=agreed.due_date)
    db.session.commit()
    follow_up = cafe_view(second, "host", leader).items[0]
    assert follow_up.kind == "follow_up"
    assert [(a["id"], a["status"], a["from_previous"]) for a in follow_up.follow_up][:1] == [(agreed.id, "done", True)]
    assert follow_up.snapshot["actions"][0]["status"] == "open"  # as it stood when the agenda was drafted
