"""The rate limit counts per token: over it, 429 with Retry-After; another token is not slowed by it."""
from __future__ import annotations

import pytest

from cxculture.api import rate_limit_storage
from tests.api.conftest import bearer


@pytest.fixture
def app_config():
    return {"API_RATE_LIMIT": "3 per minute"}


def test_a_token_over_its_limit_gets_429_with_retry_after(client, demo, make_token):
    busy, other = make_token(demo["demo-retail"]), make_token(demo["demo-retail"])
    for _ in range(3):
        assert client.get("/api/v1/teams", headers=bearer(busy)).status_code == 200
    refused = client.get("/api/v1/teams", headers=bearer(busy))
    assert refused.status_code == 429
    assert refused.get_json()["error"] == "rate_limited"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/teams", headers=bearer(other)).status_code == 200


def test_the_pages_are_not_rate_limited(client, login_as):
    login_as("admin")
    for _ in range(5):
        assert client.get("/admin/api").status_code == 200


@pytest.mark.parametrize("broker, storage", [
    ("redis://redis.internal:6379/0", "redis://redis.internal:6379/0"),
    ("redis+socket:///srv/cx/instance/redis.sock", "redis+unix:///srv/cx/instance/redis.sock"),
    ("memory://", "memory://"),
])
def test_the_limits_are_counted_where_the_broker_is(broker, storage):
    assert rate_limit_storage(broker) == storage
