"""The attendance pages (issue 15 points 1, 3–5): the day page (roster by role, statuses, late
flags, group actions, no-shows with standby people), the scan form and the sync endpoint, a
person's record with corrections and their trail, the talent's own history and sign-off, and
who may do what."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import uuid
from html import unescape
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from talento.attendance.models import AttendanceCorrection, AttendanceDay, AttendanceScan
from talento.attendance.services import ScanInput, Where, record_scans
from talento.extensions import db
from talento.projects.badge_tokens import public_keys, sign_badge
from tests.attendance.conftest import DAY, day_url, token_of, utc
from tests.helpers import make_settings

ZONE = ZoneInfo("Africa/Casablanca")


def seed(app, on_set, *scans: tuple[int, dt.datetime, str]) -> None:
    """(booking index, UTC time, kind) scans recorded by the presence account."""
    with app.app_context():
        where = Where(
            on_set.project_id, DAY, ZONE, public_keys(app.config["SECRET_KEY"]), on_set.presence
        )
        items = [
            ScanInput(str(uuid.uuid4()), at, code=on_set.codes[i], kind=kind)
            for i, at, kind in scans
        ]
        batch = record_scans(db.session(), where, items)
        assert all(r.status == "recorded" for r in batch.results), batch.results
        db.session.commit()
        db.session.remove()


def text(response) -> str:
    return re.sub(r"\s+", " ", unescape(response.get_data(as_text=True)))


def person(html: str, code: str) -> str:
    match = re.search(rf'id="booking-{code}">(.*?)</li>', html)
    assert match, code
    return match.group(1)


def test_day_page_groups_the_roster_by_role_with_status_and_late_flag(app, on_set, as_account):
    seed(app, on_set, (0, utc(5, 55), "scan"), (1, utc(6, 42), "scan"), (3, utc(6), "scan"),
         (3, utc(18, 10), "scan"))  # fmt: skip
    html = text(as_account("presence").get(day_url(on_set)))
    assert "Nomades" in html
    assert "Marchands" in html
    assert "présent depuis 06:55" in person(html, on_set.codes[0])
    assert "en retard" not in person(html, on_set.codes[0])
    assert "présent depuis 07:42" in person(html, on_set.codes[1])
    assert "en retard de 42 min" in person(html, on_set.codes[1])
    assert "parti 19:10" in person(html, on_set.codes[3])
    assert "Tous présents" in html
    assert "Tous partis" in html
    assert on_set.cancelled_code not in html  # a cancelled booking is not on the roster


def test_display_follows_the_timezone_setting(app, on_set, as_account):
    """Stored 06:42 UTC: 07:42 in Casablanca (the default), 06:42 with TIMEZONE=UTC."""
    seed(app, on_set, (1, utc(6, 42), "scan"))
    client = as_account("presence")
    html = text(client.get(day_url(on_set)))
    assert "présent depuis 07:42" in person(html, on_set.codes[1])
    assert "Africa/Casablanca" in html
    settings = app.extensions["talento.settings"]
    app.extensions["talento.settings"] = dataclasses.replace(settings, timezone="UTC")
    try:
        html = text(client.get(day_url(on_set)))
    finally:
        app.extensions["talento.settings"] = settings
    assert "présent depuis 06:42" in person(html, on_set.codes[1])
    assert make_settings("sqlite://").timezone == "Africa/Casablanca"


def test_timezone_setting_is_checked():
    from talento.settings import VARIABLE

    check = VARIABLE["TIMEZONE"].check
    assert check("TIMEZONE", "Africa/Casablanca") is None
    assert "TIMEZONE" in check("TIMEZONE", "Mars/Olympus")


def test_no_show_list_shows_standby_names_to_staff_only(app, on_set, as_account):
    seed(app, on_set, (0, utc(6), "scan"))
    staff = text(as_account("casting").get(day_url(on_set)))
    no_shows = staff[staff.index('id="no-shows"') :]
    assert "Fatima Benali" in no_shows
    assert "Karim Chraibi" in no_shows
    assert "Youssef Amrani" not in no_shows  # arrived
    assert "Omar Standby" in no_shows
    assert "MAATT" in no_shows
    presence = text(as_account("presence").get(day_url(on_set)))
    no_shows = presence[presence.index('id="no-shows"') :]
    assert "Remplaçants possibles pour ce rôle : 1." in no_shows
    assert "Omar Standby" not in no_shows


def test_group_actions_for_a_role_and_for_ticked_people(app, on_set, as_account):
    client = as_account("presence")
    token = token_of(client, day_url(on_set))
    response = client.post(
        f"{day_url(on_set)}/group",
        data={"csrf_token": token, "action": f"arrival:role:{on_set.nomads_id}", "time": "06:30"},
    )
    assert response.status_code == 302
    html = text(client.get(day_url(on_set)))
    for code in on_set.codes[:3]:
        assert "présent depuis" in person(html, code)
    assert "attendu" in person(html, on_set.codes[3]) or "absent" in person(html, on_set.codes[3])
    # Again: nobody's state changes, nothing added.
    client.post(
        f"{day_url(on_set)}/group",
        data={"csrf_token": token, "action": f"arrival:role:{on_set.nomads_id}", "time": "06:40"},
    )
    with app.app_context():
        rows = db.session.scalars(select(AttendanceScan)).all()
        assert {(r.kind, r.source) for r in rows} == {("arrival", "group")}
        assert len(rows) == 3
        db.session.remove()
    client.post(
        f"{day_url(on_set)}/group",
        data={
            "csrf_token": token,
            "action": "departure:selected",
            "time": "18:00",
            "booking": [str(on_set.bookings[0]), str(on_set.bookings[3])],
        },
    )
    html = text(client.get(day_url(on_set)))
    assert "parti" in person(html, on_set.codes[0])
    assert "présent depuis" in person(html, on_set.codes[1])
    with app.app_context():
        kinds = db.session.scalars(select(AttendanceScan.kind)).all()
        db.session.remove()
    assert sorted(kinds) == ["arrival"] * 3 + ["departure"]  # the trader was not on set


def test_manual_code_entry_answers_the_feedback(app, on_set, as_account):
    """A typed code is a check-in now: Fatima is booked today (the site's date) too."""
    from talento.projects.models import BookingDay

    today = dt.datetime.now(ZONE).date()
    with app.app_context():
        db.session.add(BookingDay(booking_id=on_set.bookings[1], day=today))
        db.session.commit()
        db.session.remove()
    client = as_account("presence")
    url = day_url(on_set, today)
    token = token_of(client, url)
    response = client.post(f"{url}/scan", data={"csrf_token": token, "code": " ccafm0010002 "})
    assert response.status_code == 200
    html = text(response)
    assert "Fatima Benali" in html
    assert re.search(r"arrivée \d\d:\d\d", html)
    assert "Server-Timing" in response.headers
    refused = client.post(f"{url}/scan", data={"csrf_token": token, "code": on_set.cancelled_code})
    assert refused.status_code == 422
    assert "Réservation annulée ou déclinée" in text(refused)
    not_today = client.post(f"{url}/scan", data={"csrf_token": token, "code": on_set.codes[2]})
    assert "Pas convoqué ce jour" in text(not_today)
    empty = client.post(f"{url}/scan", data={"csrf_token": token, "code": ""})
    assert empty.status_code == 422
    assert "Saisissez le code du badge." in text(empty)


def test_sync_endpoint_records_in_order_counts_replays_once_and_reports_conflicts(
    app, on_set, as_account
):
    client = as_account("presence")
    token = token_of(client, day_url(on_set))
    with app.app_context():
        from talento.projects.models import Booking

        badge = sign_badge(app.config["SECRET_KEY"], db.session.get(Booking, on_set.bookings[1]))
        db.session.remove()
    scans = [
        {"id": str(uuid.uuid4()), "token": badge, "code": None, "at": "2027-07-15T06:45:00Z",
         "kind": "scan"},
        {"id": str(uuid.uuid4()), "token": None, "code": on_set.codes[0],
         "at": "2027-07-15T06:30:00+00:00", "kind": "scan"},
        {"id": str(uuid.uuid4()), "token": "abc.def", "at": "2027-07-15T06:31:00Z"},
        {"id": "x", "at": "pas une date"},
    ]  # fmt: skip
    url = f"{day_url(on_set)}/sync"
    headers = {"X-CSRFToken": token}
    response = client.post(url, json={"device_id": "phone-A", "scans": scans}, headers=headers)
    assert response.status_code == 200, response.data
    body = response.get_json()
    assert [r["status"] for r in body["results"]] == ["recorded", "recorded", "refused", "refused"]
    assert [r["meaning"] for r in body["results"][:2]] == ["arrival", "arrival"]
    assert body["results"][0]["time"] == "07:45"
    assert body["results"][2]["reason"] == "Badge falsifié ou illisible"
    assert body["conflicts"] == []
    again = client.post(url, json={"device_id": "phone-A", "scans": scans}, headers=headers)
    assert [r["status"] for r in again.get_json()["results"][:2]] == ["duplicate", "duplicate"]
    assert again.get_json()["results"][0]["name"] == "Fatima Benali"
    other = [{"id": str(uuid.uuid4()), "token": badge, "at": "2027-07-15T06:44:30Z"}]
    third = client.post(url, json={"device_id": "phone-B", "scans": other}, headers=headers)
    assert third.get_json()["results"][0]["meaning"] == "arrival"
    assert third.get_json()["conflicts"] == [
        "Fatima Benali a été scanné(e) par deux téléphones (07:44 et 07:45) : une seule fois "
        "compté(e), à 07:44."
    ]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttendanceScan)) == 3
        db.session.remove()
    assert (
        client.post(
            url, data="{", headers=headers | {"Content-Type": "application/json"}
        ).status_code
        == 400
    )
    assert client.post(url, json={"scans": "x"}, headers=headers).status_code == 400
    assert (
        client.post(url, json={"device_id": "p", "scans": [{}] * 1001}, headers=headers).status_code
        == 413
    )
    assert client.post(url, json={"device_id": "p", "scans": []}).status_code == 400  # no CSRF


