"""CSRF protection is on for every form outside the test configuration."""
import re

import pytest

from cxculture.orgs.service import person_by_email
from tests.conftest import DEMO_PASSWORD


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def test_post_without_token_is_refused(client, demo):
    response = client.post("/login", data={"email": "employee@bank.example.com", "password": DEMO_PASSWORD})
    assert response.status_code == 400
    assert b"This form has expired" in response.data
    assert client.get("/home/employee").status_code == 302  # not logged in


def test_post_with_token_is_accepted(client, demo):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post(
        "/login", data={"email": "employee@bank.example.com", "password": DEMO_PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


def test_logged_in_change_without_token_changes_nothing(client, demo):
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": "employee@bank.example.com", "password": DEMO_PASSWORD, "csrf_token": token})
    response = client.post("/language", data={"language": "it", "next": "/"})
    assert response.status_code == 400
    assert person_by_email("employee@bank.example.com").language is None
