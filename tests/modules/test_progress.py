"""Taking a module: pinned versions, scoring, submits stored once, placement, certificates, events."""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import func, select

from cxculture import events
from cxculture.extensions import db
from cxculture.modules.library import sync_library
from cxculture.modules.models import Certificate, QuizAttempt
from cxculture.modules.plan import build_plan
from cxculture.modules.progress import (
    finish_lesson,
    issue_certificate_if_complete,
    score_answers,
    start_module,
)
from cxculture.orgs.service import person_by_email
from cxculture.refusals import Refused

from .conftest import FIXTURE_LIBRARY, RIGHT_ANSWERS, WRONG_ANSWERS, submit_drawn


@pytest.fixture
def employee(trained):
    return person_by_email("employee@bank.example.com")


def started(person, slug="what-is-cx"):
    entry = build_plan(person).entry(slug)
    return entry, start_module(person, entry)


def test_scoring_counts_a_question_only_when_exactly_right():
    questions = [
        {"id": "s", "kind": "single", "choices": [{"id": "a", "correct": True}, {"id": "b", "correct": False}]},
        {"id": "m", "kind": "multiple", "choices": [{"id": "a", "correct": True}, {"id": "b", "correct": True},
                                                    {"id": "c", "correct": False}]},
    ]
    assert score_answers(questions, {"s": ["a"], "m": ["b", "a"]})[0] == 100
    assert score_answers(questions, {"s": ["a"], "m": ["a"]})[0] == 50
    assert score_answers(questions, {"s": ["b"], "m": ["a", "b", "c"]})[0] == 0


def test_start_is_pinned_and_lessons_resume(employee):
    _entry, progress = started(employee)
    assert progress.current_lesson == "lesson-1"
    assert finish_lesson(progress, "lesson-1") == "lesson-2"
    assert progress.current_lesson == "lesson-2" and progress.lessons_done == ["lesson-1"]
    finish_lesson(progress, "lesson-1")  # reading again changes nothing
    assert progress.lessons_done == ["lesson-1"]
    assert start_module(employee, build_plan(employee).entry("what-is-cx")) is progress


def test_locked_module_cannot_start(employee):
    with pytest.raises(Refused) as raised:
        started(employee, "customer-journey")
    assert raised.value.code == "locked" and raised.value.details["prerequisites"] == ["what-is-cx"]


def test_fail_then_pass_keeps_best_score_and_completes(employee):
    entry, progress = started(employee)
    failed = submit_drawn(employee, entry, "quiz", progress.module_version_id, "t1", WRONG_ANSWERS)
    assert not failed.passed and failed.attempt.score == 40 and progress.completed_at is None
    passed = submit_drawn(employee, entry, "quiz", progress.module_version_id, "t2", RIGHT_ANSWERS)
    assert passed.passed and progress.completed_via == "quiz" and progress.best_score == 100
    assert [f.correct for f in failed.feedback] == [False, False, True, True, False]


def test_same_form_submitted_twice_is_stored_once(employee):
    entry, progress = started(employee)
    first = submit_drawn(employee, entry, "quiz", progress.module_version_id, "same", RIGHT_ANSWERS)
    again = submit_drawn(employee, entry, "quiz", progress.module_version_id, "same", RIGHT_ANSWERS)
    assert again.repeated and again.attempt.id == first.attempt.id
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 1


@pytest.mark.parametrize(
    "answers, problem",
    [({}, "missing"), ({**RIGHT_ANSWERS, "q1": ["a", "b"]}, "one-only"), ({**RIGHT_ANSWERS, "q2": ["z"]},
                                                                         "unknown-choice")],
)
def test_invalid_answers_store_nothing(employee, answers, problem):
    entry, progress = started(employee)
    with pytest.raises(Refused) as raised:
        submit_drawn(employee, entry, "quiz", progress.module_version_id, "bad", answers)
    assert raised.value.code == "invalid-answers" and problem in raised.value.details["problems"].values()
    assert db.session.scalar(select(func.count(QuizAttempt.id))) == 0


