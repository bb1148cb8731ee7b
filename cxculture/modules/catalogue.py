"""The module library as administrators see it: each module's current version and the paths that use it."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..orgs.models import JobRole
from .models import Module, ModuleVersion, PathItem, TrainingPath


@dataclass(frozen=True)
class PathUse:
    """A path of the organisation that contains the module."""

    job_role: JobRole
    required: bool


@dataclass(frozen=True)
class CatalogueEntry:
    module: Module
    version: ModuleVersion  #: the current version
    used_by: list[PathUse]

    @property
    def retired(self) -> bool:
        return self.module.retired_at is not None


def _path_uses(organisation_id: int, module_id: int | None = None) -> dict[int, list[PathUse]]:
    """The organisation's paths that use each module (or one module), in one query."""
    query = (
        select(PathItem.module_id, PathItem.required, JobRole)
        .join(TrainingPath, PathItem.path_id == TrainingPath.id)
        .join(JobRole, TrainingPath.job_role_id == JobRole.id)
        .where(TrainingPath.organisation_id == organisation_id)
        .order_by(JobRole.key != "executive", JobRole.name_en)
    )
    if module_id is not None:
        query = query.where(PathItem.module_id == module_id)
    uses: dict[int, list[PathUse]] = defaultdict(list)
    for used_module_id, required, role in db.session.execute(query):
        uses[used_module_id].append(PathUse(role, required))
    return uses


def library_catalogue(organisation_id: int, language: str = "en") -> list[CatalogueEntry]:
    """Every module of the library with its current version and the organisation's paths that use it.

    Modules in use come first by title in `language`; retired modules last.
    """
    modules = db.session.scalars(select(Module).options(selectinload(Module.versions)))
    uses = _path_uses(organisation_id)
    entries = [CatalogueEntry(m, m.current, uses.get(m.id, [])) for m in modules]
    return sorted(entries, key=lambda e: (e.retired, e.version.text("title", language).casefold()))


def catalogue_entry(organisation_id: int, slug: str) -> CatalogueEntry | None:
    """One module of the library with all its versions loaded, or None when no module has that slug."""
    module = db.session.scalar(select(Module).where(Module.slug == slug).options(selectinload(Module.versions)))
    if module is None:
        return None
    return CatalogueEntry(module, module.current, _path_uses(organisation_id, module.id).get(module.id, []))


def role_names(organisation_id: int) -> dict[str, JobRole]:
    """The organisation's job roles by key, to name a module's target roles."""
    return {r.key: r for r in db.session.scalars(select(JobRole).where(JobRole.organisation_id == organisation_id))}
