"""A requested file and its bytes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column

from ..extensions import db
from ..util import utcnow

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


class Download(db.Model):
    """A file a person asked for: queued, made by a worker, then downloadable until it expires."""

    __tablename__ = "download"
    __table_args__ = (Index("ix_download_cache", "organisation_id", "fingerprint", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id", ondelete="CASCADE"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    #: "html" for a document whose HTML is stored below; otherwise the name of an area's builder ("kpis.team_pack").
    kind: Mapped[str] = mapped_column(String(40))
    #: What the person sees on the download's page ("Team scorecards 2026-Q3: Sales").
    title: Mapped[str] = mapped_column(String(300))
    filename: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100), default="application/pdf")
    #: The builder's arguments (ids, period, language); never shown.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The document of an "html" download, as the request built it (cleared once the file is made).
    html: Mapped[str | None] = deferred(mapped_column(Text))
    #: A digest of everything the file is made from: a file with the same fingerprint in the same organisation
    #: is the same file, served again instead of rendered again.
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(10), default=QUEUED)
    #: Progress: steps done of steps in all (people laid out, documents written).
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    #: Why it failed: "timeout", "too-many-pages", "too-large", "error"; `error_limit` is the limit it ran into.
    error: Mapped[str | None] = mapped_column(String(20))
    error_limit: Mapped[float | None] = mapped_column(Float)
    size: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    #: When the file is deleted (the sweep does it); set when it is made.
    expires_at: Mapped[datetime | None] = mapped_column(DateTime, index=True)

    @property
    def pending(self) -> bool:
        return self.status in (QUEUED, RUNNING)

    @property
    def percent(self) -> int:
        if self.status == DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0


class DownloadFile(db.Model):
    """The bytes of a made download, apart from its row so that listing downloads never reads them."""

    __tablename__ = "download_file"

    download_id: Mapped[int] = mapped_column(ForeignKey("download.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
