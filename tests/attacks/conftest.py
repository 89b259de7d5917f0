"""Fixtures shared by the attack tests on limits (login, registration, reset)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from tests.helpers import RATELIMIT_KEY_PREFIX

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["memory", "redis"])
def storage(request) -> Iterator[tuple[str, str]]:
    """(storage URI, key prefix): a prefix of this test's own, removed afterwards."""
    prefix = f"{RATELIMIT_KEY_PREFIX}-{uuid.uuid4().hex[:8]}"
    if request.param == "memory":
        yield "memory://", prefix
        return
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    yield REDIS_URL, prefix
    for key in connection.scan_iter(match=f"{prefix}:*"):
        connection.delete(key)
    connection.close()
