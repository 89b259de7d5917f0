"""The one password policy, as rules: which passwords are refused, in no language.

Following NIST SP 800-63B: a minimum length, no composition rules, and a refusal of passwords
that are common or built from the account's own details. The list holds the most used
passwords worldwide, French and Moroccan favourites and the default admin passwords of guides
and seeds; a known word followed by digits or symbols ("soleil2024!") counts as that word.

This module is on the ground floor (no Flask, no translation) because `settings` checks
ADMIN_PASSWORD with it at start-up. `talento.accounts.password_policy` words the same rules
for people (French, translated), and every place where a password is chosen uses that: the
registration, reset, set-password and password-change forms, and `talento admin set-password`.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from difflib import SequenceMatcher

MIN_LENGTH = 12
MAX_LENGTH = 1024
#: Django's UserAttributeSimilarityValidator default: above this, "too close to your name".
MAX_SIMILARITY = 0.7

#: Default or guide passwords that have protected admin accounts (the seed's `@4dm1n`...).
#: Part of COMMON_PASSWORDS; `talento doctor` also tries them against the stored admin hash
#: (trying all of COMMON_PASSWORDS would cost an Argon2 verification each, ~9 s in all).
ADMIN_DEFAULT_PASSWORDS = frozenset(
    """
    @4dm1n @dm1n 4dm1n admin admin123 admin1234 adminadmin adminadminadmin administrator
    administrator1 administrateur admin@talento admin@talento.com talentoadmin talento
    talento123 password password! password123 password1234 passwordpassword p@ssw0rd p@ssword
    passw0rd motdepasse motdepasse123 mot-de-passe changeme change-me letmein welcome
    bienvenue bienvenue123 123456 12345678 123456789 1234567890 123456789012 azerty azertyuiop
    qwerty qwertyuiop
    """.split()
)

#: Lower-case. Separated by spaces so the formatter keeps the list compact.
COMMON_PASSWORDS = ADMIN_DEFAULT_PASSWORDS | frozenset(
    """
    123456 123456789 12345678 1234567890 12345 1234567 1234 111111 000000 123123 654321 666666
    121212 987654321 0123456789 1234567891 123456789a a123456789 1q2w3e4r 1q2w3e4r5t 1qaz2wsx
    qwerty qwerty123 qwertyuiop asdfghjkl zxcvbnm abc123 abcdef abcdefghij password password1
    password123 passw0rd p@ssw0rd iloveyou admin administrator welcome letmein monkey dragon
    football baseball sunshine princess superman batman trustno1 master shadow michael jordan23
    starwars pokemon whatever freedom secret loveyou changeme default computer internet
    azerty azerty123 azerty1234 azertyuiop motdepasse mot-de-passe motdepasse123 soleil bonjour
    bonjour123 loulou doudou chouchou coucou chocolat jetaime jetaime123 amour bienvenue marseille
    paris france nicolas camille julien thomas isabelle celine louise vacances liberte famille
    cheval papillon
    maroc maroc123 marocmaroc morocco marocain marocaine casablanca marrakech rabat agadir tanger
    fes meknes oujda wydad raja atlas afrique africa bismillah hamdoulah inchallah habibi mohamed
    mohammed ahmed youssef fatima khadija amina salma
    talento talento123 talents cinema casting acteur actrice
    """.split()
)


class Weakness(enum.Enum):
    """Why a password is refused, in the order the rules are applied."""

    TOO_SHORT = "too short"
    TOO_LONG = "too long"
    TOO_SIMPLE = "too simple"  # fewer than 4 different characters
    COMMON = "common"
    PERSONAL = "personal"  # made of, or close to, the account's own details


_TRAILING = re.compile(r"[\W\d_]+$")
_LEADING = re.compile(r"^[\W\d_]+")
_SEPARATORS = re.compile(r"[\W_]+")
_NOT_LETTERS = re.compile(r"[\W\d_]+")


def weakness(
    password: str, *, email: str | None = None, names: Iterable[str | None] = ()
) -> Weakness | None:
    """The first rule `password` breaks, or None when it is acceptable.

    `email` and `names` (first name, last name, code…) are the account's own details: a
    password made of them, or close to one of them, is refused.
    """
    if len(password) < MIN_LENGTH:
        return Weakness.TOO_SHORT
    if len(password) > MAX_LENGTH:
        return Weakness.TOO_LONG
    lowered = password.lower()
    if len(set(lowered)) < 4:
        return Weakness.TOO_SIMPLE
    if is_common(lowered):
        return Weakness.COMMON
    if _close_to_details(lowered, email, names):
        return Weakness.PERSONAL
    return None


def is_common(password: str) -> bool:
    """A listed password, or one dressed up with digits/symbols around it or repeated twice."""
    compact = password.lower().replace(" ", "")
    core = _LEADING.sub("", _TRAILING.sub("", compact))
    half = len(core) // 2
    candidates = {compact, core}
    if core and core[:half] == core[half:]:
        candidates.add(core[:half])
    return any(candidate in COMMON_PASSWORDS for candidate in candidates)


def _close_to_details(lowered: str, email: str | None, names: Iterable[str | None]) -> bool:
    parts: set[str] = set()
    for value in (email, *names):
        value = (value or "").strip().lower()
        if not value:
            continue
        parts.update({value, value.partition("@")[0], *_SEPARATORS.split(value)})
    parts = {part for part in parts if len(part) >= 3}
    residue = lowered
    for part in sorted(parts, key=len, reverse=True):
        residue = residue.replace(part, "")
    if parts and len(_NOT_LETTERS.sub("", residue)) < 4:
        return True  # only the details plus digits or symbols
    return any(SequenceMatcher(a=lowered, b=part).ratio() >= MAX_SIMILARITY for part in parts)
