"""The one reader of query strings: typed, bounded getters for paging and filters.

Every page that takes paging or filters from its URL reads them through :class:`QueryArgs`
(the public directory, the admin's people list and its export, the audit trail, the lost-data
list, the dashboard). A value that is not what the getter expects is ignored (the getter
returns its default), never an error: a hand-edited or hostile URL shows the unfiltered page
instead of a 500. In particular:

- integers are ASCII digits only, at most :data:`MAX_DIGITS` of them, so ``²`` (which passes
  ``str.isdigit`` and breaks ``int``), ``٣`` (which ``int`` reads as 3) and numbers beyond
  PostgreSQL's ``integer``/``bigint`` never reach a query; row ids from forms go through
  :func:`parse_id` (1 to :data:`MAX_ID`);
- dates are ``YYYY-MM-DD`` in ASCII between :data:`FIRST_DAY` and :data:`LAST_DAY` (a range
  ending on 9999-12-31 would overflow when the next day is computed);
- text loses control characters (NUL included: PostgreSQL refuses it in a string), has its
  whitespace collapsed and is cut to a length cap;
- choices come from an allowed set; repeated parameters are read as lists with a count cap.

The arguments are a werkzeug ``MultiDict`` (``request.args``) or a plain mapping whose values
are strings or lists of strings (tests, the CLI, the bench scripts).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping
from typing import overload

#: Longest accepted integer: 9 digits stays below 2**31 (PostgreSQL ``integer``).
MAX_DIGITS = 9
#: Largest row id: every id column is PostgreSQL ``integer`` (int4). URL ids are bounded by
#: the same number (``talento.web.input_guard.IdConverter``).
MAX_ID = 2**31 - 1
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)
#: Cap on the length of a single raw value before anything else is done with it.
MAX_RAW_LENGTH = 1000

#: An ISO 3166 alpha-2 country code (compare after ``str.upper``).
COUNTRY_RE = re.compile(r"[A-Z]{2}", re.ASCII)
#: A skill slug (compare after ``str.lower``).
SLUG_RE = re.compile(r"[a-z0-9-]{1,60}", re.ASCII)

_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
Fold = Callable[[str], str]


def clean_text(text: str, max_length: int) -> str:
    """`text` without control characters, whitespace runs made one space, cut to `max_length`."""
    kept = "".join(c for c in text if c.isprintable() or c.isspace())
    return " ".join(kept.split())[:max_length].rstrip()


def parse_int(text: str, low: int, high: int) -> int | None:
    """The integer `text` spells in ASCII digits, if it lies within [low, high]."""
    if not text or len(text) > MAX_DIGITS or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if low <= value <= high else None


def parse_id(text: str) -> int | None:
    """The row id `text` spells in ASCII digits, if it lies within [1, MAX_ID]: ids from forms
    (bulk selections, catalogue choices) that a query could not take otherwise."""
    if not text or len(text) > len(str(MAX_ID)) or not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if 1 <= value <= MAX_ID else None


def parse_date(text: str, first: dt.date = FIRST_DAY, last: dt.date = LAST_DAY) -> dt.date | None:
    """The day `text` spells as ``YYYY-MM-DD``, if it exists and lies within [first, last]."""
    if not _DATE_RE.fullmatch(text):
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:  # 2026-02-30
        return None
    return day if first <= day <= last else None


class QueryArgs:
    """Typed getters over query-string arguments; each returns its default on a bad value."""

    def __init__(self, args: Mapping):
        self._args = args

    def values(self, name: str) -> list[str]:
        """Every non-blank value given for `name`, stripped (a plain mapping may hold a list)."""
        getlist = getattr(self._args, "getlist", None)  # werkzeug MultiDict
        raw = getlist(name) if getlist else self._args.get(name)
        if raw is None:
            return []
        items = raw if isinstance(raw, list | tuple) else [raw]
        stripped = (item[:MAX_RAW_LENGTH].strip() for item in items if isinstance(item, str))
        return [item for item in stripped if item]

    def raw(self, name: str) -> str:
        """The first non-blank value of `name`, stripped, or « »."""
        values = self.values(name)
        return values[0] if values else ""

    def text(self, name: str, *, max_length: int) -> str:
        """Free text (a search box): see :func:`clean_text`."""
        return clean_text(self.raw(name), max_length)

    def integer(self, name: str, *, low: int, high: int) -> int | None:
        return parse_int(self.raw(name), low, high)

    def page(self, name: str = "page", *, last: int) -> int:
        """A page number: 1 unless a number from 1 up; a number past `last` gives `last`."""
        return min(self.integer(name, low=1, high=10**MAX_DIGITS) or 1, last)

    def per_page(self, name: str = "per_page", *, default: int, most: int) -> int:
        """Rows per page: `default` unless a number from 1 up; capped at `most`."""
        return min(self.integer(name, low=1, high=10**MAX_DIGITS) or default, most)

    def date(self, name: str) -> dt.date | None:
        return parse_date(self.raw(name))

    def date_range(self, start: str, end: str) -> tuple[dt.date | None, dt.date | None]:
        """Two dates, swapped when given in the wrong order."""
        first, last = self.date(start), self.date(end)
        if first and last and first > last:
            return last, first
        return first, last

    @overload
    def choice(
        self, name: str, allowed: Collection[str], default: str, *, fold: Fold | None = None
    ) -> str: ...

    @overload
    def choice(
        self,
        name: str,
        allowed: Collection[str],
        default: None = None,
        *,
        fold: Fold | None = None,
    ) -> str | None: ...

    def choice(
        self,
        name: str,
        allowed: Collection[str],
        default: str | None = None,
        *,
        fold: Fold | None = None,
    ) -> str | None:
        """The value if it is one of `allowed` (after `fold`, such as ``str.upper``)."""
        value = self.raw(name)
        value = fold(value) if fold else value
        return value if value in allowed else default

    def choices(
        self,
        name: str,
        allowed: Collection[str],
        *,
        fold: Fold | None = None,
        most: int = 50,
    ) -> tuple[str, ...]:
        """The allowed values of a repeated parameter, in order, without repeats."""
        folded = (fold(value) if fold else value for value in self.values(name))
        return tuple(dict.fromkeys(v for v in folded if v in allowed))[:most]

    def token(
        self,
        name: str,
        pattern: re.Pattern[str],
        *,
        fold: Fold | None = None,
    ) -> str | None:
        """The value if it matches `pattern` whole (after `fold`): a slug, a code, an ISO code."""
        value = self.raw(name)
        value = fold(value) if fold else value
        return value if pattern.fullmatch(value) else None

    def tokens(
        self,
        name: str,
        pattern: re.Pattern[str],
        *,
        fold: Fold | None = None,
        most: int = 50,
    ) -> tuple[str, ...]:
        """The values of a repeated parameter matching `pattern`, in order, without repeats."""
        folded = (fold(value) if fold else value for value in self.values(name))
        return tuple(dict.fromkeys(v for v in folded if pattern.fullmatch(v)))[:most]
