"""The attendance scanner on a phone, offline in the desert (issue 15 points 2, 3 and 8).

Chromium (Debian's) gets a fake camera: a YUV4MPEG2 video made here from three real badges'
QR codes (signed like the printed ones, drawn by the same code as the badge PDF), each shown
two seconds between blank frames, looping. On a 390 px screen, a presence account assigned
to the project opens the day's scanner and downloads the day's roster; the camera reads a
first badge, which is sent at once. The network then goes (the browser's offline mode): the
camera reads the two other badges, verified on the phone (WebCrypto Ed25519 against the
roster's keys), and the page says « 2 en attente d'envoi » (the first badge, seen again in
the loop, is the same scan and is not queued twice). The page is reloaded with no network (the
service worker serves it, the queue is still in IndexedDB). The network comes back: the queue
is sent in order, and the database holds the three arrivals, each exactly once.

The sync endpoint is the attendance blueprint's (POST /attendance/<project>/<day>/sync).
"""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, TIMEOUT_MS
from tests.browser.support import assert_no_horizontal_overflow
from tests.helpers import USER_PASSWORD
from tests.projects.badge_helpers import add_booking, add_talents, make_production

pytestmark = [pytest.mark.browser, pytest.mark.committed]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PRESENCE = {"email": "pointage.browser@atlas-studios.ma", "code": "MAF0941CAS"}
CODES = ("CCAFB0010081", "CCAFB0010082", "CCAFB0010083")
ZONE = ZoneInfo("Africa/Casablanca")
#: The fake camera: 640 × 480 at 5 frames a second; each badge 2 s, then 1 s of blank.
WIDTH, HEIGHT, FPS = 640, 480, 5
BADGE_FRAMES, BLANK_FRAMES = 10, 5
#: The phone's answered scans (IndexedDB) posted again to the sync endpoint, as a phone whose
#: answer was lost would.
REPLAY_JS = """
async () => {
  const root = document.getElementById("scanner");
  const rows = await ScannerDB.history(root.dataset.project + "/" + root.dataset.day);
  const response = await fetch(root.dataset.syncUrl, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      "X-CSRFToken": document.querySelector('meta[name="csrf-token"]').content,
    },
    body: JSON.stringify({
      device_id: "replayed",
      scans: rows.map(({ id, code, at, kind }) => ({ id, token: null, code, at, kind })),
    }),
  });
  return response.json();
}
"""


