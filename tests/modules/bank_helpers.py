"""The fixture question bank (tests/modules/bank_library/quiz-bank) beside the fixture library, on a person's plan."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

from sqlalchemy import select

from cxculture.extensions import db
from cxculture.modules.library import sync_library
from cxculture.modules.models import Assignment, Module

BANK_LIBRARY = Path(__file__).parent / "bank_library"
BANK = "quiz-bank"
#: The right choices of every question of the bank.
BANK_RIGHT = {"q1": ["a"], "q2": ["b"], "q3": ["c"], "q4": ["d"], "q5": ["a"], "q6": ["b"], "q7": ["c"], "q8": ["a"],
              "q9": ["b"], "q10": ["a", "c"], "p1": ["a"], "p2": ["b"], "p3": ["c"], "p4": ["b"]}
QUIZ_ITEMS = {f"q{n}" for n in range(1, 11)}
PLACEMENT_ITEMS = {"p1", "p2", "p3", "p4"}


def wrong(question_id: str) -> list[str]:
    return ["b"] if BANK_RIGHT[question_id] != ["b"] else ["a"]


def library_with_bank(tmp_path: Path) -> Path:
    """A copy of the fixture library with the bank module added."""
    from tests.conftest import FIXTURE_LIBRARY

    root = tmp_path / "library"
    shutil.copytree(FIXTURE_LIBRARY, root)
    shutil.copytree(BANK_LIBRARY / BANK, root / BANK)
    return root


def load_bank(tmp_path: Path, people) -> Module:
    """Sync the library with the bank and put the bank on each person's plan (committed)."""
    sync_library(library_with_bank(tmp_path))
    module = db.session.scalar(select(Module).where(Module.slug == BANK))
    for person in people:
        db.session.add(Assignment(organisation_id=person.organisation_id, person_id=person.id, module_id=module.id))
    db.session.commit()
    return module


def shown_questions(page: str) -> list[tuple[str, list[str]]]:
    """The questions of a quiz page in the order shown, each with its choice ids in the order shown."""
    shown: dict[str, list[str]] = {}
    for question_id, choice_id in re.findall(r'name="answer-([a-z0-9-]+)" value="([^"]+)"', page):
        shown.setdefault(question_id, []).append(choice_id)
    return list(shown.items())
