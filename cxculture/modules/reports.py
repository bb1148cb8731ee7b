"""Training reports for managers and leaders: progress matrices and completion by team and by job role.

Everything here is set-based. The plans of any group of people are assembled from a fixed number of queries
(the people with their job roles, the organisation's paths, the library, assignments, progress; then team paths
and leaders for the matrix) — the same number for five people or five thousand, for four modules or forty — and
with the very rule a learner's own plan follows (`plan.assemble_plan`), so a manager's matrix and a learner's
dashboard agree. The exception: a registered weakest-pillar provider (personalisation.py) is asked once per team.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import aliased, joinedload, lazyload, selectinload

from ..extensions import db
from ..orgs.models import JobRole, Permission, Person, PersonPermission
from ..orgs.service import team_members_query, team_paths
from .models import Assignment, Module, ModuleVersion, PathItem, Progress, TrainingPath
from .paths import FIRST_PATH_ROLE
from .personalisation import PillarFocus, pillar_focus
from .plan import AssignedModule, Plan, PlanEntry, assemble_plan

#: The largest page of the organisation-wide matrix: "everyone on one page".
MAX_PER_PAGE = 5000

#: A cell's status.
COMPLETED, IN_PROGRESS, NOT_STARTED, NOT_ON_PLAN = "completed", "in_progress", "not_started", "not_on_plan"


# Loading plans, set-based ------------------------------------------------------------------------------------

#: How a report loads people: the job role joined in, and not each person's permissions (selectin loading
#: would run one query per 500 people; `progress_matrix` asks for the leaders in one query instead).
_PEOPLE_OPTIONS = (joinedload(Person.job_role), lazyload(Person.permission_rows))


def plans_for(people_query: Select) -> list[Plan]:
    """The plans of the people `people_query` (a select of Person) finds, in its order."""
    people = list(db.session.scalars(people_query.options(*_PEOPLE_OPTIONS)).unique())
    return load_plans(people, people_query.with_only_columns(Person.id))


def plans_for_page(people_query: Select, page: int, per_page: int):
    """One page of `people_query` (a Flask-SQLAlchemy Pagination) and the plans of the people on it."""
    pagination = db.paginate(people_query.options(*_PEOPLE_OPTIONS), page=page, per_page=per_page,
                             max_per_page=MAX_PER_PAGE, error_out=False)
    ids = (people_query.with_only_columns(Person.id)
           .limit(pagination.per_page).offset((pagination.page - 1) * pagination.per_page))
    return pagination, load_plans(pagination.items, ids)


@dataclass(frozen=True, slots=True)
class ProgressSnapshot:
    """What a report reads of a progress row. Reports load thousands of them at once: plain objects skip the ORM's
    bookkeeping, which would cost more than the rest of the report together."""

    module_id: int
    module_version: ModuleVersion
    lessons_done: list
    completed_at: datetime | None

    @property
    def completed(self) -> bool:
        return self.completed_at is not None


def load_plans(people: Sequence[Person], person_ids: Select) -> list[Plan]:
    """The plans of `people` (one organisation, job roles loaded); `person_ids` selects the same people's ids.

    The weakest-pillar focus is asked once per team: it describes a team (or the organisation), not a person.
    """
    if not people:
        return []
    organisation_id = people[0].organisation_id
    if any(p.organisation_id != organisation_id for p in people):
        raise ValueError("the people of a report belong to one organisation")
    modules = {m.id: m for m in db.session.scalars(select(Module).options(selectinload(Module.versions)))}

    path_items: dict[int, list[PathItem]] = defaultdict(list)
    for item, job_role_id in db.session.execute(
        select(PathItem, TrainingPath.job_role_id)
        .join(TrainingPath, PathItem.path_id == TrainingPath.id)
        .where(TrainingPath.organisation_id == organisation_id)
        .order_by(PathItem.position)
    ):
        path_items[job_role_id].append(item)

    assigner = aliased(Person)
    assignments: dict[int, list[AssignedModule]] = defaultdict(list)
    for person_id, module_id, due_date, by in db.session.execute(
        select(Assignment.person_id, Assignment.module_id, Assignment.due_date, assigner.name)
        .outerjoin(assigner, Assignment.assigned_by_id == assigner.id)
        .where(Assignment.organisation_id == organisation_id, Assignment.person_id.in_(person_ids))
        .order_by(Assignment.created_at, Assignment.id)
    ):
        assignments[person_id].append(AssignedModule(module_id, due_date, by))

    versions = {v.id: v for m in modules.values() for v in m.versions}
    progress: dict[int, dict[int, ProgressSnapshot]] = defaultdict(dict)
    for person_id, module_id, version_id, lessons_done, completed_at in db.session.execute(
        select(Progress.person_id, Progress.module_id, Progress.module_version_id, Progress.lessons_done,
               Progress.completed_at)
        .where(Progress.organisation_id == organisation_id, Progress.person_id.in_(person_ids))
    ):
        progress[person_id][module_id] = ProgressSnapshot(module_id, versions[version_id], lessons_done, completed_at)

    focus: dict[int | None, PillarFocus | None] = {}
    plans = []
    for person in people:
        if person.team_id not in focus:
            focus[person.team_id] = pillar_focus(person)
        plans.append(assemble_plan(person, modules, progress[person.id], path_items.get(person.job_role_id, ()),
                                   focus[person.team_id], assignments[person.id]))
    return plans


# Who is in a report --------------------------------------------------------------------------------------------

def organisation_people_query(organisation_id: int, team_ids: Iterable[int] | None = None,
                              job_role_id: int | None = None) -> Select:
    """The organisation's active people by name, optionally only those of `team_ids` and of one job role."""
    query = select(Person).where(Person.organisation_id == organisation_id, Person.active.is_(True))
    if team_ids is not None:
        query = query.where(Person.team_id.in_(list(team_ids)))
    if job_role_id is not None:
        query = query.where(Person.job_role_id == job_role_id)
    return query.order_by(Person.name, Person.id)


