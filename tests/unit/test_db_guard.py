"""The circuit breaker of talento.web.db_guard, on a clock the test moves (no database)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from talento.web.db_guard import Breaker, connect_args


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breaker(clock) -> Breaker:
    return Breaker(cooldown=5.0, clock=clock)


def test_fast_failures_never_open_it(breaker):
    for _ in range(10):
        assert breaker.admit()
        breaker.failed(timed_out=False)  # connection refused: PostgreSQL down, no wait
    assert not breaker.is_open
    assert breaker.admit()


def test_a_timeout_opens_it_then_one_probe_closes_it(breaker, clock):
    breaker.failed(timed_out=True)
    assert breaker.is_open
    assert not breaker.admit()
    clock.now += 4.9
    assert not breaker.admit()
    clock.now += 0.2
    assert breaker.admit()  # the probe
    assert not breaker.admit()  # nobody else while it runs
    breaker.answered()
    assert not breaker.is_open
    assert breaker.admit()
    assert breaker.admit()


def test_a_failed_probe_opens_it_again_even_when_fast(breaker, clock):
    breaker.failed(timed_out=True)
    clock.now += 5.1
    assert breaker.admit()
    breaker.failed(timed_out=False)  # refused: still down
    assert not breaker.admit()
    clock.now += 5.1
    assert breaker.admit()


def test_a_probe_that_never_reports_is_replaced(breaker, clock):
    breaker.failed(timed_out=True)
    clock.now += 5.1
    assert breaker.admit()  # this probe's thread dies without a word
    clock.now += breaker.probe_patience - 0.1
    assert not breaker.admit()
    clock.now += 0.2
    assert breaker.admit()


def test_connect_args_follow_database_timeout():
    url = "postgresql+psycopg://u@h/d"
    bounded = connect_args(SimpleNamespace(database_timeout=1.5, database_url=url))
    assert bounded["connect_timeout"] == 2  # libpq's minimum
    assert "-c statement_timeout=1500 -c lock_timeout=1500" in bounded["options"]
    assert "idle_in_transaction_session_timeout=300000" in bounded["options"]
    assert bounded["tcp_user_timeout"] == 10_000
    assert bounded["keepalives"] == 1
    unbounded = connect_args(SimpleNamespace(database_timeout=0.0, database_url=url))
    assert "options" not in unbounded  # the server's own settings
    assert unbounded["connect_timeout"] == 5


def test_the_options_of_the_url_are_kept():
    url = "postgresql+psycopg://u@h/d?options=-csearch_path%3Dfresh"
    options = connect_args(SimpleNamespace(database_timeout=2, database_url=url))["options"]
    assert options.startswith("-csearch_path=fresh -c statement_timeout=2000 ")
