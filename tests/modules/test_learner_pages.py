"""The learner's home, module pages and lessons: plan, reasons, start and resume, locks, pinned versions."""
from __future__ import annotations

import shutil
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.modules.library import sync_library
from cxculture.modules.models import Assignment, Module, PathItem, Progress, TrainingPath
from cxculture.modules.personalisation import PillarFocus, set_pillar_focus_provider
from cxculture.orgs.service import person_by_email
from tests.conftest import DEMO_PASSWORD
from tests.modules.conftest import FIXTURE_LIBRARY
from tests.modules.learner_helpers import read_all_lessons

# The bank's employee is front line: with the fixture library their path is what-is-cx, then customer-journey and
# listening-to-customers, which both need what-is-cx first.


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response.get_data(as_text=True)


def progress_of(person, slug: str) -> Progress | None:
    return db.session.scalar(select(Progress).join(Module).where(Progress.person_id == person.id, Module.slug == slug))


def test_dashboard_shows_plan_progress_next_module_and_locks(client, trained, login_as):
    login_as("employee", org="bank")
    body = page(client, "/home/employee")
    assert "0 of 3 required modules completed" in body
    assert '<progress class="learn-progress" id="path-progress" max="3" value="0"' in body
    for title in ("Title of what-is-cx", "Title of customer-journey", "Title of listening-to-customers"):
        assert title in body
    assert "Your next module" in body
    assert 'action="/learn/what-is-cx/start"' in body
    assert "Finish Title of what-is-cx first." in body
    assert body.count("Locked") >= 2
    assert "Your role" in body and "Listening" in body and "7 min" in body  # 2 lessons of ~90 words, 5 questions
    assert "Title of leading-a-customer-centric-culture" not in body  # an executive module, not on this plan
    assert "Demo Bank" in body and "Front line" in body  # the "You" card stays


def test_dashboard_without_a_library_says_the_path_is_not_ready(client, demo, login_as):
    login_as("employee", org="bank")
    assert "Your training path is not set up yet" in page(client, "/home/employee")


@pytest.mark.parametrize("scope, reason", [
    ("team", "Your team&#39;s lowest pillar: Listening"),
    ("organisation", "Your organisation&#39;s lowest pillar: Listening"),
])
def test_dashboard_says_why_a_pillar_module_is_there(app, client, trained, login_as, scope, reason):
    set_pillar_focus_provider(app, lambda person: PillarFocus(("listening",), scope))
    login_as("employee", org="bank")
    body = page(client, "/home/employee").replace("'", "&#39;")
    assert reason in body


def test_dashboard_says_who_assigned_a_module_and_flags_overdue(client, trained, login_as):
    employee = person_by_email("employee@bank.example.com")
    manager = person_by_email("manager@bank.example.com")
    leading = db.session.scalar(select(Module).where(Module.slug == "leading-a-customer-centric-culture"))
    db.session.add(Assignment(organisation_id=employee.organisation_id, person_id=employee.id, module_id=leading.id,
                              assigned_by_id=manager.id, due_date=date.today() + timedelta(days=30)))
    item = db.session.scalar(select(PathItem).join(TrainingPath).join(Module).where(
        TrainingPath.organisation_id == employee.organisation_id, TrainingPath.job_role_id == employee.job_role_id,
        Module.slug == "what-is-cx"))
    item.due_date = date.today() - timedelta(days=3)
    db.session.commit()
    login_as("employee", org="bank")
    body = page(client, "/home/employee")
    assert "Assigned by Manager Demo Bank" in body
    assert "Title of leading-a-customer-centric-culture" in body
    assert body.count("Overdue: due") == 2  # what-is-cx, in the next-module card and in the plan
    assert '<span class="learn-due">Due ' in body  # the assignment is due in a month: not overdue


def test_module_not_on_the_plan_is_not_found(client, trained, login_as):
    login_as("employee", org="bank")
    for url in ("/learn/leading-a-customer-centric-culture", "/learn/no-such-module",
                "/learn/leading-a-customer-centric-culture/quiz", "/learn/leading-a-customer-centric-culture/placement",
                "/learn/leading-a-customer-centric-culture/lessons/lesson-1"):
        assert client.get(url).status_code == 404, url
    assert client.post("/learn/leading-a-customer-centric-culture/start").status_code == 404


def test_module_page_lists_lessons_and_offers_start_and_placement(client, trained, login_as):
    login_as("employee", org="bank")
    body = page(client, "/learn/what-is-cx")
    assert "A test module." in body
    for number in (1, 2, 3):
        assert f"what-is-cx lesson {number}" in body
    assert "Start the module" in body
    assert 'href="/learn/what-is-cx/placement"' in body
    assert "The final quiz opens once you have read every lesson." in body


def test_start_goes_to_the_first_lesson_and_resume_to_the_current_one(client, trained, login_as):
    person = login_as("employee", org="bank")
    response = client.post("/learn/what-is-cx/start")
    assert response.headers["Location"] == "/learn/what-is-cx/lessons/lesson-1"
    lesson = page(client, "/learn/what-is-cx/lessons/lesson-1")
    assert "what-is-cx lesson 1" in lesson and "Lesson 1 of 3" in lesson and "Mark as read and continue" in lesson
    assert "<p>" in lesson  # the lesson's rendered Markdown

    response = client.post("/learn/what-is-cx/lessons/lesson-1/done")
    assert response.headers["Location"] == "/learn/what-is-cx/lessons/lesson-2"
    progress = progress_of(person, "what-is-cx")
    assert progress.lessons_done == ["lesson-1"] and progress.current_lesson == "lesson-2"

    home = page(client, "/home/employee")
    assert "Continue where you left off" in home
    assert 'href="/learn/what-is-cx/lessons/lesson-2"' in home and "Resume" in home
    assert "1 of 3 lessons read" in home
    # Starting again (a second tab) resumes rather than restarting.
    assert client.post("/learn/what-is-cx/start").headers["Location"] == "/learn/what-is-cx/lessons/lesson-2"