def leadership_query(organisation_id: int) -> Select:
    """The leadership team: active people with the executive job role or the leader permission, by name."""
    leaders = select(PersonPermission.person_id).where(PersonPermission.name == Permission.LEADER.value)
    executive = select(JobRole.id).where(JobRole.organisation_id == organisation_id, JobRole.key == FIRST_PATH_ROLE)
    return (
        select(Person)
        .where(Person.organisation_id == organisation_id, Person.active.is_(True),
               or_(Person.job_role_id.in_(executive), Person.id.in_(leaders)))
        .order_by(Person.name, Person.id)
    )


# The matrix --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    """One person's standing in one module."""

    status: str
    required: bool = False
    due_date: date | None = None
    overdue: bool = False
    completed_on: date | None = None
    lessons_read: int = 0
    lessons_total: int = 0


NOT_ON_PLAN_CELL = Cell(NOT_ON_PLAN)


def plan_cell(entry: PlanEntry | None, today: date) -> Cell:
    """The matrix cell of a plan entry (None: the module is not on the person's plan)."""
    if entry is None:
        return NOT_ON_PLAN_CELL
    progress = entry.progress
    lessons = entry.version.lessons
    lessons_read = 0
    if progress is not None and progress.completed:
        status = COMPLETED
    elif progress is not None:
        status = IN_PROGRESS
        lessons_read = len(set(progress.lessons_done) & {lesson["id"] for lesson in lessons})
    else:
        status = NOT_STARTED  # locked modules too: the person has not started them
    return Cell(
        status=status,
        required=entry.required,
        due_date=entry.due_date,
        overdue=entry.overdue(today),
        completed_on=progress.completed_at.date() if status == COMPLETED else None,
        lessons_read=lessons_read,
        lessons_total=len(lessons),
    )


@dataclass(frozen=True)
class Column:
    module_id: int
    slug: str
    title: str


@dataclass
class Row:
    """A person's line of the matrix, with their totals."""

    person_id: int
    name: str
    email: str
    team_id: int | None
    team: str | None  #: the team's path ("Sales/Milano Store")
    job_role_id: int | None
    job_role: str | None
    #: Executive job role or leader permission.
    leadership: bool
    cells: list[Cell]
    required_done: int
    required_total: int
    #: Modules past their due date and not completed.
    overdue: int

    @property
    def path_completed(self) -> bool:
        return self.required_total > 0 and self.required_done == self.required_total

    @property
    def percent(self) -> int:
        return round(100 * self.required_done / self.required_total) if self.required_total else 0


@dataclass
class Matrix:
    columns: list[Column]
    rows: list[Row]


def progress_matrix(plans: Sequence[Plan], language: str, today: date | None = None) -> Matrix:
    """People x modules. Columns are the modules on any of the plans, in path order: a module comes as early as
    it stands on any plan (so "what CX is" leads), ties by title."""
    today = today or date.today()
    rank: dict[int, int] = {}
    modules: dict[int, Column] = {}
    for plan in plans:
        for index, entry in enumerate(plan.entries):
            module_id = entry.module.id
            rank[module_id] = min(rank.get(module_id, index), index)
            if module_id not in modules:
                version = entry.module.current if entry.module.retired_at is None else entry.version
                modules[module_id] = Column(module_id, entry.module.slug, version.text("title", language))
    columns = sorted(modules.values(), key=lambda c: (rank[c.module_id], c.title.casefold(), c.slug))
    organisation_id = plans[0].person.organisation_id if plans else None
    paths = team_paths(organisation_id) if plans else {}
    leaders = set(db.session.scalars(
        select(PersonPermission.person_id).join(Person, Person.id == PersonPermission.person_id)
        .where(Person.organisation_id == organisation_id, PersonPermission.name == Permission.LEADER.value)
    )) if plans else set()

    rows = []
    for plan in plans:
        person = plan.person
        entries = {e.module.id: e for e in plan.entries}
        executive = person.job_role is not None and person.job_role.key == FIRST_PATH_ROLE
        rows.append(Row(
            person_id=person.id, name=person.name, email=person.email,
            team_id=person.team_id, team=paths.get(person.team_id),
            job_role_id=person.job_role_id, job_role=person.job_role.name(language) if person.job_role else None,
            leadership=person.id in leaders or executive,
            cells=[plan_cell(entries.get(c.module_id), today) for c in columns],
            required_done=plan.required_done, required_total=len(plan.required),
            overdue=sum(e.overdue(today) for e in plan.entries),
        ))
    return Matrix(columns, rows)


