"""Asking for a file, making it in the job queue, keeping it for a while, and finding it again."""
from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, or_, select, update

from ..background import run_after_commit
from ..extensions import db
from ..pdf import PdfRenderError, render_pdf
from ..util import utcnow
from .models import DONE, FAILED, QUEUED, RUNNING, Download, DownloadFile

log = logging.getLogger(__name__)

RENDER_JOB = "downloads.render"
RENDER_DUE_JOB = "downloads.render_due"
#: A queued download whose job message has not started it after this long is started by the periodic round.
LOST_MESSAGE_SECONDS = 30
#: Progress is written at most this often (each write is a commit the download's page reads).
PROGRESS_SECONDS = 0.5


class Progress:
    """What a builder calls as it goes: `progress(done, total)`; written to the download's row now and then."""

    def __init__(self, download: Download):
        self.download = download
        self.written_at = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.written_at < PROGRESS_SECONDS and done < total:
            return
        self.download.done, self.download.total = done, total
        db.session.commit()
        self.written_at = now


#: A builder makes a download's bytes from its row (its `params`), reporting progress as it goes.
Builder = Callable[[Download, Progress], bytes]
_builders: dict[str, Builder] = {}


def register_builder(kind: str, build: Builder) -> None:
    """Areas register what makes each kind of download they offer (at import, beside the view that offers it)."""
    _builders[kind] = build


def fingerprint_of(*parts) -> str:
    """A digest of everything a file is made from (texts, numbers, dataclasses with a stable repr)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(repr(part).encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()


def template_source(name: str) -> str:
    """A template's source, so that a fingerprint changes when the template does (a new release)."""
    return current_app.jinja_env.loader.get_source(current_app.jinja_env, name)[0]


def made_file(organisation_id: int, fingerprint: str) -> tuple[Download, bytes] | None:
    """A file already made from the same inputs in this organisation and not expired, with its bytes."""
    row = db.session.execute(
        select(Download, DownloadFile.data).join(DownloadFile, DownloadFile.download_id == Download.id)
        .where(Download.organisation_id == organisation_id, Download.fingerprint == fingerprint,
               Download.status == DONE, Download.expires_at > utcnow())
        .order_by(Download.id.desc()).limit(1)).first()
    return (row[0], row[1]) if row else None


def ask(organisation_id: int, person_id: int, *, kind: str, title: str, filename: str, params: dict | None = None,
        html: str | None = None, fingerprint: str | None = None,
        mimetype: str = "application/pdf") -> Download:
    """The person's download of this file: one still being made for them from the same inputs, or a new one that
    the job queue starts once the request commits (a second click does not make a second file)."""
    if kind != "html" and kind not in _builders:
        raise LookupError(f"no download builder is called {kind!r}")
    params = params or {}
    same = select(Download).where(Download.organisation_id == organisation_id,
                                  Download.requested_by_id == person_id, Download.kind == kind,
                                  Download.status.in_((QUEUED, RUNNING)))
    for pending in db.session.scalars(same.order_by(Download.id.desc())):
        if (fingerprint and pending.fingerprint == fingerprint) or (
                not fingerprint and pending.params == params and pending.title == title):
            return pending
    download = Download(organisation_id=organisation_id, requested_by_id=person_id, kind=kind, title=title,
                        filename=filename, mimetype=mimetype, params=params, html=html, fingerprint=fingerprint,
                        status=QUEUED, created_at=utcnow())
    db.session.add(download)
    db.session.flush()
    run_after_commit(RENDER_JOB, download.id)
    return download


def downloads_of(person_id: int, limit: int = 50) -> list[Download]:
    """The person's downloads not yet swept, newest first."""
    return list(db.session.scalars(
        select(Download).where(Download.requested_by_id == person_id).order_by(Download.id.desc()).limit(limit)))


def file_of(download: Download) -> bytes | None:
    return db.session.scalar(select(DownloadFile.data).where(DownloadFile.download_id == download.id))


# The worker's side -------------------------------------------------------------------------------------------

def _stale_before(now: datetime) -> datetime:
    """A download still "running" since before this was stopped by the queue's time limit (or its worker died)."""
    return now - timedelta(seconds=current_app.config["DOWNLOAD_TIME_LIMIT_SECONDS"] + 60)


