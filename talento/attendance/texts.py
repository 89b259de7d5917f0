"""How attendance reads to people: times in the site's zone (``TIMEZONE``), meanings in words.

Every time is stored in UTC; these are the only places it becomes a local « 07:42 »."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from talento.attendance import rules
from talento.i18n import gettext as _

__all__ = [
    "feedback_text",
    "hours_text",
    "local_time",
    "meaning_label",
    "site_zone",
    "value_text",
]


def site_zone() -> ZoneInfo:
    """The site's zone (settings ``TIMEZONE``), checked at start-up."""
    from talento.context import current_settings

    return ZoneInfo(getattr(current_settings(), "timezone", "Africa/Casablanca"))


def local_time(at: dt.datetime | None, zone: ZoneInfo) -> str:
    """« 07:42 » in the site's zone; empty for no time."""
    if at is None:
        return ""
    return at.astimezone(zone).strftime("%H:%M")


def meaning_label(meaning: str) -> str:
    labels = {
        "arrival": _("arrivée"),
        "departure": _("départ"),
        "reentry": _("retour"),
        "meal_start": _("début du repas"),
        "meal_end": _("fin du repas"),
        "duplicate": _("doublon"),
        "scan": _("scan"),
    }
    return labels.get(meaning, meaning)


def value_text(meaning: str, at: dt.datetime, zone: ZoneInfo) -> str:
    """« arrivée 07:42 »: a record's line, as the corrections trail keeps it."""
    return f"{meaning_label(meaning)} {local_time(at, zone)}"


def feedback_text(meaning: str, summary: rules.DaySummary, zone: ZoneInfo, time: str) -> str:
    """The scanner's big line: « arrivée 07:42 », « départ 19:10 », « déjà sorti »…"""
    if meaning != "duplicate":
        return f"{meaning_label(meaning)} {time}"
    if summary.on_set:
        return _("déjà présent (arrivée %(time)s)", time=local_time(summary.arrival_at, zone))
    if summary.departure_at is not None:
        return _("déjà sorti (départ %(time)s)", time=local_time(summary.departure_at, zone))
    return _("déjà enregistré")


def hours_text(minutes: int) -> str:
    """« 9 h 05 »."""
    return f"{minutes // 60} h {minutes % 60:02d}"
