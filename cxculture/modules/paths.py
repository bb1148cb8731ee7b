"""Training paths: the default path of each job role, and administrators' edits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..orgs.models import JobRole, Organisation, Person
from ..refusals import Refused
from .models import Module, PathItem, TrainingPath

DEFAULT_PATHS_FILE = Path(__file__).parent / "default_paths.yaml"
#: The path every organisation is asked to complete first: CX training starts with the executive team.
FIRST_PATH_ROLE = "executive"


def default_paths() -> dict[str, list[dict]]:
    return yaml.safe_load(DEFAULT_PATHS_FILE.read_text(encoding="utf-8"))


def ensure_default_paths(organisation: Organisation) -> int:
    """Give each seeded job role without a path its default path; returns how many paths were created."""
    defaults = default_paths()
    roles = db.session.scalars(select(JobRole).where(JobRole.organisation_id == organisation.id)).all()
    existing = set(db.session.scalars(
        select(TrainingPath.job_role_id).where(TrainingPath.organisation_id == organisation.id)))
    modules = {m.slug: m for m in db.session.scalars(select(Module).where(Module.retired_at.is_(None)))}
    created = 0
    for role in roles:
        if role.id in existing or role.key not in defaults:
            continue
        entries = [e for e in defaults[role.key] if e["module"] in modules]
        if not entries:  # the library is not loaded yet: the next sync creates the path
            continue
        path = TrainingPath(organisation_id=organisation.id, job_role=role)
        path.items = [PathItem(module=modules[e["module"]], position=i, required=e["required"])
                      for i, e in enumerate(entries)]
        db.session.add(path)
        created += 1
    db.session.flush()
    return created


def path_for_role(organisation_id: int, job_role_id: int | None) -> TrainingPath | None:
    """The role's path with its items, modules and versions loaded."""
    if job_role_id is None:
        return None
    return db.session.scalar(
        select(TrainingPath)
        .where(TrainingPath.organisation_id == organisation_id, TrainingPath.job_role_id == job_role_id)
        .options(selectinload(TrainingPath.items).selectinload(PathItem.module).selectinload(Module.versions))
    )


#: Why a path change is refused, by code: the field of the add-module form it is about, and the message.
PATH_REFUSALS = {
    "no-module": ("module_id", _l("Choose the module to add.")),
    "unknown-module": ("module_id", _l("Choose a module from the list: the one sent is not in the library.")),
    "already-in-path": ("module_id", _l("That module is already in this path.")),
    "retired": ("module_id", _l("That module has been retired from the library, so it cannot be added.")),
    "bad-date": ("due_date", _l("Enter the due date as YYYY-MM-DD, for example 2025-06-30.")),
    "date-too-early": ("due_date", _l("The due date must be 1 January 2000 or later.")),
}


def _refused(code: str) -> Refused:
    field, message = PATH_REFUSALS[code]
    return Refused({field: message}, code)


#: Due dates before this are typing mistakes, not deadlines.
EARLIEST_DUE_DATE = date(2000, 1, 1)


def parse_due_date(text: str | None) -> date | None:
    """A due date as typed in a form: YYYY-MM-DD (what date inputs send) or DD/MM/YYYY; empty means none."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        if "/" in text:
            day, month, year = (int(part) for part in text.split("/"))
            value = date(year, month, day)
        else:
            value = date.fromisoformat(text)
    except ValueError:
        raise _refused("bad-date") from None
    if value < EARLIEST_DUE_DATE:
        raise _refused("date-too-early")
    return value


@dataclass(frozen=True)
class PathSummary:
    """One line of the administrators' list of paths."""

    job_role: JobRole
    path_id: int | None
    modules: int
    required: int
    people: int
    #: The executive path: the first one the organisation is asked to complete.
    first: bool