def test_corrections_keep_a_trail_and_never_edit_a_scan(app, on_set, as_account):
    seed(app, on_set, (1, utc(6, 42), "scan"), (1, utc(18, 10), "scan"))
    client = as_account("presence")
    url = f"/attendance/days/{on_set.bookings[1]}/{DAY.isoformat()}"
    page = client.get(url)
    html = page.get_data(as_text=True)
    arrival_id = re.search(r'<option value="([0-9a-f-]{36})">arrivée 07:42', html).group(1)
    token = token_of(client, url)
    missing = client.post(
        url,
        data={
            "csrf_token": token,
            "action": "move",
            "scan": arrival_id,
            "time": "07:30",
            "date": DAY.isoformat(),
            "reason": "",
            "kind": "arrival",
        },  # fmt: skip
    )
    assert missing.status_code == 422
    assert "Indiquez la raison de la correction." in text(missing)
    moved = client.post(
        url,
        data={
            "csrf_token": token,
            "action": "move",
            "scan": arrival_id,
            "time": "07:30",
            "date": DAY.isoformat(),
            "reason": "Badge oublié au bus",
            "kind": "arrival",
        },  # fmt: skip
    )
    assert moved.status_code == 302
    added = client.post(
        url,
        data={
            "csrf_token": token,
            "action": "add",
            "time": "13:00",
            "date": DAY.isoformat(),
            "kind": "meal_start",
            "reason": "Repas non pointé",
        },  # fmt: skip
    )
    assert added.status_code == 302
    client.post(
        url,
        data={
            "csrf_token": token,
            "action": "add",
            "time": "13:45",
            "date": DAY.isoformat(),
            "kind": "meal_end",
            "reason": "Repas non pointé",
        },  # fmt: skip
    )
    outside = client.post(
        url,
        data={
            "csrf_token": token,
            "action": "add",
            "time": "13:00",
            "date": (DAY + dt.timedelta(days=3)).isoformat(),
            "kind": "arrival",
            "reason": "?",
        },  # fmt: skip
    )
    assert outside.status_code == 422
    html = text(client.get(url))
    assert 'id="person">Fatima Benali<' in html
    assert 'id="arrival">07:30' in html
    assert 'id="worked">10 h 55' in html  # 07:30 → 19:10 minus 45 min of meal
    trail = html[html.index('id="trail"') :]
    assert "arrivée 07:42" in trail
    assert "arrivée 07:30" in trail
    assert "Badge oublié au bus" in trail
    assert "début du repas 13:00" in trail
    with app.app_context():
        corrections = db.session.scalars(
            select(AttendanceCorrection).order_by(AttendanceCorrection.id)
        ).all()
        assert [(c.action, c.old_value, c.new_value) for c in corrections] == [
            ("move", "arrivée 07:42", "arrivée 07:30"),
            ("add", None, "début du repas 13:00"),
            ("add", None, "fin du repas 13:45"),
        ]
        assert corrections[0].corrected_by_id == on_set.presence
        old = db.session.get(AttendanceScan, corrections[0].old_scan_id)
        assert old.voided_at is not None
        assert old.occurred_at == utc(6, 42)
        assert db.session.scalar(select(func.count()).select_from(AttendanceScan)) == 5
        db.session.remove()
    voided = client.post(
        url, data={"csrf_token": token, "action": "void", "scan": arrival_id, "reason": "x"}
    )
    assert voided.status_code == 422  # already voided: not a scan of the day any more


