"""xAPI 1.0.3 statements for learning events: who (an account with a pseudonym unless the organisation chose
e-mail), what, and never anything that could identify a culture-assessment response."""
from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime

from flask import current_app

from ..orgs.models import Person
from ..util import utcnow
from .models import LrsSettings

XAPI_VERSION = "1.0.3"
VERBS = {
    "initialized": ("http://adlnet.gov/expapi/verbs/initialized", "started"),
    "completed": ("http://adlnet.gov/expapi/verbs/completed", "completed"),
    "passed": ("http://adlnet.gov/expapi/verbs/passed", "passed"),
    "failed": ("http://adlnet.gov/expapi/verbs/failed", "failed"),
    "attended": ("http://adlnet.gov/expapi/verbs/attended", "attended"),
}
ACTIVITY_TYPES = {
    "module": "http://adlnet.gov/expapi/activities/module",
    "lesson": "http://adlnet.gov/expapi/activities/lesson",
    "quiz": "http://adlnet.gov/expapi/activities/assessment",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "cafe": "http://adlnet.gov/expapi/activities/meeting",
}
LANGUAGE_TAGS = {"en": "en-US", "it": "it-IT"}


def _base_url() -> str:
    return current_app.config.get("PUBLIC_URL", "http://127.0.0.1:5000").rstrip("/")


def pseudonym(settings: LrsSettings, person: Person) -> str:
    """A stable name for the person that the LRS cannot turn back into them."""
    message = f"{person.organisation_id}:{person.id}".encode()
    return hmac.new(settings.pseudonym_salt.encode(), message, hashlib.sha256).hexdigest()[:32]


def actor(settings: LrsSettings, person: Person) -> dict:
    if settings.actor_mode == "email" and not person.email.endswith(".invalid"):
        return {"objectType": "Agent", "mbox": f"mailto:{person.email}"}
    return {"objectType": "Agent", "account": {"homePage": _base_url(), "name": pseudonym(settings, person)}}


def activity(kind: str, path: str, names: dict[str, str]) -> dict:
    """An activity of the app; `path` makes its IRI ("module/first-contact")."""
    name = {LANGUAGE_TAGS.get(lang, lang): text for lang, text in names.items() if text}
    definition = {"type": ACTIVITY_TYPES[kind]}
    if name:
        definition["name"] = name
    return {"objectType": "Activity", "id": f"{_base_url()}/xapi/activities/{path}", "definition": definition}


def module_activity(version) -> dict:
    content = version.content.get("title", {})
    return activity("module", f"module/{version.module.slug}", dict(content))


def statement(settings: LrsSettings, person: Person, verb: str, obj: dict, *, result: dict | None = None,
              parent: dict | None = None, timestamp: datetime | None = None, language: str | None = None) -> dict:
    """A complete statement with a fresh id; the outbox keeps the id for every delivery try."""
    verb_id, display = VERBS[verb]
    context: dict = {"platform": "CX Culture"}
    if language:
        context["language"] = LANGUAGE_TAGS.get(language, language)
    if parent:
        context["contextActivities"] = {"parent": [parent]}
    body = {
        "id": str(uuid.uuid4()),
        "actor": actor(settings, person),
        "verb": {"id": verb_id, "display": {"en-US": display}},
        "object": obj,
        "context": context,
        "timestamp": (timestamp or utcnow()).isoformat(timespec="milliseconds") + "Z",
        "version": XAPI_VERSION,
    }
    if result:
        body["result"] = result
    return body


def quiz_result(score: int, passed: bool) -> dict:
    """A quiz's percentage as an xAPI result (scaled 0..1)."""
    return {"score": {"scaled": round(score / 100, 4), "raw": score, "min": 0, "max": 100},
            "success": passed, "completion": True}
