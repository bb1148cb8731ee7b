"""Deep Linking 2.0 and grade passback (AGS) end to end against the lti1p3platform platform."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.lms.models import GradePassback, LtiIdentity
from cxculture.lms.outbox import deliver_grades
from cxculture.modules.plan import build_plan
from cxculture.modules.progress import start_module
from cxculture.orgs.models import Person
from cxculture.util import utcnow
from tests.modules.conftest import RIGHT_ANSWERS, submit_drawn

from .conftest import hidden_value, launch

pytestmark = pytest.mark.slow
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def test_course_author_places_a_module_with_the_content_picker(registered, platform, tool_url):
    session, response, _ = launch(platform, user_id="teacher-1", roles=[INSTRUCTOR], deep_link=True)
    assert response.status_code == 302 and "/lti/deep-link/" in response.headers["Location"]
    picker = session.get(tool_url + response.headers["Location"], timeout=10)
    assert picker.status_code == 200 and 'value="module:what-is-cx"' in picker.text
    answer = session.post(tool_url + response.headers["Location"], data={"choice": "module:what-is-cx"}, timeout=10)
    assert answer.status_code == 200
    returned = session.post(f"{platform.url}/deep-link-return", data={"JWT": hidden_value(answer.text, "JWT")},
                            timeout=10)
    assert returned.status_code == 200, returned.text
    item, = platform.deep_link_items[-1]
    assert item["type"] == "ltiResourceLink" and item["custom"] == {"target": "module:what-is-cx"}
    assert item["lineItem"]["scoreMaximum"] == 100
    again = session.post(tool_url + response.headers["Location"], data={"choice": "module:what-is-cx"}, timeout=10)
    assert again.status_code == 400 and "already used" in again.text  # answered once


def test_a_learner_cannot_open_the_content_picker(registered, platform):
    _, response, _ = launch(platform, user_id="learner-dl", deep_link=True)
    assert response.status_code == 403 and "course authors" in response.text


def test_passing_the_quiz_sends_the_score_back_and_a_failed_passback_is_retried(registered, platform):
    _, response, _ = launch(platform, user_id="learner-ags", custom={"target": "module:what-is-cx"})
    assert response.status_code == 302
    person = db.session.scalar(select(Person).join(LtiIdentity).where(LtiIdentity.subject == "learner-ags"))
    entry = build_plan(person).entry("what-is-cx")
    progress = start_module(person, entry)
    submit_drawn(person, entry, "quiz", progress.module_version_id, "ags-form-1", RIGHT_ANSWERS)
    db.session.commit()
    passback, = db.session.scalars(select(GradePassback))
    platform.score_failures = 1  # the platform is briefly unavailable

    first = deliver_grades()
    assert first.retrying == 1 and platform.scores == []
    db.session.refresh(passback)
    assert passback.status == "pending" and "503" in passback.last_error

    assert deliver_grades().sent == 0  # not due yet: backoff
    later = deliver_grades(now=utcnow() + timedelta(minutes=5))
    assert later.sent == 1
    score, = platform.scores
    assert score["userId"] == "learner-ags" and score["scoreGiven"] == 100 and score["scoreMaximum"] == 100
    assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"
    assert deliver_grades(now=utcnow() + timedelta(hours=1)).sent == 0  # sent once


def test_an_old_content_picker_cannot_answer(registered, platform, tool_url):
    from cxculture.lms.models import LtiLaunch

    session, response, _ = launch(platform, user_id="teacher-2", roles=[INSTRUCTOR], deep_link=True)
    picker = db.session.scalar(select(LtiLaunch))
    picker.created_at -= timedelta(hours=3)
    db.session.commit()
    answer = session.post(tool_url + response.headers["Location"], data={"choice": "module:what-is-cx"}, timeout=10)
    assert answer.status_code == 400 and "has expired" in answer.text
    db.session.refresh(picker)
    assert picker.answered_at is None