def test_talent_sees_and_acknowledges_only_their_own_days(app, on_set, as_account):
    seed(app, on_set, (1, utc(6, 42), "scan"), (1, utc(18, 10), "scan"), (2, utc(6), "scan"))
    fatima = as_account("fatima.benali@example.org")
    page = fatima.get("/cinema/me/attendance")
    html = text(page)
    assert "Le Grand Sud" in html
    assert "11 h 28" in html
    assert "Karim" not in html
    assert "Youssef" not in html
    assert on_set.codes[2] not in html
    token = token_of(fatima, "/cinema/me/attendance")
    response = fatima.post(
        "/cinema/me/attendance/acknowledge",
        data={"csrf_token": token, "booking": on_set.bookings[1], "day": DAY.isoformat()},
    )
    assert response.status_code == 302
    assert "Heures confirmées le" in text(fatima.get("/cinema/me/attendance"))
    with app.app_context():
        marks = db.session.get(AttendanceDay, (on_set.bookings[1], DAY))
        assert marks.acknowledged_at is not None
        assert marks.acknowledged_minutes == 688
        db.session.remove()
    # Someone else's day: the 404 of a day that does not exist.
    other = fatima.post(
        "/cinema/me/attendance/acknowledge",
        data={"csrf_token": token, "booking": on_set.bookings[2], "day": DAY.isoformat()},
    )
    assert other.status_code == 404
    # Staff pages are not the talent's.
    assert fatima.get(day_url(on_set)).status_code == 404
    assert fatima.get("/attendance").status_code == 403


