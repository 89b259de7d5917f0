"""Phone numbers: validated for the chosen country and stored in E.164 (+212612345678)."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers


class InvalidPhone(ValueError):
    pass


def to_e164(raw: str, region: str | None) -> str:
    """Parse a number typed in national or international form; raise InvalidPhone."""
    try:
        number = phonenumbers.parse(raw.strip(), (region or "MA").upper())
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(str(exc)) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("invalid number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def example_number(region: str) -> str:
    """A mobile number example for the country, in international format, for error messages."""
    example = phonenumbers.example_number_for_type(
        region.upper(), phonenumbers.PhoneNumberType.MOBILE
    )
    if example is None:
        return "+212 6 12 34 56 78"
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@lru_cache(maxsize=512)
def national_example(region: str) -> str | None:
    """A mobile number as people of the country type it (06 50 12 34 56 in Morocco), for the
    hint under the phone field; None for a region the library has no example for."""
    example = phonenumbers.example_number_for_type(
        region.upper(), phonenumbers.PhoneNumberType.MOBILE
    )
    if example is None:
        return None
    return phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)
