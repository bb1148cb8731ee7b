"""Plans: the role's path, the weakest pillars, assignments, locks, and why each module is there."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from cxculture.extensions import db
from cxculture.modules.models import Assignment, Module
from cxculture.modules.personalisation import PillarFocus, set_pillar_focus_provider
from cxculture.modules.plan import Reason, build_plan
from cxculture.modules.progress import finish_lesson, start_module
from cxculture.orgs.service import person_by_email

from .conftest import RIGHT_ANSWERS, submit_drawn


def module(slug):
    return db.session.scalar(select(Module).where(Module.slug == slug))


def complete(person, slug):
    plan = build_plan(person)
    entry = plan.entry(slug)
    progress = start_module(person, entry)
    for lesson in progress.module_version.lessons:
        finish_lesson(progress, lesson["id"])
    submit_drawn(person, entry, "quiz", progress.module_version_id, f"token-{person.id}-{slug}", RIGHT_ANSWERS)
    db.session.commit()


def test_frontline_plan_is_the_role_path_with_reasons(trained):
    plan = build_plan(person_by_email("employee@bank.example.com"))
    assert [e.module.slug for e in plan.entries] == ["what-is-cx", "customer-journey", "listening-to-customers"]
    assert all(e.reasons == [Reason("role")] for e in plan.entries)
    assert plan.percent == 0 and plan.next_entry.module.slug == "what-is-cx"


def test_prerequisites_lock_until_done(trained):
    person = person_by_email("employee@bank.example.com")
    plan = build_plan(person)
    assert plan.entry("customer-journey").locked_by == ["what-is-cx"]
    assert plan.entry("customer-journey").status == "locked"
    complete(person, "what-is-cx")
    plan = build_plan(person)
    assert plan.entry("what-is-cx").status == "completed"
    assert plan.entry("customer-journey").status == "not_started"
    assert plan.percent == 33


def test_team_weakest_pillar_adds_a_module_with_its_reason(app, trained):
    set_pillar_focus_provider(app, lambda person: PillarFocus(("communication", "listening"), "team"))
    plan = build_plan(person_by_email("employee@bank.example.com"))
    added = plan.entry("leading-a-customer-centric-culture")
    assert added is None  # it targets executives and team leads only, not front line
    # Every listening module already is on the front-line path: one of them says it also serves the team's gap.
    tagged = [e.module.slug for e in plan.entries if Reason("pillar", pillar="listening", scope="team") in e.reasons]
    assert len(tagged) == 1 and tagged[0] in {"customer-journey", "listening-to-customers"}


def test_organisation_pillar_scope_is_reported(app, trained):
    set_pillar_focus_provider(app, lambda person: PillarFocus(("vision",), "organisation"))
    plan = build_plan(person_by_email("leader@bank.example.com"))
    reasons = [r for e in plan.entries for r in e.reasons if r.kind == "pillar"]
    assert reasons == [Reason("pillar", pillar="vision", scope="organisation")]


def test_no_focus_adds_nothing(app, trained):
    set_pillar_focus_provider(app, lambda person: None)
    plan = build_plan(person_by_email("employee@bank.example.com"))
    assert all(r.kind == "role" for e in plan.entries for r in e.reasons)


def test_manager_assignment_appears_with_its_reason_and_due_date(trained):
    person = person_by_email("employee@bank.example.com")
    manager = person_by_email("manager@bank.example.com")
    due = date.today() - timedelta(days=1)
    db.session.add(Assignment(organisation_id=person.organisation_id, person_id=person.id,
                              module_id=module("leading-a-customer-centric-culture").id,
                              assigned_by_id=manager.id, due_date=due))
    db.session.commit()
    entry = build_plan(person).entry("leading-a-customer-centric-culture")
    assert entry.reasons == [Reason("assigned", by="Manager Demo Bank")]
    assert entry.required and entry.due_date == due and entry.overdue(date.today())


def test_person_without_job_role_has_only_assignments(trained):
    person = person_by_email("employee@bank.example.com")
    person.job_role = None
    db.session.commit()
    assert build_plan(person).entries == []


def test_plan_query_count_does_not_grow_with_progress(app, trained):
    from sqlalchemy import event

    person = person_by_email("manager@bank.example.com")

    def count_queries() -> int:
        db.session.expire_all()
        statements = []
        listener = lambda *args: statements.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        build_plan(person)
        event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    complete(person, "what-is-cx")
    one_done = count_queries()
    complete(person, "customer-journey")
    # 13: the twelve of the plan and one by the culture results provider, finding no closed campaign.
    assert count_queries() == one_done <= 13