def test_last_lesson_leads_to_the_quiz(client, trained, login_as):
    login_as("employee", org="bank")
    response = read_all_lessons(client, "what-is-cx")
    assert response.headers["Location"] == "/learn/what-is-cx/quiz"
    assert 'href="/learn/what-is-cx/quiz"' in page(client, "/home/employee")  # resume now means the quiz


def test_quiz_waits_for_every_lesson(client, trained, login_as):
    login_as("employee", org="bank")
    assert client.get("/learn/what-is-cx/quiz").headers["Location"] == "/learn/what-is-cx"  # not started
    client.post("/learn/what-is-cx/start")
    client.post("/learn/what-is-cx/lessons/lesson-1/done")
    response = client.get("/learn/what-is-cx/quiz", follow_redirects=True)
    assert "Read every lesson before taking the quiz." in response.get_data(as_text=True)
    assert response.request.path == "/learn/what-is-cx/lessons/lesson-2"


def test_lessons_need_a_start_and_a_known_id(client, trained, login_as):
    login_as("employee", org="bank")
    assert client.get("/learn/what-is-cx/lessons/lesson-1").headers["Location"] == "/learn/what-is-cx"
    assert client.post("/learn/what-is-cx/lessons/lesson-1/done").headers["Location"] == "/learn/what-is-cx"
    client.post("/learn/what-is-cx/start")
    assert client.get("/learn/what-is-cx/lessons/no-such-lesson").status_code == 404
    assert client.post("/learn/what-is-cx/lessons/no-such-lesson/done").status_code == 404


def test_locked_module_cannot_be_started(client, trained, login_as):
    person = login_as("employee", org="bank")
    body = page(client, "/learn/customer-journey")
    assert "This module is locked." in body and "Finish Title of what-is-cx first." in body
    assert 'action="/learn/customer-journey/start"' not in body
    response = client.post("/learn/customer-journey/start", follow_redirects=True)
    assert response.status_code == 200
    assert "This module is locked: finish Title of what-is-cx first." in response.get_data(as_text=True)
    assert progress_of(person, "customer-journey") is None
    assert client.get("/learn/customer-journey/placement").headers["Location"] == "/learn/customer-journey"


def _changed_library(tmp_path):
    """A copy of the fixture library where what-is-cx has new lesson titles and a renamed third lesson."""
    root = tmp_path / "library"
    shutil.copytree(FIXTURE_LIBRARY, root)
    module = root / "what-is-cx"
    meta = (module / "module.yaml").read_text(encoding="utf-8")
    meta = meta.replace("what-is-cx lesson 1", "REVISED lesson one").replace("id: lesson-3", "id: lesson-new")
    (module / "module.yaml").write_text(meta, encoding="utf-8")
    for language in ("en", "it"):
        (module / "lessons" / f"lesson-3.{language}.md").rename(module / "lessons" / f"lesson-new.{language}.md")
    return root


def test_lessons_stay_on_the_version_the_person_started(client, trained, login_as, make_person, tmp_path):
    person = login_as("employee", org="bank")
    client.post("/learn/what-is-cx/start")
    client.post("/learn/what-is-cx/lessons/lesson-1/done")
    report = sync_library(_changed_library(tmp_path))
    db.session.commit()
    assert report.new_versions == ["what-is-cx"]

    lesson = page(client, "/learn/what-is-cx/lessons/lesson-1")
    assert "what-is-cx lesson 1" in lesson and "REVISED" not in lesson
    assert client.get("/learn/what-is-cx/lessons/lesson-3").status_code == 200
    assert client.get("/learn/what-is-cx/lessons/lesson-new").status_code == 404
    client.post("/learn/what-is-cx/lessons/lesson-2/done")
    assert client.post("/learn/what-is-cx/lessons/lesson-3/done").headers["Location"] == "/learn/what-is-cx/quiz"
    assert progress_of(person, "what-is-cx").module_version.version == 1

    # Someone starting now gets the new version.
    newcomer = make_person(person.organisation, "new.starter@bank.example.com", job_role=person.job_role)
    client.post("/logout")
    client.post("/login", data={"email": newcomer.email, "password": DEMO_PASSWORD})
    assert client.post("/learn/what-is-cx/start").status_code == 302
    assert "REVISED lesson one" in page(client, "/learn/what-is-cx/lessons/lesson-1")
    assert client.get("/learn/what-is-cx/lessons/lesson-new").status_code == 200


def test_learner_pages_speak_the_persons_language(client, trained, login_as):
    login_as("employee", org="retail")  # Demo Retail is Italian
    home = page(client, "/home/employee")
    assert "Titolo di what-is-cx" in home  # interface strings follow once the catalogue has them
    client.post("/learn/what-is-cx/start")
    assert "what-is-cx lezione 1" in page(client, "/learn/what-is-cx/lessons/lesson-1")
