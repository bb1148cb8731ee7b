"""KPI values per person and per team per quarter: entered one by one, or imported from CSV files.

Two kinds of file: `values` (one value per row) and `distributions` (survey answers per score, from which
NPS, CSAT and CES are computed with the standard formulas). An import is all-or-nothing: `plan_import` checks
every row and says what each value would become; `apply_import` writes it only when no row is refused, at most
once per upload (the upload, the claim-once confirm and the pages are `cxculture.imports`). Re-importing the
same file changes nothing.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit import record
from ..extensions import db
from ..imports import ApplyResult, apply_once, recent_uploads, store_upload
from ..orgs.models import Organisation, Person, Team
from ..orgs.teams import PATH_SEPARATOR, InvalidTeamPath, split_team_path, teams_by_path
from ..refusals import refuse_if
from ..spreadsheets import RowError, check_header, check_upload, read_csv, unescape_cell
from .formulas import SCALES, SMALL_SAMPLE, compute
from .models import Kpi, KpiImport, KpiValue
from .periods import InvalidPeriod, Period

COLUMNS = {
    "values": ("period", "kpi", "email", "team", "value"),
    "distributions": ("period", "kpi", "email", "team", "score", "count"),
}
REQUIRED = {
    "values": ("period", "kpi", "value"),
    "distributions": ("period", "kpi", "score", "count"),
}
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
#: Values are compared with this tolerance to tell "unchanged" from "update".
_SAME = 1e-9

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass
class PlannedValue:
    """One KPI value the import would write."""

    line: int
    period: str
    kpi: Kpi
    person: Person | None
    team: Team | None
    value: float
    answers: int | None = None
    distribution: dict[str, int] | None = None
    action: str = CREATE
    previous: float | None = None

    @property
    def subject(self) -> str:
        return self.person.email if self.person else self.team.path

    @property
    def small_sample(self) -> bool:
        return self.answers is not None and self.answers < SMALL_SAMPLE


@dataclass
class ImportPlan:
    kind: str
    values: list[PlannedValue] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.values)

    @property
    def counts(self) -> dict[str, int]:
        tally = Counter(value.action for value in self.values)
        return {action: tally.get(action, 0) for action in (CREATE, UPDATE, UNCHANGED)}

    @property
    def has_changes(self) -> bool:
        counts = self.counts
        return bool(counts[CREATE] or counts[UPDATE])

    @property
    def warnings(self) -> list[PlannedValue]:
        return [value for value in self.values if value.small_sample]


# --- reading a row ---------------------------------------------------------------------------------------------


def parse_number(text: str) -> float | None:
    """A number as people type it: "3.5", "3,5" (Italian), " 1 200 "; None when it is not one."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None  # no NaN, no infinity


def format_number(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:.0f}" if float(value).is_integer() else f"{value:g}"


def display_number(value: float | None) -> str:
    """A value for people to read, in the page's language (82,5 in Italian); up to two decimals."""
    from flask_babel import format_decimal

    return "" if value is None else format_decimal(value, format="#,##0.##")


def range_text(kpi: Kpi) -> str:
    low = "−∞" if kpi.min_value is None else format_number(kpi.min_value)
    high = "∞" if kpi.max_value is None else format_number(kpi.max_value)
    return f"{low} – {high}"


@dataclass
class _Context:
    kpis: dict[str, Kpi]
    people: dict[str, Person]
    teams: dict[str, Team]
    existing: dict[tuple, KpiValue]
    today: date


def _load_context(organisation: Organisation, today: date) -> _Context:
    kpis = {k.key: k for k in db.session.scalars(select(Kpi).where(Kpi.organisation_id == organisation.id))}
    people = {p.email: p for p in db.session.scalars(select(Person).where(Person.organisation_id == organisation.id))}
    teams = {path.lower(): team for path, team in teams_by_path(organisation.id).items()}
    return _Context(kpis, people, teams, {}, today)


def _load_existing(organisation: Organisation, periods: set[str]) -> dict[tuple, KpiValue]:
    if not periods:
        return {}
    rows = db.session.scalars(select(KpiValue).where(
        KpiValue.organisation_id == organisation.id, KpiValue.period.in_(sorted(periods))))
    return {(v.kpi_id, v.period, v.person_id, v.team_id): v for v in rows}


def _cells(header: list[str], cells: list[str]) -> dict[str, str]:
    return {name: unescape_cell(cells[i].strip()) if i < len(cells) else "" for i, name in enumerate(header) if name}


