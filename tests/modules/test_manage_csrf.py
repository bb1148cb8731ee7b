"""The path editor's forms need their CSRF token: without it nothing changes."""
import re

import pytest
from sqlalchemy import select

from cxculture.extensions import db
from cxculture.modules.models import Module, PathItem, TrainingPath
from cxculture.orgs.models import JobRole
from tests.conftest import DEMO_PASSWORD


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def _token(page: str) -> str:
    return re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', page).group(1)


def test_path_forms_without_a_token_are_refused_and_with_one_accepted(client, trained):
    login_page = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": "admin@bank.example.com", "password": DEMO_PASSWORD,
                                "csrf_token": _token(login_page)})
    role = db.session.scalar(select(JobRole).where(JobRole.organisation_id == trained["demo-bank"].id,
                                                   JobRole.key == "frontline"))
    item = db.session.scalar(select(PathItem).join(TrainingPath).where(TrainingPath.job_role_id == role.id)
                             .order_by(PathItem.position.desc()))
    item_id = item.id
    url = f"/admin/training/paths/{role.id}/items/{item_id}/remove"

    def still_there() -> bool:
        return db.session.scalar(select(PathItem.id).where(PathItem.id == item_id)) is not None

    assert client.post(url, data={"confirm": "yes"}).status_code == 400
    assert still_there()

    editor = client.get(f"/admin/training/paths/{role.id}").get_data(as_text=True)
    assert client.post(url, data={"csrf_token": _token(editor), "confirm": "yes"}).status_code == 302
    assert not still_there()
    module = db.session.scalar(select(Module).where(Module.slug == "leading-a-customer-centric-culture"))
    response = client.post(f"/admin/training/paths/{role.id}", data={"module_id": module.id})
    assert response.status_code == 400
