"""The flow every file import shares (`cxculture.imports`), driven by a made-up import of its own.

The import here plans nothing and counts its writes: what is tested is the claim-once confirm and the pages, not
any area's rows. It stores its uploads in the roster's table (a test cannot add a table the migrations lack).
"""
from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from flask import Blueprint
from sqlalchemy import func, select, update

from cxculture.auth.access import permission_required
from cxculture.auth.login_sessions import start_session
from cxculture.extensions import db
from cxculture.imports import ApplyResult, ImportFlow, apply_once, store_upload
from cxculture.orgs.models import RosterImport
from cxculture.orgs.roster_forms import RosterUploadForm
from tests.conftest import login

PREVIEW = ("{{ upload.filename }} ok={{ plan.ok }} applied={{ upload.applied_at is not none }} "
           "{{ get_flashed_messages()|join('|') }}<form>{{ form.hidden_tag() }}</form>")
UPLOAD = "{{ imports|length }} uploads; {{ upload_errors|length }} problems"


@dataclass
class Plan:
    ok: bool


class Lines:
    """A made-up import: its plan is "ok" while `ok` is true; writing counts the calls and the file's lines."""

    def __init__(self):
        self.ok = True
        self.writes = 0

    def plan(self, upload, acting_person=None) -> Plan:
        return Plan(self.ok)

    def apply(self, upload, acting_person=None) -> ApplyResult[Plan]:
        def write(plan, now):
            self.writes += 1
            upload.created_count = upload.content.count(b"\n")
            return {"created": upload.created_count}

        return apply_once(upload, lambda: self.plan(upload), write)


@pytest.fixture
def lines():
    return Lines()


@pytest.fixture
def acme(make_organisation):
    return make_organisation("Acme")


@pytest.fixture
def admin(acme, make_person):
    return make_person(acme, "admin@acme.example.com", permissions=("admin",))


def _upload(organisation, content=b"a\nb\n") -> RosterImport:
    upload = store_upload(RosterImport, organisation.id, None, "", content, "lines.csv")
    db.session.commit()
    return upload


# --- the service: apply_once --------------------------------------------------------------------------------------


def test_an_upload_is_stored_with_its_default_name(acme):
    upload = _upload(acme)
    assert (upload.filename, upload.applied_at, upload.organisation) == ("lines.csv", None, acme)


def test_a_double_confirm_writes_once(acme, lines):
    upload = _upload(acme)
    first = lines.apply(upload)
    second = lines.apply(upload)
    db.session.commit()
    assert (first.status, first.applied, first.created, first.counts) == ("applied", True, 2, {"created": 2})
    assert (second.status, second.applied, second.plan) == ("already_applied", False, None)
    assert lines.writes == 1


def test_a_confirm_that_lost_the_race_writes_nothing(acme, lines):
    """Another request claimed the upload after this one loaded it: the conditional UPDATE finds it taken."""
    upload = _upload(acme)
    db.session.execute(update(RosterImport).where(RosterImport.id == upload.id).values(applied_at=func.now()),
                       execution_options={"synchronize_session": False})
    assert upload.applied_at is None  # this session's copy is stale on purpose
    assert lines.apply(upload).status == "already_applied"
    assert lines.writes == 0 and upload.applied_at is not None


def test_an_already_applied_upload_is_not_applied_again(acme, lines):
    upload = _upload(acme)
    lines.apply(upload)
    db.session.commit()
    applied_at = upload.applied_at
    db.session.expire_all()
    again = lines.apply(db.session.get(RosterImport, upload.id))
    db.session.commit()
    assert again.status == "already_applied" and lines.writes == 1
    assert db.session.get(RosterImport, upload.id).applied_at == applied_at


def test_a_refused_plan_writes_nothing_and_the_rollback_releases_the_upload(acme, lines):
    upload = _upload(acme)
    lines.ok = False
    refused = lines.apply(upload)
    assert (refused.status, refused.plan, lines.writes) == ("refused", Plan(False), 0)
    db.session.rollback()
    assert db.session.get(RosterImport, upload.id).applied_at is None
    lines.ok = True
    assert lines.apply(upload).applied and lines.writes == 1


def test_a_result_has_only_the_counts_its_writer_gave():
    result = ApplyResult("applied", counts={"written": 4})
    assert result.written == 4
    with pytest.raises(AttributeError):
        _ = result.created


# --- the pages: ImportFlow ----------------------------------------------------------------------------------------


