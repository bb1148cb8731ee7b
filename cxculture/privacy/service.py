"""A person's data: exported as one ZIP (a JSON file per area and a readable summary), or erased.

Flushes only: the request (or the download job) commits.
"""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from datetime import date

from flask import g, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit import record
from ..extensions import db
from ..i18n import person_language
from ..orgs.models import Person, PersonPermission
from ..orgs.retention import retention_of
from ..personal_data import Erasure
from ..refusals import Refused
from ..util import slugify
from . import registry
from .retention import retention_text

# Export ------------------------------------------------------------------------------------------------------

def export_data(person: Person) -> dict[str, dict]:
    """Everything every area holds about the person, by area (JSON-ready)."""
    return {provider.AREA: provider.export(person) for provider in registry.PROVIDERS}


def export_filename(person: Person) -> str:
    return f"personal-data-{person.id}-{slugify(person.name) or 'person'}.zip"


def export_archive(person: Person, language: str | None = None) -> bytes:
    """The ZIP of an export: `<area>.json` per area and `summary.html`, in the person's language."""
    language = language or person_language(person)
    g.privacy_render = True  # force_locale switches nothing while g is empty (outside a request)
    with force_locale(language):  # the texts inside the JSON files too
        data = export_data(person)
        summary = export_summary_html(person, data, language)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for area, content in data.items():
            archive.writestr(f"{area}.json", json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True))
        archive.writestr("summary.html", summary)
    return buffer.getvalue()


#: Headings of the summary for the keys of the providers' exports (others are shown as written).
SUMMARY_LABELS = {
    "profile": _l("Profile"), "permissions": _l("Permissions"), "people_managed": _l("People you manage"),
    "sessions": _l("Where you are logged in"), "failed_logins": _l("Failed logins"),
    "progress": _l("Training progress"), "quiz_attempts": _l("Quiz attempts"), "certificates": _l("Certificates"),
    "assignments": _l("Assigned modules"), "about_your_answers": _l("Your survey answers"),
    "campaigns_invited_to": _l("Campaigns you were invited to"), "campaigns_answered": _l("Campaigns you answered"),
    "drafts": _l("Unsubmitted drafts"), "action_items": _l("Action items"), "kpi_values": _l("KPI values"),
    "files_uploaded": _l("Files you uploaded"), "attended": _l("Cafés you were invited to"),
    "facilitated": _l("Cafés you facilitate"), "invitations": _l("Invitations"),
    "decisions_written": _l("Decisions you wrote"), "lti_accounts": _l("LMS accounts"),
    "grade_links": _l("Grade links"), "grades": _l("Grades sent"), "xapi_statements": _l("Learning records (xAPI)"),
    "downloads": _l("Files you asked for"), "name": _l("Name"), "email": _l("E-mail"), "language": _l("Language"),
    "organisation": _l("Organisation"), "team": _l("Team"), "job_role": _l("Job role"), "manager": _l("Manager"),
    "active": _l("Active"), "created_at": _l("Created"), "last_login_at": _l("Last login"),
}


def export_summary_html(person: Person, data: dict[str, dict], language: str) -> str:
    """The readable summary of an export, in `language`."""
    g.privacy_render = True
    sections = [(provider.TITLE, provider.AREA, data[provider.AREA]) for provider in registry.PROVIDERS]
    with force_locale(language):
        return render_template("privacy/export_summary.html", person=person, sections=sections,
                               language=language, generated_on=date.today(),
                               labels={key: str(label) for key, label in SUMMARY_LABELS.items()},
                               answers_not_linked=registry.assessments.ANSWERS_NOT_LINKED)


# Erasure -----------------------------------------------------------------------------------------------------

@dataclass
class ErasurePlan:
    """What erasing a person will do, per area, and whether someone must take over what they own."""

    person: Person
    areas: list[tuple[object, list[Erasure]]]

    @property
    def needs_successor(self) -> bool:
        return any(line.needs_successor and line.count for _, lines in self.areas for line in lines)


