"""The privacy page, the record of processing, a person's data export and an administrator's erasure."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..audit import record
from ..auth.access import get_in_organisation, permission_required
from ..downloads.models import Download
from ..downloads.offer import offer_built
from ..downloads.privacy import EXPORT_KIND
from ..downloads.service import Progress, register_builder
from ..extensions import db
from ..i18n import person_language
from ..orgs.models import Person
from ..refusals import Refused, form_status, show_refusal
from ..spreadsheets import csv_bytes, csv_delimiter, csv_download
from . import bp, service
from .forms import EraseForm


def build_export(download: Download, progress: Progress) -> bytes:
    """The job of a data export: the ZIP of one person of the download's organisation."""
    person = db.session.get(Person, download.params["person_id"])
    if person is None or person.organisation_id != download.organisation_id or person.erased_at is not None:
        raise LookupError("the person exported is gone")
    return service.export_archive(person, download.params.get("language"))


register_builder(EXPORT_KIND, build_export)


def _offer_export(person: Person):
    record("person.exported", target=person)
    return offer_built(EXPORT_KIND, {"person_id": person.id, "language": person_language(person)},
                       title=_("Personal data of %(name)s", name=person.name),
                       filename=service.export_filename(person), mimetype="application/zip")


@bp.get("/privacy")
def show_privacy():
    """What is stored, why, for how long, who sees it: readable by anyone (the installation's page), with the
    organisation's name and anonymity threshold for a person logged in."""
    organisation = current_user.organisation if current_user.is_authenticated else None
    return render_template("privacy/page.html", organisation=organisation,
                           lines=service.privacy_lines(organisation.id if organisation else None))


@bp.get("/privacy/record.csv")
@permission_required("admin")
def download_record_of_processing():
    header, rows = service.record_of_processing(current_user.organisation_id)
    return csv_download(csv_bytes(header, rows, csv_delimiter()), "record-of-processing")


@bp.post("/account/export")
@login_required
def export_own_data():
    return _offer_export(current_user._get_current_object())


@bp.post("/admin/people/<int:person_id>/export")
@permission_required("admin")
def export_person(person_id: int):
    person = get_in_organisation(Person, person_id)
    if person.erased_at is not None:
        abort(404)
    return _offer_export(person)


@bp.route("/admin/people/<int:person_id>/erase", methods=["GET", "POST"])
@permission_required("admin")
def erase_person(person_id: int):
    person = get_in_organisation(Person, person_id)
    if person.erased_at is not None:
        abort(404)
    form = EraseForm()
    form.set_choices(service.successor_choices(person))
    refusal = None
    try:
        service.check_erasure(person, current_user)
    except Refused as refused:
        refusal = refused
    if refusal is None and form.validate_on_submit():
        try:
            service.erase_person(person, current_user, form.successor_id.data)
        except Refused as refused:
            db.session.rollback()
            show_refusal(form, refused)
        else:
            db.session.commit()
            flash(_("The person is erased: their data is gone for good."), "success")
            return redirect(url_for("orgs.list_people"))
    elif refusal is not None and form.is_submitted():
        form.validate()
        show_refusal(form, refusal)
    plan = service.erasure_plan(person)
    status = 400 if refusal is not None and form.is_submitted() else form_status(form)
    return render_template("privacy/erase.html", person=person, plan=plan, form=form, refusal=refusal), status
