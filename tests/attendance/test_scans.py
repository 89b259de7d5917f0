"""Recording scans (issue 15 points 3, 4, 7): badge tokens checked with their reasons, the
meaning of each scan, night shoots and time-zone edges, idempotent and conflicting syncs,
and two workers scanning the same badge at once (PostgreSQL, real commits)."""

from __future__ import annotations

import datetime as dt
import uuid
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from talento.attendance.models import AttendanceDay, AttendanceScan
from talento.attendance.services import ScanInput, Where, record_scans
from talento.attendance.texts import local_time
from talento.extensions import db
from talento.projects.badge_tokens import public_keys, sign_claims
from tests.attendance.conftest import DAY, NEXT, utc

ZONE = ZoneInfo("Africa/Casablanca")


def where(app, on_set, day=DAY, device="phone-A") -> Where:
    return Where(
        project_id=on_set.project_id,
        day=day,
        zone=ZONE,
        keys=public_keys(app.config["SECRET_KEY"]),
        recorded_by_id=on_set.presence,
        device_id=device,
    )


def token(app, code: str, project_id: int, first=DAY, last=NEXT, secret=None) -> str:
    return sign_claims(
        secret or app.config["SECRET_KEY"],
        booking_code=code,
        project_id=project_id,
        valid_from=first,
        valid_until=last,
    )


def scan(at, *, code=None, tok=None, kind="scan", scan_id=None) -> ScanInput:
    return ScanInput(scan_id or str(uuid.uuid4()), at, token=tok, code=code, kind=kind)


def run(app, on_set, items, **kw):
    with app.app_context():
        batch = record_scans(db.session(), where(app, on_set, **kw), items)
        db.session.commit()
        db.session.remove()
    return batch


def count_scans(app) -> int:
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(AttendanceScan))
        db.session.remove()
    return n


def test_first_scan_is_the_arrival_the_next_the_departure_shown_in_local_time(app, on_set):
    tok = token(app, on_set.codes[1], on_set.project_id)
    batch = run(app, on_set, [scan(utc(6, 42), tok=tok), scan(utc(18, 10), tok=tok)])
    arrival, departure = batch.results
    assert (arrival.status, arrival.meaning, arrival.feedback) == (
        "recorded",
        "arrival",
        "arrivée 07:42",
    )
    assert (departure.meaning, departure.feedback) == ("departure", "départ 19:10")
    assert arrival.name == "Fatima Benali"
    assert arrival.role == "Nomades"
    again = run(app, on_set, [scan(utc(18, 11), tok=tok)]).results[0]
    assert (again.meaning, again.feedback) == ("duplicate", "déjà sorti (départ 19:10)")


def test_tampered_badge_is_refused_with_its_reason(app, on_set):
    tok = token(app, on_set.codes[1], on_set.project_id)
    payload, signature = tok.split(".")
    forged = token(app, on_set.codes[1], on_set.project_id, secret="x" * 40)
    flipped = payload + "." + ("A" if signature[0] != "A" else "B") + signature[1:]
    results = run(
        app,
        on_set,
        [scan(utc(7), tok=flipped), scan(utc(7), tok=forged), scan(utc(7), tok="n'importe quoi")],
    ).results
    assert [r.status for r in results] == ["refused"] * 3
    assert {r.reason for r in results} == {"Badge falsifié ou illisible"}
    assert count_scans(app) == 0


def test_badge_of_another_project_or_day_or_cancelled_booking_is_refused(app, on_set):
    other = token(app, on_set.other_booking_code, on_set.other_project_id)
    only_today = token(app, on_set.codes[1], on_set.project_id, last=DAY)
    results = run(
        app,
        on_set,
        [
            scan(utc(7), tok=other),
            scan(utc(7), code=on_set.other_booking_code),
            scan(utc(7), code=on_set.cancelled_code),
            scan(utc(7), code="CCZZZ9999999"),
        ],
    ).results
    assert [r.reason for r in results] == [
        "Badge d'un autre projet",
        "Badge d'un autre projet",
        "Réservation annulée ou déclinée",
        "Code inconnu",
    ]
    # An expired badge: booked on DAY only, scanned on NEXT's page.
    expired = run(app, on_set, [scan(utc(7, day=NEXT), tok=only_today)], day=NEXT).results[0]
    assert (expired.status, expired.reason) == ("refused", "Pas convoqué ce jour")
    # A scan made on another day than the page's (the device's clock says so).
    late = run(app, on_set, [scan(utc(9, day=NEXT + dt.timedelta(days=3)), code=on_set.codes[1])])
    assert late.results[0].reason == "Pas convoqué ce jour"
    assert count_scans(app) == 0


def test_a_night_shoot_across_midnight_stays_one_working_day(app, on_set):
    # Booked DAY and NEXT: arrives 20:00 local on DAY, leaves 03:30 local on NEXT.
    code = on_set.codes[0]
    results = run(
        app, on_set, [scan(utc(19), code=code), scan(utc(2, 30, day=NEXT), code=code)]
    ).results
    assert [(r.meaning, r.reason) for r in results] == [("arrival", None), ("departure", None)]
    with app.app_context():
        days = db.session.scalars(select(AttendanceScan.work_day)).all()
        db.session.remove()
    assert days == [DAY, DAY]


