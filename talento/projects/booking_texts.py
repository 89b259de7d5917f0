"""Days, money and call times as a French (or English) reader expects them: « 15 mars 2027 »,
« 450 MAD », « 7h30 ». Pure babel with an explicit language, so services can write e-mails in
the recipient's language and views in the page's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal


def day_label(day: dt.date, lang: str = "fr") -> str:
    return format_date(day, "d MMMM y", locale=lang if lang in ("fr", "en") else "fr")


def weekday_label(day: dt.date, lang: str = "fr") -> str:
    """« lundi 15 mars 2027 »: the checkbox of a day on the answer page."""
    return format_date(day, "EEEE d MMMM y", locale=lang if lang in ("fr", "en") else "fr")


def days_label(days: Iterable[dt.date], lang: str = "fr") -> str:
    return ", ".join(day_label(day, lang) for day in sorted(days))


def money_label(amount: Decimal | None, currency: str, lang: str = "fr") -> str:
    """« 450 MAD », « 450,50 MAD »; empty when no rate is set."""
    if amount is None:
        return ""
    pattern = "#,##0" if amount == amount.to_integral_value() else "#,##0.00"
    number = format_decimal(amount, format=pattern, locale=lang if lang in ("fr", "en") else "fr")
    return f"{number} {currency}"


def time_label(moment: dt.time | None, lang: str = "fr") -> str:
    """« 7h30 » in French, « 07:30 » in English; empty when not set."""
    if moment is None:
        return ""
    if lang == "en":
        return moment.strftime("%H:%M")
    return f"{moment.hour}h{moment.minute:02d}"


def parse_days(values: Iterable[object]) -> list[dt.date]:
    """ISO dates (a request's stored JSON list, checkbox values); anything else is dropped."""
    days = set()
    for value in values:
        try:
            days.add(dt.date.fromisoformat(str(value)))
        except ValueError:
            continue
    return sorted(days)
