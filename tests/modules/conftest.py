"""The fixture library's answers (the `library` and `trained` fixtures are in tests/conftest.py)."""
from __future__ import annotations

from tests.conftest import FIXTURE_LIBRARY  # noqa: F401  (the fixtures `library` and `trained` live there too)

#: Every quiz of the fixture library: choice "a" is right, and for the multiple-choice q5 "a" and "b".
RIGHT_ANSWERS = {"q1": ["a"], "q2": ["a"], "q3": ["a"], "q4": ["a"], "q5": ["a", "b"]}
WRONG_ANSWERS = {"q1": ["b"], "q2": ["b"], "q3": ["a"], "q4": ["a"], "q5": ["a"]}