def _check_common(line: int, cells: dict[str, str], context: _Context, errors: list[RowError]):
    """The period, KPI and subject of a row, or None (with errors added) when one is wrong."""
    problems = len(errors)
    period = None
    try:
        period = Period.parse(cells.get("period", ""))
    except InvalidPeriod:
        errors.append(RowError(_l("“%(value)s” is not a quarter: write it like 2026-Q3.",
                                  value=cells.get("period", "")), line, "period"))
    else:
        if not period.is_closed(context.today):
            errors.append(RowError(_l("%(period)s is not over yet: values are imported once the quarter has closed.",
                                      period=str(period)), line, "period"))
    kpi = context.kpis.get(cells.get("kpi", "").lower())
    if kpi is None:
        errors.append(RowError(_l("There is no KPI with the key “%(key)s”: the keys are on the KPI catalogue page.",
                                  key=cells.get("kpi", "")), line, "kpi"))
    elif not kpi.active:
        errors.append(RowError(_l("The KPI “%(key)s” is deactivated: reactivate it before importing its values.",
                                  key=kpi.key), line, "kpi"))
    email, team_path = cells.get("email", "").lower(), cells.get("team", "")
    person = team = None
    if email and team_path:
        errors.append(RowError(_l("Give either an e-mail (a person's value) or a team (a team's value), not both."),
                               line, "email"))
    elif not email and not team_path:
        errors.append(RowError(_l("Say whose value it is: an e-mail for a person, or a team such as Sales/Milano."),
                               line, "email"))
    elif email:
        person = context.people.get(email)
        if person is None:
            errors.append(RowError(_l("Nobody in the organisation has the e-mail %(email)s.", email=email),
                                   line, "email"))
    else:
        try:
            team = context.teams.get(PATH_SEPARATOR.join(split_team_path(team_path)).lower())
        except InvalidTeamPath:
            team = None
        if team is None:
            errors.append(RowError(_l("There is no team “%(team)s”: write its full path, such as Sales/Milano.",
                                      team=team_path), line, "team"))
    if len(errors) > problems:
        return None
    return str(period), kpi, person, team


def _check_value(line: int, text: str, kpi: Kpi, errors: list[RowError]) -> float | None:
    value = parse_number(text)
    if value is None:
        errors.append(RowError(_l("“%(value)s” is not a number.", value=text), line, "value"))
    elif not kpi.in_range(value):
        errors.append(RowError(_l("%(value)s is outside the valid range of %(kpi)s (%(range)s).",
                                  value=text, kpi=kpi.key, range=range_text(kpi)), line, "value"))
    else:
        return value
    return None


def _subject_key(kpi: Kpi, period: str, person: Person | None, team: Team | None) -> tuple:
    return (kpi.id, period, person.id if person else None, team.id if team else None)


# --- planning an import ----------------------------------------------------------------------------------------


def plan_import(organisation: Organisation, kind: str, content: bytes, today: date | None = None) -> ImportPlan:
    """Check every row of a file and say what each value would become; writes nothing."""
    plan = ImportPlan(kind)
    plan.errors = check_upload(content, MAX_FILE_BYTES)
    if plan.errors:
        return plan
    parsed, plan.errors = read_csv(content, MAX_ROWS)
    if plan.errors:
        return plan
    plan.errors = check_header(parsed, COLUMNS[kind], REQUIRED[kind])
    if not plan.errors and "email" not in parsed.header and "team" not in parsed.header:
        plan.errors.append(RowError(_l("Add an email column (values of people) or a team column (values of teams)."),
                                    line=1))
    if plan.errors:
        return plan
    if len(parsed.records) > MAX_ROWS:
        plan.errors.append(RowError(_l("The file has %(count)s rows; the limit is %(limit)s.",
                                       count=len(parsed.records), limit=MAX_ROWS)))
        return plan
    if not parsed.records:
        plan.errors.append(RowError(_l("The file has a header but no rows."), line=1))
        return plan
    rows = [(line, _cells(parsed.header, cells)) for line, cells in parsed.records]
    return _plan_rows(organisation, rows, today, plan)


