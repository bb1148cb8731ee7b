"""File imports, the part every import shares: the stored upload, the claim-once confirm and its pages.

An import is all-or-nothing and runs in three steps: the upload is stored (`UploadRecord`), its preview plans
every row against the organisation as it is now and writes nothing, and its confirm plans again and writes the
plan only when no row is refused, at most once per upload (`apply_once`), even for two confirms at the same
moment. Re-importing the same file changes nothing because an area's plan marks what is already stored as
unchanged. `ImportFlow` gives the upload, preview and confirm pages; the area gives the rest.

How to add an import (say, action items from CSV), about a page of code in the area:

1. The record, in the area's `models.py`, and its migration (`flask --app wsgi db migrate`, reviewed by hand)::

       class ActionItemImport(UploadRecord, db.Model):
           __tablename__ = "action_item_import"
           created_count: Mapped[int] = mapped_column(Integer, default=0)

2. The planner, `plan_action_items(organisation, content) -> plan`: read the file with
   `spreadsheets.check_upload`, `read_csv` and `check_header`, check each row and say what it would do. The plan
   has `ok` (true when it can be written) and whatever the preview template shows; each problem is a
   `RowError(message, line, column)`. It writes nothing.
3. The writer, `_write(upload, plan, now) -> {"created": n}`: writes the planned rows, records the counts on
   the upload, flushes. The service is then
   `apply_once(upload, lambda: plan_action_items(upload.organisation, upload.content), partial(_write, upload))`.
4. The pages: an upload form with a `file` field, an upload template (it gets `form`, `upload_errors`,
   `imports`, `max_megabytes`) and a preview template (it gets `upload`, `plan`, and `form` to post to the
   confirm endpoint), and in the area's views::

       ImportFlow(model=ActionItemImport, store=..., plan=..., apply=..., upload_form=ActionItemsUploadForm,
                  upload_template=..., preview_template=..., max_bytes=..., applied_message=...,
                  refused_message=...).register(bp, guard=permission_required("manager"), ...)

   The URLs, endpoints and the name of the upload's id are the area's; `tests/test_imports.py` has a complete
   made-up import.

Services here flush only: the view commits an applied import and rolls back anything else (which releases the
claim of a refused one).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import DateTime, ForeignKey, LargeBinary, String, select, update
from sqlalchemy.orm import Mapped, aliased, declared_attr, defer, joinedload, mapped_column, relationship
from wtforms import SubmitField

from .extensions import db
from .refusals import form_status
from .spreadsheets import read_upload
from .util import utcnow

R = TypeVar("R", bound="UploadRecord")
P = TypeVar("P")


# --- the stored upload -------------------------------------------------------------------------------------------


class UploadRecord:
    """The columns every import's upload has; an area's model is `class XImport(UploadRecord, db.Model)`.

    Each area keeps its own table (with the counts it reports), so an upload's id names one import of one kind.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    #: Set once, when the import is written; a second confirm finds it set and writes nothing.
    applied_at: Mapped[datetime | None] = mapped_column(DateTime)

    @declared_attr
    def organisation(cls) -> Mapped[Any]:
        return relationship("Organisation")

    @declared_attr
    def uploaded_by(cls) -> Mapped[Any]:
        return relationship("Person")


def store_upload(model: type[R], organisation_id: int, uploaded_by, filename: str, content: bytes,
                 default_filename: str, **fields) -> R:
    """Store an uploaded file for its preview; `fields` are the area's own columns (a KPI file's kind)."""
    upload = model(organisation_id=organisation_id, uploaded_by=uploaded_by,
                   filename=(filename or default_filename)[:255], content=content, **fields)
    db.session.add(upload)
    db.session.flush()
    return upload


def recent_uploads(model: type[R], organisation_id: int, limit: int = 10) -> list[R]:
    """The organisation's latest uploads of one import, newest first, without their files' content."""
    return list(db.session.scalars(
        select(model)
        .options(defer(model.content), joinedload(model.uploaded_by))
        .where(model.organisation_id == organisation_id)
        .order_by(model.uploaded_at.desc(), model.id.desc())
        .limit(limit)
    ))


