import re

import pytest

from tests.conftest import login

TOKEN = re.compile(r'id="new-token">(cxscim_[A-Za-z0-9_-]+)<')


def make_token(client, email: str = "admin@retail.example.com") -> str:
    """Make the organisation's provisioning token as its administrator does, on the provisioning page."""
    login(client, email)
    page = client.post("/admin/provisioning/token", data={"confirm": "yes"})
    assert page.status_code == 200, page.status_code
    token = TOKEN.search(page.get_data(as_text=True)).group(1)
    client.post("/logout")
    return token


@pytest.fixture
def retail_token(app, retail):
    return make_token(app.test_client())


@pytest.fixture
def scim(app, retail_token):
    """A SCIM client speaking for Demo Retail's identity provider: `scim.get(path)`, `scim.post(path, json)`..."""

    class Scim:
        def __init__(self, token):
            self.client = app.test_client()
            self.headers = {"Authorization": f"Bearer {token}"}

        def __getattr__(self, method):
            def call(path, json=None, **kwargs):
                return getattr(self.client, method)(f"/scim/v2{path}", json=json, headers=self.headers,
                                                    content_type="application/scim+json", **kwargs)
            return call

    return Scim(retail_token)
