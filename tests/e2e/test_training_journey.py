"""An employee follows their plan in a real browser, fails then passes a quiz, tests out of the rest, gets the
certificate; their manager then sees the completed path in the team matrix."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import download

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("browser")]

#: The fixture library's quizzes: "a" is right everywhere, and the multiple-choice q5 wants "a" and "b".
RIGHT = {1: ["a"], 2: ["a"], 3: ["a"], 4: ["a"], 5: ["a", "b"]}
WRONG = {1: ["b"], 2: ["b"], 3: ["a"], 4: ["a"], 5: ["a"]}


def answer(page: Page, answers: dict[int, list[str]]) -> None:
    questions = page.locator("fieldset")
    total = questions.count()
    for number in range(1, total + 1):
        question = page.locator("fieldset", has_text=f"Question {number} of {total}")
        for choice in answers[number]:
            question.get_by_label(f"Choice {choice}", exact=True).check()
    page.get_by_role("button", name="Submit my answers").click()


def test_employee_completes_the_path_and_the_manager_sees_it(page: Page, log_in, log_out, new_context,
                                                             live_server):
    log_in("employee@bank.example.com")
    expect(page.get_by_role("heading", name="Your training path")).to_be_visible()
    expect(page.locator("main")).to_contain_text("0 of 3 required modules completed")

    # The first module: start, read every lesson, fail the quiz, read the feedback, pass.
    page.get_by_role("link", name="About this module").first.click()
    page.get_by_role("button", name="Start the module").click()
    for _ in range(3):
        expect(page.locator("main")).to_contain_text(re.compile(r"Lesson \d of 3"))
        page.get_by_role("button", name=re.compile("^Mark as read")).click()
    expect(page.locator("main")).to_contain_text("Answer every question.")
    answer(page, WRONG)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Not passed: 40%"))
    expect(page.locator("main")).to_contain_text("Why b")  # each chosen answer comes with its explanation
    page.get_by_role("link", name="Try again").click()
    answer(page, RIGHT)
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Passed: 100%"))

    # The other two modules: test out with the placement quiz.
    for slug in ("customer-journey", "listening-to-customers"):
        page.goto(f"/learn/{slug}/placement")
        answer(page, RIGHT)
        expect(page.locator("main")).to_contain_text("You tested out: the module counts as completed.")

    page.goto("/home/employee")
    expect(page.locator("main")).to_contain_text("3 of 3 required modules completed")
    expect(page.locator("main")).to_contain_text("Path completed.")
    certificate = page.get_by_role("link", name="Download your certificate (PDF)")
    pdf = download(page, certificate, 60_000)
    assert pdf.body().startswith(b"%PDF")
    page.go_back()  # from the file's page to the result
    page.get_by_role("link", name="Public verification page").click()
    expect(page.locator("main")).to_contain_text("Employee Demo Bank")
    log_out("Employee Demo Bank")

    # The manager's matrix shows the whole path completed.
    log_in("manager@bank.example.com")
    page.goto("/team/training")
    row = page.locator("tr", has_text="Employee Demo Bank")
    expect(row).to_contain_text("3/3")
