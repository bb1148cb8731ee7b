"""A person's plan: their role's path, modules for their team's weakest pillars, and assigned modules."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..orgs.models import Person
from .models import Assignment, Module, ModuleVersion, PathItem, Progress
from .paths import path_for_role
from .personalisation import PillarFocus, pillar_focus

#: How many of the weakest pillars add a module.
FOCUS_PILLARS = 2


@dataclass(frozen=True)
class Reason:
    """Why a module is on the plan: kind is "role", "pillar" or "assigned"."""

    kind: str
    pillar: str | None = None
    scope: str | None = None  #: for "pillar": "team" or "organisation"
    by: str | None = None  #: for "assigned": the manager's name


@dataclass
class PlanEntry:
    module: Module
    version: ModuleVersion  #: the version the person is on, or would start
    required: bool
    due_date: date | None
    progress: Progress | None
    reasons: list[Reason] = field(default_factory=list)
    locked_by: list[str] = field(default_factory=list)  #: prerequisite slugs not yet completed

    @property
    def status(self) -> str:
        if self.progress is not None and self.progress.completed:
            return "completed"
        if self.locked_by:
            return "locked"
        if self.progress is not None:
            return "in_progress"
        return "not_started"

    def overdue(self, today: date) -> bool:
        return self.due_date is not None and self.due_date < today and self.status != "completed"


@dataclass
class Plan:
    person: Person
    entries: list[PlanEntry]

    @property
    def required(self) -> list[PlanEntry]:
        return [e for e in self.entries if e.required]

    @property
    def required_done(self) -> int:
        return sum(e.status == "completed" for e in self.required)

    @property
    def percent(self) -> int:
        required = self.required
        return round(100 * self.required_done / len(required)) if required else 0

    @property
    def role_path_complete(self) -> bool:
        role_required = [e for e in self.required if any(r.kind == "role" for r in e.reasons)]
        return bool(role_required) and all(e.status == "completed" for e in role_required)

    @property
    def next_entry(self) -> PlanEntry | None:
        """Resume what is in progress, else the first required module that can start, else an elective."""
        for wanted in (("in_progress", True), ("not_started", True), ("in_progress", False), ("not_started", False)):
            for entry in self.entries:
                if (entry.status, entry.required) == wanted:
                    return entry
        return None

    def entry(self, slug: str) -> PlanEntry | None:
        return next((e for e in self.entries if e.module.slug == slug), None)


def _targets(version: ModuleVersion, role_key: str | None) -> bool:
    roles = version.content["job_roles"]
    return roles == ["all"] or (role_key is not None and role_key in roles)


def build_plan(person: Person) -> Plan:
    """The person's plan with status, reasons and locks, in a fixed number of queries."""
    progress = {
        p.module_id: p
        for p in db.session.scalars(
            select(Progress).where(Progress.person_id == person.id).options(selectinload(Progress.module_version))
        )
    }
    modules = {
        m.id: m for m in db.session.scalars(select(Module).options(selectinload(Module.versions)))
    }
    path = path_for_role(person.organisation_id, person.job_role_id)
    assignments = [
        AssignedModule(a.module_id, a.due_date, a.assigned_by.name if a.assigned_by else None)
        for a in db.session.scalars(
            select(Assignment).where(Assignment.person_id == person.id).options(selectinload(Assignment.assigned_by))
            .order_by(Assignment.created_at)
        )
    ]
    return assemble_plan(person, modules, progress, path.items if path else [], pillar_focus(person), assignments)


@dataclass(frozen=True)
class AssignedModule:
    """A manager's assignment as a plan needs it."""

    module_id: int
    due_date: date | None
    by: str | None  #: the manager's name


def assemble_plan(person: Person, modules: dict[int, Module], progress: dict[int, Progress],
                  path_items: Iterable[PathItem], focus: PillarFocus | None,
                  assignments: Iterable[AssignedModule]) -> Plan:
    """The plan from data already loaded (no queries): shared by `build_plan` and the set-based team reports.

    `modules` holds every module of the library by id, `progress` the person's progress by module id,
    `path_items` their role path's items and `assignments` theirs, oldest first.
    """
    entries: dict[int, PlanEntry] = {}

    def add(module: Module, reason: Reason, required: bool, due_date: date | None = None) -> None:
        if module.id in entries:
            entry = entries[module.id]
            entry.reasons.append(reason)
            entry.required = entry.required or required
            if due_date and (entry.due_date is None or due_date < entry.due_date):
                entry.due_date = due_date
            return
        started = progress.get(module.id)
        if module.retired_at is not None and started is None:
            return  # removed from the library before this person started it
        version = started.module_version if started else module.current
        entries[module.id] = PlanEntry(module, version, required, due_date, started, [reason])

    for item in path_items:
        add(modules[item.module_id], Reason("role"), item.required, item.due_date)

    role_key = person.job_role.key if person.job_role else None
    if focus:
        for pillar in focus.pillars[:FOCUS_PILLARS]:
            candidates = [
                m for m in sorted(modules.values(), key=lambda m: m.slug)
                if m.retired_at is None and pillar in m.current.pillars and _targets(m.current, role_key)
            ]
            # Prefer a module whose main pillar this is, and one not already on the plan.
            candidates.sort(key=lambda m: (m.id in entries, m.current.pillars.index(pillar)))
            if candidates:
                add(candidates[0], Reason("pillar", pillar=pillar, scope=focus.scope), True)

    for assignment in assignments:
        add(modules[assignment.module_id], Reason("assigned", by=assignment.by), True, assignment.due_date)

    completed_slugs = {modules[p.module_id].slug for p in progress.values() if p.completed}
    for entry in entries.values():
        entry.locked_by = [s for s in entry.version.content["prerequisites"] if s not in completed_slugs]
    ordered = sorted(entries.values(), key=lambda e: (not e.required, _reason_rank(e)))
    return Plan(person, ordered)


def _reason_rank(entry: PlanEntry) -> int:
    return min({"role": 0, "pillar": 1, "assigned": 2}[r.kind] for r in entry.reasons)