def _plan_rows(organisation: Organisation, rows: list[tuple[int, dict[str, str]]], today: date | None,
               plan: ImportPlan) -> ImportPlan:
    """Check every row (line, cells by column) by the import's rules and say what each value would become."""
    plan.rows = len(rows)
    context = _load_context(organisation, today or date.today())
    if plan.kind == "values":
        _plan_values(rows, context, plan)
    else:
        _plan_distributions(rows, context, plan)
    if plan.errors:
        plan.values = []
        return plan
    existing = _load_existing(organisation, {value.period for value in plan.values})
    for value in plan.values:
        current = existing.get(_subject_key(value.kpi, value.period, value.person, value.team))
        if current is not None:
            value.previous = current.value
            same = (abs(current.value - value.value) <= _SAME and current.answers == value.answers
                    and current.distribution == value.distribution)
            value.action = UNCHANGED if same else UPDATE
    return plan


def _plan_values(rows, context: _Context, plan: ImportPlan) -> None:
    first_line: dict[tuple, int] = {}
    for line, cells in rows:
        subject = _check_common(line, cells, context, plan.errors)
        value = _check_value(line, cells.get("value", ""), subject[1], plan.errors) if subject else None
        if subject is None or value is None:
            continue
        period, kpi, person, team = subject
        key = _subject_key(kpi, period, person, team)
        if key in first_line:
            plan.errors.append(RowError(_l("Row %(first)s already gives %(kpi)s for %(subject)s in %(period)s.",
                                           first=first_line[key], kpi=kpi.key,
                                           subject=person.email if person else team.path, period=period), line))
            continue
        first_line[key] = line
        plan.values.append(PlannedValue(line, period, kpi, person, team, value))


def _plan_distributions(rows, context: _Context, plan: ImportPlan) -> None:
    groups: dict[tuple, PlannedValue] = {}
    seen_scores: dict[tuple, int] = {}
    for line, cells in rows:
        subject = _check_common(line, cells, context, plan.errors)
        if subject is None:
            continue
        period, kpi, person, team = subject
        if kpi.survey not in SCALES:
            plan.errors.append(RowError(_l("%(kpi)s cannot be computed from survey answers: only NPS, CSAT and CES "
                                           "can. Import its value in a values file.", kpi=kpi.key), line, "kpi"))
            continue
        scale = SCALES[kpi.survey]
        score_text, count_text = cells.get("score", ""), cells.get("count", "")
        score = parse_number(score_text)
        if score is None or not score.is_integer() or int(score) not in scale:
            plan.errors.append(RowError(_l("“%(value)s” is not a score of %(kpi)s: use a whole number from %(low)s "
                                           "to %(high)s.", value=score_text, kpi=kpi.key, low=scale.start,
                                           high=scale.stop - 1), line, "score"))
            continue
        count = parse_number(count_text)
        if count is None or not count.is_integer() or count < 0:
            plan.errors.append(RowError(_l("“%(value)s” is not a number of answers: use a whole number, 0 or more.",
                                           value=count_text), line, "count"))
            continue
        key = _subject_key(kpi, period, person, team)
        score_key = (*key, int(score))
        if score_key in seen_scores:
            plan.errors.append(RowError(_l("Row %(first)s already gives the answers scoring %(score)s for %(kpi)s, "
                                           "%(subject)s, %(period)s.", first=seen_scores[score_key],
                                           score=int(score), kpi=kpi.key,
                                           subject=person.email if person else team.path, period=period), line))
            continue
        seen_scores[score_key] = line
        group = groups.setdefault(key, PlannedValue(line, period, kpi, person, team, 0.0, distribution={}))
        group.distribution[str(int(score))] = int(count)
    for group in groups.values():
        distribution = {int(score): n for score, n in group.distribution.items()}
        if not sum(distribution.values()):
            plan.errors.append(RowError(_l("%(kpi)s for %(subject)s in %(period)s has no answers at all.",
                                           kpi=group.kpi.key, subject=group.subject, period=group.period),
                                        group.line, "count"))
            continue
        result = compute(group.kpi.survey, distribution)
        group.value, group.answers = result.value, result.answers
        group.distribution = {str(score): distribution[score] for score in sorted(distribution)}
        plan.values.append(group)


# --- applying an import ----------------------------------------------------------------------------------------


def create_import(organisation: Organisation, uploaded_by: Person | None, kind: str, filename: str,
                  content: bytes) -> KpiImport:
    """Store an uploaded file for its preview."""
    return store_upload(KpiImport, organisation.id, uploaded_by, filename, content, f"kpi-{kind}.csv", kind=kind)


def preview_import(kpi_import: KpiImport, today: date | None = None) -> ImportPlan:
    """What a stored file would write now; writes nothing."""
    return plan_import(kpi_import.organisation, kpi_import.kind, kpi_import.content, today)


