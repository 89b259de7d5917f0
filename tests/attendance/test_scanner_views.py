"""The scanner's server side (attendance/scanner_views.py, attendance/roster.py): the page,
the day's roster a phone downloads (live bookings of the day, photos, the day's scans, the
keys that verify badges offline), who may open them, the audit row, and the headers of the
manifest and the service worker. PostgreSQL, real files, no mock."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json

import pytest
from PIL import Image
from sqlalchemy import select

from talento.projects.badge_tokens import verify_badge
from tests.helpers import login, make_settings
from tests.projects.badge_helpers import add_booking, add_talents, keys_from, make_production

MARCH_15, MARCH_16, MARCH_17 = dt.date(2027, 3, 15), dt.date(2027, 3, 16), dt.date(2027, 3, 17)
STAFF = "scanner-casting@example.org"


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def production(app):
    """« Nomades »: a confirmed and a pending booking on the 15th, a cancelled one, one on the
    16th only; « Le Chef »: the 15th to the 17th, called at 07:30, without a photo."""
    made = make_production(app)
    talents = add_talents(app, 4) + add_talents(app, 1, start=9, photo=False)
    add_booking(app, made, "Nomades", talents[0], "CCAFB0010001", days=(MARCH_15,))
    add_booking(app, made, "Nomades", talents[1], "CCAFB0010002", status="pending")
    add_booking(app, made, "Nomades", talents[2], "CCAFB0010003", status="cancelled")
    add_booking(app, made, "Nomades", talents[3], "CCAFB0010004", days=(MARCH_16,))
    add_booking(
        app,
        made,
        "Le Chef",
        talents[4],
        "CCAFB0010005",
        days=(MARCH_15, MARCH_16, MARCH_17),
        call_time=dt.time(7, 30),
    )
    made.talents = talents
    return made


def _client(app, make_user, email: str, capabilities: list[str], code: str):
    make_user(email=email, capabilities=capabilities, code=code)
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


@pytest.fixture
def staff(app, make_user):
    return _client(app, make_user, STAFF, ["casting"], "MAF0911CAS")


def _assign(app, project_id: int, user_email: str, day: dt.date | None) -> None:
    from talento.accounts.models import User
    from talento.extensions import db
    from talento.projects.models import PresenceAssignment

    with app.app_context():
        user = db.session.scalars(select(User).filter_by(email=user_email)).one()
        db.session.add(PresenceAssignment(project_id=project_id, user_id=user.id, day=day))
        db.session.commit()
        db.session.remove()


def test_the_roster_holds_the_days_live_bookings_their_photos_and_the_keys(app, staff, production):
    response = staff.get(f"/attendance/{production.project_id}/2027-03-15/roster.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "private, no-store"
    roster = response.get_json()
    assert roster["version"] == 1
    assert roster["project_id"] == production.project_id
    assert roster["day"] == "2027-03-15"
    assert roster["timezone"] == "Africa/Casablanca"
    # Live and booked that day: not the cancelled one, not the one of the 16th only.
    by_code = {person["code"]: person for person in roster["people"]}
    assert sorted(by_code) == ["CCAFB0010001", "CCAFB0010002", "CCAFB0010005"]
    chef = by_code["CCAFB0010005"]
    assert chef["role"] == "Le Chef"
    assert chef["colour"] == "#B71C1C"
    assert chef["ink"] == "#FFFFFF"
    assert chef["call_time"] == "07:30"
    assert chef["photo"] is None
    assert chef["name"].startswith("Fatima-Zahra Bennani")
    nomad = by_code["CCAFB0010001"]
    assert nomad["colour"] == "#1565C0"
    assert nomad["scans"] == []
    prefix = "data:image/jpeg;base64,"
    assert nomad["photo"].startswith(prefix)
    photo = Image.open(io.BytesIO(base64.b64decode(nomad["photo"][len(prefix) :])))
    assert photo.format == "JPEG"
    assert photo.size == (96, 120)
    # The keys published with the badges: what the phone verifies a badge with, offline.
    assert roster["keys"] == staff.get("/projects/badge-keys.json").get_json()["keys"]


def test_a_badge_printed_for_the_project_verifies_with_the_rosters_keys(app, staff, production):
    from talento.projects.badge_tokens import sign_claims

    roster = staff.get(f"/attendance/{production.project_id}/2027-03-15/roster.json").get_json()
    token = sign_claims(
        app.config["SECRET_KEY"],
        booking_code="CCAFB0010001",
        project_id=production.project_id,
        valid_from=MARCH_15,
        valid_until=MARCH_15,
    )
    claims = verify_badge(keys_from({"keys": roster["keys"]}), token)
    assert claims.booking_code == "CCAFB0010001"


def test_the_roster_carries_the_days_standing_scans_and_is_audited(app, staff, production):
    from talento.attendance.models import AttendanceDay, AttendanceScan
    from talento.audit.models import AuditAction, AuditEvent
    from talento.extensions import db

    booking_id = production.bookings["CCAFB0010001"][0]
    at = dt.datetime(2027, 3, 15, 6, 42, tzinfo=dt.UTC)
    with app.app_context():
        db.session.add(AttendanceDay(booking_id=booking_id, work_day=MARCH_15))
        db.session.flush()
        for n, (kind, voided) in enumerate((("scan", False), ("scan", True))):
            db.session.add(
                AttendanceScan(
                    scan_uuid=f"00000000-0000-4000-8000-00000000000{n}",
                    booking_id=booking_id,
                    work_day=MARCH_15,
                    project_id=production.project_id,
                    kind=kind,
                    occurred_at=at + dt.timedelta(hours=n),
                    voided_at=at if voided else None,
                )
            )
        db.session.commit()
        db.session.remove()
    roster = staff.get(f"/attendance/{production.project_id}/2027-03-15/roster.json").get_json()
    nomad = next(p for p in roster["people"] if p["code"] == "CCAFB0010001")
    assert nomad["scans"] == [
        {
            "id": "00000000-0000-4000-8000-000000000000",
            "kind": "scan",
            "at": "2027-03-15T06:42:00+00:00",
        }
    ]  # the voided one is not there
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.ROSTER_DOWNLOADED.value)
        ).all()
        assert len(events) == 1
        assert json.loads(events[0].detail) == {
            "project_id": production.project_id,
            "day": "2027-03-15",
            "bookings": 3,
        }
        assert events[0].actor_code == "MAF0911CAS"
        db.session.remove()


def test_the_scanner_page_carries_what_the_script_needs(app, staff, production):
    response = staff.get(f"/attendance/{production.project_id}/2027-03-15/scanner")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'rel="manifest" href="/attendance/manifest.webmanifest"' in html
    assert 'name="csrf-token"' in html
    assert f'data-sync-url="/attendance/{production.project_id}/2027-03-15/sync"' in html
    assert "/static/vendor/jsqr/jsQR.js" in html
    # Without JavaScript: the code form posts to the day's scan endpoint, the day page linked.
    assert f'action="/attendance/{production.project_id}/2027-03-15/scan"' in html
    assert f'href="/attendance/{production.project_id}/2027-03-15"' in html
    assert "lundi 15 mars 2027" in html
    texts = html.split('id="scanner-texts">', 1)[1].split("</script>", 1)[0]
    parsed = json.loads(texts)
    assert parsed["pending"] == "%(count)s en attente d'envoi"
    assert parsed["arrival"] == "Arrivée %(time)s"


@pytest.mark.parametrize("day", ["2027-3-15", "2027-02-30", "demain", "2027-03-15x"])
def test_a_day_that_is_not_a_date_is_not_found(staff, production, day):
    assert staff.get(f"/attendance/{production.project_id}/{day}/scanner").status_code == 404
    assert staff.get(f"/attendance/{production.project_id}/{day}/roster.json").status_code == 404


def test_who_may_scan(app, make_user, production):
    project = production.project_id
    url = f"/attendance/{project}/2027-03-15/roster.json"
    page = f"/attendance/{project}/2027-03-15/scanner"
    assert app.test_client().get(url).status_code == 302  # anonymous: the login page
    assert app.test_client().get(page).headers["Location"].startswith("/auth/login")
    admin = _client(app, make_user, "scanner-admin@example.org", ["admin"], "MAF0912CAS")
    assert admin.get(url).status_code == 200
    talent = _client(app, make_user, "scanner-talent@example.org", ["talent"], "MAF0913CAS")
    assert talent.get(page).status_code == 403
    recruiter = _client(app, make_user, "scanner-rec@example.org", ["recruiter"], "MAF0914CAS")
    assert recruiter.get(url).status_code == 403
    # A presence account: nothing on a project it is not assigned to, then only its days.
    presence = _client(app, make_user, "scanner-presence@example.org", ["presence"], "MAF0915CAS")
    assert presence.get(page).status_code == 404
    _assign(app, project, "scanner-presence@example.org", MARCH_16)
    assert presence.get(page).status_code == 404
    assert presence.get(f"/attendance/{project}/2027-03-16/scanner").status_code == 200
    assert presence.get(f"/attendance/{project}/2027-03-16/roster.json").status_code == 200
    _assign(app, project, "scanner-presence@example.org", None)  # every day
    assert presence.get(page).status_code == 200
    # A project that does not exist, or was deleted: 404 even for casting staff.
    assert admin.get("/attendance/999999/2027-03-15/scanner").status_code == 404
    from talento.extensions import db, utcnow
    from talento.projects.models import Project

    with app.app_context():
        db.session.get(Project, project).deleted_at = utcnow()
        db.session.commit()
        db.session.remove()
    assert admin.get(page).status_code == 404


def test_a_company_member_reads_the_day_but_does_not_scan(app, make_user, production):
    from talento.accounts.models import User
    from talento.extensions import db
    from talento.projects.models import CompanyMember

    member = _client(app, make_user, "scanner-member@example.org", [], "MAF0916CAS")
    with app.app_context():
        user = db.session.scalars(select(User).filter_by(email="scanner-member@example.org")).one()
        db.session.add(CompanyMember(company_id=production.company_id, user_id=user.id))
        db.session.commit()
        db.session.remove()
    assert member.get(f"/attendance/{production.project_id}/2027-03-15/scanner").status_code == 403


def test_the_manifest_makes_the_scanner_installable(app):
    response = app.test_client().get("/attendance/manifest.webmanifest")
    assert response.status_code == 200
    assert response.mimetype == "application/manifest+json"
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    manifest = response.get_json()
    assert manifest["scope"] == "/attendance/"
    assert manifest["start_url"] == "/attendance/"
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        assert app.test_client().get(icon["src"]).status_code == 200


def test_the_service_worker_is_served_for_its_scope_and_never_kept_stale(app, staff):
    response = app.test_client().get("/attendance/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/attendance/"
    assert response.headers["Cache-Control"] == "no-cache"
    body = response.get_data(as_text=True)
    # It keeps the page's scripts, styles and the vendored QR decoder, each of which exists.
    for asset in (
        "/static/js/scanner.js",
        "/static/js/scanner-db.js",
        "/static/js/scanner-verify.js",
        "/static/css/scanner.css",
        "/static/vendor/jsqr/jsQR.js",
    ):
        assert f'"{asset}"' in body
        assert app.test_client().get(asset).status_code == 200, asset
    assert 'const VERSION = "' in body
    # Signed in, it names nobody either, but a signed-in response is never shared: no-store.
    signed_in = staff.get("/attendance/sw.js")
    assert signed_in.headers["Cache-Control"] == "private, no-store"
    assert signed_in.headers["Service-Worker-Allowed"] == "/attendance/"


def test_the_pages_policy_lets_the_scanner_work_and_nothing_more(app, staff, production):
    response = staff.get(f"/attendance/{production.project_id}/2027-03-15/scanner")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe" not in policy
    assert "img-src 'self' data: blob:" in policy  # the roster's photos are data: URLs
    assert "camera=(self)" in response.headers["Permissions-Policy"]


def test_the_roster_gives_the_zones_offsets_around_the_day(app, staff, production):
    from zoneinfo import ZoneInfo

    from talento.attendance.roster import utc_offsets

    roster = staff.get(f"/attendance/{production.project_id}/2027-03-15/roster.json").get_json()
    assert roster["offsets"] == utc_offsets(MARCH_15, ZoneInfo("Africa/Casablanca"))
    assert roster["offsets"][-1]["minutes"] == 60  # after Ramadan: UTC+1
    # Across a change (Ramadan 2026 ends on 22 March in the tz database): one entry each.
    zone = ZoneInfo("Africa/Casablanca")
    around = utc_offsets(dt.date(2026, 3, 22), zone)
    assert [entry["minutes"] for entry in around] == [0, 60]
    change = dt.datetime.fromisoformat(around[1]["from"])
    assert change.astimezone(zone).utcoffset() == dt.timedelta(hours=1)
    assert (change - dt.timedelta(hours=1)).astimezone(zone).utcoffset() == dt.timedelta(0)
