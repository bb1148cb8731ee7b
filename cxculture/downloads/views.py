"""A person's files: each one's page (which refreshes itself while the file is being made) and the file itself."""
from __future__ import annotations

from flask import abort, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..extensions import db
from . import bp, service
from .models import DONE, Download
from .offer import file_response

#: Seconds between two refreshes of a download's page while its file is being made.
REFRESH_SECONDS = 2


def _own_download(download_id: int) -> Download:
    """The logged-in person's download; 404 for anyone else's (never say whose it is)."""
    download = db.session.get(Download, download_id)
    if download is None or download.requested_by_id != current_user.id \
            or download.organisation_id != current_user.organisation_id:
        abort(404)
    return download


@bp.get("/downloads")
@login_required
def list_downloads():
    return render_template("downloads/list.html", downloads=service.downloads_of(current_user.id),
                           error_message=error_message)


@bp.get("/downloads/<int:download_id>")
@login_required
def show_download(download_id: int):
    download = _own_download(download_id)
    return render_template("downloads/show.html", download=download, refresh=REFRESH_SECONDS,
                           error_message=error_message)


@bp.get("/downloads/<int:download_id>/file")
@login_required
def download_file(download_id: int):
    download = _own_download(download_id)
    data = service.file_of(download) if download.status == DONE else None
    if data is None:  # not made yet, failed, or swept: its page says which
        return redirect(url_for("downloads.show_download", download_id=download.id), 303)
    return file_response(download, data)


def error_message(download: Download) -> str:
    """Why a download failed, as its page says it."""
    limit = f"{download.error_limit:g}" if download.error_limit is not None else ""
    if download.error == "timeout":
        return _("Making the file took longer than %(seconds)s seconds and was stopped. Try a smaller team, or "
                 "ask again later when fewer files are being made.", seconds=limit)
    if download.error == "too-many-pages":
        return _("The PDF would have more than %(pages)s pages and was not made. Choose a smaller team.",
                 pages=limit)
    if download.error == "too-large":
        return _("The document is too large to turn into a PDF. Choose a smaller team.")
    return _("Something went wrong while making the file. It has been logged; try again, and tell your "
             "administrator if it happens again.")