def apply_import(kpi_import: KpiImport, acting_person: Person | None = None,
                 today: date | None = None) -> ApplyResult[ImportPlan]:
    """Write an import, checking it again first; at most once (see `imports.apply_once`). Flushes only."""

    def write(plan: ImportPlan, now: datetime) -> dict[str, int]:
        kpi_import.written_count = _write(kpi_import.organisation, plan.values, acting_person)
        record("kpi.values_imported", target=("kpi_import", kpi_import.id, kpi_import.filename),
               organisation_id=kpi_import.organisation_id,
               details={"kind": kpi_import.kind, "written": kpi_import.written_count,
                        "periods": sorted({value.period for value in plan.values if value.action != UNCHANGED})})
        return {"written": kpi_import.written_count}

    return apply_once(kpi_import, lambda: preview_import(kpi_import, today), write)


def _write(organisation: Organisation, values: list[PlannedValue], acting_person: Person | None) -> int:
    existing = _load_existing(organisation, {value.period for value in values})
    written = 0
    for planned in values:
        if planned.action == UNCHANGED:
            continue
        key = _subject_key(planned.kpi, planned.period, planned.person, planned.team)
        row = existing.get(key)
        if row is None:
            row = KpiValue(organisation_id=organisation.id, kpi_id=planned.kpi.id, period=planned.period,
                           person_id=key[2], team_id=key[3])
            db.session.add(row)
        row.value, row.answers, row.distribution = planned.value, planned.answers, planned.distribution
        row.updated_by_id = acting_person.id if acting_person else None
        written += 1
    db.session.flush()
    return written


# --- values as records (the API) --------------------------------------------------------------------------------

#: The fields of a record: the columns of a values file.
RECORD_FIELDS = COLUMNS["values"]


