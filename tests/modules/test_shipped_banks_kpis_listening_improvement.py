"""The shipped question banks of kpis-and-rewards, listening-to-customers and continuous-improvement (issue 14),
and the KPI-pairing sheet that kpis-and-rewards offers."""
from __future__ import annotations

import pytest

from cxculture.modules.library import LIBRARY_PATH, read_library
from cxculture.modules.quizcheck import check_quizzes

SLUGS = ("kpis-and-rewards", "listening-to-customers", "continuous-improvement")


@pytest.mark.parametrize("slug", SLUGS)
def test_the_bank_has_enough_questions_of_each_use_and_cannot_be_passed_without_reading(app, slug):
    modules, problems = check_quizzes(LIBRARY_PATH)
    assert [p for p in problems if p.file == f"library/{slug}/quiz.yaml"] == []
    content = modules[slug].content
    quiz = [q for q in content["quiz"] if q["use"] == "quiz"]
    placement = [q for q in content["quiz"] if q["use"] == "placement"]
    assert (content["draw"], content["placement_draw"]) == (6, 4)
    assert len(quiz) >= 12 and len(placement) >= 5
    assert sum(bool(q.get("scenario")) for q in quiz) >= 4
    assert any(q.get("scenario") for q in placement)
    assert any(q["kind"] == "multiple" for q in quiz)


def test_kpis_and_rewards_offers_the_kpi_pairing_sheet_from_the_lesson_on_pairing_kpis(app):
    module = read_library(LIBRARY_PATH)["kpis-and-rewards"]
    [sheet] = module.content["worksheets"]
    assert (sheet["id"], sheet["lesson"]) == ("kpi-pairing", "balanced-kpis-without-fear")
    assert "KPI that pairs with it to guard the customer" in sheet["html"]["en"]
    assert "KPI da abbinare per tutelare il cliente" in sheet["html"]["it"]
    lesson = next(lesson for lesson in module.content["lessons"] if lesson["id"] == sheet["lesson"])
    assert "KPI-pairing sheet" in lesson["body"]["en"] and "scheda per abbinare i KPI" in lesson["body"]["it"]
