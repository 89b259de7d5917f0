"""The Moroccan professional artist card of a casting profile: what its badge means.

A talent gives the card's number and expiry at registration; an admin checks them against
the card and marks the card verified (``artist_card_verified_at`` / ``_by_id``, set and cleared
by the admin's CINEMA pages). The badge shows on pages and comp cards while the card is
verified and not expired; an expired card is shown as expired, without the badge. Nothing
here decrypts the number: the badge reads the verification date and the expiry only.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Protocol

CardState = Literal["none", "pending", "verified", "expired"]


class HasCard(Protocol):
    """A casting profile, or any row with its two card columns."""

    @property
    def artist_card_expires_on(self) -> dt.date | None: ...

    @property
    def artist_card_verified_at(self) -> dt.datetime | None: ...


def is_expired(profile: HasCard, today: dt.date) -> bool:
    """The card's expiry date is past (a card valid « until » a day is valid that day)."""
    expires = profile.artist_card_expires_on
    return expires is not None and expires < today


def artist_card_badge(profile: HasCard, today: dt.date) -> bool:
    """Show the « carte d'artiste vérifiée » badge: verified by an admin, with an expiry
    that is today or later."""
    return (
        profile.artist_card_verified_at is not None
        and profile.artist_card_expires_on is not None
        and not is_expired(profile, today)
    )


def card_state(profile: HasCard, has_number: bool, today: dt.date) -> CardState:
    """Where the card stands, for the admin's pages. `has_number`: whether a number is
    stored (the caller knows it without decrypting, e.g. ``artist_card_number IS NOT NULL``)."""
    if not has_number:
        return "none"
    if is_expired(profile, today):
        return "expired"
    return "verified" if artist_card_badge(profile, today) else "pending"
