"""The fixture library's answers (the `library` and `trained` fixtures are in tests/conftest.py)."""
from __future__ import annotations

from tests.conftest import FIXTURE_LIBRARY  # noqa: F401  (the fixtures `library` and `trained` live there too)

#: Every quiz of the fixture library: choice "a" is right, and for the multiple-choice q5 "a" and "b".
RIGHT_ANSWERS = {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q4": ["a"], "q5": ["a", "b"]}
WRONG_ANSWERS = {"q1": ["b"], "q2": ["b"], "q3": ["a"], "q4": ["a"], "q5": ["a"]}


def submit_drawn(person, entry, kind: str, version_id: int, form_token: str, answers: dict):
    """submit_quiz as after showing the quiz page: the person's open draw carries `form_token` (a token already
    submitted is sent again as it is, to test repeats)."""
    from sqlalchemy import select

    from cxculture.extensions import db
    from cxculture.modules.models import QuizAttempt
    from cxculture.modules.progress import open_draw, submit_quiz

    if db.session.scalar(select(QuizAttempt.id).where(QuizAttempt.form_token == form_token)) is None:
        open_draw(person, entry, kind).form_token = form_token
        db.session.flush()
    return submit_quiz(person, entry, kind, version_id, form_token, answers)
