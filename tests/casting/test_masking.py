"""Masking contact and ID data for casting staff: first 3 + *** + last 3."""

from __future__ import annotations

import pytest

from talento.casting.masking import MIN_MASKED_LENGTH, mask


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("+212612345678", "+21***678"),
        ("amina.benali@example.org", "ami***org"),
        ("BK739215A", "BK7***15A"),
        ("  BK739215A  ", "BK7***15A"),  # stored values are stripped before masking
    ],
)
def test_long_values_keep_three_characters_at_each_end(value, masked):
    assert mask(value) == masked


@pytest.mark.parametrize("value", ["A", "AB1234", "12345678"])
def test_short_values_are_fully_starred(value):
    assert len(value) < MIN_MASKED_LENGTH
    assert mask(value) == "*" * len(value)
    assert not any(ch in mask(value) for ch in value if ch != "*")


def test_nothing_to_mask():
    assert mask(None) is None
    assert mask("") is None
    assert mask("   ") is None


def test_unicode_counts_characters_not_bytes_or_combining_marks():
    assert mask("élodie.ßœ@exämple.ma") == "élo***.ma"
    decomposed = "e\u0301lodie@exa\u0308mple.ma"  # é and ä as letter + combining mark
    assert mask(decomposed) == "élo***.ma"
    assert mask("محمد العلوي الفاسي") == "محم***اسي"
    assert mask("😀😀😀😀😀😀😀😀😀") == "😀😀😀***😀😀😀"


def test_the_middle_never_shows():
    phone = "+212661234987"
    assert "1234" not in mask(phone)
    assert len(mask(phone)) == 9
