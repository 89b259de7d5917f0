"""Recording scans (one from a form, hundreds from a phone's offline queue), group actions.

One path for everything: :func:`record_scans` takes a batch in the order the device made it
(a single check-in is a batch of one) and does its work in a fixed number of statements
whatever the batch's size (issue 15 point 7: 500 scans in well under 5 s):

1. badge tokens verified in memory (Ed25519, the public keys derived from ``SECRET_KEY``);
2. the bookings named, their booked days, and the scan ids already recorded: three queries;
3. each person's working-day row inserted if missing (``ON CONFLICT DO NOTHING``), then all of
   them locked with one ``SELECT … FOR UPDATE`` in booking order (two workers scanning the
   same badge at the same time are serialised: one arrival, never two; the fixed order keeps
   two batches from deadlocking);
4. the day's scans read once, the new ones inserted in one statement (``ON CONFLICT DO
   NOTHING`` on the device's scan id: a scan sent twice counts once), and the meaning of each
   derived by attendance.rules over the day's scans that are not voided.

Services take plain data and a session, never a request; the caller commits.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from talento.attendance import rules
from talento.attendance.models import AttendanceDay, AttendanceScan
from talento.attendance.texts import feedback_text, local_time, meaning_label
from talento.i18n import gettext as _
from talento.projects.badge_tokens import BadgeClaims, verify_badge
from talento.projects.models import Booking, BookingDay

__all__ = [
    "DEVICE_KINDS",
    "Batch",
    "ScanInput",
    "ScanResult",
    "Where",
    "day_scans",
    "lock_days",
    "normalise_code",
    "record_scans",
    "to_rule_scans",
]

#: What a device may send (explicit arrival/departure are the assistant's group actions).
DEVICE_KINDS = ("scan", "meal_start", "meal_end")
LIVE_STATUSES = ("pending", "confirmed")


@dataclass(frozen=True)
class Where:
    """Where scans are recorded: a project's working day, by whom, in which time zone."""

    project_id: int
    day: dt.date
    zone: ZoneInfo
    keys: dict[str, bytes]
    recorded_by_id: int | None = None
    device_id: str | None = None


@dataclass(frozen=True)
class ScanInput:
    scan_id: str
    at: dt.datetime  # UTC, aware
    token: str | None = None
    code: str | None = None
    kind: str = "scan"
    source: str = "camera"


@dataclass
class ScanResult:
    """What the scanner shows: recorded / duplicate / refused, the meaning and who it was."""

    scan_id: str
    status: str
    meaning: str | None = None
    reason: str | None = None
    booking_id: int | None = None
    name: str = ""
    role: str = ""
    talent_type: str = ""
    thumb_name: str | None = None
    time: str = ""
    feedback: str = ""

    def as_json(self) -> dict:
        return {
            "id": self.scan_id,
            "status": self.status,
            "meaning": self.meaning,
            "reason": self.reason,
            "name": self.name,
            "time": self.time,
            "feedback": self.feedback,
        }


@dataclass
class Batch:
    results: list[ScanResult] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def normalise_code(text: str) -> str:
    return "".join(text.split()).upper()


def _bad_badge() -> str:
    return _("Badge falsifié ou illisible")


def _other_project() -> str:
    return _("Badge d'un autre projet")


def _not_called() -> str:
    return _("Pas convoqué ce jour")


def _cancelled() -> str:
    return _("Réservation annulée ou déclinée")


def _unknown_code() -> str:
    return _("Code inconnu")


@dataclass(frozen=True)
class _Refusal:
    reason: str


def _resolve(item: ScanInput, where: Where) -> str | BadgeClaims | _Refusal:
    """The booking code a scan names (its signature checked), or why it is refused."""
    text = (item.token or item.code or "").strip()
    code = normalise_code(text)
    if item.token or "." in code or len(code) > 20:  # a token, or one pasted as a code
        claims = verify_badge(where.keys, text)
        if not isinstance(claims, BadgeClaims):
            return _Refusal(_bad_badge())
        if claims.project_id != where.project_id:
            return _Refusal(_other_project())
        return claims
    if not code or not code.isalnum():
        return _Refusal(_unknown_code())
    return code


