"""Quizzes and placement quizzes through the pages: feedback, retries, bad input, double and stale submits."""
from __future__ import annotations

import shutil

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.modules.library import sync_library
from cxculture.modules.models import Module, Progress
from tests.conftest import login
from tests.modules.conftest import FIXTURE_LIBRARY, RIGHT_ANSWERS, WRONG_ANSWERS
from tests.modules.learner_helpers import answers_form, attempt_count, quiz_form, read_all_lessons, submit


def progress_of(person, slug: str) -> Progress | None:
    return db.session.scalar(select(Progress).join(Module).where(Progress.person_id == person.id, Module.slug == slug))


def test_quiz_form_has_fieldsets_radios_checkboxes_and_tokens(client, trained, login_as):
    login_as("employee", org="bank")
    read_all_lessons(client, "what-is-cx")
    body = client.get("/learn/what-is-cx/quiz").get_data(as_text=True)
    assert body.count("<fieldset") == 5 and body.count("<legend>") == 5
    assert body.count('type="radio" name="answer-q1"') == 3
    assert body.count('type="checkbox" name="answer-q5"') == 3
    assert "Choose every answer that applies." in body
    assert 'name="form_token"' in body and 'name="version_id"' in body
    assert "Question 1 of what-is-cx?" in body and "pass with 80%" in body


def test_fail_then_pass_with_feedback_for_every_question(client, trained, login_as):
    person = login_as("employee", org="bank")
    read_all_lessons(client, "what-is-cx")

    response = submit(client, "what-is-cx", WRONG_ANSWERS)
    assert response.status_code == 302 and "/learn/what-is-cx/attempts/" in response.headers["Location"]
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not passed: 40%" in result and "the pass mark is 80%" in result
    assert 'href="/learn/what-is-cx/quiz"' in result and "Try again" in result
    for question in range(1, 6):
        assert f"Question {question} of what-is-cx?" in result
    # Only the explanations of the choices picked (q1 b, q2 b, q3 a, q4 a, q5 a): the key stays hidden.
    assert result.count("Why a") == 3 and result.count("Why b") == 2 and result.count("Why c") == 0
    assert result.count(">Your answer<") == 5  # one choice picked in each question
    assert ">Right answer<" not in result
    progress = progress_of(person, "what-is-cx")
    assert not progress.completed and progress.best_score == 40

    response = submit(client, "what-is-cx", RIGHT_ANSWERS)
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Passed: 100%" in result and "The module is completed." in result
    assert "Next module: Title of customer-journey" in result
    progress = progress_of(person, "what-is-cx")
    assert progress.completed and progress.completed_via == "quiz" and progress.best_score == 100
    assert attempt_count(person.id) == 2

    module_page = client.get("/learn/what-is-cx").get_data(as_text=True)
    assert "You completed this module" in module_page and "Not passed" in module_page
    # The quiz closes once passed, and the next module has unlocked.
    assert client.get("/learn/what-is-cx/quiz").headers["Location"] == "/learn/what-is-cx"
    started = client.post("/learn/customer-journey/start")
    assert started.headers["Location"] == "/learn/customer-journey/lessons/lesson-1"


@pytest.mark.parametrize("answers, question, message", [
    ({**RIGHT_ANSWERS, "q1": []}, "q1", "Choose an answer."),
    ({**RIGHT_ANSWERS, "q1": ["a", "b"]}, "q1", "Choose only one answer."),
    ({**RIGHT_ANSWERS, "q2": ["z"]}, "q2", "is not a choice of this question"),
    ({**RIGHT_ANSWERS, "q5": []}, "q5", "Choose at least one answer."),
    ({**RIGHT_ANSWERS, "q5": ["a", "nope"]}, "q5", "is not a choice of this question"),
])
def test_invalid_answers_are_refused_next_to_the_question(client, trained, login_as, answers, question, message):
    person = login_as("employee", org="bank")
    read_all_lessons(client, "what-is-cx")
    fields = quiz_form(client, "/learn/what-is-cx/quiz")
    response = client.post("/learn/what-is-cx/quiz", data=answers_form(answers, **fields))
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "1 question needs your attention" in body
    assert f'<a href="#q-{question}">Question {question[1:]}</a>' in body  # numbered as on the page
    error_at = body.index(f'id="q-{question}-error"')
    assert message in body[error_at:error_at + 300]
    assert body.count('class="error"') == 1
    # The choices made are kept, and the same form (token) is offered again.
    assert 'name="answer-q3" value="a" checked' in body
    assert f'name="form_token" value="{fields["form_token"]}"' in body
    assert attempt_count(person.id) == 0
    assert progress_of(person, "what-is-cx").best_score is None


