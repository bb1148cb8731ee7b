"""The roster forms refuse a post without a CSRF token."""
import io
import re

import pytest
from sqlalchemy import func, select

from cxculture.auth.login_sessions import start_session
from cxculture.extensions import db
from cxculture.orgs.models import Person, RosterImport


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def logged_in_admin(client, demo):
    admin = db.session.scalar(select(Person).where(Person.email == "admin@bank.example.com"))
    with client.session_transaction() as session:
        session["_user_id"] = start_session(admin)
        db.session.commit()
        session["_fresh"] = True
    return admin


def test_upload_and_confirm_need_the_csrf_token(client, logged_in_admin):
    content = b"email,name\nnew.person@bank.example.com,New Person\n"
    refused = client.post("/admin/roster/import", data={"file": (io.BytesIO(content), "roster.csv")},
                          content_type="multipart/form-data")
    assert refused.status_code == 400
    assert db.session.scalar(select(func.count(RosterImport.id))) == 0

    page = client.get("/admin/roster/import").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    uploaded = client.post(
        "/admin/roster/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), "roster.csv")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 302
    preview_url = uploaded.headers["Location"]

    people = db.session.scalar(select(func.count(Person.id)))
    assert client.post(preview_url).status_code == 400
    assert db.session.scalar(select(func.count(Person.id))) == people

    page = client.get(preview_url).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post(preview_url, data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(select(func.count(Person.id))) == people + 1