def _insert(session: Session, table):
    return (pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)(table)


def lock_days(session: Session, keys: Iterable[tuple[int, dt.date]]) -> None:
    """Create the working-day rows if missing, then lock them (PostgreSQL), in a fixed order."""
    pairs = sorted(set(keys))
    if not pairs:
        return
    session.execute(
        _insert(session, AttendanceDay)
        .values([{"booking_id": b, "work_day": d} for b, d in pairs])
        .on_conflict_do_nothing(index_elements=["booking_id", "work_day"])
    )
    for start in range(0, len(pairs), 500):
        chunk = pairs[start : start + 500]
        session.execute(
            select(AttendanceDay.booking_id)
            .where(tuple_(AttendanceDay.booking_id, AttendanceDay.work_day).in_(chunk))
            .order_by(AttendanceDay.booking_id, AttendanceDay.work_day)
            .with_for_update()
        ).all()


def day_scans(
    session: Session, keys: Iterable[tuple[int, dt.date]]
) -> dict[tuple[int, dt.date], list[AttendanceScan]]:
    """The scans (voided ones included) of these booking-days, in time order."""
    pairs = sorted(set(keys))
    found: dict[tuple[int, dt.date], list[AttendanceScan]] = {pair: [] for pair in pairs}
    for start in range(0, len(pairs), 500):
        chunk = pairs[start : start + 500]
        for scan in session.scalars(
            select(AttendanceScan)
            .where(tuple_(AttendanceScan.booking_id, AttendanceScan.work_day).in_(chunk))
            .order_by(AttendanceScan.occurred_at, AttendanceScan.id)
        ):
            found[(scan.booking_id, scan.work_day)].append(scan)
    return found


def to_rule_scans(rows: Iterable[AttendanceScan]) -> list[rules.Scan]:
    """The rules' view of a day's rows: voided ones left out."""
    return [
        rules.Scan(id=row.scan_uuid, kind=row.kind, at=row.occurred_at, device_id=row.device_id)
        for row in rows
        if row.voided_at is None
    ]


@dataclass(frozen=True)
class _Person:
    booking_id: int
    code: str
    status: str
    name: str
    role: str
    talent_type: str
    thumb_name: str | None


def _people(session: Session, project_id: int, codes: Sequence[str]) -> dict[str, _Person]:
    from talento.accounts.models import User
    from talento.casting.models import CastingPhoto
    from talento.projects.models import CastingRole

    found: dict[str, _Person] = {}
    for start in range(0, len(codes), 500):
        rows = session.execute(
            select(
                Booking.id,
                Booking.code,
                Booking.status,
                Booking.project_id,
                User.first_name,
                User.last_name,
                CastingRole.name,
                CastingRole.talent_type,
                CastingPhoto.thumb_name,
            )
            .join(User, User.id == Booking.talent_id)
            .join(CastingRole, CastingRole.id == Booking.role_id)
            .outerjoin(
                CastingPhoto,
                (CastingPhoto.user_id == Booking.talent_id) & CastingPhoto.is_primary,
            )
            .where(Booking.code.in_(codes[start : start + 500]))
        ).all()
        for row in rows:
            if row.project_id != project_id:
                found[row.code] = _Person(row.id, row.code, "other_project", "", "", "", None)
                continue
            found[row.code] = _Person(
                booking_id=row.id,
                code=row.code,
                status=row.status,
                name=f"{row.first_name} {row.last_name}".strip(),
                role=row.name,
                talent_type=row.talent_type,
                thumb_name=row.thumb_name,
            )
    return found