def test_a_scan_at_2330_utc_belongs_to_the_next_local_day_in_summer(app, on_set):
    # 23:30 UTC the day before is 00:30 in Casablanca (UTC+1): DAY's page takes it.
    before = DAY - dt.timedelta(days=1)
    result = run(app, on_set, [scan(utc(23, 30, day=before), code=on_set.codes[2])]).results[0]
    assert (result.status, result.meaning, result.time) == ("recorded", "arrival", "00:30")
    assert local_time(utc(23, 30, day=before), ZONE) == "00:30"
    assert local_time(utc(23, 30, day=before), ZoneInfo("UTC")) == "23:30"


def test_a_replayed_batch_counts_once(app, on_set):
    items = [scan(utc(6, 30 + n), code=code) for n, code in enumerate(on_set.codes)]
    first = run(app, on_set, items)
    assert [r.status for r in first.results] == ["recorded"] * 4
    assert [r.meaning for r in first.results] == ["arrival"] * 4
    second = run(app, on_set, items + items)
    assert [r.status for r in second.results] == ["duplicate"] * 8
    assert [r.meaning for r in second.results[:4]] == ["arrival"] * 4
    assert count_scans(app) == 4


def test_the_same_id_twice_in_one_batch_counts_once(app, on_set):
    one = scan(utc(6, 30), code=on_set.codes[0])
    results = run(app, on_set, [one, one]).results
    assert [r.status for r in results] == ["recorded", "duplicate"]
    assert count_scans(app) == 1


def test_two_phones_offline_give_one_arrival_the_earliest_and_a_conflict(app, on_set):
    code = on_set.codes[1]
    a = run(app, on_set, [scan(utc(6, 45), code=code)], device="phone-A")
    assert a.conflicts == []
    b = run(app, on_set, [scan(utc(6, 44), code=code)], device="phone-B")
    assert b.results[0].meaning == "arrival"  # the earliest is the arrival
    assert b.conflicts == [
        "Fatima Benali a été scanné(e) par deux téléphones (07:44 et 07:45) : une seule fois "
        "compté(e), à 07:44."
    ]
    with app.app_context():
        from talento.attendance.corrections import day_record
        from talento.projects.models import Booking

        booking = db.session.get(Booking, on_set.bookings[1])
        record = day_record(db.session(), booking, DAY, ZONE)
        db.session.remove()
    assert [e.meaning for e in record.events] == ["arrival", "duplicate"]
    assert local_time(record.summary.arrival_at, ZONE) == "07:44"


def test_meals_and_reentry_are_events(app, on_set):
    code = on_set.codes[3]
    results = run(
        app,
        on_set,
        [
            scan(utc(6), code=code),
            scan(utc(11), code=code, kind="meal_start"),
            scan(utc(11, 45), code=code, kind="meal_end"),
            scan(utc(14), code=code),
            scan(utc(15), code=code),
            scan(utc(18), code=code),
        ],
    ).results
    assert [r.meaning for r in results] == [
        "arrival",
        "meal_start",
        "meal_end",
        "departure",
        "reentry",
        "departure",
    ]


# -- two workers, one badge (PostgreSQL, real commits) ------------------------------------------


def _scan_in_thread(app, on_set, tok: str, delay: float, hold: float, at: dt.datetime):
    """One worker's check-in: start after `delay`, keep the transaction `hold` s, commit."""
    import time

    time.sleep(delay)
    with app.app_context():
        try:
            batch = record_scans(db.session(), where(app, on_set, device=None), [scan(at, tok=tok)])
            time.sleep(hold)  # the lock is held: the other worker waits for it
            db.session.commit()
            return batch.results[0].meaning
        finally:
            db.session.remove()


@pytest.mark.committed
def test_two_workers_scanning_the_same_badge_at_once_make_one_arrival(app, on_set):
    """The first worker holds the person's day while it records; the second, ten seconds of
    device time later but while the first is still busy, waits for it and then sees its scan:
    a duplicate, not a second arrival (without the lock it would read an empty day)."""
    tok = token(app, on_set.codes[0], on_set.project_id)
    first_at = utc(6, 50)
    with app.app_context():  # the day's row exists already: only SELECT … FOR UPDATE serialises
        db.session.add(AttendanceDay(booking_id=on_set.bookings[0], work_day=DAY))
        db.session.commit()
        db.session.remove()
    with ThreadPoolExecutor(max_workers=2) as pool:
        first = pool.submit(_scan_in_thread, app, on_set, tok, 0, 0.6, first_at)
        second = pool.submit(
            _scan_in_thread, app, on_set, tok, 0.2, 0, first_at + dt.timedelta(seconds=10)
        )
        meanings = [first.result(timeout=30), second.result(timeout=30)]
    assert meanings == ["arrival", "duplicate"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttendanceDay)) == 1
        db.session.remove()
    assert count_scans(app) == 2
