"""`cx modules check`: a bank whose answers are the longest or sit in one place is refused; a balanced one passes."""
from __future__ import annotations

import itertools
import shutil

import pytest
import yaml

from cxculture.modules.library import read_library, sync_library
from cxculture.modules.progress import quiz_questions, score_answers
from cxculture.modules.quizcheck import check_quizzes, right_answers_needed
from tests.modules.bank_helpers import BANK, BANK_LIBRARY


def _bank_copy(tmp_path, change=None):
    root = tmp_path / "library"
    shutil.copytree(BANK_LIBRARY, root)
    if change is not None:
        path = root / BANK / "quiz.yaml"
        quiz = yaml.safe_load(path.read_text(encoding="utf-8"))
        for question in quiz["questions"]:
            change(question)
        path.write_text(yaml.safe_dump(quiz, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


def _longest_is_right(question):
    """Every right choice written out longer than every wrong one, in both languages."""
    for choice in question["choices"]:
        if choice["correct"]:
            for language in ("en", "it"):
                choice["text"][language] += " — the complete and careful answer, with every condition spelled out"


def _shortest_is_right(question):
    """Every right choice written out shorter than every wrong one, in both languages."""
    for choice in question["choices"]:
        for language in ("en", "it"):
            choice["text"][language] = ("Yes" if choice["correct"] else
                                        f"{choice['text'][language]}, and a condition that makes it longer")


def _key_first(question):
    """The right choice moved to the first place in every single-answer question."""
    if question["kind"] == "single":
        question["choices"].sort(key=lambda c: not c["correct"])


class _Version:
    """Enough of a ModuleVersion for the quiz services."""

    def __init__(self, module):
        self.content = module.content
        self.questions = module.content["quiz"]
        self.pass_mark = module.pass_mark


def _longest_choices(question, language, how_many=None, longest=True) -> list[str]:
    """The longest (or shortest) choices; among equal lengths the learner guesses, and the test guesses wrong."""
    ranked = sorted(question["choices"], key=lambda c: (len(c["text"][language]) * (-1 if longest else 1),
                                                        c["correct"]))
    return [c["id"] for c in ranked[:how_many or 1]]


def _best_longest_score(version, kind, language) -> int:
    return _best_length_score(version, kind, language, longest=True)


def _best_length_score(version, kind, language, longest: bool) -> int:
    """The best score a learner reaches on any draw by picking the longest (or shortest) choice (on
    multiple-answer questions the longest one, two or three, whichever happens to score best)."""
    pool = quiz_questions(version, kind)
    size = version.content.get("draw" if kind == "quiz" else "placement_draw") or len(pool)
    best = 0
    for draw in itertools.combinations(pool, size):
        answers = {}
        for question in draw:
            options = [_longest_choices(question, language, longest=longest)] if question["kind"] == "single" else [
                _longest_choices(question, language, n, longest) for n in (1, 2, 3)]
            right = sorted(c["id"] for c in question["choices"] if c["correct"])
            answers[question["id"]] = next((o for o in options if sorted(o) == right), options[0])
        best = max(best, score_answers(list(draw), answers)[0])
    return best


def test_a_balanced_bank_passes_the_check(app, runner):
    modules, problems = check_quizzes(BANK_LIBRARY)
    assert set(modules) == {BANK} and problems == []
    result = runner.invoke(args=["cx", "modules", "check", "--library", str(BANK_LIBRARY)])
    assert result.exit_code == 0 and "no quiz can be passed by the length or the place" in result.output


@pytest.mark.parametrize("language", ["en", "it"])
def test_a_longest_choice_learner_cannot_pass_a_balanced_bank_on_any_draw(app, language):
    version = _Version(read_library(BANK_LIBRARY)[BANK])
    assert _best_longest_score(version, "quiz", language) < version.pass_mark  # all 252 draws of 5 from 10
    assert _best_longest_score(version, "placement", language) < version.pass_mark  # all 4 draws of 3 from 4


def test_a_bank_where_the_longest_choice_is_right_is_refused(app, runner, tmp_path):
    root = _bank_copy(tmp_path, _longest_is_right)
    version = _Version(read_library(root)[BANK])
    assert _best_longest_score(version, "quiz", "en") == 100  # the simulated learner passes without reading
    _, problems = check_quizzes(root)
    fields = {p.field for p in problems}
    assert {"final quiz (English)", "final quiz (Italian)", "placement quiz (English)",
            "placement quiz (Italian)"} <= fields
    final = next(p for p in problems if p.field == "final quiz (English)")
    assert final.file == f"library/{BANK}/quiz.yaml"
    assert final.reason.startswith("the longest choice is right in 10 of 10 questions (q1, q2, q3, q4, q5, q6, q7, "
                                   "q8, q9, q10)")
    assert "5 of 5 right, and 4 right answers pass (pass mark 80%)" in final.reason
    assert "at most 3 questions" in final.reason
    result = runner.invoke(args=["cx", "modules", "check", "--library", str(root)])
    assert result.exit_code == 1
    assert "1 have quizzes a learner could pass without reading" in result.output
    assert f"library/{BANK}/quiz.yaml: final quiz (English): the longest choice is right" in result.output


def test_one_longest_answer_too_many_is_refused(app, tmp_path):
    """The balanced bank sits at the limit (3 of the 4 a pass needs); one more such question is refused."""
    root = _bank_copy(tmp_path, lambda q: _longest_is_right(q) if q["id"] == "q4" else None)
    _, problems = check_quizzes(root)
    assert [p.field for p in problems] == ["final quiz (English)", "final quiz (Italian)"]
    assert "right in 4 of 10 questions (q1, q2, q3, q4)" in problems[0].reason


def test_a_bank_with_the_key_in_one_place_is_refused(app, tmp_path):
    _, problems = check_quizzes(_bank_copy(tmp_path, _key_first))
    by_field = {p.field: p.reason for p in problems}
    assert by_field["final quiz"] == ("the right choice is choice 1 in 9 of 9 single-answer questions (q1, q2, q3, "
                                      "q4, q5, q6, q7, q8, q9); spread the right choices over the places")
    assert by_field["placement quiz"].startswith("the right choice is choice 1 in 4 of 4")


def test_a_bank_where_the_shortest_choice_is_right_is_refused(app, tmp_path):
    _, problems = check_quizzes(_bank_copy(tmp_path, _shortest_is_right))
    final = next(p for p in problems if p.field == "final quiz (Italian)")
    assert final.reason.startswith("the shortest choice is right in 10 of 10 questions")
    assert "the shortest choice may be right in at most 3 questions" in final.reason


def test_choices_as_short_as_the_right_one_leave_the_shortest_learner_guessing(app, tmp_path):
    """The balanced bank ties its right choice with a wrong one in q7–q10: a learner picking the shortest guesses."""
    def tie_broken(question):
        if question["id"] in ("q7", "q8", "q9"):
            for choice in question["choices"]:
                if not choice["correct"]:
                    choice["text"] = {language: f"{text} (longer)" for language, text in choice["text"].items()}
    _, problems = check_quizzes(_bank_copy(tmp_path, tie_broken))
    assert [p.field for p in problems] == ["final quiz (English)", "final quiz (Italian)"]
    assert "the shortest choice is right in 6 of 10 questions (q4, q5, q6, q7, q8, q9)" in problems[0].reason


def test_sync_checks_the_format_only(app, tmp_path):
    """Content is converted one module at a time: an unfair bank still loads, only `check` refuses it."""
    report = sync_library(_bank_copy(tmp_path, _longest_is_right))
    assert report.created == [BANK]


@pytest.mark.parametrize("pass_mark, asked, needed", [(80, 5, 4), (80, 10, 8), (70, 6, 5), (75, 4, 3), (100, 3, 3),
                                                      (50, 5, 3), (80, 6, 5)])
def test_right_answers_needed_follows_the_scores_rounding(pass_mark, asked, needed):
    assert right_answers_needed(pass_mark, asked) == needed