def _booked_days(session: Session, booking_ids: Sequence[int]) -> dict[int, set[dt.date]]:
    days: dict[int, set[dt.date]] = {b: set() for b in booking_ids}
    for start in range(0, len(booking_ids), 1000):
        for booking_id, day in session.execute(
            select(BookingDay.booking_id, BookingDay.day).where(
                BookingDay.booking_id.in_(booking_ids[start : start + 1000])
            )
        ):
            days[booking_id].add(day)
    return days


def _known_ids(session: Session, ids: Sequence[str]) -> dict[str, AttendanceScan]:
    known: dict[str, AttendanceScan] = {}
    for start in range(0, len(ids), 1000):
        for scan in session.scalars(
            select(AttendanceScan).where(AttendanceScan.scan_uuid.in_(ids[start : start + 1000]))
        ):
            known[scan.scan_uuid] = scan
    return known


def _open_day(rows: list[AttendanceScan], day: dt.date) -> tuple[dt.date, dt.datetime] | None:
    """`day`, if the person is still on set from it (arrived, not left), with the arrival."""
    summary = rules.day_summary(to_rule_scans(rows))
    if summary.on_set and summary.arrival_at is not None:
        return (day, summary.arrival_at)
    return None


def record_scans(session: Session, where: Where, items: Sequence[ScanInput]) -> Batch:
    """Record a device's scans in order; each gets a result, conflicts are worded for people.

    A scan's working day must be ``where.day`` (« Pas convoqué ce jour » otherwise); one
    whose id was recorded before is a duplicate and adds nothing."""
    resolved = [_resolve(item, where) for item in items]
    codes = sorted(
        {r for r in resolved if isinstance(r, str)}
        | {r.booking_code for r in resolved if isinstance(r, BadgeClaims)}
    )
    people = _people(session, where.project_id, codes)
    live = [p for p in people.values() if p.status in LIVE_STATUSES]
    booked = _booked_days(session, [p.booking_id for p in live])
    today = [p.booking_id for p in live if where.day in booked[p.booking_id]]
    known = _known_ids(session, [item.scan_id for item in items])
    lock_days(session, [(b, where.day) for b in today])
    previous_day = where.day - dt.timedelta(days=1)
    scans = day_scans(
        session,
        [(b, where.day) for b in today]
        + [(b, previous_day) for b in today if previous_day in booked[b]],
    )
    batch = Batch()
    rows: list[dict] = []
    touched: dict[str, tuple[ScanResult, tuple[int, dt.date]]] = {}
    seen: set[str] = set()
    for item, target in zip(items, resolved, strict=True):
        result = ScanResult(scan_id=item.scan_id, status="refused")
        batch.results.append(result)
        if item.scan_id in seen or item.scan_id in known:
            result.status = "duplicate"
            named = people.get(_code_of(target)) if not isinstance(target, _Refusal) else None
            if named is not None and named.status != "other_project":
                _describe(result, named, where.zone, item.at)
            old = known.get(item.scan_id)
            if old is not None:
                result.booking_id = old.booking_id
                touched.setdefault(item.scan_id, (result, (old.booking_id, old.work_day)))
            continue
        seen.add(item.scan_id)
        if isinstance(target, _Refusal):
            result.reason = target.reason
            continue
        person = people.get(_code_of(target))
        if person is None:
            result.reason = _unknown_code()
            continue
        if person.status == "other_project":
            result.reason = _other_project()
            continue
        _describe(result, person, where.zone, item.at)
        if person.status not in LIVE_STATUSES:
            result.reason = _cancelled()
            continue
        days = booked[person.booking_id]
        # The page's day still open (a night shoot's small hours), else the day before's.
        open_day = _open_day(scans.get((person.booking_id, where.day), []), where.day)
        if open_day is None and previous_day in days:
            open_day = _open_day(scans.get((person.booking_id, previous_day), []), previous_day)
        work_day = rules.work_day_for(item.at, days, where.zone, open_day)
        if item.kind not in rules_kinds():
            result.reason = _("Type de scan inconnu.")
            continue
        if work_day != where.day:
            result.reason = _not_called()
            continue
        row = AttendanceScan(
            scan_uuid=item.scan_id,
            booking_id=person.booking_id,
            work_day=where.day,
            project_id=where.project_id,
            kind=item.kind,
            source=item.source,
            occurred_at=item.at,
            device_id=where.device_id,
            recorded_by_id=where.recorded_by_id,
        )
        scans[(person.booking_id, where.day)].append(row)
        rows.append(
            {
                "scan_uuid": row.scan_uuid,
                "booking_id": row.booking_id,
                "work_day": row.work_day,
                "project_id": row.project_id,
                "kind": row.kind,
                "source": row.source,
                "occurred_at": row.occurred_at,
                "device_id": row.device_id,
                "recorded_by_id": row.recorded_by_id,
            }
        )
        result.status = "recorded"
        result.booking_id = person.booking_id
        touched[item.scan_id] = (result, (person.booking_id, where.day))
    if rows:
        inserted = set(
            session.scalars(
                _insert(session, AttendanceScan)
                .values(rows)
                .on_conflict_do_nothing(index_elements=["scan_uuid"])
                .returning(AttendanceScan.scan_uuid)
            )
        )
        for scan_id in {r["scan_uuid"] for r in rows} - inserted:  # raced by another worker
            result, _key = touched[scan_id]
            result.status = "duplicate"
    _meanings(batch, touched, scans, where)
    return batch


