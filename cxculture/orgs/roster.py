"""Roster CSV files: parse, validate and plan an import, apply it once, and export people and invitations.

An import is all-or-nothing: `plan_roster` checks every row of the file in one pass and says what each row
would do; `apply_roster_import` writes the plan only when no row is refused, and at most once per upload (the upload,
the claim-once confirm and the pages are `cxculture.imports`).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit import record
from ..auth.invitations import mail_invitation
from ..extensions import db
from ..imports import ApplyResult, apply_once, recent_uploads, store_upload
from ..plaintext import unsafe_characters, unsafe_text_message
from ..spreadsheets import RowError, check_header, check_upload, read_csv, unescape_cell
from ..util import utcnow
from .models import JobRole, Organisation, Permission, Person, RosterImport, Team
from .operations import email_taken
from .teams import (
    PATH_SEPARATOR,
    InvalidTeamPath,
    ensure_team_path,
    split_team_path,
    teams_by_path,
)

#: The columns of a roster file, in the order the export writes them.
COLUMNS = ("email", "name", "team", "job_role", "permissions", "manager_email", "language")
REQUIRED_COLUMNS = ("email", "name")
LANGUAGES = ("en", "it")
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
MAX_NAME_LENGTH = 200
#: Permission lists may be separated by spaces or ";" (and "," when the cell is quoted).
PERMISSION_SEPARATORS = (";", ",")
#: Spreadsheets run a cell starting with one of these as a formula; exports prefix it with a quote.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
#: Rows per `IN (...)` list, below SQLite's historical limit of 999 bound parameters.
_IN_CHUNK = 900

CREATE, UPDATE, UNCHANGED, REFUSED = "create", "update", "unchanged", "refused"
ACTIONS = (CREATE, UPDATE, UNCHANGED, REFUSED)


@dataclass(frozen=True)
class FieldChange:
    column: str
    old: str
    new: str


@dataclass
class RowPlan:
    """One row of the file and what importing it does."""

    line: int
    email: str
    #: The row's values as read (trimmed), by column; only the columns the file has.
    values: dict[str, str]
    action: str = UNCHANGED
    changes: list[FieldChange] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    #: The values the row sets once checked, as an export writes them ("" for none); empty when refused.
    target: dict[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.values.get("name", "")


@dataclass(frozen=True)
class RosterCounts:
    create: int = 0
    update: int = 0
    unchanged: int = 0
    refused: int = 0

    @property
    def total(self) -> int:
        return self.create + self.update + self.unchanged + self.refused


@dataclass
class RosterPlan:
    """What a roster file would do to the organisation; `ok` when it can be applied."""

    #: The known columns the file has, in the file's order.
    columns: list[str] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)
    #: Problems with the file as a whole (size, encoding, header, row count).
    file_errors: list[RowError] = field(default_factory=list)
    #: Team paths the import creates, parents first.
    new_teams: list[str] = field(default_factory=list)
    delimiter: str = ","

    @property
    def counts(self) -> RosterCounts:
        tally = Counter(row.action for row in self.rows)
        return RosterCounts(**{action: tally.get(action, 0) for action in ACTIONS})

    @property
    def errors(self) -> list[RowError]:
        """Every error, the file's first, then row by row."""
        return self.file_errors + [error for row in self.rows for error in row.errors]

    @property
    def ok(self) -> bool:
        return not self.file_errors and bool(self.rows) and all(row.action != REFUSED for row in self.rows)

    @property
    def has_changes(self) -> bool:
        return any(row.action in (CREATE, UPDATE) for row in self.rows) or bool(self.new_teams)


# --- planning ----------------------------------------------------------------------------------------------------


@dataclass
class _Context:
    """Everything the rows are checked against, loaded up front in a few queries."""

    organisation: Organisation
    people: dict[str, Person]  #: the organisation's people by e-mail
    email_by_id: dict[int, str]
    elsewhere: set[str]  #: e-mails of the file used in another organisation
    roles: dict[str, JobRole]
    path_by_team_id: dict[int, str]
    #: Lower-case path -> path as first written, for existing teams and teams the file creates.
    canonical_paths: dict[str, str]
    existing_paths: set[str]


