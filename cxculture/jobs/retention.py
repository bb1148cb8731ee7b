"""The retention run: each organisation's personal data older than its retention settings say, counted (a dry run)
or deleted (every night, and by `flask --app wsgi cx retention run`).

Per organisation (orgs/retention.py has the settings): anonymous survey comments of campaigns closed long ago (their
figures are frozen and stay), KPI values and kept scorecard files, delivered xAPI statements and grade passbacks,
people deactivated long ago, the audit trail's own records, and customer remarks closed long ago. For the whole
installation, the hourly sweeps of housekeeping.py (expired login sessions, old login failures, expired LTI nonces
and pending links) are counted and run too. Invitations keep no rows (their links are signed and stop working once
used), so there is none to delete.

People: erasing a person is the privacy area's (`erase_person` in cxculture/privacy/erasure.py); the run calls it
for each person due when the installation has it, and otherwise counts and lists them, erasing nobody.

A real run commits per organisation, with an audit record of what it deleted; a dry run changes nothing.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from ..assessments.retention import expire_comments
from ..audit import expire_records, record
from ..auth.login_sessions import sweep_expired_sessions
from ..auth.throttle import forget_old_failures
from ..downloads.service import expire_made_files
from ..extensions import db
from ..kpis.retention import expire_kpi_values
from ..listening.retention import expire_remarks
from ..lms.launches import sweep_expired_pending_links
from ..lms.outbox import expire_delivered
from ..lms.tool import sweep_expired_nonces
from ..orgs.models import Organisation, Person
from ..orgs.retention import Cutoffs, cutoffs, retention_of_all
from ..privacy.service import erase_by_retention
from ..refusals import Refused
from ..util import utcnow

log = logging.getLogger(__name__)

RETENTION_JOB = "retention.purge"

#: What a run deletes per organisation, in the order it is reported, with how a report names it.
KINDS = {
    "survey_comment": "survey comments of campaigns closed before",
    "kpi_value": "KPI values of quarters ended before",
    "scorecard_file": "kept scorecard files made before",
    "xapi_statement": "xAPI statements delivered before",
    "grade_passback": "grade passbacks delivered before",
    "deactivated_person": "people deactivated before",
    "audit_record": "audit records written before",
    "customer_remark": "customer remarks closed before",
}
#: The installation-wide sweeps a run also does (housekeeping.py runs them every hour as well).
SWEEPS: dict[str, Callable[[], int]] = {
    "login_session": sweep_expired_sessions,
    "login_failure": forget_old_failures,
    "lti_nonce": sweep_expired_nonces,
    "lti_pending_link": sweep_expired_pending_links,
}


@dataclass
class DuePerson:
    id: int
    name: str
    email: str
    deactivated_at: datetime
    #: Erased by this run; False when left for an administrator (they still manage people or own open actions).
    erased: bool = False


@dataclass
class OrganisationRun:
    """What a run found (and, unless dry, deleted) in one organisation."""

    slug: str
    name: str
    cutoffs: Cutoffs
    counts: dict[str, int] = field(default_factory=dict)
    #: People due for erasure (listed in a dry run, and in a real run when nothing can erase them).
    people_due: list[DuePerson] = field(default_factory=list)
    #: Whether the due people were erased (False when the privacy area's erasure is not installed).
    people_erased: bool = False

    def cutoff_of(self, kind: str) -> datetime:
        return {"survey_comment": self.cutoffs.campaign_closed, "kpi_value": self.cutoffs.kpi_value,
                "scorecard_file": self.cutoffs.kpi_value, "xapi_statement": self.cutoffs.delivered,
                "grade_passback": self.cutoffs.delivered, "deactivated_person": self.cutoffs.deactivated,
                "audit_record": self.cutoffs.audit_record, "customer_remark": self.cutoffs.closed_remark}[kind]


@dataclass
class RetentionReport:
    dry_run: bool
    organisations: list[OrganisationRun] = field(default_factory=list)
    #: Rows the installation-wide sweeps found (None when the run was for one organisation).
    installation: dict[str, int] | None = None


def person_eraser() -> Callable[[Person], object] | None:
    """The privacy area's erasure of a person past their time."""
    return erase_by_retention


def _people_due(organisation_id: int, deactivated_before: datetime) -> list[Person]:
    return list(db.session.scalars(
        select(Person).where(Person.organisation_id == organisation_id, Person.active.is_(False),
                             Person.deactivated_at < deactivated_before).order_by(Person.deactivated_at, Person.id)))


