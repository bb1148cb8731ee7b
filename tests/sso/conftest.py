"""Single sign-on fixtures: a real OpenID Connect provider (the oidc-provider-mock package: discovery, JWKS,
authorisation code and token endpoints, RS256-signed ID tokens) served on loopback, and a browser's round trip
through it."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
from urllib.parse import urlsplit

import pytest
import requests

from cxculture.extensions import db
from cxculture.sso.service import SettingsData, save_settings

CLIENT_ID, CLIENT_SECRET = "cx-culture", "s3cret-from-the-provider"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Provider:
    """One provider process (the package's own server command) with its own signing key; `url` is its issuer.
    A process of its own: its Authlib warns about APIs it still uses, which this suite's warnings-as-errors would
    turn into failures inside a thread."""

    def __init__(self, *options: str):
        self.options = options
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> Provider:
        self.process = subprocess.Popen(
            [sys.executable, "-W", "ignore", "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port",
             str(self.port), "--require-nonce", *self.options],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/.well-known/openid-configuration", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("the OpenID provider did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def set_user(self, sub: str, **claims) -> None:
        """What the provider says about `sub` in its next tokens."""
        response = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=10)
        assert response.status_code == 204, response.text

    def approve(self, authorization_url: str, sub: str) -> str:
        """The person `sub` signs in at the provider: returns where the provider sends the browser back."""
        response = requests.post(authorization_url, data={"sub": sub}, allow_redirects=False, timeout=10)
        assert response.status_code == 302, response.text
        return response.headers["Location"]


@pytest.fixture(scope="module")
def provider():
    server = Provider().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def other_provider():
    """A second provider: another signing key."""
    server = Provider().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def short_lived_provider():
    """A provider whose tokens expire one second after they are issued."""
    server = Provider("--token-max-age", "1").start()
    yield server
    server.stop()


def configure(organisation, provider: Provider, **overrides):
    """Switch single sign-on on for `organisation` with `provider` (committed)."""
    values = {"enabled": True, "provider_name": "Acme ID", "issuer": provider.url, "client_id": CLIENT_ID,
              "client_secret": CLIENT_SECRET, **overrides}
    settings = save_settings(organisation.id, SettingsData(**values), allow_http=True)
    db.session.commit()
    return settings


def start(client, organisation):
    """The browser leaves for the provider: returns the authorisation URL it is sent to."""
    response = client.get(f"/sso/{organisation.slug}/login")
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def come_back(client, location: str):
    """The browser follows the provider's redirect back to the app."""
    parts = urlsplit(location)
    return client.get(f"{parts.path}?{parts.query}")


def sign_in(client, provider: Provider, organisation, sub: str):
    """A whole round trip: returns (the callback's response, the callback URL the provider sent)."""
    location = provider.approve(start(client, organisation), sub)
    return come_back(client, location), location
