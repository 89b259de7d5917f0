"""The rules of a day on set, as pure functions of a day's scans (no database, no clock).

- The first scan of the day is the arrival, the next the departure, a scan after a departure
  a re-entry, and so on. Two scans of the same person within :data:`DUPLICATE_WINDOW` are one
  (a badge read twice, or by two phones that were offline): the earliest counts, the other is
  reported as a duplicate.
- Scans recorded as an explicit ``arrival`` / ``departure`` (« tous présents », « tous
  partis », a manual entry) set the state they name; one that changes nothing (an arrival of
  someone on set) is a duplicate.
- Meal breaks are ``meal_start`` / ``meal_end`` events while on set; an unended meal ends at
  the departure.
- Hours worked are the time on set (each arrival to its departure) minus meal time; an open
  presence (arrived, not left) counts nothing until it is closed. Overtime is what exceeds the
  project's threshold; lateness is the arrival after the call time.
- A working day is a booked day. A scan belongs to the local date it was made on if that date
  is booked, unless the person is still on set from a day that started earlier (a night shoot
  that crosses midnight stays one working day); a scan in the small hours before any booked
  date's start belongs to the previous booked date when that one is the day before.

Times are UTC in and out; the time zone is only used to name local dates and call times.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

#: Two scans of one person closer than this are one (the earliest).
DUPLICATE_WINDOW = dt.timedelta(minutes=2)
#: A presence left open longer than this is not continued by a later scan (a forgotten
#: departure: the next scan starts a new day's arrival, and the open day shows no departure).
LONGEST_PRESENCE = dt.timedelta(hours=20)
#: Before this local hour, a scan on an unbooked date belongs to the day before if that one
#: is booked (a night shoot's departure at 02:00).
NIGHT_ENDS = dt.time(12, 0)


@dataclass(frozen=True)
class Scan:
    """What the rules need of a scan row (attendance_scans), in any order."""

    id: int | str
    kind: str  # scan, arrival, departure, meal_start, meal_end
    at: dt.datetime  # UTC, aware
    device_id: str | None = None


@dataclass(frozen=True)
class Event:
    """A scan with its meaning: arrival, departure, reentry, meal_start, meal_end, duplicate."""

    scan: Scan
    meaning: str


@dataclass
class DaySummary:
    events: list[Event] = field(default_factory=list)
    arrival_at: dt.datetime | None = None
    departure_at: dt.datetime | None = None
    on_set: bool = False
    meal_minutes: int = 0
    worked_minutes: int = 0
    overtime_minutes: int = 0
    late_minutes: int = 0
    #: Duplicate scans made on another phone than the one kept (a conflict to report).
    conflicts: list[tuple[Scan, Scan]] = field(default_factory=list)

    @property
    def present(self) -> bool:
        return self.arrival_at is not None


def _minutes(delta: dt.timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


def summarise(
    scans: Iterable[Scan],
    *,
    call_at: dt.datetime | None = None,
    overtime_after: dt.timedelta | None = None,
) -> DaySummary:
    """The meaning of each scan of one person's working day, and the day's figures.

    `call_at` is the call time as a UTC instant (for lateness), `overtime_after` the project's
    threshold (None: no overtime)."""
    summary = DaySummary()
    in_since: dt.datetime | None = None
    meal_since: dt.datetime | None = None
    last_kept: Scan | None = None
    worked = dt.timedelta()
    meals = dt.timedelta()
    for scan in sorted(scans, key=lambda s: (s.at, str(s.id))):
        meaning = _meaning(scan, in_since is not None, meal_since is not None)
        if (
            meaning != "duplicate"
            and scan.kind in ("scan", "arrival", "departure")
            and last_kept is not None
            and scan.at - last_kept.at < DUPLICATE_WINDOW
        ):
            meaning = "duplicate"
        if meaning == "duplicate":
            kept = last_kept
            if kept is not None and kept.device_id and scan.device_id != kept.device_id:
                summary.conflicts.append((kept, scan))
            summary.events.append(Event(scan, meaning))
            continue
        if meaning == "arrival":
            in_since = scan.at
            if summary.arrival_at is None:
                summary.arrival_at = scan.at
        elif meaning == "departure":
            assert in_since is not None
            if meal_since is not None:  # an unended meal ends at the departure
                meals += scan.at - meal_since
                meal_since = None
            worked += scan.at - in_since
            in_since = None
            summary.departure_at = scan.at
        elif meaning == "meal_start":
            meal_since = scan.at
        elif meaning == "meal_end":
            assert meal_since is not None
            meals += scan.at - meal_since
            meal_since = None
        if scan.kind in ("scan", "arrival", "departure"):
            last_kept = scan
        summary.events.append(Event(scan, meaning))
    summary.on_set = in_since is not None
    if summary.on_set:
        summary.departure_at = None
    summary.meal_minutes = _minutes(meals)
    summary.worked_minutes = _minutes(worked - meals) if worked > meals else 0
    if overtime_after is not None:
        summary.overtime_minutes = max(0, summary.worked_minutes - _minutes(overtime_after))
    if call_at is not None and summary.arrival_at is not None:
        summary.late_minutes = _minutes(summary.arrival_at - call_at)
    return summary


def _meaning(scan: Scan, on_set: bool, at_meal: bool) -> str:
    kind = scan.kind
    if kind == "scan":
        return "departure" if on_set else "arrival"
    if kind == "arrival":
        return "duplicate" if on_set else "arrival"
    if kind == "departure":
        return "departure" if on_set else "duplicate"
    if kind == "meal_start":
        return "meal_start" if on_set and not at_meal else "duplicate"
    if kind == "meal_end":
        return "meal_end" if on_set and at_meal else "duplicate"
    raise ValueError(f"unknown scan kind: {kind}")


def label_reentries(summary: DaySummary) -> DaySummary:
    """Arrivals after a departure are re-entries (« retour sur le plateau »)."""
    seen_departure = False
    events = []
    for event in summary.events:
        if event.meaning == "departure":
            seen_departure = True
        if event.meaning == "arrival" and seen_departure:
            event = Event(event.scan, "reentry")
        events.append(event)
    summary.events = events
    return summary


def day_summary(
    scans: Iterable[Scan],
    *,
    call_at: dt.datetime | None = None,
    overtime_after: dt.timedelta | None = None,
) -> DaySummary:
    """:func:`summarise`, with re-entries named as such."""
    return label_reentries(summarise(scans, call_at=call_at, overtime_after=overtime_after))


def local(at: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    return at.astimezone(zone)


def call_instant(day: dt.date, call_time: dt.time | None, zone: ZoneInfo) -> dt.datetime | None:
    """The call time of a working day as a UTC instant (None without a call time)."""
    if call_time is None:
        return None
    return dt.datetime.combine(day, call_time, tzinfo=zone).astimezone(dt.UTC)


def work_day_for(
    at: dt.datetime,
    booked_days: Sequence[dt.date] | set[dt.date],
    zone: ZoneInfo,
    open_day: tuple[dt.date, dt.datetime] | None = None,
) -> dt.date | None:
    """The working day a scan at `at` (UTC) belongs to, or None when no booked day fits.

    `open_day` is the person's day still open (arrived, not left): (its date, its arrival);
    the scan continues it unless the presence has lasted longer than :data:`LONGEST_PRESENCE`.
    """
    if open_day is not None:
        day, since = open_day
        if day in booked_days and dt.timedelta(0) <= at - since <= LONGEST_PRESENCE:
            return day
    moment = local(at, zone)
    today = moment.date()
    if today in booked_days:
        return today
    yesterday = today - dt.timedelta(days=1)
    if moment.time() < NIGHT_ENDS and yesterday in booked_days:
        return yesterday
    return None


__all__ = [
    "DUPLICATE_WINDOW",
    "LONGEST_PRESENCE",
    "DaySummary",
    "Event",
    "Scan",
    "call_instant",
    "day_summary",
    "local",
    "summarise",
    "work_day_for",
]