def test_new_version_does_not_move_a_started_person(app, employee, tmp_path):
    entry, progress = started(employee)
    db.session.commit()
    changed = tmp_path / "library"
    shutil.copytree(FIXTURE_LIBRARY, changed)
    lesson = changed / "what-is-cx" / "lessons" / "lesson-1.en.md"
    lesson.write_text(lesson.read_text() + "\nA new paragraph in version two.\n")
    sync_library(changed)
    db.session.commit()
    entry = build_plan(employee).entry("what-is-cx")
    assert entry.version.version == 1 and entry.module.latest_version == 2
    with pytest.raises(Refused) as raised:  # a form rendered for version 2 does not fit
        submit_drawn(employee, entry, "quiz", entry.module.current.id, "v2", RIGHT_ANSWERS)
    assert raised.value.code == "stale"
    assert submit_drawn(employee, entry, "quiz", progress.module_version_id, "v1", RIGHT_ANSWERS).passed
    # Someone starting now gets version 2.
    other = person_by_email("manager@bank.example.com")
    assert started(other)[1].module_version.version == 2


def test_placement_quiz_tests_out(employee):
    entry = build_plan(employee).entry("what-is-cx")
    result = submit_drawn(employee, entry, "placement", entry.version.id, "p1",
                         {k: v for k, v in RIGHT_ANSWERS.items() if k in ("q1", "q2", "q3")})
    assert result.passed and len(result.feedback) == 3
    progress = build_plan(employee).entry("what-is-cx").progress
    assert progress.completed_via == "placement" and progress.best_score is None


def test_failed_placement_leaves_no_progress(employee):
    entry = build_plan(employee).entry("what-is-cx")
    result = submit_drawn(employee, entry, "placement", entry.version.id, "p1", {"q1": ["b"], "q2": ["b"], "q3": ["a"]})
    assert not result.passed
    assert build_plan(employee).entry("what-is-cx").progress is None


def test_certificate_once_the_role_path_is_complete(employee):
    for slug in ("what-is-cx", "customer-journey", "listening-to-customers"):
        plan = build_plan(employee)
        assert issue_certificate_if_complete(plan) is None
        entry = plan.entry(slug)
        submit_drawn(employee, entry, "placement", entry.version.id, f"p-{slug}",
                    {k: RIGHT_ANSWERS[k] for k in ("q1", "q2", "q3")})
    plan = build_plan(employee)
    certificate = issue_certificate_if_complete(plan)
    assert certificate.person_name == "Employee Demo Bank" and len(certificate.code) == 12
    assert [m["slug"] for m in certificate.modules] == ["what-is-cx", "customer-journey", "listening-to-customers"]
    assert issue_certificate_if_complete(plan) is certificate
    assert db.session.scalar(select(func.count(Certificate.id))) == 1


def test_learning_events_are_published(employee):
    received = []

    def record(name):
        return lambda sender, **data: received.append((name, sender.email))

    handlers = {signal: record(name) for name, signal in (
        ("started", events.module_started), ("passed", events.quiz_passed), ("failed", events.quiz_failed),
        ("completed", events.module_completed))}
    for signal, handler in handlers.items():
        signal.connect(handler)
    try:
        entry, progress = started(employee)
        submit_drawn(employee, entry, "quiz", progress.module_version_id, "e1", WRONG_ANSWERS)
        submit_drawn(employee, entry, "quiz", progress.module_version_id, "e2", RIGHT_ANSWERS)
    finally:
        for signal, handler in handlers.items():
            signal.disconnect(handler)
    assert [name for name, _ in received] == ["started", "failed", "passed", "completed"]


def test_module_removed_mid_way_can_be_finished_by_who_started_it(app, client, trained, tmp_path):
    from tests.conftest import login

    employee = person_by_email("employee@bank.example.com")
    _entry, progress = started(employee)
    finish_lesson(progress, "lesson-1")
    db.session.commit()
    smaller = tmp_path / "library"
    shutil.copytree(FIXTURE_LIBRARY, smaller)
    shutil.rmtree(smaller / "what-is-cx")
    for module_yaml in smaller.glob("*/module.yaml"):  # nothing may require the removed module any more
        module_yaml.write_text(module_yaml.read_text().replace("- what-is-cx", "[]").replace(
            "prerequisites:\n[]", "prerequisites: []"))
    assert sync_library(smaller).retired == ["what-is-cx"]
    db.session.commit()

    login(client, "employee@bank.example.com")
    lesson = client.get("/learn/what-is-cx/lessons/lesson-2")
    assert lesson.status_code == 200 and "Part 2" in lesson.get_data(as_text=True)
    client.post("/logout")

    other = person_by_email("manager@bank.example.com")
    assert build_plan(other).entry("what-is-cx") is None  # not started: gone from the plan
    login(client, "manager@bank.example.com")
    assert client.get("/learn/what-is-cx").status_code == 404
    assert client.post("/learn/what-is-cx/start").status_code in (302, 404)
    assert build_plan(other).entry("what-is-cx") is None
