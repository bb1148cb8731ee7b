"""A first look at a plan built from the fixture library."""
from cxculture.modules.plan import build_plan
from cxculture.orgs.service import person_by_email


def test_executive_plan_follows_the_role_path(trained):
    plan = build_plan(person_by_email("leader@bank.example.com"))
    slugs = [e.module.slug for e in plan.entries]
    assert slugs[:2] == ["what-is-cx", "leading-a-customer-centric-culture"]
    assert plan.entries[0].status == "not_started"
    assert plan.entries[1].status == "locked"
    assert plan.next_entry.module.slug == "what-is-cx"
