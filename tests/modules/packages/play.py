"""Driving the package player in Chromium as a learner does: read each lesson, answer the quiz."""
from __future__ import annotations

import json
import re
import zipfile

from playwright.sync_api import FrameLocator, Page, expect


def player_data(archive: zipfile.ZipFile) -> dict:
    html = archive.read("index.html").decode()
    found = re.search(r'<script type="application/json" id="cx-package">(.*?)</script>', html, re.S)
    assert found, "no player data in index.html"
    return json.loads(found.group(1))


def read_lessons(player: Page | FrameLocator, count: int, next_label: str, last_label: str, start: int = 0) -> None:
    """Click through the lessons from `start` on; each shows before its button is pressed."""
    for number in range(start + 1, count + 1):
        expect(player.locator(f"[data-lesson='{number - 1}']")).to_be_visible()
        label = last_label if number == count else next_label
        player.get_by_role("button", name=label).click()


def answer_quiz(player: Page | FrameLocator, data: dict, submit_label: str, wrong: int = 0) -> int:
    """Answer every question shown, the first `wrong` of them wrong and the others right; returns how many
    questions were asked."""
    questions = player.locator("fieldset.cx-question:not([hidden])")
    expect(questions.first).to_be_visible()
    key = {q["id"]: q["right"] for q in data["questions"]}
    asked = questions.count()
    for index in range(asked):
        fieldset = questions.nth(index)
        question_id = fieldset.get_attribute("data-question")
        choices = [c.get_attribute("value") for c in fieldset.locator("input").all()]
        picks = key[question_id] if index >= wrong else [next(c for c in choices if c not in key[question_id])]
        for choice in picks:
            fieldset.locator(f"input[value='{choice}']").check()
    player.get_by_role("button", name=submit_label).click()
    return asked