def test_access_members_read_presence_only_assigned_days(app, on_set, as_account):
    from talento.projects.models import PresenceAssignment

    member = as_account("member")
    assert member.get(day_url(on_set)).status_code == 200
    assert "Tous présents" not in text(member.get(day_url(on_set)))
    token = token_of(member, day_url(on_set))
    assert (
        member.post(
            f"{day_url(on_set)}/scan", data={"csrf_token": token, "code": on_set.codes[0]}
        ).status_code
        == 403
    )
    assert as_account("recruiter").get(day_url(on_set)).status_code == 404
    # A presence account assigned to one day only: the other day is a 404.
    with app.app_context():
        db.session.execute(
            PresenceAssignment.__table__.update()
            .where(PresenceAssignment.user_id == on_set.presence)
            .values(day=DAY + dt.timedelta(days=1))
        )
        db.session.commit()
        db.session.remove()
    presence = as_account("presence")
    assert presence.get(day_url(on_set)).status_code == 404
    assert presence.get(day_url(on_set, DAY + dt.timedelta(days=1))).status_code == 200
    assert presence.get(f"/attendance/{on_set.project_id}/pas-une-date").status_code == 404
    listing = text(presence.get("/attendance"))
    assert "16/07/2027" in listing
    assert "15/07/2027" not in listing


def test_index_lists_the_days_to_scan(app, on_set, as_account):
    html = text(as_account("casting").get("/attendance"))
    assert "Le Grand Sud" in html
    assert "15/07/2027" in html
    assert "16/07/2027" in html


