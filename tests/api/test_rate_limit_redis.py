"""The rate limit in production: counted in the broker's Redis (a real redis-server on loopback), so two web hosts
share one count per token."""
from __future__ import annotations

import pytest

from cxculture import create_app
from cxculture.extensions import db
from tests.conftest import test_config as config_for_tests
from tests.jobs.conftest import redis_url  # noqa: F401  (the real Redis fixture)

LIMIT = "3 per minute"


@pytest.fixture
def app_config(redis_url):  # noqa: F811
    return {"BROKER_URL": redis_url, "API_RATE_LIMIT": LIMIT}


@pytest.mark.slow
def test_two_hosts_share_one_count_per_token(app, client, redis_url):  # noqa: F811
    other_app = create_app(config_for_tests(BROKER_URL=redis_url, API_RATE_LIMIT=LIMIT))
    try:
        _two_hosts(client, other_app.test_client())
    finally:
        with other_app.app_context():
            db.engine.dispose()  # its connections, closed now rather than by the garbage collector in a later test


def _two_hosts(client, other_host):
    # Not a token at all: refused before the database is asked, but counted like any request with it.
    headers = {"Authorization": "Bearer not-a-token"}
    assert client.get("/api/v1/teams", headers=headers).status_code == 401
    assert other_host.get("/api/v1/teams", headers=headers).status_code == 401
    assert client.get("/api/v1/teams", headers=headers).status_code == 401
    refused = other_host.get("/api/v1/teams", headers=headers)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert client.get("/api/v1/teams", headers={"Authorization": "Bearer another"}).status_code == 401
