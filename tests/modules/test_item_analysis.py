"""Item analysis: per-question figures from synthetic attempts (known values), flags, the page and its tenancy."""
from __future__ import annotations

import statistics

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.modules import items as items_service
from cxculture.modules.items import ItemStats, item_analysis
from cxculture.modules.models import Module, QuizAttempt, QuizAttemptItem
from cxculture.orgs.service import person_by_email

#: Which of q1..q5 of the fixture module what-is-cx each synthetic attempt got right (pass mark 80%: 4 of 5).
RIGHT = [[1, 1, 1, 1, 1], [1, 1, 1, 1, 0], [1, 0, 1, 1, 0], [0, 0, 1, 0, 1], [1, 1, 0, 0, 0], [0, 1, 1, 0, 1]]
QUESTIONS = ["q1", "q2", "q3", "q4", "q5"]


def _module(slug="what-is-cx") -> Module:
    return db.session.scalar(select(Module).where(Module.slug == slug))


def add_attempts(email: str, rows, slug="what-is-cx") -> None:
    """Stored attempts of one person with the given right/wrong pattern over q1..q5 (committed)."""
    person = person_by_email(email)
    version = _module(slug).current
    for number, row in enumerate(rows):
        score = round(100 * sum(row) / len(row))
        attempt = QuizAttempt(
            organisation_id=person.organisation_id, person_id=person.id, module_version=version, kind="quiz",
            form_token=f"synthetic-{person.id}-{number}", answers={}, score=score, passed=score >= 80,
            questions=[{"id": qid, "choices": ["a", "b", "c"]} for qid in QUESTIONS])
        attempt.items = [QuizAttemptItem(question_id=qid, position=position, correct=bool(right))
                         for position, (qid, right) in enumerate(zip(QUESTIONS, row, strict=True), start=1)]
        db.session.add(attempt)
    db.session.commit()


def test_item_statistics_of_synthetic_attempts(trained):
    add_attempts("employee@bank.example.com", RIGHT)
    analysis = item_analysis(person_by_email("admin@bank.example.com").organisation_id, _module())
    assert analysis.attempts == 6 and [i.question["id"] for i in analysis.items] == QUESTIONS
    by_id = {item.question["id"]: item for item in analysis.items}
    for index, qid in enumerate(QUESTIONS):
        item = by_id[qid]
        x = [row[index] for row in RIGHT]
        rest = [(sum(row) - row[index]) / 4 for row in RIGHT]
        assert (item.answered, item.right) == (6, sum(x))
        assert item.discrimination == pytest.approx(statistics.correlation(x, rest), abs=1e-9)
    assert by_id["q4"].discrimination == pytest.approx(0.4472136, abs=1e-6)  # 1/sqrt(5)
    assert by_id["q5"].discrimination == pytest.approx(-0.3015113, abs=1e-6)
    assert by_id["q3"].percent_right == pytest.approx(500 / 6)
    # Two attempts passed (5/5 and 4/5): q4 right in both, and in 1 of the 4 that failed.
    assert by_id["q4"].pass_fail_gap == pytest.approx(75)
    assert by_id["q5"].pass_fail_gap == pytest.approx(0)
    assert all(not item.judged and item.flags == [] for item in analysis.items)  # 6 answers: too few to judge


def test_an_item_everyone_gets_right_has_no_discrimination(trained):
    add_attempts("employee@bank.example.com", [[1, 1, 1, 1, 0], [1, 0, 0, 1, 1], [1, 1, 1, 0, 0]])
    analysis = item_analysis(person_by_email("admin@bank.example.com").organisation_id, _module())
    q1 = analysis.items[0]
    assert q1.percent_right == 100 and q1.discrimination is None and q1.pass_fail_gap == 0


@pytest.mark.parametrize("answered, right, discrimination, flags", [
    (29, 29, None, []),  # too few answers to judge
    (30, 15, 0.45, []),
    (30, 15, -0.1, ["negative"]),
    (30, 15, 0.1, ["not-separating"]),
    (30, 15, None, ["not-separating"]),
    (40, 38, 0.35, ["too-easy"]),
    (40, 8, 0.35, ["too-hard"]),
    (40, 39, 0.05, ["not-separating", "too-easy"]),
])
def test_weak_items_are_flagged(answered, right, discrimination, flags):
    assert ItemStats({}, answered, right, discrimination).flags == flags


