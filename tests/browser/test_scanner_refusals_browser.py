"""The scanner on the phone by itself, on a 390 px screen, with nothing sent to the server:

- badges it refuses, with the reason, before anything is queued (issue 15 point 2): altered,
  signed by another server's key, of another project, not valid that day, of a cancelled
  booking, not a badge at all, and any badge before the day's roster is downloaded; typed in
  the code field (the same path as the camera's reads: WebCrypto Ed25519 against the roster's
  keys);
- what a scan means offline (point 3): arrival, « déjà arrivé », departure, « déjà sorti »,
  back on set, with the queue's counter, in the site's time zone (the browser's clock is
  Playwright's, moved on by hand).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.helpers import USER_PASSWORD
from tests.projects.badge_helpers import add_booking, add_talents, make_production

pytestmark = [pytest.mark.browser, pytest.mark.committed]

PHONE = {"viewport": {"width": 390, "height": 844}}
STAFF = {"email": "pointage.refus@atlas-studios.ma", "code": "MAF0951CAS"}
MARCH_15, MARCH_16 = dt.date(2027, 3, 15), dt.date(2027, 3, 16)


@pytest.fixture
def settings(database_url, tmp_path_factory):
    from tests.helpers import make_settings

    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


def _token(secret: str, code: str, project_id: int, first=MARCH_15, last=MARCH_15) -> str:
    from talento.projects.badge_tokens import sign_claims

    return sign_claims(
        secret, booking_code=code, project_id=project_id, valid_from=first, valid_until=last
    )


def _tampered(token: str) -> str:
    """The same signature over a payload naming another booking."""
    import base64
    import json

    payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["b"] = "CCAFB0010099"
    raw = json.dumps(claims, sort_keys=True, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode() + "." + signature


def test_the_phone_refuses_bad_badges_with_the_reason(
    app, open_page, make_user, screenshot, live_server
):
    from playwright.sync_api import expect

    production = make_production(app)
    talents = add_talents(app, 2, start=91)
    add_booking(app, production, "Nomades", talents[0], "CCAFB0010091", days=(MARCH_15,))
    add_booking(
        app, production, "Nomades", talents[1], "CCAFB0010092", status="cancelled", days=(MARCH_15,)
    )
    make_user(capabilities=["casting"], **STAFF)
    secret = app.config["SECRET_KEY"]
    good = _token(secret, "CCAFB0010091", production.project_id)
    cases = [
        ("bonjour.monde", "Ce code n'est pas un badge Talento."),
        (_tampered(good), "Signature invalide : badge modifié ou falsifié."),
        (
            _token("another-server-secret-key-0123456789", "CCAFB0010091", production.project_id),
            "Badge signé par une autre clé : il doit être réimprimé.",
        ),
        (
            _token(secret, "CCAFB0010091", production.project_id + 1000),
            "Badge d'un autre projet.",
        ),
        (
            _token(secret, "CCAFB0010091", production.project_id, MARCH_16, MARCH_16),
            "Ce badge n'est pas valable aujourd'hui.",
        ),
        (
            _token(secret, "CCAFB0010092", production.project_id),
            "Absent de la liste du jour (réservation annulée ou autre jour).",
        ),
        ("CCAFB0010777", "Code inconnu dans la liste du jour."),
    ]

    watched = open_page(**PHONE)
    page = watched.page
    page.goto("/auth/login")
    page.get_by_label("E-mail ou code unique").fill(STAFF["email"])
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))
    page.goto(f"/attendance/{production.project_id}/2027-03-15/scanner")
    expect(page.locator("#scanner[data-ready='1']")).to_have_count(1)

    field = page.get_by_label("Code de réservation ou badge")
    field.fill(good)
    field.press("Enter")
    expect(page.locator("#feedback-message")).to_have_text("Téléchargez d'abord la liste du jour.")
    page.get_by_role("button", name="Télécharger la liste du jour").click()
    expect(page.locator("#roster-state")).to_contain_text("1 personne,")

    for text, reason in cases:
        field.fill(text)
        field.press("Enter")
        expect(page.locator("#feedback-message")).to_have_text(reason)
        expect(page.locator("#feedback.feedback--refused")).to_have_count(1)
        if reason.startswith("Signature invalide"):
            screenshot(page, "refused")
        # Cleared between two, so that the same reason twice still shows a new answer.
        page.evaluate("document.getElementById('feedback-message').textContent = ''")
    expect(page.locator("#pending")).to_have_text("Tout est envoyé")
    assert not any("/sync" in url for url in watched.requests)
    watched.assert_clean()


def test_what_a_scan_means_on_the_phone_offline(app, open_page, make_user, screenshot):
    """With no network the phone tells arrival, departure and a repeat apart by itself (the
    first scan is the arrival, the next the departure, the same person again within two
    minutes is the same scan, not queued), in the site's time zone."""
    from zoneinfo import ZoneInfo

    from playwright.sync_api import expect

    zone = ZoneInfo("Africa/Casablanca")
    start = dt.datetime(2027, 3, 15, 7, 42, tzinfo=zone)
    production = make_production(app)
    (talent,) = add_talents(app, 1, start=93)
    add_booking(app, production, "Nomades", talent, "CCAFB0010093", days=(MARCH_15,))
    make_user(capabilities=["casting"], **STAFF)
    watched = open_page(**PHONE)
    page = watched.page
    page.clock.install(time=start.astimezone(dt.UTC).replace(tzinfo=None).isoformat() + "Z")
    page.goto("/auth/login")
    page.get_by_label("E-mail ou code unique").fill(STAFF["email"])
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))
    page.goto(f"/attendance/{production.project_id}/2027-03-15/scanner")
    expect(page.locator("#scanner[data-ready='1']")).to_have_count(1)
    page.get_by_role("button", name="Télécharger la liste du jour").click()
    expect(page.locator("#roster-state")).to_contain_text("téléchargée à 07:42")
    page.context.set_offline(True)

    field = page.get_by_label("Code de réservation ou badge")
    steps = [
        (0, "Arrivée 07:42", "1 en attente d'envoi", "arrival"),
        (60, "Déjà arrivé à 07:42", "1 en attente d'envoi", "duplicate"),
        (11 * 3600 + 28 * 60, "Départ 19:11", "2 en attente d'envoi", "departure"),
        (30, "Déjà sorti à 19:11", "2 en attente d'envoi", "duplicate"),
        (3 * 60, "Retour sur le plateau 19:14", "3 en attente d'envoi", "arrival"),
    ]
    for seconds, said, waiting, state in steps:
        page.clock.fast_forward(seconds * 1000)
        field.fill("ccafb0010093")
        field.press("Enter")
        expect(page.locator("#feedback-message")).to_have_text(said)
        expect(page.locator(f"#feedback.feedback--{state}")).to_have_count(1)
        expect(page.locator("#pending")).to_have_text(waiting)
        if state == "departure":
            screenshot(page, "departure")
        page.evaluate("document.getElementById('feedback-message').textContent = ''")
    watched.assert_clean()