def erasure_plan(person: Person) -> ErasurePlan:
    return ErasurePlan(person, [(provider.TITLE, provider.erasure(person)) for provider in registry.PROVIDERS])


def _active_admins(organisation_id: int) -> int:
    return db.session.scalar(
        select(func.count(Person.id)).join(PersonPermission, PersonPermission.person_id == Person.id)
        .where(Person.organisation_id == organisation_id, Person.active.is_(True), Person.erased_at.is_(None),
               PersonPermission.name == "admin"))


def successor_choices(person: Person) -> list[Person]:
    """Who may take over from the person: the organisation's other active, not erased people, by name."""
    return list(db.session.scalars(
        select(Person).where(Person.organisation_id == person.organisation_id, Person.id != person.id,
                             Person.active.is_(True), Person.erased_at.is_(None)).order_by(Person.name)))


def check_erasure(person: Person, acting: Person | None) -> None:
    """Refuse erasing oneself, someone already erased, or the organisation's last administrator (`acting` is None
    for the retention run)."""
    if person.erased_at is not None:
        raise Refused(_("%(name)s is already erased.", name=person.name), "erased")
    if acting is not None and person.id == acting.id:
        raise Refused(_("You cannot erase yourself: ask another administrator to do it."), "self")
    if person.can("admin") and person.active and _active_admins(person.organisation_id) <= 1:
        raise Refused(_("%(name)s is the organisation's last administrator: give someone else the administrator "
                        "permission first.", name=person.name), "last-admin")


def erase_person(person: Person, acting: Person | None, successor_id: int | None = None) -> Person | None:
    """Erase the person in every area; `successor_id` takes over the people they manage, their open action items
    and planned cafés (required when there are any). Returns the successor. Flushes only."""
    check_erasure(person, acting)
    plan = erasure_plan(person)
    successor = None
    if successor_id:
        successor = db.session.get(Person, successor_id)
        if successor is None or successor not in successor_choices(person):
            raise Refused({"successor_id": _("Choose someone of the organisation who is active.")}, "successor")
    elif plan.needs_successor:
        raise Refused({"successor_id": _("%(name)s manages people or owns open actions: choose who takes them "
                                         "over.", name=person.name)}, "successor")
    for provider in registry.ERASURE_ORDER:
        provider.erase(person, successor)
    db.session.flush()
    record("person.erased", target=person, details={"successor": successor.name if successor else None})
    return successor


def erase_by_retention(person: Person) -> bool:
    """The retention run's erasure of a person deactivated long ago; False (left for an administrator, who picks a
    successor) when they still manage people or own open actions."""
    if person.erased_at is not None or erasure_plan(person).needs_successor:
        return False
    erase_person(person, None)
    return True


# The privacy page and the record of processing ---------------------------------------------------------------

@dataclass
class PrivacyLine:
    area: str
    table: str
    what: str
    why: str
    who_sees: str
    kept: str
    on_erase: str
    anonymous: bool


def privacy_lines(organisation_id: int | None = None) -> list[PrivacyLine]:
    """Every declared holding, in the reader's language, with the organisation's own retention periods."""
    policy = retention_of(organisation_id) if organisation_id is not None else None
    return [PrivacyLine(str(provider.TITLE), holding.table, str(holding.what), str(holding.why),
                        str(holding.who_sees), retention_text(holding.kept, policy), str(holding.on_erase),
                        holding.anonymous)
            for provider, holding in registry.holdings()]


def record_of_processing(organisation_id: int | None = None) -> tuple[list[str], list[list[str]]]:
    """The record of processing as a table (header, rows), in the reader's language."""
    header = [_("Area"), _("Table"), _("What is stored"), _("Why"), _("Who sees it"), _("How long"),
              _("On erasure"), _("Anonymous")]
    rows = [[line.area, line.table, line.what, line.why, line.who_sees, line.kept, line.on_erase,
             _("yes") if line.anonymous else _("no")] for line in privacy_lines(organisation_id)]
    return header, rows
