"""Learning events -> xAPI statements and grade passbacks, added to the outbox in the event's own transaction."""
from __future__ import annotations

from sqlalchemy import select

from .. import events
from ..extensions import db
from ..i18n import person_language
from ..orgs.models import Person
from . import xapi
from .models import GradeLink, LrsSettings
from .outbox import enqueue_passback, enqueue_statement


def _settings(person: Person) -> LrsSettings | None:
    if person.erased_at is not None:  # erased at their request: nothing more about them is ever queued
        return None
    settings = db.session.scalar(select(LrsSettings).where(LrsSettings.organisation_id == person.organisation_id))
    return settings if settings is not None and settings.enabled else None


def on_module_started(person: Person, module_version, **_):
    if settings := _settings(person):
        enqueue_statement(person.organisation_id, "module-started", xapi.statement(
            settings, person, "initialized", xapi.module_activity(module_version), language=person_language(person)))


def on_lesson_completed(person: Person, module_version, lesson, **_):
    if settings := _settings(person):
        found = next((item for item in module_version.lessons if item["id"] == lesson), {"title": {}})
        names = found.get("title") if isinstance(found.get("title"), dict) else {}
        obj = xapi.activity("lesson", f"module/{module_version.module.slug}/lesson/{lesson}", names)
        enqueue_statement(person.organisation_id, "lesson-completed", xapi.statement(
            settings, person, "completed", obj, result={"completion": True},
            parent=xapi.module_activity(module_version), language=person_language(person)))


def on_quiz_done(person: Person, attempt, **_):
    version = attempt.module_version
    if settings := _settings(person):
        names = {lang: f"{text} – quiz" for lang, text in version.content.get("title", {}).items()}
        obj = xapi.activity("quiz", f"module/{version.module.slug}/{attempt.kind}", names)
        enqueue_statement(person.organisation_id, "quiz-passed" if attempt.passed else "quiz-failed", xapi.statement(
            settings, person, "passed" if attempt.passed else "failed", obj,
            result=xapi.quiz_result(attempt.score, attempt.passed), parent=xapi.module_activity(version),
            language=person_language(person)))
    if attempt.passed and person.erased_at is None:
        for link in db.session.scalars(select(GradeLink).where(GradeLink.person_id == person.id,
                                                               GradeLink.module_id == version.module_id)):
            enqueue_passback(link, attempt)


def on_module_completed(person: Person, module_version, **_):
    if settings := _settings(person):
        enqueue_statement(person.organisation_id, "module-completed", xapi.statement(
            settings, person, "completed", xapi.module_activity(module_version), result={"completion": True},
            language=person_language(person)))


def on_assessment_submitted(person: Person, campaign, **_):
    """Only that the person took part: no answer, team or exact time that could point at their response."""
    if settings := _settings(person):
        from datetime import datetime, time

        from ..util import utcnow

        day = datetime.combine(utcnow().date(), time())
        obj = xapi.activity("assessment", f"assessment/{campaign.id}", {"en": campaign.title})
        enqueue_statement(person.organisation_id, "assessment-completed", xapi.statement(
            settings, person, "completed", obj, result={"completion": True}, timestamp=day))


def on_cafe_attended(person: Person, cafe=None, **_):
    if cafe is None:
        return
    if settings := _settings(person):
        title = getattr(cafe, "title", None) or getattr(cafe, "name", None) or ""
        obj = xapi.activity("cafe", f"cafe/{cafe.id}", {"en": str(title)})
        enqueue_statement(person.organisation_id, "cafe-attended", xapi.statement(
            settings, person, "attended", obj, language=person_language(person)))


def connect_signals() -> None:
    """Subscribe once (blinker keeps strong references here, so repeated app creation does not duplicate)."""
    events.module_started.connect(on_module_started, weak=False)
    events.lesson_completed.connect(on_lesson_completed, weak=False)
    events.quiz_passed.connect(on_quiz_done, weak=False)
    events.quiz_failed.connect(on_quiz_done, weak=False)
    events.module_completed.connect(on_module_completed, weak=False)
    events.assessment_submitted.connect(on_assessment_submitted, weak=False)
    events.cafe_attended.connect(on_cafe_attended, weak=False)
