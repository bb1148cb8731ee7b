"""The demo's training data: the library, default paths and realistic, repeatable progress for every person."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from cxculture.demo import load_demo_training
from cxculture.extensions import db
from cxculture.modules.models import (
    Assignment,
    Certificate,
    Module,
    ModuleVersion,
    PathItem,
    Progress,
    QuizAttempt,
    TrainingPath,
)
from cxculture.modules.plan import build_plan
from cxculture.orgs.models import Person
from cxculture.orgs.service import person_by_email
from tests.modules.conftest import FIXTURE_LIBRARY

TRAINING_TABLES = (Module, ModuleVersion, TrainingPath, PathItem, Assignment, Progress, QuizAttempt, Certificate)


def _counts() -> dict[str, int]:
    return {m.__tablename__: db.session.scalar(select(func.count()).select_from(m)) for m in TRAINING_TABLES}


def _snapshot() -> dict[str, list]:
    """Every row of every training table, to prove a second run changed nothing at all."""
    return {m.__tablename__: sorted(tuple(map(str, r)) for r in db.session.execute(select(m.__table__)))
            for m in TRAINING_TABLES}


@pytest.fixture
def demo_training(demo_with_training):
    """The demo organisations with their training progress, copied from a snapshot (loading takes seconds)."""
    return demo_with_training


def test_a_broken_library_fails_the_demo_with_its_problems_and_writes_nothing(app, runner, tmp_path):
    broken = tmp_path / "library"
    (broken / "what-is-cx").mkdir(parents=True)
    (broken / "what-is-cx" / "module.yaml").write_text("slug: what-is-cx\nminutes: 3\n", encoding="utf-8")
    result = runner.invoke(args=["cx", "demo", "--library", str(broken)])
    assert result.exit_code == 1
    assert "library/what-is-cx/quiz.yaml: -: file is missing" in result.output
    assert "minutes" in result.output
    assert db.session.scalar(select(func.count(Person.id))) == 0  # rolled back: nothing half-loaded
    assert db.session.scalar(select(func.count(Module.id))) == 0


def test_running_the_training_twice_changes_nothing_even_on_a_later_day(demo_training):
    first = _snapshot()
    report = load_demo_training(FIXTURE_LIBRARY, today=date(2031, 1, 1))
    db.session.commit()
    assert report.progress_loaded == [] and report.paths_created == 0
    assert _snapshot() == first


def _completion_by_role(organisation_slug: str) -> dict[str, float]:
    """Mean % of their required modules each job role has completed."""
    totals: dict[str, list[int]] = {}
    people = db.session.scalars(select(Person).join(Person.organisation).where(
        Person.organisation.has(slug=organisation_slug)))
    for person in people:
        totals.setdefault(person.job_role.key, []).append(build_plan(person).percent)
    return {key: sum(values) / len(values) for key, values in totals.items()}


@pytest.mark.parametrize("organisation", ["demo-retail", "demo-bank"])
def test_leadership_is_ahead_of_the_front_line(demo_training, organisation):
    completion = _completion_by_role(organisation)
    assert completion["executive"] >= 80
    assert completion["executive"] > completion["frontline"] + 20
    assert completion["executive"] > completion["contact_centre"] + 20
    assert 0 < completion["frontline"] < 80


def test_people_are_at_every_stage(demo_training):
    stages = {"none": 0, "some": 0, "all": 0}
    in_progress = 0
    for person in db.session.scalars(select(Person)):
        plan = build_plan(person)
        stages["none" if plan.percent == 0 else "all" if plan.percent == 100 else "some"] += 1
        in_progress += any(e.status == "in_progress" for e in plan.entries)
    assert stages["none"] >= 5 and stages["some"] >= 20 and stages["all"] >= 10
    assert in_progress >= 10


def test_certificates_for_everyone_who_finished_their_path(demo_training):
    certificates = {c.person_id for c in db.session.scalars(select(Certificate))}
    finished = {p.id for p in db.session.scalars(select(Person)) if build_plan(p).role_path_complete}
    assert certificates and certificates == finished
    leader = person_by_email("leader@bank.example.com")
    assert leader.id in certificates


def test_some_path_items_are_overdue(demo_training):
    today = date.today()
    overdue_items = db.session.scalar(select(func.count(PathItem.id)).where(PathItem.due_date < today))
    assert overdue_items >= 2
    overdue_people = sum(
        any(e.overdue(today) for e in build_plan(p).entries) for p in db.session.scalars(select(Person))
    )
    assert overdue_people >= 5


def test_quiz_attempts_tell_a_story(demo_training):
    failed_then_passed = db.session.execute(
        select(QuizAttempt.person_id, QuizAttempt.module_version_id)
        .where(QuizAttempt.kind == "quiz")
        .group_by(QuizAttempt.person_id, QuizAttempt.module_version_id)
        .having(func.min(QuizAttempt.passed.cast(db.Integer)) == 0, func.max(QuizAttempt.passed.cast(db.Integer)) == 1)
    ).all()
    assert len(failed_then_passed) >= 3
    for attempt in db.session.scalars(select(QuizAttempt)):
        assert attempt.passed == (attempt.score >= attempt.module_version.pass_mark)
    for progress in db.session.scalars(select(Progress).where(Progress.completed_at.is_not(None))):
        assert progress.completed_at >= progress.started_at
        if progress.completed_via == "quiz":
            assert progress.best_score >= progress.module_version.pass_mark


def test_managers_assigned_modules(demo_training):
    employee = person_by_email("employee@retail.example.com")
    assignment = db.session.scalar(select(Assignment).where(Assignment.person_id == employee.id))
    assert assignment is not None and assignment.assigned_by_id == employee.manager_id
    entry = build_plan(employee).entry(assignment.module.slug)
    assert any(r.kind == "assigned" for r in entry.reasons)
    assert db.session.scalar(select(func.count(Assignment.id))) >= 3


def test_the_named_accounts_show_each_situation(demo_training):
    def plan(local):
        return build_plan(person_by_email(f"{local}@bank.example.com"))

    assert plan("leader").role_path_complete
    assert plan("employee").next_entry.status == "in_progress"  # something to resume
    assert 0 < plan("employee").percent < 100
    assert plan("admin").percent == 0
