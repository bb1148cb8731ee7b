"""LMS fixtures: a real LTI platform (lti1p3platform) and the tool served over HTTP on loopback."""
from __future__ import annotations

import re
import threading

import pytest
import requests
from werkzeug.serving import make_server

from cxculture.extensions import db
from tests.conftest import POLL_SECONDS

from .platform import Platform


@pytest.fixture(scope="module")
def platform():
    server = Platform().start()
    yield server
    server.stop()


@pytest.fixture
def app_config():
    # Served on 127.0.0.1:<port>, so the host is not pinned to "localhost".
    return {"SERVER_NAME": None}


@pytest.fixture
def tool_url(app):
    """The app, served by a real HTTP server on loopback for the length of the test (requests one at a time:
    the test database is a single in-memory connection)."""
    server = make_server("127.0.0.1", 0, app, threaded=False)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": POLL_SECONDS}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def registered(app, trained, platform, tool_url):
    """demo-bank registers the platform; the platform knows the tool. Returns the registration."""
    from cxculture.lms.registrations import RegistrationData, save_registration

    organisation = trained["demo-bank"]  # English: the tests read the pages
    registration = save_registration(organisation.id, RegistrationData(
        "Test Moodle", platform.url, platform.client_id, [platform.deployment_id], f"{platform.url}/auth",
        f"{platform.url}/token", f"{platform.url}/jwks"), allow_http=True)
    db.session.commit()
    platform.configure(tool_url, organisation.slug)
    return registration


def launch(platform: Platform, session: requests.Session | None = None, **plan):
    """Run a launch as a browser would: tool login -> platform authorisation -> post the id_token to the tool.
    Returns (session, launch response, the platform's launch data)."""
    session = session or requests.Session()
    login = session.get(platform.login_url(**plan), allow_redirects=False, timeout=10)
    assert login.status_code == 302, login.text
    auth = session.get(login.headers["Location"], timeout=10)
    assert auth.status_code == 200, auth.text
    data = auth.json()
    response = session.post(data["launch_url"], data={"id_token": data["id_token"], "state": data["state"]},
                            allow_redirects=False, timeout=10)
    return session, response, data


def hidden_value(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, f"no hidden {name} in the page"
    return found.group(1)