# Completion --------------------------------------------------------------------------------------------------

@dataclass
class Completion:
    """How far a group of people is with their required modules."""

    label: str | None = None  #: the team's path or the job role's name; None for people without one
    key: int | None = None  #: the team's or job role's id
    people: int = 0
    #: People who completed every required module of their plan.
    path_completed: int = 0
    required_done: int = 0
    required_total: int = 0
    #: People with at least one module past its due date.
    overdue_people: int = 0

    @property
    def percent(self) -> int:
        return round(100 * self.required_done / self.required_total) if self.required_total else 0

    def add(self, row: Row) -> None:
        self.people += 1
        self.path_completed += row.path_completed
        self.required_done += row.required_done
        self.required_total += row.required_total
        self.overdue_people += row.overdue > 0


def completion(rows: Iterable[Row]) -> Completion:
    total = Completion()
    for row in rows:
        total.add(row)
    return total


def completion_by(rows: Iterable[Row], group: str) -> list[Completion]:
    """Completion per team (`group="team"`) or per job role (`"job_role"`), by name; people without one last."""
    groups: dict[int | None, Completion] = {}
    for row in rows:
        key, label = (row.team_id, row.team) if group == "team" else (row.job_role_id, row.job_role)
        groups.setdefault(key, Completion(label=label, key=key)).add(row)
    return sorted(groups.values(), key=lambda c: (c.label is None, (c.label or "").casefold()))


def team_plans(manager: Person) -> list[Plan]:
    """The plans of the people the manager is responsible for (see `orgs.service.team_members_query`)."""
    return plans_for(team_members_query(manager))


def team_matrix(manager: Person, language: str) -> Matrix:
    """The matrix of the people the manager is responsible for."""
    return progress_matrix(team_plans(manager), language)


@dataclass(frozen=True)
class MonthCompletion:
    """Of the required modules on a group's plans, how many had been completed by the end of `month`."""

    month: date  #: its first day
    done: int
    total: int

    @property
    def percent(self) -> float:
        return 100 * self.done / self.total if self.total else 0.0


def completion_by_month(plans: Sequence[Plan], today: date, months: int = 12) -> list[MonthCompletion]:
    """The last `months` months, oldest first, the current one up to `today`: of the required modules on `plans`
    now, those completed by each month's end according to the training records (as a scorecard counts a past
    quarter: today's paths, the completion dates kept in the progress rows). Empty when nothing is required."""
    finished = sorted(e.progress.completed_at.date() for plan in plans for e in plan.required
                      if e.progress is not None and e.progress.completed_at is not None)
    total = sum(len(plan.required) for plan in plans)
    if not total:
        return []
    result = []
    for back in range(months - 1, -1, -1):
        year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
        first = date(year, month + 1, 1)
        following = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
        end = min(today, following - timedelta(days=1))
        result.append(MonthCompletion(first, bisect_right(finished, end), total))
    return result


def leadership_matrix(organisation_id: int, language: str) -> Matrix:
    """The leadership team's own matrix: CX training starts with them."""
    return progress_matrix(plans_for(leadership_query(organisation_id)), language)


# Export ------------------------------------------------------------------------------------------------------

def cell_text(cell: Cell) -> str:
    """A cell in words, as the CSV export writes it."""
    if cell.status == NOT_ON_PLAN:
        return _("not on plan")
    if cell.status == COMPLETED:
        text = _("completed %(date)s", date=cell.completed_on.isoformat())
    elif cell.status == IN_PROGRESS:
        text = _("in progress, %(read)s/%(total)s lessons", read=cell.lessons_read, total=cell.lessons_total)
    else:
        text = _("not started")
    if not cell.required:
        text += " (" + _("elective") + ")"
    if cell.overdue:
        text += "; " + _("overdue, was due %(date)s", date=cell.due_date.isoformat())
    elif cell.due_date is not None and cell.status != COMPLETED:
        text += "; " + _("due %(date)s", date=cell.due_date.isoformat())
    return text


def matrix_csv_table(matrix: Matrix) -> tuple[list[str], list[list[str]]]:
    """The matrix as a header and rows of text, for a CSV file."""
    header = [_("Name"), _("E-mail"), _("Team"), _("Job role"), *(c.title for c in matrix.columns),
              _("Required modules completed"), _("Required modules"), _("Overdue modules")]
    rows = [
        [row.name, row.email, row.team or "", row.job_role or "", *(cell_text(c) for c in row.cells),
         str(row.required_done), str(row.required_total), str(row.overdue)]
        for row in matrix.rows
    ]
    return header, rows