def _claim(download_id: int, now: datetime) -> bool:
    """Start the download if it is queued; False when it is running elsewhere, made, or gone (a repeated message)."""
    result = db.session.execute(
        update(Download).where(Download.id == download_id, Download.status == QUEUED)
        .values(status=RUNNING, started_at=now).execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount == 1


def render(download_id: int, stops: tuple[type[BaseException], ...] = ()) -> str | None:
    """Make one download (the job "downloads.render"); idempotent: a repeated message makes nothing twice.
    Returns its status, or None when another worker has it or it is gone. `stops` are the exceptions by which the
    job queue stops a task that ran out of time: they are let through, for the queue to record."""
    if not _claim(download_id, utcnow()):
        return None
    download = db.session.get(Download, download_id)
    try:
        # Templates build URLs and read the locale: a bare request stands in for the one that asked.
        with current_app.test_request_context(base_url=current_app.config["PUBLIC_URL"]):
            if download.kind == "html":
                data = render_pdf(download.html or "")
            else:
                data = _builders[download.kind](download, Progress(download))
    except PdfRenderError as error:
        db.session.rollback()
        return fail(download_id, error.code, error.limit)
    except stops:
        raise
    except Exception:
        db.session.rollback()
        log.exception("download %s (%s) failed", download_id, download.kind)
        return fail(download_id, "error")
    now = utcnow()
    db.session.add(DownloadFile(download_id=download.id, data=data))
    download.status, download.size, download.html = DONE, len(data), None
    download.done = download.total = max(download.total, 1)
    download.finished_at = now
    download.expires_at = now + timedelta(hours=current_app.config["DOWNLOADS_KEEP_HOURS"])
    db.session.commit()
    return DONE


def fail(download_id: int, code: str, limit: float | None = None) -> str:
    """Record why a download could not be made (its page says so); kept as long as a made file would be."""
    now = utcnow()
    db.session.execute(
        update(Download).where(Download.id == download_id)
        .values(status=FAILED, error=code, error_limit=limit, finished_at=now, html=None,
                expires_at=now + timedelta(hours=current_app.config["DOWNLOADS_KEEP_HOURS"]))
        .execution_options(synchronize_session=False))
    db.session.commit()
    return FAILED


def render_due() -> dict:
    """The periodic round: start downloads whose job message was lost, and fail those that ran past the time
    limit (their worker was stopped, so their page stops waiting)."""
    now = utcnow()
    stale = db.session.execute(
        update(Download).where(Download.status == RUNNING, Download.started_at < _stale_before(now))
        .values(status=FAILED, error="timeout", error_limit=current_app.config["DOWNLOAD_TIME_LIMIT_SECONDS"],
                finished_at=now, html=None,
                expires_at=now + timedelta(hours=current_app.config["DOWNLOADS_KEEP_HOURS"]))
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    lost = list(db.session.scalars(
        select(Download.id).where(Download.status == QUEUED,
                                  Download.created_at < now - timedelta(seconds=LOST_MESSAGE_SECONDS))
        .order_by(Download.id).limit(20)))
    made = sum(render(download_id) is not None for download_id in lost)
    return {"stopped": stale, "started": made}


def sweep_expired_downloads(now: datetime | None = None) -> int:
    """Delete the files (and rows) whose time is up; the sweep commits."""
    now = now or utcnow()
    expired = select(Download.id).where(Download.expires_at < now,
                                        or_(Download.status == DONE, Download.status == FAILED))
    db.session.execute(delete(DownloadFile).where(DownloadFile.download_id.in_(expired)))
    return db.session.execute(delete(Download).where(Download.id.in_(expired))).rowcount


def expire_made_files(organisation_id: int, kind_prefix: str, made_before: datetime, *, apply: bool) -> int:
    """The organisation's downloads whose kind starts with `kind_prefix` ("kpis.") made before `made_before`, with
    their files: counted, and deleted when `apply` (an organisation's retention). Flushes only."""
    due = select(Download.id).where(Download.organisation_id == organisation_id,
                                    Download.kind.startswith(kind_prefix, autoescape=True),
                                    Download.created_at < made_before)
    if not apply:
        return db.session.scalar(select(func.count()).select_from(due.subquery()))
    db.session.execute(delete(DownloadFile).where(DownloadFile.download_id.in_(due)))
    return db.session.execute(delete(Download).where(Download.id.in_(due))
                              .execution_options(synchronize_session=False)).rowcount