def _code_of(target: str | BadgeClaims) -> str:
    return target.booking_code if isinstance(target, BadgeClaims) else target


def rules_kinds() -> tuple[str, ...]:
    return (*DEVICE_KINDS, "arrival", "departure")


def _describe(result: ScanResult, person: _Person, zone: ZoneInfo, at: dt.datetime) -> None:
    result.name = person.name
    result.role = person.role
    result.talent_type = person.talent_type
    result.thumb_name = person.thumb_name
    result.booking_id = person.booking_id
    result.time = local_time(at, zone)


def _meanings(
    batch: Batch,
    touched: dict[str, tuple[ScanResult, tuple[int, dt.date]]],
    scans: dict[tuple[int, dt.date], list[AttendanceScan]],
    where: Where,
) -> None:
    """Each touched scan's meaning over its whole day (a late-synced earlier scan falls into
    place), the feedback line, and the conflicts between phones in words."""
    summaries: dict[tuple[int, dt.date], rules.DaySummary] = {}
    mine = {item_id for item_id, (result, _k) in touched.items() if result.status == "recorded"}
    for scan_id, (result, key) in touched.items():
        if key not in scans:
            continue
        summary = summaries.get(key)
        if summary is None:
            summary = summaries[key] = rules.day_summary(to_rule_scans(scans[key]))
            for kept, dropped in summary.conflicts:
                if {str(kept.id), str(dropped.id)} & mine:
                    batch.conflicts.append(_conflict_text(result.name, kept, dropped, where))
        meaning = next((e.meaning for e in summary.events if e.scan.id == scan_id), None)
        result.meaning = meaning
        if meaning is not None:
            result.feedback = feedback_text(meaning, summary, where.zone, result.time)


def _conflict_text(name: str, kept: rules.Scan, dropped: rules.Scan, where: Where) -> str:
    return _(
        "%(name)s a été scanné(e) par deux téléphones (%(kept)s et %(dropped)s) : une seule "
        "fois compté(e), à %(kept)s.",
        name=name or _("Une personne"),
        kept=local_time(kept.at, where.zone),
        dropped=local_time(dropped.at, where.zone),
    )


def new_scan_id() -> str:
    return str(uuid.uuid4())


def meaning_text(meaning: str) -> str:
    return meaning_label(meaning)