def _record_cell(value) -> str:
    """A record's field as the cell of a file would hold it (numbers as written, nothing as empty)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return repr(value)  # refused by the checks as "not a number" / unknown
    return format_number(value) if isinstance(value, int | float) else value


def plan_records(organisation: Organisation, records: list[dict], today: date | None = None) -> ImportPlan:
    """Check KPI values given as records ({period, kpi, email or team, value}) by the rules of a values file;
    a problem's `line` is the record's position counted from 1. Writes nothing."""
    plan = ImportPlan("values")
    if not records:
        plan.errors.append(RowError(_l("Send at least one value.")))
        return plan
    if len(records) > MAX_ROWS:
        plan.errors.append(RowError(_l("%(count)s values were sent; the limit is %(limit)s.",
                                       count=len(records), limit=MAX_ROWS)))
        return plan
    rows = []
    for position, record_ in enumerate(records, start=1):
        if not isinstance(record_, dict):
            plan.errors.append(RowError(_l("Each value must be an object with period, kpi, email or team, and "
                                           "value."), position))
            continue
        for name in sorted(set(record_) - set(RECORD_FIELDS)):
            plan.errors.append(RowError(_l("“%(field)s” is not a field of a KPI value: use %(fields)s.",
                                           field=name, fields=", ".join(RECORD_FIELDS)), position, name))
        rows.append((position, {name: _record_cell(record_.get(name)).strip() for name in RECORD_FIELDS}))
    if plan.errors:
        return plan
    return _plan_rows(organisation, rows, today, plan)


def import_records(organisation: Organisation, records: list[dict], *, source: tuple[str, int, str],
                   today: date | None = None) -> tuple[ImportPlan, int]:
    """Write KPI values given as records, all or nothing: (the plan, how many were written). Nothing is written
    when any record is refused; values already stored as sent are left alone, so sending them again writes
    nothing. `source` names who sent them for the audit trail, as (type, id, label). Flushes only."""
    plan = plan_records(organisation, records, today)
    if not plan.ok:
        return plan, 0
    written = _write(organisation, plan.values, None)
    if written:
        record("kpi.values_imported", target=source, organisation_id=organisation.id,
               details={"kind": "values", "written": written,
                        "periods": sorted({value.period for value in plan.values if value.action != UNCHANGED})})
    return plan, written


def recent_imports(organisation_id: int, limit: int = 10) -> list[KpiImport]:
    return recent_uploads(KpiImport, organisation_id, limit)


# --- one value by hand -----------------------------------------------------------------------------------------


def set_value(organisation: Organisation, *, period: str, kpi_id, email: str = "", team_id=None, value_text: str,
              acting_person: Person | None = None, today: date | None = None) -> KpiValue:
    """Create or change one value; refuses with a message per field and changes nothing then."""
    errors: dict[str, object] = {}
    try:
        parsed_period = Period.parse(period)
        if not parsed_period.is_closed(today or date.today()):
            errors["period"] = _l("%(period)s is not over yet: values are entered once the quarter has closed.",
                                  period=str(parsed_period))
    except InvalidPeriod:
        errors["period"] = _l("Write the quarter like 2026-Q3.")
    kpi = db.session.get(Kpi, kpi_id) if kpi_id else None
    if kpi is None or kpi.organisation_id != organisation.id:
        errors["kpi_id"] = _l("Choose a KPI.")
        kpi = None
    elif not kpi.active:
        errors["kpi_id"] = _l("This KPI is deactivated.")
    person = team = None
    email = (email or "").strip().lower()
    if email and team_id:
        errors["email"] = _l("Give either a person's e-mail or a team, not both.")
    elif email:
        person = db.session.scalar(select(Person).where(Person.organisation_id == organisation.id,
                                                        func.lower(Person.email) == email))
        if person is None:
            errors["email"] = _l("Nobody in the organisation has the e-mail %(email)s.", email=email)
    elif team_id:
        team = db.session.get(Team, team_id)
        if team is None or team.organisation_id != organisation.id:
            errors["team_id"] = _l("Choose a team of the organisation.")
    else:
        errors["email"] = _l("Give a person's e-mail or choose a team.")
    number = parse_number(value_text or "")
    if number is None:
        errors["value"] = _l("Write a number, such as 72 or 3.5.")
    elif kpi is not None and not kpi.in_range(number):
        errors["value"] = _l("The valid range of this KPI is %(range)s.", range=range_text(kpi))
    refuse_if(errors)
    key = _subject_key(kpi, str(parsed_period), person, team)
    row = db.session.scalar(select(KpiValue).where(
        KpiValue.kpi_id == kpi.id, KpiValue.period == key[1],
        KpiValue.person_id.is_(None) if person is None else KpiValue.person_id == person.id,
        KpiValue.team_id.is_(None) if team is None else KpiValue.team_id == team.id))
    if row is None:
        row = KpiValue(organisation_id=organisation.id, kpi_id=kpi.id, period=key[1], person_id=key[2],
                       team_id=key[3])
        db.session.add(row)
    # A value typed by hand replaces any survey distribution it was computed from.
    row.value, row.answers, row.distribution = number, None, None
    row.updated_by_id = acting_person.id if acting_person else None
    db.session.flush()
    return row


def delete_value(value: KpiValue) -> None:
    db.session.delete(value)
    db.session.flush()


# --- listing and export ----------------------------------------------------------------------------------------


def values_query(organisation_id: int, period: str, kpi_id: int | None = None, search: str = ""):
    """The values of a quarter, people's then teams', by KPI; for a paginated table."""
    query = (select(KpiValue).outerjoin(Person, KpiValue.person_id == Person.id)
             .outerjoin(Team, KpiValue.team_id == Team.id).join(Kpi, KpiValue.kpi_id == Kpi.id)
             .where(KpiValue.organisation_id == organisation_id, KpiValue.period == period))
    if kpi_id:
        query = query.where(KpiValue.kpi_id == kpi_id)
    if search:
        like = f"%{search.lower()}%"
        query = query.where(func.lower(Person.email).like(like) | func.lower(Person.name).like(like)
                            | func.lower(Team.name).like(like))
    return query.order_by(Kpi.key, KpiValue.team_id.is_not(None), Person.email, Team.name)


def value_rows(organisation_id: int, period: str) -> list[list[str]]:
    """The period's values in the import file's format, so an export re-imports unchanged."""
    paths = {team.id: path for path, team in teams_by_path(organisation_id).items()}
    rows = db.session.execute(
        select(Kpi.key, Person.email, KpiValue.team_id, KpiValue.value)
        .select_from(KpiValue).join(Kpi, KpiValue.kpi_id == Kpi.id)
        .outerjoin(Person, KpiValue.person_id == Person.id)
        .where(KpiValue.organisation_id == organisation_id, KpiValue.period == period))
    rows = [[period, key, email or "", paths.get(team_id, "") if team_id else "", format_number(value)]
            for key, email, team_id, value in rows]
    return sorted(rows, key=lambda row: (row[1], row[3] != "", row[2], row[3]))


def periods_with_values(organisation_id: int) -> list[str]:
    return list(db.session.scalars(select(KpiValue.period).where(KpiValue.organisation_id == organisation_id)
                                   .distinct().order_by(KpiValue.period.desc())))