def waiting_uploads(model: type[R], organisation_id: int, since: datetime, same: tuple[str, ...] = ()) -> list[R]:
    """Uploads previewed but not confirmed: uploaded since `since`, not applied, and with no later upload of the
    same kind (the `same` columns) applied since, which would have superseded them. Newest first, in one query,
    without their files' content."""
    later = aliased(model)
    superseded = (select(later.id)
                  .where(later.organisation_id == model.organisation_id, later.applied_at.is_not(None),
                         later.uploaded_at > model.uploaded_at,
                         *(getattr(later, column) == getattr(model, column) for column in same))
                  .exists())
    return list(db.session.scalars(
        select(model)
        .options(defer(model.content), joinedload(model.uploaded_by))
        .where(model.organisation_id == organisation_id, model.applied_at.is_(None), model.uploaded_at >= since,
               ~superseded)
        .order_by(model.uploaded_at.desc(), model.id.desc())
    ))


# --- confirming once ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplyResult(Generic[P]):
    """The outcome of confirming an import: "applied", "already_applied" or "refused" (with the new plan).

    `counts` are what the area's writer reports ({"created": 3, "updated": 0}); each reads as an attribute too
    (`result.created`).
    """

    status: str
    plan: P | None = None
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def applied(self) -> bool:
        return self.status == "applied"

    def __getattr__(self, name: str) -> int:
        counts = self.__dict__.get("counts", {})
        if name.startswith("_") or name not in counts:
            raise AttributeError(name)
        return counts[name]


