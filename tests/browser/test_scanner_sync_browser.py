"""The scanner's sync with the server, on 390 px screens (issue 15 points 2 to 4), codes typed
in the scanner's field (the camera's path once a badge is read; the camera itself is
test_scanner_offline_browser.py's):

- two phones check in the same person with no network, each saying « Arrivée » on its own;
  after the sync the day has one arrival, the earliest, and the phone whose scan came second
  shows the conflict the server reported;
- a scan the server refuses (the booking was cancelled after the roster was downloaded) stays
  listed with the server's reason;
- a meal break scanned in the « Début de repas » / « Fin de repas » modes is recorded as such.

Needs the attendance blueprint's sync endpoint (POST /attendance/<project>/<day>/sync).
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import USER_PASSWORD
from tests.projects.badge_helpers import add_booking, add_talents, make_production

pytestmark = [pytest.mark.browser, pytest.mark.committed]

PHONE = {"viewport": {"width": 390, "height": 844}}
PRESENCE = {"email": "pointage.deux@atlas-studios.ma", "code": "MAF0961CAS"}
ZONE = ZoneInfo("Africa/Casablanca")
CODE = "CCAFB0010095"


@pytest.fixture
def settings(database_url, tmp_path_factory):
    from tests.helpers import make_settings

    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


def _phone(open_page, scanner: str):
    from playwright.sync_api import expect

    watched = open_page(**PHONE)
    page = watched.page
    page.goto("/auth/login")
    page.get_by_label("E-mail ou code unique").fill(PRESENCE["email"])
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))
    page.goto(scanner)
    expect(page.locator("#scanner[data-ready='1']")).to_have_count(1)
    page.get_by_role("button", name="Télécharger la liste du jour").click()
    expect(page.locator("#roster-state")).to_contain_text("1 personne,")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    return watched


def _type(page, code: str) -> None:
    field = page.get_by_label("Code de réservation ou badge")
    field.fill(code)
    field.press("Enter")


def test_two_phones_offline_give_one_arrival_and_report_the_conflict(
    app, open_page, make_user, screenshot
):
    from playwright.sync_api import expect
    from sqlalchemy import select

    from talento.attendance import rules
    from talento.attendance.models import AttendanceScan
    from talento.extensions import db
    from talento.projects.models import PresenceAssignment

    today = dt.datetime.now(ZONE).date()
    production = make_production(app)
    (talent,) = add_talents(app, 1, start=95)
    booking_id = add_booking(app, production, "Nomades", talent, CODE, days=(today,))
    presence_id = make_user(capabilities=["presence"], **PRESENCE)
    with app.app_context():
        db.session.add(PresenceAssignment(project_id=production.project_id, user_id=presence_id))
        db.session.commit()
        db.session.remove()
    scanner = f"/attendance/{production.project_id}/{today.isoformat()}/scanner"
    first, second = _phone(open_page, scanner), _phone(open_page, scanner)

    for phone in (first, second):
        phone.page.context.set_offline(True)
        expect(phone.page.locator("#network")).to_have_text("Hors ligne")
    _type(first.page, CODE)
    expect(first.page.locator("#feedback-message")).to_contain_text("Arrivée")
    first.page.wait_for_timeout(1200)  # the second phone scans a moment later
    _type(second.page, CODE)
    expect(second.page.locator("#feedback-message")).to_contain_text("Arrivée")
    for phone in (first, second):
        expect(phone.page.locator("#pending")).to_have_text("1 en attente d'envoi")

    first.page.context.set_offline(False)
    expect(first.page.locator("#pending")).to_have_text("Tout est envoyé")
    second.page.context.set_offline(False)
    expect(second.page.locator("#pending")).to_have_text("Tout est envoyé")
    # The second phone's scan is the same arrival: the server says so, and why.
    expect(second.page.locator("#feedback.feedback--duplicate")).to_have_count(1)
    expect(second.page.locator("#conflicts-box")).to_be_visible()
    expect(second.page.locator("#conflicts-list li")).to_have_count(1)
    screenshot(second.page, "conflict")
    expect(first.page.locator("#conflicts-box")).to_be_hidden()

    with app.app_context():
        rows = db.session.scalars(
            select(AttendanceScan)
            .where(AttendanceScan.booking_id == booking_id)
            .order_by(AttendanceScan.occurred_at)
        ).all()
        assert len(rows) == 2
        assert rows[0].device_id != rows[1].device_id
        summary = rules.day_summary(
            [rules.Scan(row.id, row.kind, row.occurred_at, row.device_id) for row in rows]
        )
        db.session.remove()
    assert [event.meaning for event in summary.events] == ["arrival", "duplicate"]
    assert summary.arrival_at == rows[0].occurred_at
    assert len(summary.conflicts) == 1
    first.assert_clean()
    second.assert_clean()


def test_a_scan_the_server_refuses_stays_listed_with_its_reason(
    app, open_page, make_user, screenshot
):
    """The booking is cancelled after the phone downloaded its roster: the phone accepts the
    scan, the server refuses it, and the phone keeps it listed with the server's reason."""
    from playwright.sync_api import expect

    from talento.extensions import db
    from talento.projects.models import Booking, PresenceAssignment

    today = dt.datetime.now(ZONE).date()
    production = make_production(app)
    (talent,) = add_talents(app, 1, start=96)
    booking_id = add_booking(app, production, "Nomades", talent, CODE, days=(today,))
    presence_id = make_user(capabilities=["presence"], **PRESENCE)
    with app.app_context():
        db.session.add(PresenceAssignment(project_id=production.project_id, user_id=presence_id))
        db.session.commit()
        db.session.remove()
    phone = _phone(open_page, f"/attendance/{production.project_id}/{today.isoformat()}/scanner")
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        booking.status = "cancelled"
        booking.cancelled_at = dt.datetime.now(dt.UTC)
        db.session.commit()
        db.session.remove()

    _type(phone.page, CODE)
    expect(phone.page.locator("#feedback.feedback--refused")).to_have_count(1)
    expect(phone.page.locator("#feedback-message")).to_contain_text("Refusé par le serveur : ")
    expect(phone.page.locator("#refused-list li")).to_have_count(1)
    expect(phone.page.locator("#refused-list li")).to_contain_text("Refusé par le serveur : ")
    expect(phone.page.locator("#pending")).to_have_text("Tout est envoyé")
    screenshot(phone.page, "refused-by-server")
    # Still there when the page opens again (IndexedDB).
    phone.page.reload()
    expect(phone.page.locator("#refused-list li")).to_have_count(1)
    phone.assert_clean()


