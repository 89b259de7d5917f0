"""The reservation store behind the login limits: the same semantics in memory and in Redis.

All or nothing across buckets, a release gives exactly one place back, the window slides, the
refusal says when there is room again, and a one-time mark is spent once.
"""

from __future__ import annotations

import os
import threading
import time
import uuid

import pytest
from cryptography.fernet import Fernet

from talento.accounts.login_limits import (
    Bucket,
    LoginLimits,
    MemoryStore,
    RedisStore,
    Refusal,
    Reservation,
    client_network,
    limits_of,
)
from talento.settings import ConfigError, Settings
from tests.helpers import RATELIMIT_KEY_PREFIX

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@pytest.fixture(params=["memory", "redis"])
def limits(request):
    prefix = f"{RATELIMIT_KEY_PREFIX}-{uuid.uuid4().hex[:8]}"
    if request.param == "memory":
        yield LoginLimits(MemoryStore(), prefix, b"k" * 32)
        return
    import redis

    connection = redis.Redis.from_url(REDIS_URL)
    try:
        connection.ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    yield LoginLimits(RedisStore(REDIS_URL), prefix, b"k" * 32)
    for key in connection.scan_iter(match=f"{prefix}:*"):
        connection.delete(key)
    connection.close()


def bucket(name: str, limit: str, identity: str = "x") -> Bucket:
    return Bucket(name, identity, limits_of(limit))


def test_all_buckets_or_none(limits):
    small, large = bucket("small", "2 per minute"), bucket("large", "10 per minute")
    assert isinstance(limits.reserve([large, small]), Reservation)
    assert isinstance(limits.reserve([large, small]), Reservation)
    refused = limits.reserve([large, small])
    assert isinstance(refused, Refusal)
    assert refused.bucket == "small"
    assert 55 <= refused.retry_after <= 60
    # the refused attempt took no place in `large`: 8 more fit there
    results = [limits.reserve([large]) for _ in range(9)]
    assert [isinstance(r, Reservation) for r in results] == [True] * 8 + [False]


def test_a_release_gives_back_exactly_its_place(limits):
    one = bucket("one", "2 per minute")
    first = limits.reserve([one])
    second = limits.reserve([one])
    assert isinstance(first, Reservation)
    assert isinstance(second, Reservation)
    assert isinstance(limits.reserve([one]), Refusal)
    first.release()
    first.release()  # twice is once
    assert isinstance(limits.reserve([one]), Reservation)
    assert isinstance(limits.reserve([one]), Refusal)


def test_the_window_slides(limits):
    short = bucket("short", "2 per 1 second")
    assert isinstance(limits.reserve([short]), Reservation)
    time.sleep(0.5)
    assert isinstance(limits.reserve([short]), Reservation)
    assert isinstance(limits.reserve([short]), Refusal)
    time.sleep(0.7)  # the first attempt left the window, the second not yet
    assert isinstance(limits.reserve([short]), Reservation)
    assert isinstance(limits.reserve([short]), Refusal)


def test_several_limits_on_one_bucket_each_count(limits):
    both = bucket("both", "3 per minute;4 per hour")
    for _ in range(3):
        assert isinstance(limits.reserve([both]), Reservation)
    assert isinstance(limits.reserve([both]), Refusal)


def test_parallel_reservations_never_overtake_the_limit(limits):
    one = bucket("parallel", "7 per minute")
    barrier = threading.Barrier(40)
    results: list = []

    def attempt() -> None:
        barrier.wait(timeout=10)
        results.append(limits.reserve([one]))

    threads = [threading.Thread(target=attempt) for _ in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sum(isinstance(r, Reservation) for r in results) == 7
    assert len(results) == 40


def test_a_one_time_mark_is_spent_once(limits):
    assert limits.consume_once("link", "nonce-1", 60)
    assert not limits.consume_once("link", "nonce-1", 60)
    assert limits.consume_once("link", "nonce-2", 60)


def test_identities_are_digests_and_buckets_are_per_name(limits):
    a = Bucket("a", limits.digest("a", "someone@example.ma"), limits_of("1 per minute"))
    b = Bucket("b", limits.digest("b", "someone@example.ma"), limits_of("1 per minute"))
    assert "example" not in a.identity
    assert isinstance(limits.reserve([a]), Reservation)
    assert isinstance(limits.reserve([b]), Reservation)  # another name, another count


def test_a_redis_that_does_not_answer_is_an_error_not_a_pass():
    from talento.accounts.login_limits import LimitsUnavailable
    from tests.mail.smtp import free_port

    store = LoginLimits(RedisStore(f"redis://127.0.0.1:{free_port()}/0"), "p", b"k" * 32)
    with pytest.raises(LimitsUnavailable):
        store.reserve([bucket("any", "5 per minute")])


@pytest.mark.parametrize(
    ("address", "network"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::9", "2001:db8:1:2::/64"),  # the same subscriber
        ("::ffff:203.0.113.9", "203.0.113.9"),
        (None, "unknown"),
        ("not an address", "unknown"),
    ],
)
def test_an_ipv6_client_is_counted_by_its_64(address, network):
    assert client_network(address) == network


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("LOGIN_LIMIT_PER_IP", "thirty a day"),
        ("LOGIN_CEILING_PER_IDENTIFIER", "20 per fortnight"),
        ("RATELIMIT_STORAGE_URI", "memcached://127.0.0.1:11211"),
    ],
)
def test_start_up_refuses_a_limit_it_could_not_apply(variable, value):
    env = {
        "SECRET_KEY": "a" * 64,
        "ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ADMIN_PASSWORD": "Correct-Horse-Battery-9",
        variable: value,
    }
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(env)
    assert any(variable in problem for problem in caught.value.problems)
