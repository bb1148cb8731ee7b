"""Question banks through the learner's pages: drawn questions, shuffled choices, fair retries, the key kept hidden."""
from __future__ import annotations

import random
import re

import pytest
import yaml
from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.modules import progress as progress_service
from cxculture.modules.library import LibraryError, read_library
from cxculture.modules.models import QuizAttempt, QuizAttemptItem, QuizDraw
from cxculture.orgs.service import person_by_email
from tests.conftest import FIXTURE_LIBRARY
from tests.modules.bank_helpers import (
    BANK,
    BANK_RIGHT,
    PLACEMENT_ITEMS,
    QUIZ_ITEMS,
    library_with_bank,
    load_bank,
    shown_questions,
    wrong,
)
from tests.modules.learner_helpers import answers_form, attempt_count, read_all_lessons


@pytest.fixture
def learner(trained, tmp_path, client, login_as):
    """The bank's employee, logged in, with every lesson of the bank read."""
    person = person_by_email("employee@bank.example.com")
    load_bank(tmp_path, [person])
    login_as("employee", org="bank")
    read_all_lessons(client, BANK)
    return person


def open_quiz(client, kind="quiz") -> tuple[str, dict]:
    page = client.get(f"/learn/{BANK}/{kind}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    return body, dict(re.findall(r'name="(form_token|version_id)" value="([^"]*)"', body))


def answer(client, body: str, fields: dict, right: int, kind: str = "quiz"):
    """Answer the first `right` questions shown right and the others wrong; returns the result page."""
    answers = {qid: BANK_RIGHT[qid] if number < right else wrong(qid)
               for number, (qid, _) in enumerate(shown_questions(body))}
    response = client.post(f"/learn/{BANK}/{kind}", data=answers_form(answers, **fields))
    assert response.status_code == 302, response.get_data(as_text=True)
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_an_attempt_draws_from_the_bank_and_a_reload_shows_the_same_draw(client, learner):
    body, fields = open_quiz(client)
    shown = shown_questions(body)
    assert len(shown) == 5 and {qid for qid, _ in shown} <= QUIZ_ITEMS  # never a placement-only question
    again, again_fields = open_quiz(client)
    assert shown_questions(again) == shown and again_fields == fields
    draw = db.session.scalar(select(QuizDraw).where(QuizDraw.person_id == learner.id))
    assert [(q["id"], q["choices"]) for q in draw.questions] == shown


def test_a_retry_draws_other_questions(client, learner):
    body, fields = open_quiz(client)
    first = {qid for qid, _ in shown_questions(body)}
    assert "Not passed" in answer(client, body, fields, right=0)
    body, fields = open_quiz(client)
    second = {qid for qid, _ in shown_questions(body)}
    assert first.isdisjoint(second) and first | second == QUIZ_ITEMS  # a bank of 2 x 5: nothing asked twice
    attempts = db.session.scalars(select(QuizAttempt).where(QuizAttempt.person_id == learner.id)).all()
    assert [{q["id"] for q in a.questions} for a in attempts] == [first]


def test_choices_are_shuffled_and_grading_follows_the_ids(client, learner, monkeypatch):
    monkeypatch.setattr(progress_service, "_random", random.Random(14))
    body, fields = open_quiz(client)
    shown = dict(shown_questions(body))
    written = {qid: sorted(choices) for qid, choices in shown.items()}  # the bank's choices are a, b, c(, d)
    assert any(shown[qid] != written[qid] for qid in shown if qid != "q8")
    if "q8" in shown:
        assert shown["q8"] == ["a", "b", "c"]  # shuffle: false keeps the written order
    result = answer(client, body, fields, right=5)
    assert "Passed: 100%" in result
    attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.person_id == learner.id))
    assert [(q["id"], q["choices"]) for q in attempt.questions] == list(shown.items())
    items = db.session.scalars(select(QuizAttemptItem).where(QuizAttemptItem.attempt_id == attempt.id)
                               .order_by(QuizAttemptItem.position)).all()
    assert [(i.question_id, i.correct) for i in items] == [(qid, True) for qid in shown]
    # The result page shows the questions and choices in the order the learner saw them.
    positions = [result.index(f"Bank question {qid}?") for qid in shown]
    assert positions == sorted(positions)


def test_scenario_is_shown_above_the_prompt(client, learner):
    for _ in range(2):  # the two draws cover the whole bank: q2, q4 and q7 have a scenario
        body, fields = open_quiz(client)
        for qid, _choices in shown_questions(body):
            if qid in ("q2", "q4", "q7"):
                assert body.index(f"Scenario of {qid}:") < body.index(f"Bank question {qid}?")
        answer(client, body, fields, right=0)


def test_a_failed_attempt_explains_the_wrong_answers_but_hides_the_key(client, learner):
    body, fields = open_quiz(client)
    shown = [qid for qid, _ in shown_questions(body)]
    result = answer(client, body, fields, right=2)
    assert "Not passed: 40%" in result and ">Right answer<" not in result
    for number, qid in enumerate(shown):
        picked = (BANK_RIGHT[qid] if number < 2 else wrong(qid))
        for choice in "abcd":
            assert (f"Why {qid}{choice}<" in result) == (choice in picked), (qid, choice)
    assert "The right answers are shown once you pass this quiz." in result
    assert "You also see them after 3 failed attempts." in result


def test_the_key_appears_once_the_learner_passes_also_on_the_failed_attempt(client, learner):
    body, fields = open_quiz(client)
    assert "Not passed" in answer(client, body, fields, right=0)
    attempt_id = db.session.scalar(select(QuizAttempt.id).where(QuizAttempt.person_id == learner.id))
    body, fields = open_quiz(client)
    passed = answer(client, body, fields, right=5)
    drawn = [qid for qid, _ in shown_questions(body)]
    assert "Passed: 100%" in passed
    assert passed.count(">Right answer<") == sum(len(BANK_RIGHT[qid]) for qid in drawn)  # q10 has two
    for qid in drawn:
        assert all(f"Why {qid}{c}<" in passed for c in "abc")
    earlier = client.get(f"/learn/{BANK}/attempts/{attempt_id}").get_data(as_text=True)
    assert ">Right answer<" in earlier


@pytest.mark.parametrize("setting, failures, shown", [(2, 1, False), (2, 2, True), (0, 4, False), (3, 3, True)])
def test_the_key_appears_after_the_organisations_number_of_failures(client, learner, login_as, setting, failures,
                                                                    shown):
    client.post("/logout")
    login_as("admin", org="bank")
    response = client.post("/admin/training/settings", data={"key_after_failures": str(setting)})
    assert response.status_code == 302
    client.post("/logout")
    login_as("employee", org="bank")
    for _ in range(failures):
        body, fields = open_quiz(client)
        result = answer(client, body, fields, right=0)
    assert (">Right answer<" in result) == shown


@pytest.mark.parametrize("forgery", ["one-extra", "other-questions", "placement-question"])
def test_answers_for_questions_not_drawn_are_refused_and_nothing_is_stored(client, learner, forgery):
    body, fields = open_quiz(client)
    drawn = [qid for qid, _ in shown_questions(body)]
    undrawn = sorted(QUIZ_ITEMS - set(drawn))
    answers = {qid: BANK_RIGHT[qid] for qid in drawn}
    if forgery == "one-extra":
        answers[undrawn[0]] = BANK_RIGHT[undrawn[0]]
    elif forgery == "other-questions":
        answers = {qid: BANK_RIGHT[qid] for qid in undrawn}
    else:
        answers["p1"] = ["a"]
    response = client.post(f"/learn/{BANK}/quiz", data=answers_form(answers, **fields))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "These answers are for questions this attempt did not ask" in page and "Nothing was recorded" in page
    assert shown_questions(page) == shown_questions(body)  # the same draw is offered again
    assert attempt_count(learner.id) == 0
    assert db.session.scalar(select(func.count(QuizAttemptItem.attempt_id))) == 0
    assert open_quiz(client)[1] == fields  # the draw is still open, unchanged


def test_the_placement_quiz_draws_only_placement_questions(client, trained, tmp_path, login_as):
    person = person_by_email("employee@bank.example.com")
    load_bank(tmp_path, [person])
    login_as("employee", org="bank")
    body, fields = open_quiz(client, "placement")
    shown = {qid for qid, _ in shown_questions(body)}
    assert len(shown) == 3 and shown <= PLACEMENT_ITEMS
    result = answer(client, body, fields, right=3, kind="placement")
    assert "Passed: 100%" in result and "You tested out" in result


def test_a_legacy_module_keeps_its_content_and_so_its_version(app, tmp_path):
    """Modules without bank keys keep the exact content (and hash) they had before banks existed."""
    modules = read_library(library_with_bank(tmp_path))
    legacy = modules["customer-journey"].content  # what-is-cx offers a worksheet
    assert set(legacy) == {"slug", "title", "summary", "pillars", "job_roles", "prerequisites", "lessons", "quiz"}
    assert all(set(q) == {"id", "kind", "placement", "prompt", "choices"} for q in legacy["quiz"])
    bank = modules[BANK].content
    assert bank["draw"] == 5 and bank["placement_draw"] == 3
    assert {q["id"]: q.get("use") for q in bank["quiz"]} == {
        **dict.fromkeys(QUIZ_ITEMS, "quiz"), **dict.fromkeys(PLACEMENT_ITEMS, "placement")}


def _edit_bank(root, change):
    path = root / BANK / "quiz.yaml"
    quiz = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(quiz)
    path.write_text(yaml.safe_dump(quiz, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _set_question(index, **values):
    return lambda quiz: quiz["questions"][index].update(values)


def _legacy_placement_in_bank(quiz):
    for question in quiz["questions"][:3]:
        question.pop("use")
        question["placement"] = True


@pytest.mark.parametrize("change, where, reason", [
    (lambda quiz: quiz.update(draw=6), "draw", "12)"),
    (lambda quiz: quiz.update(draw="five"), "draw", "whole number"),
    (lambda quiz: quiz.update(placement_draw=5), "placement_draw", "the bank has 4"),
    (_set_question(0, use="both"), "questions[1].use", "must be quiz or placement"),
    (_set_question(0, placement=True), "questions[1].use", "either use or placement"),
    (_set_question(1, scenario={"en": "Only English"}), "questions[2].scenario.it", "missing or empty"),
    (_set_question(2, shuffle="no"), "questions[3].shuffle", "true or false"),
    (_legacy_placement_in_bank, "questions", "use: quiz or use: placement"),
])
def test_a_broken_bank_is_refused_with_its_field(app, tmp_path, change, where, reason):
    root = library_with_bank(tmp_path)
    _edit_bank(root, change)
    with pytest.raises(LibraryError) as raised:
        read_library(root)
    found = [p for p in raised.value.problems if p.file == f"library/{BANK}/quiz.yaml" and p.field == where]
    assert found and reason in found[0].reason, raised.value.problems


def test_the_fixture_library_still_loads(app):
    assert set(read_library(FIXTURE_LIBRARY)) == {
        "what-is-cx", "customer-journey", "listening-to-customers", "leading-a-customer-centric-culture"}