def test_meal_breaks_scanned_as_such(app, open_page, make_user):
    from playwright.sync_api import expect
    from sqlalchemy import select

    from talento.attendance.models import AttendanceScan
    from talento.extensions import db
    from talento.projects.models import PresenceAssignment

    today = dt.datetime.now(ZONE).date()
    production = make_production(app)
    (talent,) = add_talents(app, 1, start=97)
    booking_id = add_booking(app, production, "Nomades", talent, CODE, days=(today,))
    presence_id = make_user(capabilities=["presence"], **PRESENCE)
    with app.app_context():
        db.session.add(PresenceAssignment(project_id=production.project_id, user_id=presence_id))
        db.session.commit()
        db.session.remove()
    phone = _phone(open_page, f"/attendance/{production.project_id}/{today.isoformat()}/scanner")
    page = phone.page
    _type(page, CODE)
    expect(page.locator("#feedback-message")).to_contain_text("Arrivée")
    for mode, said in (("Début de repas", "Début de repas"), ("Fin de repas", "Fin de repas")):
        page.get_by_label(mode, exact=True).check()
        _type(page, CODE)
        expect(page.locator("#feedback.feedback--meal")).to_have_count(1)
        expect(page.locator("#feedback-message")).to_contain_text(said)
        # The server's answer replaces the phone's: no « en attente d'envoi » left on it.
        expect(page.locator("#feedback-queue")).to_be_hidden()
    kinds: list[str] = []
    for _attempt in range(100):
        with app.app_context():
            kinds = list(
                db.session.scalars(
                    select(AttendanceScan.kind)
                    .where(AttendanceScan.booking_id == booking_id)
                    .order_by(AttendanceScan.occurred_at)
                )
            )
            db.session.remove()
        if len(kinds) == 3:
            break
        page.wait_for_timeout(50)
    assert kinds == ["scan", "meal_start", "meal_end"]
    phone.assert_clean()


def test_signed_out_while_offline_the_scans_wait_for_a_new_sign_in(app, open_page, make_user):
    """The session ended during a long day offline (SESSION_IDLE_MINUTES): the sync is refused,
    the scans stay on the phone, « Se reconnecter » signs in again and brings the assistant back
    to the scanner, whose queue then goes."""
    from playwright.sync_api import expect
    from sqlalchemy import func, select

    from talento.attendance.models import AttendanceScan
    from talento.extensions import db
    from talento.projects.models import PresenceAssignment

    today = dt.datetime.now(ZONE).date()
    production = make_production(app)
    (talent,) = add_talents(app, 1, start=98)
    add_booking(app, production, "Nomades", talent, CODE, days=(today,))
    presence_id = make_user(capabilities=["presence"], **PRESENCE)
    with app.app_context():
        db.session.add(PresenceAssignment(project_id=production.project_id, user_id=presence_id))
        db.session.commit()
        db.session.remove()
    scanner = f"/attendance/{production.project_id}/{today.isoformat()}/scanner"
    phone = _phone(open_page, scanner)
    page = phone.page
    page.context.clear_cookies()  # the session is gone

    _type(page, CODE)
    expect(page.locator("#feedback-message")).to_contain_text("Arrivée")
    expect(page.locator("#sync-problem")).to_contain_text("reconnectez-vous")
    expect(page.locator("#pending")).to_have_text("1 en attente d'envoi")

    page.locator("#sync-problem").get_by_role("link", name="Se reconnecter").click()
    page.get_by_label("E-mail ou code unique").fill(PRESENCE["email"])
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(re.escape(scanner) + "$"))
    expect(page.locator("#scanner[data-ready='1']")).to_have_count(1)
    expect(page.locator("#pending")).to_have_text("Tout est envoyé")
    with app.app_context():
        count = db.session.scalar(
            select(func.count())
            .select_from(AttendanceScan)
            .where(AttendanceScan.project_id == production.project_id)
        )
        db.session.remove()
    assert count == 1
