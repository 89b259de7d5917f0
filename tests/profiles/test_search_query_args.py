"""The one query-string parser (talento.profiles.search.query_args): typed getters that return
their default on anything unexpected, whatever text a URL carries."""

from __future__ import annotations

import datetime as dt
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from talento.profiles.search.query_args import (
    COUNTRY_RE,
    FIRST_DAY,
    LAST_DAY,
    SLUG_RE,
    QueryArgs,
    clean_text,
    parse_date,
    parse_int,
)

BIGINT_MAX = 2**63 - 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("42", 42),
        ("007", 7),
        ("999999999", 999_999_999),
        ("1000000000", None),  # ten digits: not a number here
        ("9" * 30, None),
        ("9" * 5000, None),  # int() itself refuses more than 4300 digits
        (str(2**63), None),
        ("²", None),  # passes str.isdigit(), int() raises
        ("٣", None),  # int() reads 3
        ("１", None),  # full-width digit
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("1e3", None),
        ("1.0", None),
        ("0x10", None),
        ("1_000", None),  # int() accepts underscores
        ("", None),
        ("\x00", None),
        ("1\x00", None),
    ],
)
def test_parse_int_takes_ascii_digits_only(text, expected):
    assert parse_int(text, 0, 10**9) == expected


def test_parse_int_bounds():
    assert parse_int("0", 1, 10) is None
    assert parse_int("11", 1, 10) is None
    assert parse_int("10", 1, 10) == 10


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-06-15", dt.date(2026, 6, 15)),
        ("2024-02-29", dt.date(2024, 2, 29)),
        ("2026-02-30", None),
        ("2026-6-15", None),
        ("20260615", None),  # fromisoformat takes it; the form never sends it
        ("2026-W24-1", None),
        ("２０２６-06-15", None),
        ("2026-06-15T00:00", None),
        ("9999-12-31", None),  # the next day would not exist
        ("0001-01-01", None),
        ("", None),
        ("nonsense", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_clean_text_drops_control_characters_and_collapses_whitespace():
    assert clean_text("  amina \t ben\n ", 100) == "amina ben"
    assert clean_text("a\x00b\u200bc", 100) == "abc"  # NUL, zero-width space
    assert clean_text("a\x1fb\xa0c", 100) == "a b c"  # separators count as whitespace
    assert clean_text("ab cd", 3) == "ab"
    assert clean_text("a" * 500, 100) == "a" * 100
    assert clean_text("Élodie", 100) == "Élodie"


def test_getters_on_a_multidict_and_on_a_plain_mapping():
    multi = MultiDict([("skill", "Actor"), ("skill", "bad slug!"), ("skill", "actor"), ("q", "")])
    multi.add("skill", "singer")
    multi.add("q", " ben ")
    for args in (multi, {"skill": ["Actor", "bad slug!", "actor", "singer"], "q": ["", " ben "]}):
        read = QueryArgs(args)
        assert read.tokens("skill", SLUG_RE, fold=str.lower) == ("actor", "singer")
        assert read.text("q", max_length=10) == "ben"  # the first non-blank value
        assert read.values("missing") == []


def test_choice_and_choices():
    read = QueryArgs({"sort": "name", "gender": "f", "language": ["FR", "xx", "fr", "ber"]})
    assert read.choice("sort", ("recent", "name"), "recent") == "name"
    assert read.choice("sort", ("recent",), "recent") == "recent"
    assert read.choice("gender", {"F", "M"}, fold=str.upper) == "F"
    assert read.choice("missing", {"F"}) is None
    assert read.choices("language", {"fr", "ber"}, fold=str.lower) == ("fr", "ber")
    assert read.choices("language", {"fr", "ber", "xx"}, fold=str.lower, most=2) == ("fr", "xx")


def test_token():
    read = QueryArgs({"country": "ma", "other": "Maroc", "accent": "É1"})
    assert read.token("country", COUNTRY_RE, fold=str.upper) == "MA"
    assert read.token("other", COUNTRY_RE, fold=str.upper) is None
    assert read.token("accent", COUNTRY_RE, fold=str.upper) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [("3", 3), ("0", 1), ("-3", 1), ("abc", 1), ("²", 1), ("٣", 1), ("500", 100), ("9" * 40, 1)],
)
def test_page_is_one_unless_a_number_and_at_most_the_last(value, expected):
    assert QueryArgs({"page": value}).page(last=100) == expected


def test_per_page():
    assert QueryArgs({}).per_page(default=24, most=100) == 24
    assert QueryArgs({"per_page": "7"}).per_page(default=24, most=100) == 7
    assert QueryArgs({"per_page": "100000"}).per_page(default=24, most=100) == 100
    assert QueryArgs({"per_page": "0"}).per_page(default=24, most=100) == 24


def test_date_range_is_put_in_order():
    read = QueryArgs({"from": "2026-06-15", "to": "2026-01-01", "bad": "2026-13-01"})
    assert read.date_range("from", "to") == (dt.date(2026, 1, 1), dt.date(2026, 6, 15))
    assert read.date_range("from", "bad") == (dt.date(2026, 6, 15), None)


# -- any text at all -----------------------------------------------------------------------------

ANY_TEXT = st.text(st.characters(), max_size=60) | st.text(string.digits + "-²٣١", max_size=25)


@given(text=ANY_TEXT)
def test_any_text_gives_a_bounded_int_or_none(text):
    value = parse_int(text, 1, BIGINT_MAX)
    assert value is None or (1 <= value < 10**9 and str(value) == text.lstrip("0"))


@given(text=ANY_TEXT)
def test_any_text_gives_a_page_within_bounds(text):
    page = QueryArgs(MultiDict([("page", text)])).page(last=10_000)
    assert 1 <= page <= 10_000


@given(text=ANY_TEXT)
def test_any_text_gives_a_date_whose_next_day_exists_or_none(text):
    day = parse_date(text)
    assert day is None or FIRST_DAY <= day <= LAST_DAY
    assert day is None or text == day.isoformat()


@given(text=ANY_TEXT, max_length=st.integers(0, 200))
def test_any_text_cleans_to_printable_capped_text(text, max_length):
    cleaned = clean_text(text, max_length)
    assert len(cleaned) <= max_length
    assert "\x00" not in cleaned
    assert all(c.isprintable() for c in cleaned)
    assert cleaned == cleaned.strip()
    assert "  " not in cleaned


@given(values=st.lists(ANY_TEXT, max_size=8))
def test_any_repeated_values_give_allowed_distinct_choices(values):
    read = QueryArgs(MultiDict([("v", value) for value in values]))
    chosen = read.choices("v", {"fr", "en", "ar"}, fold=str.lower)
    assert set(chosen) <= {"fr", "en", "ar"}
    assert len(chosen) == len(set(chosen))
    slugs = read.tokens("v", SLUG_RE, fold=str.lower, most=3)
    assert len(slugs) <= 3
    assert all(s.isascii() for s in slugs)