@pytest.fixture
def pages(app, lines, tmp_path):
    """The made-up import's pages, on a blueprint of their own, for admins."""
    (tmp_path / "lines").mkdir()
    (tmp_path / "lines" / "upload.html").write_text(UPLOAD)
    (tmp_path / "lines" / "preview.html").write_text(PREVIEW)
    bp = Blueprint("lines", __name__, template_folder=str(tmp_path))
    ImportFlow(
        model=RosterImport,
        store=lambda organisation, person, form, filename, content: store_upload(
            RosterImport, organisation.id, person, filename, content, "lines.csv"),
        plan=lines.plan,
        apply=lines.apply,
        upload_form=RosterUploadForm,
        upload_template="lines/upload.html",
        preview_template="lines/preview.html",
        max_bytes=1024,
        applied_message=lambda result: f"Imported {result.created}.",
        refused_message="Something changed.",
    ).register(bp, guard=permission_required("admin"), upload_rule="/lines/import", upload_endpoint="upload",
               preview_rule="/lines/imports/<int:lines_id>", preview_endpoint="preview",
               confirm_endpoint="confirm", id_argument="lines_id")
    app.register_blueprint(bp)
    return lines


def _count_applied() -> int:
    return db.session.scalar(select(func.count(RosterImport.id)).where(RosterImport.applied_at.is_not(None)))


def test_upload_then_preview_then_confirm(client, pages, admin):
    login(client, admin.email)
    assert client.get("/lines/import").get_data(as_text=True) == "0 uploads; 0 problems"
    uploaded = client.post("/lines/import", data={"file": (io.BytesIO(b"a\nb\nc\n"), "three.csv")})
    upload = db.session.scalar(select(RosterImport))
    assert uploaded.status_code == 302 and uploaded.location.endswith(f"/lines/imports/{upload.id}")
    assert "three.csv ok=True applied=False" in client.get(f"/lines/imports/{upload.id}").get_data(as_text=True)
    confirmed = client.post(f"/lines/imports/{upload.id}", follow_redirects=True)
    assert "applied=True Imported 3." in confirmed.get_data(as_text=True)
    assert pages.writes == 1


def test_a_refused_upload_file_is_not_stored(client, pages, admin):
    login(client, admin.email)
    refused = client.post("/lines/import", data={"file": (io.BytesIO(b"x" * 2048), "big.csv")})
    assert refused.status_code == 400 and "1 problems" in refused.get_data(as_text=True)
    assert db.session.scalar(select(func.count(RosterImport.id))) == 0


def test_a_double_confirmed_page_writes_once(client, pages, acme, admin):
    upload = _upload(acme)
    login(client, admin.email)
    client.post(f"/lines/imports/{upload.id}")
    again = client.post(f"/lines/imports/{upload.id}", follow_redirects=True)
    assert "already applied; nothing was changed" in again.get_data(as_text=True)
    assert pages.writes == 1 and _count_applied() == 1


def test_a_stale_preview_is_refused_at_the_confirm(client, pages, acme, admin):
    upload = _upload(acme)
    login(client, admin.email)
    assert "ok=True" in client.get(f"/lines/imports/{upload.id}").get_data(as_text=True)
    pages.ok = False  # the organisation changed since the preview
    refused = client.post(f"/lines/imports/{upload.id}")
    assert refused.status_code == 302 and refused.location.endswith(f"/lines/imports/{upload.id}")
    assert "Something changed." in client.get(refused.location).get_data(as_text=True)
    assert pages.writes == 0 and _count_applied() == 0


def test_another_organisations_upload_is_not_found(client, pages, make_organisation, admin):
    upload = _upload(make_organisation("Other"))
    login(client, admin.email)
    assert client.get(f"/lines/imports/{upload.id}").status_code == 404
    assert client.post(f"/lines/imports/{upload.id}").status_code == 404
    assert pages.writes == 0 and _count_applied() == 0


def test_the_pages_need_the_guards_permission(client, pages, acme, make_person):
    upload = _upload(acme)
    employee = make_person(acme, "employee@acme.example.com")
    login(client, employee.email)
    assert client.get("/lines/import").status_code == 403
    assert client.post(f"/lines/imports/{upload.id}").status_code == 403
    assert pages.writes == 0


@pytest.mark.parametrize("app_config", [{"WTF_CSRF_ENABLED": True}])
def test_a_confirm_without_its_csrf_token_writes_nothing(client, pages, acme, admin):
    upload = _upload(acme)
    with client.session_transaction() as session:  # log in without a form: the session the login would set
        session["_user_id"] = start_session(admin)
        db.session.commit()
        session["_fresh"] = True
    assert client.post(f"/lines/imports/{upload.id}").status_code == 400
    assert pages.writes == 0 and _count_applied() == 0
