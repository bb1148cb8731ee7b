"""Worksheets: a lesson offers its practice sheet as a PDF; administrators see it in the library."""
from __future__ import annotations

from tests.conftest import get_file, pdf_text
from tests.modules.learner_helpers import read_all_lessons

SHEET = "/learn/what-is-cx/worksheets/journey-sheet.pdf"


def test_the_lesson_that_asks_for_practice_offers_its_worksheet_as_a_pdf(client, trained, login_as):
    login_as("employee", org="bank")
    read_all_lessons(client, "what-is-cx")
    lesson = client.get("/learn/what-is-cx/lessons/lesson-2").get_data(as_text=True)
    assert "Worksheet for this lesson" in lesson and f'href="{SHEET}"' in lesson
    assert "Worksheet for this lesson" not in client.get("/learn/what-is-cx/lessons/lesson-1").get_data(as_text=True)
    assert f'href="{SHEET}"' in client.get("/learn/what-is-cx").get_data(as_text=True)

    response = get_file(client, SHEET)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")


def test_the_worksheet_is_in_the_persons_language(client, trained, login_as, tmp_path):
    login_as("employee", org="bank")
    client.post("/language", data={"language": "it"})
    text = pdf_text(get_file(client, SHEET).data, tmp_path)
    assert "Scheda del percorso" in text and "Che cosa prova" in text


def test_unknown_worksheets_and_modules_off_the_plan_are_not_found(client, trained, login_as):
    login_as("employee", org="bank")
    assert client.get("/learn/what-is-cx/worksheets/nothing.pdf").status_code == 404
    assert client.get("/learn/no-such-module/worksheets/journey-sheet.pdf").status_code == 404


def test_administrators_read_the_worksheet_from_the_library(client, trained, login_as):
    login_as("admin", org="bank")
    page = client.get("/admin/training/library/what-is-cx").get_data(as_text=True)
    url = "/admin/training/library/what-is-cx/worksheets/journey-sheet.pdf"
    assert f'href="{url}"' in page
    assert get_file(client, url).data.startswith(b"%PDF")
    client.post("/logout")
    login_as("employee", org="bank")
    assert client.get(url).status_code == 403
