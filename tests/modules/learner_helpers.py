"""Helpers for the learner page tests: walk a module through the web pages as a person would."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from cxculture.extensions import db
from cxculture.modules.models import QuizAttempt


def quiz_form(client, url: str) -> dict:
    """GET a quiz page and return its hidden fields (form_token, version_id)."""
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    page = response.get_data(as_text=True)
    fields = dict(re.findall(r'name="(form_token|version_id)" value="([^"]*)"', page))
    assert set(fields) == {"form_token", "version_id"}, page
    return fields


def answers_form(answers: dict[str, list[str]], **hidden) -> dict:
    data = {f"answer-{qid}": list(choices) for qid, choices in answers.items()}
    data.update(hidden)
    return data


def read_all_lessons(client, slug: str, lesson_ids=("lesson-1", "lesson-2", "lesson-3")):
    """Start the module and mark every lesson as read; returns the last response (a redirect to the quiz)."""
    assert client.post(f"/learn/{slug}/start").status_code == 302
    response = None
    for lesson_id in lesson_ids:
        response = client.post(f"/learn/{slug}/lessons/{lesson_id}/done")
        assert response.status_code == 302
    return response


def submit(client, slug: str, answers, kind: str = "quiz", follow: bool = False):
    fields = quiz_form(client, f"/learn/{slug}/{kind}")
    return client.post(f"/learn/{slug}/{kind}", data=answers_form(answers, **fields), follow_redirects=follow)


def complete_module(client, slug: str, right_answers):
    read_all_lessons(client, slug)
    response = submit(client, slug, right_answers)
    assert response.status_code == 302 and "/attempts/" in response.headers["Location"]
    return response


def attempt_count(person_id: int | None = None) -> int:
    query = select(func.count(QuizAttempt.id))
    if person_id is not None:
        query = query.where(QuizAttempt.person_id == person_id)
    return db.session.scalar(query)