def test_submitting_the_same_form_twice_stores_one_attempt(client, trained, login_as):
    person = login_as("employee", org="bank")
    read_all_lessons(client, "what-is-cx")
    fields = quiz_form(client, "/learn/what-is-cx/quiz")
    data = answers_form(RIGHT_ANSWERS, **fields)
    first = client.post("/learn/what-is-cx/quiz", data=data)
    second = client.post("/learn/what-is-cx/quiz", data=data, follow_redirects=True)
    assert first.headers["Location"] == second.request.path
    body = second.get_data(as_text=True)
    assert "already been submitted" in body and "Passed: 100%" in body
    assert attempt_count(person.id) == 1
    # A different answer set under the same token is still the stored attempt, not a second one.
    third = client.post("/learn/what-is-cx/quiz", data=answers_form(WRONG_ANSWERS, **fields))
    assert third.headers["Location"] == first.headers["Location"]
    assert attempt_count(person.id) == 1


@pytest.mark.parametrize("change", ["version", "token-missing", "token-too-long"])
def test_a_stale_or_broken_form_records_nothing(client, trained, login_as, change):
    person = login_as("employee", org="bank")
    read_all_lessons(client, "what-is-cx")
    fields = quiz_form(client, "/learn/what-is-cx/quiz")
    if change == "version":
        fields["version_id"] = str(int(fields["version_id"]) + 999)
    elif change == "token-missing":
        fields["form_token"] = ""
    else:
        fields["form_token"] = "x" * 65
    response = client.post("/learn/what-is-cx/quiz", data=answers_form(RIGHT_ANSWERS, **fields), follow_redirects=True)
    body = response.get_data(as_text=True)
    assert response.request.path == "/learn/what-is-cx/quiz"
    assert "This quiz form was out of date" in body and 'name="form_token"' in body  # a fresh form
    assert attempt_count(person.id) == 0 and not progress_of(person, "what-is-cx").completed


def test_someone_elses_form_token_is_stale(client, trained, login_as):
    login_as("employee", org="bank")
    read_all_lessons(client, "what-is-cx")
    fields = quiz_form(client, "/learn/what-is-cx/quiz")
    client.post("/learn/what-is-cx/quiz", data=answers_form(WRONG_ANSWERS, **fields))
    client.post("/logout")
    other = login_as("manager", org="bank")
    read_all_lessons(client, "what-is-cx")
    response = client.post("/learn/what-is-cx/quiz", data=answers_form(RIGHT_ANSWERS, **fields), follow_redirects=True)
    assert "This quiz form was out of date" in response.get_data(as_text=True)
    assert attempt_count(other.id) == 0


def test_placement_form_for_an_old_version_is_stale(client, trained, login_as, tmp_path):
    person = login_as("employee", org="bank")
    fields = quiz_form(client, "/learn/what-is-cx/placement")
    root = tmp_path / "library"
    shutil.copytree(FIXTURE_LIBRARY, root)
    meta = root / "what-is-cx" / "module.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("A test module.", "A revised module."), encoding="utf-8")
    assert sync_library(root).new_versions == ["what-is-cx"]
    db.session.commit()
    response = client.post("/learn/what-is-cx/placement", data=answers_form(RIGHT_ANSWERS, **fields),
                           follow_redirects=True)
    assert "This quiz form was out of date" in response.get_data(as_text=True)
    assert attempt_count(person.id) == 0 and progress_of(person, "what-is-cx") is None


