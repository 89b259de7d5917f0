"""The day's roster a scanning phone downloads before it leaves the office (issue 15 point 3).

Everything the scanner needs to work with no network, in one JSON document:

- the live bookings booked that day (pending or confirmed: a cancelled person has no business
  on set, whatever their badge says): booking code, name, role and its badge colour, call
  time, and the photo as a small JPEG ``data:`` URL (kept in IndexedDB with the rest, so the
  phone shows the face offline without caching hundreds of image URLs);
- the day's scans already recorded (their device ids, times and kinds), so the phone can say
  « arrivée » or « départ » offline; the server's answer stays authoritative after sync;
- the badge public keys (``/projects/badge-keys.json``'s document), the project id and the
  day, with which the phone verifies a badge's signature, project and dates on the device;
- the site's time zone, in which the phone shows times, and its UTC offsets around the day
  (``offsets``): the phone's own time-zone data may be old (Debian's Chromium still puts
  Casablanca at UTC+0 in winter, the rule before 2018), so the phone computes local times from
  the server's offsets rather than trusting its own.

Reading it is audited once per download (names and faces shown to someone who is not those
people, DESIGN "Who sees what"), like a printed talent list.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

from PIL import Image, ImageOps
from sqlalchemy import select
from sqlalchemy.orm import Session

from talento.attendance.models import AttendanceScan
from talento.audit.models import AuditAction
from talento.audit.services import Actor, record
from talento.projects.badge_images import photo_file
from talento.projects.badge_rows import BookingRow, booking_rows
from talento.projects.badge_tokens import keys_document
from talento.projects.vocabulary import ROLE_COLOURS, ROLE_TEXT_COLOURS

__all__ = ["ROSTER_VERSION", "THUMB_SIZE", "day_roster", "utc_offsets"]

log = logging.getLogger(__name__)

#: The document's format (the phone refuses one it does not know and asks for a new download).
ROSTER_VERSION = 1
#: The photo as the scanner shows it: 4:5 like the casting thumbnails, about 3 KB in JPEG, so
#: 500 people weigh about 2 MB.
THUMB_SIZE = (96, 120)
THUMB_QUALITY = 70


def _thumbnail(upload_dir: str | Path, thumb_name: str | None) -> str | None:
    path = photo_file(upload_dir, thumb_name)
    if path is None:
        return None
    try:
        with Image.open(path) as source:
            source.draft("RGB", THUMB_SIZE)
            image = ImageOps.fit(
                source.convert("RGB"), THUMB_SIZE, Image.Resampling.BICUBIC, centering=(0.5, 0.3)
            )
        out = io.BytesIO()
        image.save(out, "JPEG", quality=THUMB_QUALITY, optimize=True)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        log.warning("Photo illisible ignorée dans la liste du jour (%s).", type(error).__name__)
        return None
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii")


def _person(row: BookingRow, upload_dir: str | Path, scans: list[dict]) -> dict:
    return {
        "code": row.code,
        "name": row.full_name,
        "role": row.role_name,
        "role_id": row.role_id,
        "colour": ROLE_COLOURS.get(row.talent_type, ROLE_COLOURS["other"]),
        "ink": ROLE_TEXT_COLOURS.get(row.talent_type, "#FFFFFF"),
        "call_time": row.call_time.strftime("%H:%M") if row.call_time else None,
        "photo": _thumbnail(upload_dir, row.thumb_name),
        "scans": scans,
    }


def _scans_by_booking(session: Session, booking_ids: list[int], day: dt.date) -> dict[int, list]:
    """The day's scans that stand (not voided), in time order, per booking."""
    found: dict[int, list] = {}
    for start in range(0, len(booking_ids), 1000):  # bounded IN lists
        rows = session.execute(
            select(
                AttendanceScan.booking_id,
                AttendanceScan.scan_uuid,
                AttendanceScan.kind,
                AttendanceScan.occurred_at,
            )
            .where(
                AttendanceScan.booking_id.in_(booking_ids[start : start + 1000]),
                AttendanceScan.work_day == day,
                AttendanceScan.voided_at.is_(None),
            )
            .order_by(AttendanceScan.occurred_at, AttendanceScan.id)
        )
        for booking_id, scan_uuid, kind, occurred_at in rows:
            at = occurred_at if occurred_at.tzinfo else occurred_at.replace(tzinfo=dt.UTC)
            found.setdefault(booking_id, []).append(
                {"id": scan_uuid, "kind": kind, "at": at.astimezone(dt.UTC).isoformat()}
            )
    return found


def utc_offsets(day: dt.date, zone: ZoneInfo) -> list[dict]:
    """The zone's UTC offsets from the day before `day` to the day after (night shoots, a
    roster downloaded the evening before), as [{"from": UTC instant, "minutes": offset}], one
    entry per change (Morocco's change at Ramadan's start and end is on the hour)."""
    start = dt.datetime.combine(day - dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    start_utc = start.astimezone(dt.UTC)
    offsets: list[dict] = []
    for hour in range(72):
        at = start_utc + dt.timedelta(hours=hour)
        offset = at.astimezone(zone).utcoffset() or dt.timedelta()
        minutes = int(offset.total_seconds() // 60)
        if not offsets or offsets[-1]["minutes"] != minutes:
            offsets.append({"from": at.isoformat(), "minutes": minutes})
    return offsets


def day_roster(
    session: Session,
    *,
    project_id: int,
    project_name: str,
    day: dt.date,
    secret_key: str,
    upload_dir: str | Path,
    timezone: str,
    actor: Actor,
    now: dt.datetime,
) -> dict:
    """The roster document of `project_id` on `day` (see the module's docstring); audited."""
    rows = booking_rows(session, project_id, on_days={day})
    scans = _scans_by_booking(session, [row.booking_id for row in rows], day)
    record(
        session,
        AuditAction.ROSTER_DOWNLOADED,
        actor,
        detail={"project_id": project_id, "day": day.isoformat(), "bookings": len(rows)},
    )
    return {
        "version": ROSTER_VERSION,
        "project_id": project_id,
        "project_name": project_name,
        "day": day.isoformat(),
        "timezone": timezone,
        "offsets": utc_offsets(day, ZoneInfo(timezone)),
        "generated_at": now.astimezone(dt.UTC).isoformat(),
        "keys": keys_document(secret_key)["keys"],
        "people": [_person(row, upload_dir, scans.get(row.booking_id, [])) for row in rows],
    }