def _run_organisation(organisation: Organisation, due: Cutoffs, apply: bool) -> OrganisationRun:
    run = OrganisationRun(organisation.slug, organisation.name, due)
    org = organisation.id
    run.counts["survey_comment"] = expire_comments(org, due.campaign_closed, apply=apply)
    run.counts["kpi_value"] = expire_kpi_values(org, due.kpi_value, apply=apply)
    run.counts["scorecard_file"] = expire_made_files(org, "kpis.", due.kpi_value, apply=apply)
    run.counts.update(expire_delivered(org, due.delivered, apply=apply))
    people = _people_due(org, due.deactivated)
    run.counts["deactivated_person"] = len(people)
    run.people_due = [DuePerson(p.id, p.name, p.email, p.deactivated_at) for p in people]
    if apply:
        erase = person_eraser()
        for due_person, person in zip(run.people_due, people, strict=True):
            due_person.erased = bool(erase(person))
        run.people_erased = any(p.erased for p in run.people_due)
    run.counts["audit_record"] = expire_records(org, due.audit_record, apply=apply)
    run.counts["customer_remark"] = expire_remarks(org, due.closed_remark, apply=apply)
    return run


def _sweep(apply: bool) -> dict[str, int]:
    """The installation-wide sweeps; a dry run counts inside a savepoint it rolls back."""
    found = {}
    for table, sweep in SWEEPS.items():
        if apply:
            found[table] = sweep()
            db.session.commit()
        else:
            savepoint = db.session.begin_nested()
            try:
                found[table] = sweep()
            finally:
                savepoint.rollback()
    return found


def run_retention(*, apply: bool, slug: str | None = None, now: datetime | None = None) -> RetentionReport:
    """Count (and when `apply`, delete) what every organisation's retention says is due, or only `slug`'s.

    A real run commits each organisation on its own, with an audit record of the counts; one that fails is rolled
    back and logged and holds back no other. Refused for an unknown slug."""
    now = now or utcnow()
    query = select(Organisation).order_by(Organisation.slug)
    if slug is not None:
        query = query.where(Organisation.slug == slug)
    organisations = list(db.session.scalars(query))
    if slug is not None and not organisations:
        raise Refused({"org": _("No organisation has the short name %(slug)s.", slug=slug)})
    policies = retention_of_all(o.id for o in organisations)
    report = RetentionReport(dry_run=not apply)
    for organisation in organisations:
        due = cutoffs(policies[organisation.id], now)
        try:
            run = _run_organisation(organisation, due, apply)
            if apply:
                record("retention.run", target=organisation, details={
                    "deleted": {kind: count for kind, count in run.counts.items() if kind != "deactivated_person"},
                    "people_due": run.counts["deactivated_person"], "people_erased": run.people_erased,
                    "cutoffs": {kind: run.cutoff_of(kind) for kind in KINDS}})
                db.session.commit()
        except Exception:
            db.session.rollback()
            if not apply:
                raise
            log.exception("the retention run failed for %s", organisation.slug)
            continue
        report.organisations.append(run)
    if slug is None:
        report.installation = _sweep(apply)
    if not apply:
        db.session.rollback()
    return report


def retention_purge() -> dict:
    """The nightly task: apply every organisation's retention; returns the counts per organisation."""
    report = run_retention(apply=True)
    counts = {run.slug: run.counts for run in report.organisations}
    log.info("retention: %s; installation %s", counts, report.installation)
    return {"organisations": counts, "installation": report.installation}


def report_lines(report: RetentionReport) -> list[str]:
    """The report as the command prints it: counts per kind and organisation, the people due listed."""
    lines = ["Retention dry run: nothing is deleted." if report.dry_run else "Retention run:"]
    for run in report.organisations:
        lines.append(f"{run.name} ({run.slug}):")
        for kind, label in KINDS.items():
            lines.append(f"  {label} {run.cutoff_of(kind):%Y-%m-%d}: {run.counts.get(kind, 0)}")
        if run.people_due and report.dry_run:
            lines.append("  due for erasure:")
            lines.extend(f"    {p.name} <{p.email}>, deactivated {p.deactivated_at:%Y-%m-%d}"
                         for p in run.people_due)
        elif run.people_due:
            erased = [p for p in run.people_due if p.erased]
            left = [p for p in run.people_due if not p.erased]
            if erased:
                lines.append("  erased:")
                lines.extend(f"    {p.name}, deactivated {p.deactivated_at:%Y-%m-%d}" for p in erased)
            if left:
                lines.append("  left for an administrator (they manage people or own open actions: erase them "
                             "from their page, choosing who takes over):")
                lines.extend(f"    {p.name} <{p.email}>, deactivated {p.deactivated_at:%Y-%m-%d}" for p in left)
    if report.installation is not None:
        lines.append("Whole installation (also swept every hour): " + ", ".join(
            f"{table.replace('_', ' ')}s {count}" for table, count in report.installation.items()))
    return lines
