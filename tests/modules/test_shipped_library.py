"""The shipped library: every module a fair bank, the worksheets where modules ask for practice, the role modules
on their roles' paths."""
from __future__ import annotations

import pytest

from cxculture.modules.library import LIBRARY_PATH, read_library
from cxculture.modules.paths import default_paths
from cxculture.modules.quizcheck import check_quizzes
from tests.modules.test_quiz_check import _best_length_score, _Version

#: module → (worksheet, the lesson that offers it)
WORKSHEETS = {
    "customer-journey": ("journey-map", "journey-and-touchpoints"),
    "knowing-your-customers": ("persona-canvas", "buyer-personas"),
    "kpis-and-rewards": ("kpi-pairing", "balanced-kpis-without-fear"),
    "back-office-internal-customer": ("hand-off-map", "hand-offs-and-queues"),
    "marketing-digital-journeys": ("channel-consistency-checklist", "chatbots-and-hand-over"),
    "voice-of-customer-programme": ("closed-loop-log", "close-the-loop"),
    "reading-cx-numbers": ("before-you-present", "gaming-and-pairing"),
}


def test_no_shipped_quiz_can_be_passed_without_reading(app):
    """Every shipped module is a fair bank: `cx modules check` is silent, and a learner who always picks the
    longest (or the shortest) choice fails every draw of every quiz, in both languages."""
    modules, problems = check_quizzes(LIBRARY_PATH)
    assert problems == [], "\n".join(map(str, problems))
    for module in modules.values():
        assert module.content.get("draw") and module.content.get("placement_draw"), module.slug
        quiz = [q for q in module.content["quiz"] if q.get("use") == "quiz"]
        assert len(quiz) >= 2 * module.content["draw"], module.slug  # two attempts can differ entirely
        assert sum("scenario" in q for q in quiz) >= 4, module.slug
        assert any(q["kind"] == "multiple" for q in quiz), module.slug
        assert any("scenario" in q for q in module.content["quiz"] if q.get("use") == "placement"), module.slug
        for language in ("en", "it"):
            for kind in ("quiz", "placement"):
                assert _best_length_score(_Version(module), kind, language, longest=True) < module.pass_mark
                assert _best_length_score(_Version(module), kind, language, longest=False) < module.pass_mark


def test_modules_that_ask_for_practice_offer_their_worksheet_from_that_lesson(app):
    modules = read_library(LIBRARY_PATH)
    offered = {slug: [(s["id"], s["lesson"]) for s in m.content.get("worksheets", [])] for slug, m in modules.items()}
    assert {slug: sheets for slug, sheets in offered.items() if sheets} == {
        slug: [sheet] for slug, sheet in WORKSHEETS.items()}
    for slug in WORKSHEETS:
        sheet = modules[slug].content["worksheets"][0]
        assert sorted(sheet["html"]) == ["en", "it"] and "<table>" in sheet["html"]["it"], slug


@pytest.mark.parametrize(("slug", "role"), [
    ("back-office-internal-customer", "back_office"),
    ("marketing-digital-journeys", "marketing_digital"),
    ("voice-of-customer-programme", "executive"),
    ("reading-cx-numbers", "hr"),
])
def test_the_new_modules_are_required_on_their_roles_paths(slug, role):
    assert {"module": slug, "required": True} in default_paths()[role]