def test_placement_pass_completes_the_module_without_lessons(client, trained, login_as):
    person = login_as("employee", org="bank")
    body = client.get("/learn/what-is-cx/placement").get_data(as_text=True)
    assert body.count("<fieldset") == 3  # only the questions marked for placement
    placement_answers = {q: RIGHT_ANSWERS[q] for q in ("q1", "q2", "q3")}
    response = submit(client, "what-is-cx", placement_answers, kind="placement")
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Passed: 100%" in result and "You tested out" in result
    progress = progress_of(person, "what-is-cx")
    assert progress.completed and progress.completed_via == "placement" and progress.lessons_done == []
    # No placement once completed.
    assert client.get("/learn/what-is-cx/placement").headers["Location"] == "/learn/what-is-cx"


def test_placement_fail_leaves_the_module_to_take(client, trained, login_as):
    person = login_as("employee", org="bank")
    response = submit(client, "what-is-cx", {"q1": ["b"], "q2": ["b"], "q3": ["a"]}, kind="placement")
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Not passed: 33%" in result and "Start the module" in result
    assert progress_of(person, "what-is-cx") is None
    assert attempt_count(person.id) == 1


def test_placement_of_a_locked_module_is_refused_and_records_nothing(client, trained, login_as):
    person = login_as("employee", org="bank")
    fields = quiz_form(client, "/learn/what-is-cx/placement")  # any token and version will do
    version_id = db.session.scalar(select(Module).where(Module.slug == "customer-journey")).current.id
    data = answers_form({"q1": ["a"], "q2": ["a"], "q3": ["a"]}, form_token=fields["form_token"],
                        version_id=str(version_id))
    response = client.post("/learn/customer-journey/placement", data=data, follow_redirects=True)
    assert "This module is locked" in response.get_data(as_text=True)
    assert attempt_count(person.id) == 0 and progress_of(person, "customer-journey") is None


def _attempt_id(client, slug="what-is-cx") -> int:
    read_all_lessons(client, slug)
    response = submit(client, slug, WRONG_ANSWERS)
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_attempts_of_other_people_are_not_found(client, trained, login_as):
    login_as("employee", org="bank")
    attempt_id = _attempt_id(client)
    assert client.get(f"/learn/what-is-cx/attempts/{attempt_id}").status_code == 200
    assert client.get(f"/learn/customer-journey/attempts/{attempt_id}").status_code == 404  # wrong module
    assert client.get(f"/learn/what-is-cx/attempts/{attempt_id + 100}").status_code == 404
    for email in ("manager@bank.example.com", "employee@retail.example.com"):
        client.post("/logout")
        login(client, email)
        assert client.get(f"/learn/what-is-cx/attempts/{attempt_id}").status_code == 404, email


def test_quiz_needs_the_employee_permission(client, trained, login_as):
    login_as("admin", org="bank")
    assert client.get("/learn/what-is-cx").status_code == 403
    assert client.get("/learn/what-is-cx/quiz").status_code == 403


def test_the_pass_mark_of_the_started_version_applies(client, trained, login_as, tmp_path):
    person = login_as("employee", org="bank")
    read_all_lessons(client, "what-is-cx")
    root = tmp_path / "library"
    shutil.copytree(FIXTURE_LIBRARY, root)
    meta = root / "what-is-cx" / "module.yaml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("pass_mark: 80", "pass_mark: 60"), encoding="utf-8")
    assert sync_library(root).new_versions == ["what-is-cx"]  # a pass-mark change alone is a new version
    db.session.commit()
    three_of_five = {**RIGHT_ANSWERS, "q1": ["b"], "q2": ["b"]}
    response = submit(client, "what-is-cx", three_of_five)
    assert "Not passed: 60%" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert not progress_of(person, "what-is-cx").completed