def write_y4m(path: Path, images: list[Image.Image]) -> None:
    """A YUV4MPEG2 (4:2:0) video of grey-level frames: Chromium's
    --use-file-for-fake-video-capture plays it in a loop as the camera."""
    chroma = bytes([128]) * ((WIDTH // 2) * (HEIGHT // 2))
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{WIDTH} H{HEIGHT} F{FPS}:1 Ip A1:1 C420jpeg\n".encode())
        for image in images:
            out.write(b"FRAME\n")
            out.write(image.convert("L").tobytes())
            out.write(chroma)
            out.write(chroma)


def badge_frames(tokens: list[str]) -> list[Image.Image]:
    from talento.projects.badge_images import qr_image

    blank = Image.new("L", (WIDTH, HEIGHT), 235)
    frames: list[Image.Image] = []
    for token in tokens:
        code = qr_image(token).convert("L")
        side = min(HEIGHT - 40, code.width * 2)
        code = code.resize((side, side), Image.Resampling.NEAREST)
        frame = blank.copy()
        frame.paste(code, ((WIDTH - side) // 2, (HEIGHT - side) // 2))
        frames += [frame] * BADGE_FRAMES + [blank] * BLANK_FRAMES
    return frames


@pytest.fixture
def settings(database_url, tmp_path_factory):
    from tests.helpers import make_settings

    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def set_day(app, make_user):
    """Today's shoot (in the site's time zone): three extras booked, a presence account
    assigned to the project; their badges' tokens."""
    from talento.extensions import db
    from talento.projects.badge_tokens import sign_claims
    from talento.projects.models import PresenceAssignment, Project

    today = dt.datetime.now(ZONE).date()
    production = make_production(app)
    talents = add_talents(app, 3, start=81)
    for talent, code in zip(talents, CODES, strict=True):
        add_booking(app, production, "Nomades", talent, code, days=(today,))
    presence_id = make_user(capabilities=["presence"], **PRESENCE)
    with app.app_context():
        project = db.session.get(Project, production.project_id)
        project.start_date = project.end_date = today
        db.session.add(PresenceAssignment(project_id=project.id, user_id=presence_id))
        db.session.commit()
        db.session.remove()
    tokens = [
        sign_claims(
            app.config["SECRET_KEY"],
            booking_code=code,
            project_id=production.project_id,
            valid_from=today,
            valid_until=today,
        )
        for code in CODES
    ]
    return production, today, tokens


def _scans(app, project_id: int) -> list[tuple[str, str, str]]:
    from sqlalchemy import select

    from talento.attendance.models import AttendanceScan
    from talento.extensions import db
    from talento.projects.models import Booking

    with app.app_context():
        rows = db.session.execute(
            select(Booking.code, AttendanceScan.scan_uuid, AttendanceScan.kind)
            .join(Booking, Booking.id == AttendanceScan.booking_id)
            .where(AttendanceScan.project_id == project_id)
            .order_by(AttendanceScan.occurred_at)
        ).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def _wait_for_scans(app, project_id: int, count: int, seconds: float = 15) -> list:
    deadline = time.monotonic() + seconds
    while True:
        found = _scans(app, project_id)
        if len(found) >= count or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


def test_three_badges_scanned_one_online_two_offline_reach_the_server_once(
    app, playwright_driver, live_server, set_day, screenshot, tmp_path
):
    from playwright.sync_api import expect

    production, today, tokens = set_day
    video = tmp_path / "badges.y4m"
    write_y4m(video, badge_frames(tokens))
    browser = playwright_driver.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
            "--autoplay-policy=no-user-gesture-required",
        ],
    )
    errors: list[str] = []
    requests: list[str] = []
    try:
        context = browser.new_context(
            base_url=live_server,
            locale="fr-FR",
            timezone_id="Africa/Casablanca",
            permissions=["camera"],
            **PHONE,
        )
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("request", lambda req: requests.append(req.url))

        page.goto("/auth/login")
        page.get_by_label("E-mail ou code unique").fill(PRESENCE["email"])
        page.get_by_label("Mot de passe").fill(USER_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        expect(page).not_to_have_url(re.compile(r"/auth/login"))

        scanner = f"/attendance/{production.project_id}/{today.isoformat()}/scanner"
        page.goto(scanner)
        expect(page.locator("#scanner[data-ready='1']")).to_have_count(1)
        page.get_by_role("button", name="Télécharger la liste du jour").click()
        expect(page.locator("#roster-state")).to_contain_text("3 personnes")
        # The time in the site's zone (Casablanca, UTC+1 outside Ramadan), whatever the
        # browser's own zone data says (Debian's Chromium still has UTC+0 for the winter).
        now = dt.datetime.now(ZONE)
        shown = page.locator("#roster-state").text_content()
        assert any((now - dt.timedelta(minutes=m)).strftime("%H:%M") in shown for m in (0, 1)), (
            shown
        )
        # The service worker controls the page before the network goes.
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        assert_no_horizontal_overflow(page)
        screenshot(page, "roster", full_page=True)

        # Online: the camera reads a first badge, sent at once.
        page.get_by_role("button", name="Démarrer la caméra").click()
        expect(page.locator("#feedback.feedback--arrival")).to_have_count(1, timeout=20_000)
        first = _wait_for_scans(app, production.project_id, 1)
        assert len(first) == 1, first
        context.set_offline(True)
        expect(page.locator("#network")).to_have_text("Hors ligne")
        screenshot(page, "first-arrival")

        # Offline: the two other badges, verified on the phone and queued.
        expect(page.locator("#pending")).to_have_text("2 en attente d'envoi", timeout=30_000)
        expect(page.locator("#feedback-queue")).to_have_text("en attente d'envoi")
        expect(page.locator("#feedback-message")).to_contain_text("Arrivée")
        screenshot(page, "offline-two-waiting")
        page.get_by_role("button", name="Arrêter la caméra").click()
        assert len(_scans(app, production.project_id)) == 1

        # Still offline, the page opens again from the service worker, its queue intact.
        page.reload()
        expect(page.locator("#scanner[data-ready='1']")).to_have_count(1)
        expect(page.locator("#pending")).to_have_text("2 en attente d'envoi")
        expect(page.locator("#roster-state")).to_contain_text("3 personnes")

        # The network comes back: the queue goes, in order, and nothing is counted twice.
        context.set_offline(False)
        expect(page.locator("#pending")).to_have_text("Tout est envoyé", timeout=20_000)
        screenshot(page, "all-sent")
        scans = _wait_for_scans(app, production.project_id, 3)
        assert sorted(code for code, _uuid, _kind in scans) == sorted(CODES)
        assert len({uuid for _code, uuid, _kind in scans}) == 3
        assert scans[0][0] == first[0][0]
        # The same three scans sent again (an answer lost on the way): each counts once.
        replay = page.evaluate(REPLAY_JS)
        assert sorted(result["status"] for result in replay["results"]) == ["duplicate"] * 3
        assert len(_scans(app, production.project_id)) == 3

        assert errors == []
        foreign = [url for url in requests if not url.startswith(("http://127.0.0.1", "data:"))]
        assert foreign == []
        context.close()
    finally:
        browser.close()
