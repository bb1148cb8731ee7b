"""What a page that offers a file answers: the file at once when it is already made, else its download page."""
from __future__ import annotations

from collections.abc import Callable

from flask import Response, redirect, url_for
from flask_login import current_user

from ..extensions import db
from . import service
from .models import Download


def offer_html(html: str | Callable[[], str], *, title: str, filename: str,
               fingerprint: str | None = None) -> Response:
    """A PDF of `html`, built by the request that offers it: served at once when the same document (by
    `fingerprint`, or by its HTML) was made before, else made by the job queue. With a `fingerprint`, `html` may
    be a function, called only when the PDF has to be made."""
    if callable(html):
        if fingerprint is None:
            raise ValueError("a function for the HTML needs a fingerprint")
    else:
        fingerprint = fingerprint or service.fingerprint_of("html", html)
    made = service.made_file(current_user.organisation_id, fingerprint)
    if made is not None:
        return file_response(made[0], made[1])
    download = service.ask(current_user.organisation_id, current_user.id, kind="html", title=title,
                           filename=filename, html=html() if callable(html) else html, fingerprint=fingerprint)
    db.session.commit()
    return redirect(url_for("downloads.show_download", download_id=download.id), 303)


def offer_built(kind: str, params: dict, *, title: str, filename: str, mimetype: str = "application/pdf") -> Response:
    """A file an area's builder makes in the job queue (a team pack, an organisation's scorecards)."""
    download = service.ask(current_user.organisation_id, current_user.id, kind=kind, title=title,
                           filename=filename, params=params, mimetype=mimetype)
    db.session.commit()
    return redirect(url_for("downloads.show_download", download_id=download.id), 303)


def file_response(download: Download, data: bytes) -> Response:
    disposition = "inline" if download.mimetype == "application/pdf" else "attachment"
    return Response(data, mimetype=download.mimetype, headers={
        "Content-Disposition": f'{disposition}; filename="{download.filename}"',
        "Cache-Control": "private, no-store"})
