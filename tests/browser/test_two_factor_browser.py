"""Two-factor authentication in a real browser: Chromium against the real app, on PostgreSQL,
on a desktop screen and a phone.

A talent opens « Sécurité du compte », activates 2FA by reading the secret shown under the QR
code (as someone typing it into an app by hand would), keeps the recovery codes, logs out, and
logs in again with the password, then the code. The pages pass under the site's CSP (no inline
script or style: the QR code is a data: image); no console error, no request off loopback.
"""

from __future__ import annotations

import re
import time

import pyotp
import pytest

from tests.browser.support import assert_no_horizontal_overflow, open_menu
from tests.helpers import USER_PASSWORD

# A live server thread serves the app: its rows must be committed.
pytestmark = [pytest.mark.browser, pytest.mark.committed]

SCREENS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
TALENT = {"email": "totp.browser@example.org", "code": "MAF0051CAS"}


@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_talent_enrols_then_logs_in_with_a_code(make_user, open_page, screenshot, screen):
    from playwright.sync_api import expect

    make_user(**TALENT)
    watched = open_page(**SCREENS[screen])
    page = watched.page

    page.goto("/auth/login")
    page.get_by_label("E-mail ou code unique").fill(TALENT["email"])
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/profile$"))

    open_menu(page)  # the header's links are behind « Menu » on a phone
    page.get_by_role("link", name="Sécurité du compte").click()
    expect(page.get_by_role("heading", name="Sécurité du compte")).to_be_visible()
    expect(page.locator("#two-factor-status")).to_contain_text("Désactivée.")
    page.get_by_role("link", name="Activer la double authentification").click()

    expect(page.get_by_role("heading", name="Activer la double authentification")).to_be_visible()
    qr = page.get_by_role("img", name=re.compile("QR code à scanner"))
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0  # the data: SVG rendered under the CSP
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    if screen == "phone":
        assert_no_horizontal_overflow(page)
    screenshot(page, f"{screen}-qr", full_page=True)

    totp = pyotp.TOTP(secret)
    page.get_by_label("Code à 6 chiffres affiché par l'application").fill(totp.now())
    page.get_by_role("button", name="Activer").click()
    expect(page.get_by_role("heading", name="Vos codes de secours")).to_be_visible()
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    expect(page.get_by_text("ils ne seront plus jamais affichés")).to_be_visible()
    if screen == "phone":
        assert_no_horizontal_overflow(page)
    screenshot(page, f"{screen}-codes", full_page=True)
    page.get_by_role("link", name="J'ai conservé mes codes").click()
    expect(page.locator("#two-factor-status")).to_contain_text("Activée.")

    open_menu(page)
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    page.get_by_label("E-mail ou code unique").fill(TALENT["code"].lower())
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    expect(page).to_have_url(re.compile(r"/auth/2fa$"))
    expect(page.get_by_role("heading", name="Vérification en deux étapes")).to_be_visible()
    code_field = page.get_by_label("Code de vérification")
    expect(code_field).to_be_focused()
    expect(code_field).to_have_attribute("autocomplete", "one-time-code")
    if screen == "phone":
        assert_no_horizontal_overflow(page)
    screenshot(page, f"{screen}-code", full_page=True)
    # the enrolment spent the current step's code: the next step's one is accepted too
    code_field.fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Vérifier").click()

    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.locator("#user-code")).to_have_text(TALENT["code"])
    watched.assert_clean()