def path_summaries(organisation_id: int, language: str = "en") -> list[PathSummary]:
    """Every job role of the organisation with its path's size and people, the executive path first."""
    counts = (
        select(PathItem.path_id, func.count(PathItem.id).label("modules"),
               func.sum(case((PathItem.required.is_(True), 1), else_=0)).label("required"))
        .group_by(PathItem.path_id)
        .subquery()
    )
    people = (
        select(Person.job_role_id, func.count(Person.id).label("people"))
        .where(Person.organisation_id == organisation_id, Person.active.is_(True))
        .group_by(Person.job_role_id)
        .subquery()
    )
    rows = db.session.execute(
        select(JobRole, TrainingPath.id, func.coalesce(counts.c.modules, 0), func.coalesce(counts.c.required, 0),
               func.coalesce(people.c.people, 0))
        .outerjoin(TrainingPath, (TrainingPath.job_role_id == JobRole.id)
                   & (TrainingPath.organisation_id == organisation_id))
        .outerjoin(counts, counts.c.path_id == TrainingPath.id)
        .outerjoin(people, people.c.job_role_id == JobRole.id)
        .where(JobRole.organisation_id == organisation_id)
    ).all()
    summaries = [PathSummary(role, path_id, modules, required, count, role.key == FIRST_PATH_ROLE)
                 for role, path_id, modules, required, count in rows]
    return sorted(summaries, key=lambda s: (not s.first, s.job_role.name(language).casefold()))


def addable_modules(path: TrainingPath | None) -> list[Module]:
    """Library modules that can still be added to the path: not retired, not already in it."""
    taken = {item.module_id for item in path.items} if path else set()
    modules = db.session.scalars(
        select(Module).where(Module.retired_at.is_(None)).options(selectinload(Module.versions)).order_by(Module.slug)
    )
    return [m for m in modules if m.id not in taken]


def get_or_create_path(organisation_id: int, job_role: JobRole) -> TrainingPath:
    path = path_for_role(organisation_id, job_role.id)
    if path is None:
        path = TrainingPath(organisation_id=organisation_id, job_role=job_role, items=[])
        db.session.add(path)
        db.session.flush()
    return path


def add_to_path(path: TrainingPath, module: Module | None, required: bool = True,
                due_date: date | None = None) -> PathItem:
    """Append a library module to the path; refuses an unknown, retired or already present module."""
    if module is None:
        raise _refused("unknown-module")
    if any(item.module_id == module.id for item in path.items):
        raise _refused("already-in-path")
    if module.retired_at is not None:
        raise _refused("retired")
    item = PathItem(module=module, position=len(path.items), required=required, due_date=due_date)
    path.items.append(item)
    db.session.flush()
    return item


def add_module_to_role(organisation_id: int, job_role: JobRole, module_id: int | None, required: bool = True,
                       due_date: date | None = None) -> PathItem:
    """Add the module with this id to the role's path, creating the path if the role has none yet."""
    if module_id is None:
        raise _refused("no-module")
    module = db.session.get(Module, module_id)
    if module is None:
        raise _refused("unknown-module")
    return add_to_path(get_or_create_path(organisation_id, job_role), module, required, due_date)


def people_with_role(role: JobRole) -> int:
    """How many active people follow the job role's path."""
    return db.session.scalar(select(func.count()).select_from(Person).where(
        Person.job_role_id == role.id, Person.active.is_(True))) or 0


def remove_from_path(path: TrainingPath, item: PathItem) -> None:
    path.items.remove(item)
    _renumber(path)


def move_in_path(path: TrainingPath, item: PathItem, offset: int) -> bool:
    """Move an item up (offset -1) or down (+1); False when it is already at that end."""
    items = list(path.items)
    index = items.index(item)
    target = index + offset
    if not 0 <= target < len(items):
        return False
    items[index], items[target] = items[target], items[index]
    for position, each in enumerate(items):
        each.position = position
    db.session.flush()
    db.session.expire(path, ["items"])
    return True


def set_item_required(item: PathItem, required: bool) -> None:
    """Make the item required (counts toward the certificate) or elective (offered)."""
    item.required = required
    db.session.flush()


def set_item_due_date(item: PathItem, due_date: date | None) -> None:
    item.due_date = due_date
    db.session.flush()


def _renumber(path: TrainingPath) -> None:
    for position, item in enumerate(path.items):
        item.position = position
    db.session.flush()


def connect_signals() -> None:
    """New organisations get the default paths."""
    from ..orgs.signals import organisation_created

    organisation_created.connect(_on_organisation_created, weak=False)


def _on_organisation_created(organisation: Organisation, **_):
    ensure_default_paths(organisation)