def _load_context(organisation: Organisation, emails: set[str]) -> _Context:
    people = {
        p.email: p for p in db.session.scalars(select(Person).where(Person.organisation_id == organisation.id))
    }
    elsewhere: set[str] = set()
    outside = sorted(emails - people.keys())
    for start in range(0, len(outside), _IN_CHUNK):
        chunk = outside[start:start + _IN_CHUNK]
        elsewhere.update(db.session.scalars(
            select(Person.email).where(Person.email.in_(chunk), Person.organisation_id != organisation.id)
        ))
    roles = {r.key: r for r in db.session.scalars(select(JobRole).where(JobRole.organisation_id == organisation.id))}
    teams = teams_by_path(organisation.id)
    canonical: dict[str, str] = {}
    for path in sorted(teams):
        canonical.setdefault(path.lower(), path)
    return _Context(
        organisation=organisation,
        people=people,
        email_by_id={p.id: p.email for p in people.values()},
        elsewhere=elsewhere,
        roles=roles,
        path_by_team_id={t.id: path for path, t in teams.items()},
        canonical_paths=canonical,
        existing_paths=set(teams),
    )


def _normalise_email(value: str) -> str | None:
    try:
        return validate_email(value, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def _canonical_team_path(names: list[str], context: _Context, new_paths: list[str]) -> str:
    """The path with each level spelt as the existing (or first-seen) team; records the levels to create."""
    prefix: list[str] = []
    for name in names:
        key = PATH_SEPARATOR.join([*prefix, name]).lower()
        known = context.canonical_paths.get(key)
        if known is None:
            known = PATH_SEPARATOR.join([*prefix, name])
            context.canonical_paths[key] = known
            new_paths.append(known)
        prefix = known.split(PATH_SEPARATOR)
    return PATH_SEPARATOR.join(prefix)


def _split_permissions(value: str) -> list[str]:
    for separator in PERMISSION_SEPARATORS:
        value = value.replace(separator, " ")
    return [name.lower() for name in value.split()]


def _ordered_permissions(names) -> str:
    return " ".join(p for p in Permission.values() if p in names)


def plan_roster(organisation: Organisation, content: bytes, acting_person: Person | None = None) -> RosterPlan:
    """Check a roster file against the organisation and say what importing it would do; writes nothing.

    `acting_person` is the administrator importing: a file may not take their admin permission away.
    """
    plan = RosterPlan()
    plan.file_errors = check_upload(content, MAX_FILE_BYTES)
    if plan.file_errors:
        return plan
    parsed, plan.file_errors = read_csv(content, MAX_ROWS)
    if parsed is None:
        return plan
    plan.delimiter = parsed.delimiter
    plan.file_errors = check_header(parsed, COLUMNS, REQUIRED_COLUMNS)
    if not parsed.records:
        plan.file_errors.append(RowError(_l("The file has a header but no rows of people.")))
    elif len(parsed.records) > MAX_ROWS:
        plan.file_errors.append(RowError(_l("The file has %(count)s rows of people; the limit is %(limit)s. "
                                            "Split it into smaller files.", count=len(parsed.records),
                                            limit=MAX_ROWS)))
    if plan.file_errors:
        return plan

    return _plan_rows(organisation, parsed.header, parsed.records, acting_person, plan)


def _plan_rows(organisation: Organisation, header: list[str], records: list[tuple[int, list[str]]],
               acting_person: Person | None, plan: RosterPlan) -> RosterPlan:
    """Check every row (line, cells in the header's order) against the organisation; writes nothing."""
    plan.columns = [name for name in header if name]
    rows = [_read_row(line, cells, header) for line, cells in records]
    emails = {_normalise_email(row.values["email"]) for row in rows} - {None}
    emails |= {_normalise_email(row.values.get("manager_email", "")) for row in rows} - {None}
    context = _load_context(organisation, emails)

    first_line: dict[str, int] = {}
    targets: dict[int, dict] = {}  # line -> the row's values, checked and normalised
    for row in rows:
        targets[row.line] = _check_row(row, context, first_line, plan.new_teams)
    file_rows = {row.email: row for row in rows if row.email and first_line.get(row.email) == row.line}
    _check_managers(rows, targets, context, file_rows)
    if acting_person is not None:
        _check_own_admin(rows, targets, acting_person)

    for row in rows:
        if row.errors:
            row.action = REFUSED
            continue
        row.target = _target_values(targets[row.line])
        existing = context.people.get(row.email)
        if existing is None:
            row.action = CREATE
        else:
            row.changes = _changes(existing, row.target, context)
            row.action = UPDATE if row.changes else UNCHANGED
    plan.rows = rows
    # Teams only refused rows asked for are not created.
    wanted = {row.target["team"] for row in rows if row.action in (CREATE, UPDATE) and row.target.get("team")}
    wanted_prefixes = {PATH_SEPARATOR.join(p.split(PATH_SEPARATOR)[: i + 1])
                       for p in wanted for i in range(p.count(PATH_SEPARATOR) + 1)}
    plan.new_teams = [path for path in plan.new_teams if path in wanted_prefixes]
    return plan


def _read_row(line: int, cells: list[str], header: list[str]) -> RowPlan:
    values = {}
    for position, name in enumerate(header):
        if name in COLUMNS and name not in values:
            values[name] = unescape_cell(cells[position].strip()) if position < len(cells) else ""
    row = RowPlan(line=line, email="", values=values)
    for name, value in values.items():
        if _CONTROL_CHARACTERS.search(value):
            row.errors.append(RowError(_l("The value has a line break or another control character: check for "
                                          "a missing quote."), line=line, column=name))
        elif characters := unsafe_characters(value):  # direction overrides and isolates, C1 controls
            row.errors.append(RowError(unsafe_text_message(name, characters), line=line, column=name))
    extra = [cell for cell in cells[len(header):] if cell.strip()]
    if extra:
        row.errors.append(RowError(
            _l("This row has %(cells)s cells but the header has %(columns)s columns.",
               cells=len(header) + len(extra), columns=len(header)), line=line))
    return row


def _check_row(row: RowPlan, context: _Context, first_line: dict[str, int], new_paths: list[str]) -> dict:
    """Check one row's values on their own; returns them normalised, by column."""
    line, values = row.line, row.values
    target: dict = {}

    def refuse(column: str, message) -> None:
        row.errors.append(RowError(message, line=line, column=column))

    raw_email = values["email"]
    if not raw_email:
        refuse("email", _l("The e-mail address is missing."))
    else:
        email = _normalise_email(raw_email)
        if email is None:
            refuse("email", _l("%(value)s is not a valid e-mail address.", value=raw_email))
        else:
            row.email = email
            if email in first_line:
                refuse("email", _l("%(email)s appears more than once in the file: rows %(first)s and %(second)s.",
                                   email=email, first=first_line[email], second=line))
            else:
                first_line[email] = line
            if email in context.elsewhere:
                refuse("email", email_taken(email))

    name = values["name"]
    if not name:
        refuse("name", _l("The name is missing."))
    elif len(name) > MAX_NAME_LENGTH:
        refuse("name", _l("The name is %(length)s characters long; the limit is %(limit)s.",
                          length=len(name), limit=MAX_NAME_LENGTH))
    target["name"] = name

    if "team" in values:
        target["team"] = None
        if values["team"]:
            try:
                names = split_team_path(values["team"])
            except InvalidTeamPath as exc:
                refuse("team", _l("%(value)s is not a valid team path: %(reason)s.",
                                  value=values["team"], reason=exc.reason))
            else:
                target["team"] = _canonical_team_path(names, context, new_paths)

    if "job_role" in values:
        target["job_role"] = None
        key = values["job_role"].lower()
        if key:
            if key in context.roles:
                target["job_role"] = key
            else:
                refuse("job_role", _l("Unknown job role %(value)s. The job roles are: %(keys)s.",
                                      value=values["job_role"], keys=", ".join(sorted(context.roles))))

    if "permissions" in values:
        names = _split_permissions(values["permissions"]) or [Permission.EMPLOYEE.value]
        unknown = [n for n in names if n not in Permission.values()]
        if unknown:
            refuse("permissions", _l("Unknown permission %(value)s. The permissions are: %(known)s.",
                                     value=", ".join(unknown), known=", ".join(Permission.values())))
        target["permissions"] = frozenset(names)

    if "language" in values:
        language = values["language"].lower() or None
        if language is not None and language not in LANGUAGES:
            refuse("language", _l("Unknown language %(value)s. Use en, it, or leave it blank.",
                                  value=values["language"]))
        target["language"] = language

    if "manager_email" in values:
        target["manager_email"] = None
        raw = values["manager_email"]
        if raw:
            manager = _normalise_email(raw)
            if manager is None:
                refuse("manager_email", _l("%(value)s is not a valid e-mail address.", value=raw))
            else:
                target["manager_email"] = manager
    return target


def _check_managers(rows: list[RowPlan], targets: dict[int, dict], context: _Context,
                    file_rows: dict[str, RowPlan]) -> None:
    """Each manager must exist (in the organisation or the file), and the managers may not loop."""
    for row in rows:
        manager = targets[row.line].get("manager_email")
        if not manager:
            continue
        if manager == row.email:
            row.errors.append(RowError(_l("%(email)s cannot be their own manager.", email=row.email),
                                       line=row.line, column="manager_email"))
        elif manager not in file_rows and manager not in context.people:
            row.errors.append(RowError(
                _l("Unknown manager %(email)s: not a person of the organisation nor a row of this file.",
                   email=manager), line=row.line, column="manager_email"))

    # Who manages whom once the file is applied: the file where it says, the organisation elsewhere.
    manager_of = {email: context.email_by_id.get(p.manager_id) for email, p in context.people.items()}
    for email, row in file_rows.items():
        if "manager_email" in targets[row.line]:
            manager_of[email] = targets[row.line]["manager_email"]
    done: set[str] = set()
    for start in file_rows:
        path: list[str] = []
        on_path: dict[str, int] = {}
        current = start
        while current and current not in done and current not in on_path:
            on_path[current] = len(path)
            path.append(current)
            current = manager_of.get(current)
        done.update(path)
        if not current or current not in on_path:
            continue
        loop = path[on_path[current]:]
        if len(loop) < 2:  # someone as their own manager, already refused above
            continue
        text = " → ".join([*loop, loop[0]])
        for member in loop:
            if member in file_rows:
                member_row = file_rows[member]
                member_row.errors.append(RowError(_l("The managers form a loop: %(loop)s.", loop=text),
                                                  line=member_row.line, column="manager_email"))


def _check_own_admin(rows: list[RowPlan], targets: dict[int, dict], acting_person: Person) -> None:
    for row in rows:
        permissions = targets[row.line].get("permissions")
        if row.email == acting_person.email and permissions is not None and "admin" not in permissions:
            row.errors.append(RowError(_l("This row would take away your own admin permission."),
                                       line=row.line, column="permissions"))


def _current_values(person: Person, context: _Context) -> dict[str, str]:
    """A person's attributes as a roster file writes them."""
    return {
        "name": person.name,
        "team": context.path_by_team_id.get(person.team_id, "") if person.team_id else "",
        "job_role": next((k for k, r in context.roles.items() if r.id == person.job_role_id), "")
        if person.job_role_id else "",
        "permissions": _ordered_permissions(person.permissions),
        "manager_email": context.email_by_id.get(person.manager_id, "") if person.manager_id else "",
        "language": person.language or "",
    }


def _target_values(target: dict) -> dict[str, str]:
    shown = {}
    for column, value in target.items():
        if column == "permissions":
            shown[column] = _ordered_permissions(value)
        else:
            shown[column] = value or ""
    return shown


def _changes(person: Person, wanted: dict[str, str], context: _Context) -> list[FieldChange]:
    current = _current_values(person, context)
    return [FieldChange(column, current[column], wanted[column])
            for column in COLUMNS if column in wanted and wanted[column] != current[column]]


# --- applying ----------------------------------------------------------------------------------------------------


def create_roster_import(organisation: Organisation, uploaded_by: Person | None, filename: str,
                         content: bytes) -> RosterImport:
    """Store an uploaded file for its preview."""
    return store_upload(RosterImport, organisation.id, uploaded_by, filename, content, "roster.csv")


def preview_roster_import(roster_import: RosterImport, acting_person: Person | None = None) -> RosterPlan:
    """What a stored roster file would do to its organisation now; writes nothing."""
    return plan_roster(roster_import.organisation, roster_import.content, acting_person)


def apply_roster_import(roster_import: RosterImport, acting_person: Person | None = None) -> ApplyResult[RosterPlan]:
    """Write an import, checking it again first; at most once (see `imports.apply_once`). Flushes only."""

    def write(plan: RosterPlan, now: datetime) -> dict[str, int]:
        created, updated = _write_plan(roster_import.organisation, plan, now)
        roster_import.created_count, roster_import.updated_count = created, updated
        _record_import(("roster_import", roster_import.id, roster_import.filename), roster_import.organisation_id,
                       plan, created, updated)
        return {"created": created, "updated": updated}

    return apply_once(roster_import, lambda: preview_roster_import(roster_import, acting_person), write)


def _record_import(target: tuple, organisation_id: int, plan: RosterPlan, created: int, updated: int) -> None:
    record("roster.imported", target=target, organisation_id=organisation_id,
           details={"created": created, "updated": updated, "new_teams": plan.new_teams,
                    "people": [{"email": row.email, "action": row.action,
                                "before": {c.column: c.old for c in row.changes},
                                "after": {c.column: c.new for c in row.changes} if row.action == UPDATE
                                else row.target}
                               for row in plan.rows if row.action in (CREATE, UPDATE)]})


# --- people as records (the API) --------------------------------------------------------------------------------

#: What a system may set through the API: permissions stay with the organisation's administrators, so a leaked
#: token cannot make anyone an administrator.
RECORD_COLUMNS = ("email", "name", "team", "job_role", "manager_email", "language")


def plan_roster_records(organisation: Organisation, records: list) -> RosterPlan:
    """Check people given as records ({email, name, team, job_role, manager_email, language}) by the rules of a
    roster file; a problem's `line` is the record's position counted from 1. Writes nothing."""
    plan = RosterPlan()
    if not records:
        plan.file_errors.append(RowError(_l("Send at least one person.")))
    elif len(records) > MAX_ROWS:
        plan.file_errors.append(RowError(_l("%(count)s people were sent; the limit is %(limit)s.",
                                            count=len(records), limit=MAX_ROWS)))
    for position, person in enumerate(records if not plan.file_errors else [], start=1):
        if not isinstance(person, dict):
            plan.file_errors.append(RowError(_l("Each person must be an object with at least email and name."),
                                             line=position))
            continue
        for name in sorted(set(person) - set(RECORD_COLUMNS)):
            plan.file_errors.append(RowError(_l("“%(field)s” is not a field of a person: use %(fields)s.",
                                                field=name, fields=", ".join(RECORD_COLUMNS)), position, name))
        for name in RECORD_COLUMNS:
            if person.get(name) is not None and not isinstance(person[name], str):
                plan.file_errors.append(RowError(_l("Write %(field)s as text.", field=name), position, name))
    if plan.file_errors:
        return plan
    header = [name for name in RECORD_COLUMNS if any(name in person for person in records)]
    for name in REQUIRED_COLUMNS:
        if name not in header:
            header.append(name)
    rows = [(position, [(person.get(name) or "") for name in header])
            for position, person in enumerate(records, start=1)]
    return _plan_rows(organisation, header, rows, None, plan)


def import_roster_records(organisation: Organisation, records: list, *,
                          source: tuple[str, int, str]) -> tuple[RosterPlan, int, int]:
    """Create and update people given as records, all or nothing: (the plan, created, updated). Nothing is
    written when any record is refused; people already as sent are left alone, so sending the same records
    again changes nothing. `source` names who sent them for the audit trail. Flushes only."""
    plan = plan_roster_records(organisation, records)
    if not plan.ok:
        return plan, 0, 0
    created, updated = _write_plan(organisation, plan, utcnow())
    if created or updated or plan.new_teams:
        _record_import(source, organisation.id, plan, created, updated)
    return plan, created, updated


def _write_plan(organisation: Organisation, plan: RosterPlan, now: datetime) -> tuple[int, int]:
    changing = [row for row in plan.rows if row.action in (CREATE, UPDATE)]
    if not changing:
        return 0, 0
    people = {
        p.email: p for p in db.session.scalars(select(Person).where(Person.organisation_id == organisation.id))
    }
    roles = {r.key: r for r in db.session.scalars(select(JobRole).where(JobRole.organisation_id == organisation.id))}
    known_teams: dict[str, Team] = teams_by_path(organisation.id)
    for row in changing:
        if row.action == CREATE:
            person = Person(organisation=organisation, email=row.email, name=row.values["name"],
                            password_hash=None, created_at=now)
            person.permissions = [Permission.EMPLOYEE.value]
            db.session.add(person)
            people[row.email] = person
    for row in changing:
        person = people[row.email]
        target = row.target
        person.name = target["name"]
        if "team" in target:
            person.team = ensure_team_path(organisation, target["team"], known_teams) if target["team"] else None
        if "job_role" in target:
            person.job_role = roles[target["job_role"]] if target["job_role"] else None
        if "permissions" in target:
            person.permissions = target["permissions"].split()
        if "language" in target:
            person.language = target["language"] or None
        if "manager_email" in target:
            person.manager = people[target["manager_email"]] if target["manager_email"] else None
    db.session.flush()
    for row in changing:
        if row.action == CREATE:
            mail_invitation(people[row.email])
    return sum(row.action == CREATE for row in changing), sum(row.action == UPDATE for row in changing)


# --- exports -----------------------------------------------------------------------------------------------------


def roster_rows(organisation_id: int) -> list[list[str]]:
    """The organisation's active people as roster rows (columns as COLUMNS), by name."""
    people = list(db.session.scalars(
        select(Person).where(Person.organisation_id == organisation_id).order_by(Person.name, Person.email)
    ))
    email_by_id = {p.id: p.email for p in people}
    path_by_team_id = {t.id: path for path, t in teams_by_path(organisation_id).items()}
    role_key_by_id = dict(db.session.execute(
        select(JobRole.id, JobRole.key).where(JobRole.organisation_id == organisation_id)
    ).tuples().all())
    return [
        [
            p.email,
            p.name,
            path_by_team_id.get(p.team_id, ""),
            role_key_by_id.get(p.job_role_id, ""),
            _ordered_permissions(p.permissions),
            email_by_id.get(p.manager_id, ""),
            p.language or "",
        ]
        for p in people
        if p.active
    ]


def invited_people(organisation_id: int) -> list[Person]:
    """Active people of the organisation who have not set a password yet, by name."""
    return list(db.session.scalars(
        select(Person)
        .where(Person.organisation_id == organisation_id, Person.active.is_(True), Person.password_hash.is_(None))
        .order_by(Person.name, Person.email)
    ))


def people_created_by_import(roster_import: RosterImport) -> list[Person]:
    """The people an applied import created (they carry its applied_at as created_at), by name."""
    if roster_import.applied_at is None:
        return []
    return list(db.session.scalars(
        select(Person)
        .where(Person.organisation_id == roster_import.organisation_id,
               Person.created_at == roster_import.applied_at)
        .order_by(Person.name, Person.email)
    ))


def recent_roster_imports(organisation_id: int, limit: int = 10) -> list[RosterImport]:
    return recent_uploads(RosterImport, organisation_id, limit)