def test_members_cannot_correct_and_talents_see_the_trail_of_their_day(app, on_set, as_account):
    seed(app, on_set, (1, utc(6, 42), "scan"))
    url = f"/attendance/days/{on_set.bookings[1]}/{DAY.isoformat()}"
    member = as_account("member")
    assert member.get(url).status_code == 200
    assert 'id="correct"' not in member.get(url).get_data(as_text=True)
    refused = member.post(
        url,
        data={
            "csrf_token": token_of(member, url),
            "action": "add",
            "time": "18:00",
            "kind": "departure",
            "reason": "Oubli",
        },  # fmt: skip
    )
    assert refused.status_code == 403
    fatima = as_account("fatima.benali@example.org")
    token = token_of(fatima, "/cinema/me/attendance")
    # Still on set: nothing to confirm yet.
    early = fatima.post(
        "/cinema/me/attendance/acknowledge",
        data={"csrf_token": token, "booking": on_set.bookings[1], "day": DAY.isoformat()},
        follow_redirects=True,
    )
    assert "Cette journée n'est pas terminée : rien à confirmer." in text(early)
    presence = as_account("presence")
    added = presence.post(
        url,
        data={
            "csrf_token": token_of(presence, url),
            "action": "add",
            "time": "18:00",
            "date": DAY.isoformat(),
            "kind": "departure",
            "reason": "Départ en bus oublié",
        },  # fmt: skip
    )
    assert added.status_code == 302
    html = text(fatima.get("/cinema/me/attendance"))
    assert "— → départ 18:00 (Départ en bus oublié)" in html
    assert "10 h 18" in html
    assert "Je confirme mes heures" in html


def test_json_check_in_answers_who_and_what(app, on_set, as_account):
    """The scanner's online check-in: a badge token as JSON; the answer names the person,
    their role's colour and what the scan meant."""
    from talento.projects.models import Booking, BookingDay

    today = dt.datetime.now(ZONE).date()
    with app.app_context():
        db.session.add(BookingDay(booking_id=on_set.bookings[3], day=today))
        db.session.commit()
        badge = sign_badge(app.config["SECRET_KEY"], db.session.get(Booking, on_set.bookings[3]))
        db.session.remove()
    client = as_account("presence")
    url = day_url(on_set, today)
    headers = {"X-CSRFToken": token_of(client, url)}
    scan_id = str(uuid.uuid4())
    answer = client.post(
        f"{url}/scan", json={"id": scan_id, "token": badge, "device_id": "phone-A"}, headers=headers
    )
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["status"] == "recorded"
    assert body["meaning"] == "arrival"
    assert body["name"] == "Salma Douiri"
    assert body["role"] == "Marchands"
    assert body["colour"] == "#E65100"
    assert body["feedback"] == f"arrivée {body['time']}"
    again = client.post(f"{url}/scan", json={"id": scan_id, "token": badge}, headers=headers)
    assert again.get_json()["status"] == "duplicate"
    bad = client.post(f"{url}/scan", json={"token": badge[:-4] + "AAAA"}, headers=headers)
    assert bad.get_json()["reason"] == "Badge falsifié ou illisible"
    assert client.post(f"{url}/scan", json=["x"], headers=headers).status_code == 400
    assert client.post(f"{url}/scan", json={"kind": "nap"}, headers=headers).status_code == 400
    with app.app_context():
        (row,) = db.session.scalars(select(AttendanceScan)).all()
        assert row.device_id == "phone-A"
        db.session.remove()


def test_the_day_page_opens_the_scanner_for_those_who_record(app, on_set, as_account):
    """« Ouvrir le scanner » leads to the scanning page of the same project and day, for the
    presence account; a company member reads the day and gets no scanner link."""
    scanner = f"{day_url(on_set)}/scanner"
    presence = as_account("presence")
    html = presence.get(day_url(on_set)).get_data(as_text=True)
    assert f'id="scanner-link" href="{scanner}"' in html
    assert presence.get(scanner).status_code == 200
    member_html = as_account("member").get(day_url(on_set)).get_data(as_text=True)
    assert 'id="scanner-link"' not in member_html
