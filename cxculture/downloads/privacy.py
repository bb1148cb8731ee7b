"""The downloads' privacy provider: files a person asked for, and files about them that others asked for.

Areas whose files name a person (a scorecard, a certificate, a team pack) forget them with `forget_downloads`
when the person is erased. Flushes only: the caller commits.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, or_, select

from ..extensions import db
from ..personal_data import Erasure, Holding, row_dict
from .models import Download, DownloadFile

AREA = "downloads"
TITLE = _l("Files you asked for")
#: The kind of a personal-data export (built by cxculture/privacy); its params name the person exported.
EXPORT_KIND = "privacy.export"

HOLDINGS = (
    Holding("download", ("requested_by_id", "title", "params", "html"),
            what=_l("Files you asked for (PDFs, ZIPs, your data export) while they are kept."),
            why=_l("To make long files in the background and let you download them when they are ready."),
            who_sees=_l("You: each file belongs to the person who asked for it."),
            on_erase=_l("Deleted, with every file about the person (their scorecards, certificates, exports)."),
            kept="downloads"),
    Holding("download_file", ("download_id",),
            what=_l("The bytes of those files."), why=_l("To serve the file."),
            who_sees=_l("The person who asked for it."), on_erase=_l("Deleted."), kept="downloads"),
)
NOT_PERSONAL = ()


def forget_downloads(*conditions) -> int:
    """Delete the downloads matching any of `conditions`, with their files (SQLite does not cascade)."""
    ids = select(Download.id).where(or_(*conditions))
    db.session.execute(delete(DownloadFile).where(DownloadFile.download_id.in_(ids)))
    return db.session.execute(delete(Download).where(Download.id.in_(ids))
                              .execution_options(synchronize_session=False)).rowcount


def _exports_of(person) -> list[int]:
    """Ids of the data exports of `person` (asked by them or by an administrator)."""
    rows = db.session.execute(select(Download.id, Download.params).where(
        Download.organisation_id == person.organisation_id, Download.kind == EXPORT_KIND))
    return [row.id for row in rows if (row.params or {}).get("person_id") == person.id]


def export(person) -> dict:
    rows = db.session.scalars(select(Download).where(Download.requested_by_id == person.id).order_by(Download.id))
    return {"downloads": [row_dict(d, ("title", "filename", "kind", "status", "created_at", "expires_at"))
                          for d in rows]}


def erasure(person) -> list[Erasure]:
    asked = db.session.scalar(select(func.count(Download.id)).where(Download.requested_by_id == person.id))
    others = len(set(_exports_of(person)) - set(db.session.scalars(
        select(Download.id).where(Download.requested_by_id == person.id))))
    return [Erasure(_l("Files they asked for, and exports of their data"), asked + others)]


def erase(person, successor) -> None:
    forget_downloads(Download.requested_by_id == person.id, Download.id.in_(_exports_of(person) or [-1]))
