"""CINEMA codes ``PPVVVNNNNG``: residence country ISO-2, 3-letter city code, a 4-character
sequence per country, gender (e.g. ``MAOUZ0042F``).

The sequence comes from the race-free counter of accounts.codes (``UPDATE … RETURNING`` on a
row per country, inside the inserting transaction), on its own table so CINEMA and user codes
count separately; after 9999 it continues in base 36 (``A000``…``ZZZZ``) so codes stay 10
characters and unique. A CINEMA code is given once and never changes; the account's user code
stays its login code.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from talento.accounts.codes import next_sequence, sequence_to_str
from talento.casting.models import CastingCodeCounter


def format_cinema_code(country_iso2: str, city_code: str, sequence: int, gender: str) -> str:
    return f"{country_iso2.upper()}{city_code.upper()}{sequence_to_str(sequence)}{gender.upper()}"


def allocate_cinema_code(session: Session, country_iso2: str, city_code: str, gender: str) -> str:
    """The next CINEMA code for this residence and gender, allocated in the caller's
    transaction (a rolled-back registration gives its number back)."""
    sequence = next_sequence(session, country_iso2.upper(), counter=CastingCodeCounter)
    return format_cinema_code(country_iso2, city_code, sequence, gender)