def test_the_page_counts_only_the_organisations_attempts(client, trained, login_as, monkeypatch):
    monkeypatch.setattr(items_service, "MIN_ANSWERS", 5)
    add_attempts("employee@bank.example.com", RIGHT)
    add_attempts("employee@retail.example.com", [[0, 0, 0, 0, 0]] * 4)
    login_as("admin", org="bank")
    page = client.get("/admin/training/library/what-is-cx/items")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "6 attempts on this version." in body
    assert "Works against the quiz" in body and "Works well" in body  # q5 and q4
    assert "0.45" in body and "-0.30" in body and "+75" in body
    client.post("/logout")
    login_as("hr", org="retail")
    body = client.get("/admin/training/library/what-is-cx/items").get_data(as_text=True)
    assert body.count('<td class="num">4</td>') == 5 and '<td class="num">6</td>' not in body  # 4 answers each
    assert body.count(">0%<") == 5  # nobody in retail got anything right
    index = client.get("/admin/training/items").get_data(as_text=True)
    assert "Titolo di what-is-cx" in index  # retail reads Italian


@pytest.mark.parametrize("account, status", [("admin", 200), ("hr", 200), ("leader", 403), ("manager", 403),
                                             ("employee", 403)])
def test_item_analysis_is_for_administrators_and_hr(client, trained, login_as, account, status):
    login_as(account, org="bank")
    assert client.get("/admin/training/items").status_code == status
    assert client.get("/admin/training/library/what-is-cx/items").status_code == status


def test_an_unknown_module_or_version_is_not_found(client, trained, login_as):
    login_as("admin", org="bank")
    assert client.get("/admin/training/library/no-such-module/items").status_code == 404
    assert client.get("/admin/training/library/what-is-cx/items?version=7").status_code == 404
    assert client.get("/admin/training/library/what-is-cx/items?version=1").status_code == 200


def test_items_of_real_attempts_through_the_pages(client, trained, login_as):
    """A quiz taken through the pages is counted, with every question of the draw."""
    from tests.modules.conftest import RIGHT_ANSWERS, WRONG_ANSWERS
    from tests.modules.learner_helpers import read_all_lessons, submit

    login_as("employee", org="bank")
    read_all_lessons(client, "what-is-cx")
    submit(client, "what-is-cx", WRONG_ANSWERS)
    submit(client, "what-is-cx", RIGHT_ANSWERS)
    analysis = item_analysis(person_by_email("admin@bank.example.com").organisation_id, _module())
    assert analysis.attempts == 2
    assert [(i.answered, i.right) for i in analysis.items] == [(2, 1), (2, 1), (2, 2), (2, 2), (2, 1)]


@pytest.mark.parametrize("value, status, message", [
    ("", 400, "Enter a whole number from 0 (never) to 20."),
    ("many", 400, ""),
    ("-1", 400, "Enter a whole number from 0 (never) to 20."),
    ("21", 400, "Enter a whole number from 0 (never) to 20."),
    ("0", 302, None),
    ("5", 302, None),
])
def test_the_key_setting_is_saved_or_refused(client, trained, login_as, value, status, message):
    from cxculture.modules.settings import key_after_failures

    admin = login_as("admin", org="bank")
    assert key_after_failures(admin.organisation_id) == 3
    response = client.post("/admin/training/settings", data={"key_after_failures": value})
    assert response.status_code == status
    if status == 400:
        assert message in response.get_data(as_text=True)
        assert key_after_failures(admin.organisation_id) == 3
    else:
        assert key_after_failures(admin.organisation_id) == int(value)
        assert f'value="{value}"' in client.get("/admin/training/settings").get_data(as_text=True)


def test_the_key_setting_is_for_administrators(client, trained, login_as):
    login_as("hr", org="bank")
    assert client.get("/admin/training/settings").status_code == 403
    assert client.post("/admin/training/settings", data={"key_after_failures": "0"}).status_code == 403
