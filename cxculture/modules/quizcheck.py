"""`cx modules check`: quizzes a learner could pass without reading, by the length or the place of the answers.

Two rules, for the final quiz and the placement quiz of every module, in each language:

- **Longest or shortest choice.** A learner who always picks the longest choice (on a multiple-answer question, the
  longest ones: a question scores for them when no wrong choice is longer than a right one; ties count against the
  bank) must not reach the pass mark on any draw, and neither must one who always picks the shortest. A draw of N
  questions may hold every question where that works, so there must be fewer such questions than the number of
  right answers the pass mark needs out of N.
- **One place.** In a quiz of 4 or more single-answer questions, the right choice may not sit in the same place
  (as written) in more than half of them.

`sync` does not apply these rules (it checks the format only), so content can be converted one module at a time.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from .library import LANGUAGES, LIBRARY_PATH, LoadedModule, Problem, read_library
from .progress import percent_right

LANGUAGE_NAMES = {"en": "English", "it": "Italian"}
#: From this many single-answer questions on, the same place may hold the right choice in at most half of them.
SAME_PLACE_MINIMUM = 4


def right_answers_needed(pass_mark: int, asked: int) -> int:
    """How many of `asked` questions must be right to reach `pass_mark`, with the rounding scores use."""
    return next(right for right in range(asked + 1) if percent_right(right, asked) >= pass_mark)


def longest_choice_scores(question: dict, language: str) -> bool:
    """Whether picking the longest choice (the longest ones on a multiple-answer question) answers it right."""
    right, wrong = _lengths(question, language)
    return bool(right) and (not wrong or min(right) >= max(wrong))


def shortest_choice_scores(question: dict, language: str) -> bool:
    """Whether picking the shortest choice (the shortest ones on a multiple-answer question) answers it right."""
    right, wrong = _lengths(question, language)
    return bool(right) and (not wrong or max(right) < min(wrong))


def _lengths(question: dict, language: str) -> tuple[list[int], list[int]]:
    """The lengths of the right choices and of the wrong ones."""
    right = [len(c["text"][language]) for c in question["choices"] if c["correct"]]
    wrong = [len(c["text"][language]) for c in question["choices"] if not c["correct"]]
    return right, wrong


#: The strategies a learner could use without reading, by the name a problem gives them.
LENGTH_STRATEGIES = (("longest", longest_choice_scores), ("shortest", shortest_choice_scores))


def _pools(content: dict) -> list[tuple[str, list[dict], int]]:
    """(name, questions, how many an attempt asks) for the final quiz and the placement quiz."""
    questions = content["quiz"]
    final = [q for q in questions if q.get("use") != "placement"]
    placement = [q for q in questions if q["placement"]]
    return [
        ("final quiz", final, min(content.get("draw") or len(final), len(final))),
        ("placement quiz", placement, min(content.get("placement_draw") or len(placement), len(placement))),
    ]


def quiz_problems(module: LoadedModule) -> list[Problem]:
    """Every way the module's quizzes can be passed without reading, with the questions concerned."""
    file = f"library/{module.slug}/quiz.yaml"
    problems = []
    for name, questions, asked in _pools(module.content):
        if not questions:
            continue
        needed = right_answers_needed(module.pass_mark, asked)
        for language in LANGUAGES:
            for strategy, scores in LENGTH_STRATEGIES:
                hits = [q["id"] for q in questions if scores(q, language)]
                if len(hits) >= needed:
                    problems.append(Problem(file, f"{name} ({LANGUAGE_NAMES[language]})", (
                        f"the {strategy} choice is right in {len(hits)} of {len(questions)} questions "
                        f"({', '.join(hits)}): a learner who always picks it can answer {min(len(hits), asked)} of "
                        f"{asked} right, and {needed} right answers pass (pass mark {module.pass_mark}%); the "
                        f"{strategy} choice may be right in at most {needed - 1} questions")))
        single = [q for q in questions if q["kind"] == "single"]
        places = Counter()
        for question in single:
            places[next(n for n, c in enumerate(question["choices"], start=1) if c["correct"])] += 1
        for place, count in sorted(places.items()):
            if len(single) >= SAME_PLACE_MINIMUM and count > len(single) / 2:
                where = [q["id"] for q in single if q["choices"][place - 1]["correct"]]
                problems.append(Problem(file, name, (
                    f"the right choice is choice {place} in {count} of {len(single)} single-answer questions "
                    f"({', '.join(where)}); spread the right choices over the places")))
    return problems


def check_quizzes(root: Path = LIBRARY_PATH) -> tuple[dict[str, LoadedModule], list[Problem]]:
    """The library's modules, validated (raises LibraryError like `read_library`), and their quizzes' problems."""
    modules = read_library(root)
    return modules, [problem for slug in sorted(modules) for problem in quiz_problems(modules[slug])]