def apply_once(upload: UploadRecord, plan: Callable[[], P],
               write: Callable[[P, datetime], Mapping[str, int]]) -> ApplyResult[P]:
    """Write an import, planning it again first; at most once, even for two confirms at the same moment.

    The upload is claimed with one conditional UPDATE (only while `applied_at` is empty): of two confirms, one
    claims it and the other finds it taken and writes nothing. `plan()` checks the file against the
    organisation as it is now; `write(plan, now)` writes the rows (stamping what it creates with `now` if it
    needs to find them later), records its counts on the upload and returns them. Flushes only: the caller
    commits on "applied" and rolls back otherwise (which releases the claim of a refused import).
    """
    now = utcnow()
    model = type(upload)
    claimed = db.session.execute(
        update(model)
        .where(model.id == upload.id, model.applied_at.is_(None))
        .values(applied_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        db.session.refresh(upload)
        return ApplyResult("already_applied")
    planned = plan()
    if not planned.ok:
        return ApplyResult("refused", plan=planned)
    counts = write(planned, now)
    upload.applied_at = now
    db.session.flush()
    return ApplyResult("applied", plan=planned, counts=dict(counts))


# --- the pages ---------------------------------------------------------------------------------------------------


class ConfirmImportForm(FlaskForm):
    """Applies a previewed import; the upload's id is in the address."""

    submit = SubmitField(_l("Confirm import"))


def _no_extras(*args) -> dict:
    return {}


@dataclass
class ImportFlow(Generic[R, P]):
    """The upload, preview and confirm pages of one import; `register` puts them on the area's blueprint.

    The area gives its record model, its services (store, plan and apply an upload), its upload form (with a
    `file` field) and templates, and the messages it flashes.
    """

    model: type[R]
    #: (organisation, uploaded by, valid upload form, filename, content) -> the stored upload, from `store_upload`.
    store: Callable[[Any, Any, FlaskForm, str, bytes], R]
    #: (upload, acting person) -> the plan the preview shows; writes nothing.
    plan: Callable[[R, Any], P]
    #: (upload, acting person) -> ApplyResult, from `apply_once`; flushes only.
    apply: Callable[[R, Any], ApplyResult[P]]
    upload_form: type[FlaskForm]
    upload_template: str
    preview_template: str
    max_bytes: int
    #: What the success message says, from the result's counts.
    applied_message: Callable[[ApplyResult[P]], str]
    #: What is flashed when the preview no longer holds at the confirm (a lazy string).
    refused_message: Any
    #: More for the upload page's template (columns, limits).
    upload_context: Callable[[], dict] = _no_extras
    #: More for the preview's template, from the upload and its plan.
    preview_context: Callable[[R, P], dict] = _no_extras
    #: Where an applied upload is shown instead of its preview; None shows the preview (it says it is applied).
    applied_url: Callable[[R], str] | None = None
    #: Where a confirm that wrote goes; None goes where an applied upload is shown.
    done_url: Callable[[R, ApplyResult[P]], str] | None = None
    confirm_form: type[FlaskForm] = ConfirmImportForm
    #: Filled in by `register`: the endpoints and the name of the upload's id in the addresses.
    endpoints: dict[str, str] = field(default_factory=dict)

    def register(self, bp, *, guard, upload_rule: str, upload_endpoint: str, preview_rule: str,
                 preview_endpoint: str, confirm_endpoint: str, id_argument: str) -> None:
        """Add the pages to `bp`: the upload (GET, POST), the preview (GET) and the confirm (POST, same address).

        `guard` is the area's permission decorator; `preview_rule` names the upload's id `<int:id_argument>`.
        """
        self.endpoints.update(upload=f"{bp.name}.{upload_endpoint}", preview=f"{bp.name}.{preview_endpoint}",
                              id_argument=id_argument)
        bp.add_url_rule(upload_rule, upload_endpoint, guard(self.upload_view), methods=["GET", "POST"])
        bp.add_url_rule(preview_rule, preview_endpoint, guard(self.preview_view), methods=["GET"])
        bp.add_url_rule(preview_rule, confirm_endpoint, guard(self.confirm_view), methods=["POST"])

    # The views: thin, like every view; the services are the area's planner and apply.

    def upload_view(self):
        form = self.upload_form()
        if not form.validate_on_submit():
            return self._render_upload(form, status=form_status(form))
        filename, content, upload_errors = read_upload(form.file.data, self.max_bytes)
        if upload_errors:
            return self._render_upload(form, upload_errors, status=400)
        upload = self.store(current_user.organisation, current_user._get_current_object(), form, filename, content)
        db.session.commit()
        return redirect(self._preview_url(upload))

    def preview_view(self, **ids):
        upload = self._load(ids)
        if upload.applied_at is not None and self.applied_url is not None:
            return redirect(self.applied_url(upload))
        plan = self.plan(upload, current_user._get_current_object())
        return render_template(self.preview_template, upload=upload, plan=plan, form=self.confirm_form(),
                               reupload_form=self.upload_form(formdata=None), **self.preview_context(upload, plan))

    def confirm_view(self, **ids):
        upload = self._load(ids)
        if not self.confirm_form().validate_on_submit():
            abort(400)
        result = self.apply(upload, current_user._get_current_object())
        if result.applied:
            db.session.commit()
            flash(self.applied_message(result), "success")
            return redirect(self.done_url(upload, result) if self.done_url else self._shown_url(upload))
        db.session.rollback()
        if result.status == "already_applied":
            flash(_("This import was already applied; nothing was changed this time."), "info")
            return redirect(self._shown_url(upload))
        flash(str(self.refused_message), "error")
        return redirect(self._preview_url(upload))

    def _load(self, ids: dict) -> R:
        """The upload named in the address, of the current person's organisation; 404 for anyone else's."""
        upload = db.session.get(self.model, ids[self.endpoints["id_argument"]])
        if upload is None or upload.organisation_id != current_user.organisation_id:
            abort(404)
        return upload

    def _preview_url(self, upload: R) -> str:
        return url_for(self.endpoints["preview"], **{self.endpoints["id_argument"]: upload.id})

    def _shown_url(self, upload: R) -> str:
        return self.applied_url(upload) if self.applied_url else self._preview_url(upload)

    def _render_upload(self, form: FlaskForm, upload_errors=(), status: int = 200):
        return render_template(
            self.upload_template, form=form, upload_errors=upload_errors,
            imports=recent_uploads(self.model, current_user.organisation_id),
            max_megabytes=self.max_bytes // (1024 * 1024), **self.upload_context(),
        ), status
