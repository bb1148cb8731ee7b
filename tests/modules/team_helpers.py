"""Helpers for the team training tests: progress, assignments and extra modules written straight to the database."""
from __future__ import annotations

import copy
from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy import event, select

from cxculture.extensions import db
from cxculture.modules.models import Assignment, Module, ModuleVersion, Progress


def module(slug: str) -> Module:
    return db.session.scalar(select(Module).where(Module.slug == slug))


def record_progress(person, slug: str, lessons: int = 0, completed: datetime | None = None) -> Progress:
    """A progress row: `lessons` lessons read, completed when `completed` is given."""
    found = module(slug)
    version = found.current
    row = Progress(organisation_id=person.organisation_id, person_id=person.id, module_id=found.id,
                   module_version=version, lessons_done=[lesson["id"] for lesson in version.lessons[:lessons]],
                   completed_at=completed, completed_via="quiz" if completed else None)
    db.session.add(row)
    db.session.commit()
    return row


def assign(person, slug: str, due: date | None = None, by=None) -> Assignment:
    row = Assignment(organisation_id=person.organisation_id, person_id=person.id, module_id=module(slug).id,
                     assigned_by_id=by.id if by else None, due_date=due)
    db.session.add(row)
    db.session.commit()
    return row


def add_synthetic_module(slug: str, like: str = "what-is-cx") -> Module:
    """A copy of a fixture module under another slug (a bigger library without files)."""
    source = module(like).current
    content = copy.deepcopy(source.content)
    content["title"] = {"en": f"Title of {slug}", "it": f"Titolo di {slug}"}
    new = Module(slug=slug, latest_version=1)
    new.versions = [ModuleVersion(version=1, content_hash=slug.ljust(64, "0")[:64], minutes=source.minutes,
                                  pass_mark=source.pass_mark, content=content)]
    db.session.add(new)
    db.session.commit()
    return new


@contextmanager
def counted_queries():
    """Counts the SQL statements run inside the block: `with counted_queries() as count: ...; count()`."""
    statements = []

    def listener(*_args):
        statements.append(1)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        yield lambda: len(statements)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
