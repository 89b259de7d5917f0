"""User code format and base-36 continuation (property tests)."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from talento.accounts.codes import MAX_SEQUENCE, format_code, sequence_to_str

CODE_RE = re.compile(r"^[A-Z]{2}[MFN][0-9A-Z]{4}[A-Z]{3}$")


def test_known_values():
    assert sequence_to_str(1) == "0001"
    assert sequence_to_str(9999) == "9999"
    assert sequence_to_str(10000) == "A000"
    assert sequence_to_str(10001) == "A001"
    assert sequence_to_str(MAX_SEQUENCE) == "ZZZZ"
    assert format_code("ma", "n", 1, "rab") == "MAN0001RAB"


@pytest.mark.parametrize("bad", [0, -1, MAX_SEQUENCE + 1])
def test_out_of_range(bad):
    with pytest.raises(ValueError, match="out of range"):
        sequence_to_str(bad)


@given(st.integers(min_value=1, max_value=MAX_SEQUENCE - 1))
def test_sequence_is_four_characters_and_strictly_increasing(n):
    a, b = sequence_to_str(n), sequence_to_str(n + 1)
    assert len(a) == len(b) == 4
    # decimal part sorts before base-36 part, and within each part order is preserved
    assert (a.isdigit(), b.isdigit()) != (False, True)
    if a.isdigit() == b.isdigit():
        assert a < b


@given(st.integers(min_value=1, max_value=MAX_SEQUENCE), st.sampled_from("MFN"))
def test_codes_are_ten_characters(n, gender):
    assert CODE_RE.match(format_code("MA", gender, n, "CAS"))


@given(st.integers(min_value=10000, max_value=MAX_SEQUENCE))
def test_base36_part_starts_with_a_letter(n):
    assert sequence_to_str(n)[0].isalpha()
