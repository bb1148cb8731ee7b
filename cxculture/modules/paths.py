"""Training paths: the default path of each job role, and administrators' edits."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..orgs.models import JobRole, Organisation
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


class PathEditError(ValueError):
    """A path change that cannot be made; the message says why."""


def get_or_create_path(organisation_id: int, job_role: JobRole) -> TrainingPath:
    path = path_for_role(organisation_id, job_role.id)
    if path is None:
        path = TrainingPath(organisation_id=organisation_id, job_role=job_role)
        db.session.add(path)
        db.session.flush()
    return path


def add_to_path(path: TrainingPath, module: Module, required: bool = True, due_date: date | None = None) -> PathItem:
    if any(item.module_id == module.id for item in path.items):
        raise PathEditError("already-in-path")
    if module.retired_at is not None:
        raise PathEditError("retired")
    item = PathItem(module=module, position=len(path.items), required=required, due_date=due_date)
    path.items.append(item)
    db.session.flush()
    return item


def remove_from_path(path: TrainingPath, item: PathItem) -> None:
    path.items.remove(item)
    _renumber(path)


def move_in_path(path: TrainingPath, item: PathItem, offset: int) -> None:
    """Move an item up (offset -1) or down (+1)."""
    items = list(path.items)
    index = items.index(item)
    target = index + offset
    if not 0 <= target < len(items):
        return
    items[index], items[target] = items[target], items[index]
    for position, each in enumerate(items):
        each.position = position
    db.session.flush()
    db.session.expire(path, ["items"])


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
