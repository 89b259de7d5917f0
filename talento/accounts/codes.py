"""Unique user codes ``PPGNNNNVVV``: country ISO-2, gender, 4-character sequence, city code.

The sequence comes from a counter row per country incremented inside the inserting transaction
(``UPDATE … RETURNING``): O(1) and race-free. After 9999 it continues in base 36 from ``A000``
to ``ZZZZ`` so codes stay 10 characters long and unique.
"""

from __future__ import annotations

import string
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from talento.accounts.models import CodeCounter

_BASE36 = string.digits + string.ascii_uppercase
_DECIMAL_MAX = 9999
_BASE36_START = 10 * 36**3  # "A000"
MAX_SEQUENCE = _DECIMAL_MAX + (36**4 - _BASE36_START)


def sequence_to_str(n: int) -> str:
    """1 → "0001", 9999 → "9999", 10000 → "A000", MAX_SEQUENCE → "ZZZZ"."""
    if not 1 <= n <= MAX_SEQUENCE:
        raise ValueError(f"sequence out of range: {n}")
    if n <= _DECIMAL_MAX:
        return f"{n:04d}"
    value = _BASE36_START + (n - _DECIMAL_MAX - 1)
    digits = []
    for _ in range(4):
        value, rest = divmod(value, 36)
        digits.append(_BASE36[rest])
    return "".join(reversed(digits))


def format_code(country_iso2: str, gender: str, sequence: int, city_code: str) -> str:
    return f"{country_iso2.upper()}{gender.upper()}{sequence_to_str(sequence)}{city_code.upper()}"


#: Sequences already taken before any registration: MA 0001 is the admin's MAN0001RAB.
RESERVED_SEQUENCES = {"MA": 1}


#: A counter table: one row per country, ``country_iso2`` and ``last_value`` (user codes use
#: :class:`CodeCounter`; CINEMA codes their own table with the same shape).
Counter = Any  # a mapped class with those two columns


def _ensure_counter(session: Session, country_iso2: str, counter: Counter = CodeCounter) -> None:
    """Create the country's counter row if absent; concurrent creators do not collide."""
    reserved = RESERVED_SEQUENCES.get(country_iso2, 0) if counter is CodeCounter else 0
    values = {"country_iso2": country_iso2, "last_value": reserved}
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(counter).values(**values).on_conflict_do_nothing())
    else:
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(counter).values(**values).on_conflict_do_nothing())


def next_sequence(session: Session, country_iso2: str, counter: Counter = CodeCounter) -> int:
    """Allocate the next sequence number for a country inside the caller's transaction."""
    _ensure_counter(session, country_iso2, counter)
    last = session.execute(
        update(counter)
        .where(counter.country_iso2 == country_iso2)
        .values(last_value=counter.last_value + 1)
        .returning(counter.last_value)
    ).scalar_one()
    if last > MAX_SEQUENCE:
        raise ValueError(f"no code left for {country_iso2}: {last} > {MAX_SEQUENCE}")
    return last


def next_sequences(
    session: Session, country_iso2: str, count: int, counter: Counter = CodeCounter
) -> range:
    """Allocate ``count`` consecutive sequence numbers in one statement (bulk loads such as
    `talento seed-demo`); same counter row as :func:`next_sequence`, so nothing collides."""
    _ensure_counter(session, country_iso2, counter)
    last = session.execute(
        update(counter)
        .where(counter.country_iso2 == country_iso2)
        .values(last_value=counter.last_value + count)
        .returning(counter.last_value)
    ).scalar_one()
    if last > MAX_SEQUENCE:
        raise ValueError(f"no code left for {country_iso2}: {last} > {MAX_SEQUENCE}")
    return range(last - count + 1, last + 1)


def reserve_sequence(session: Session, country_iso2: str, value: int) -> None:
    """Make sure the counter is at least `value` (e.g. 1 for the admin's MAN0001RAB)."""
    _ensure_counter(session, country_iso2)
    current = session.scalar(
        select(CodeCounter.last_value).where(CodeCounter.country_iso2 == country_iso2)
    )
    if current is not None and current < value:
        session.execute(
            update(CodeCounter)
            .where(CodeCounter.country_iso2 == country_iso2)
            .values(last_value=value)
        )
