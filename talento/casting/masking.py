"""Masking contact and identity data for casting staff (issue 13, point 5).

Casting staff and admins see a talent's phone, WhatsApp, e-mail and ID number masked — the
first 3 and the last 3 characters around ``***`` — and unmasked only on an explicit, audited
click (casting/page_views.py). A value too short to keep anything hidden once 6 characters are
shown is starred entirely. Characters are counted after NFC normalisation, so an accented
letter typed as a letter and a combining mark counts once.
"""

from __future__ import annotations

import unicodedata

SHOWN = 3
STARS = "***"
#: Below this length, showing 3 + 3 characters would leave fewer than 3 hidden.
MIN_MASKED_LENGTH = 2 * SHOWN + 3


def mask(value: str | None) -> str | None:
    """``"+212612345678"`` → ``"+21***678"``; a short value → all stars; None/blank → None."""
    if value is None:
        return None
    text = unicodedata.normalize("NFC", str(value)).strip()
    if not text:
        return None
    if len(text) < MIN_MASKED_LENGTH:
        return "*" * len(text)
    return f"{text[:SHOWN]}{STARS}{text[-SHOWN:]}"
