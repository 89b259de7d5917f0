"""Login in a real browser: Chromium against the real app, on PostgreSQL.

The browser, the live server, `open_page` and `screenshot` come from conftest.py. Each test
also checks that the page logged no console error and that no request left 127.0.0.1.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.support import assert_no_horizontal_overflow, open_menu
from tests.helpers import USER_PASSWORD

# A live server thread serves the app: its rows must be committed.
pytestmark = [pytest.mark.browser, pytest.mark.committed]

ADMIN = {"capabilities": ["admin"], "email": "admin.browser@example.org", "code": "MAN0042RAB"}
TALENT = {
    "email": "talent.browser@example.org",
    "code": "MAF0043CAS",
    "phone": "+212612345678",
    "whatsapp": "+212698765432",
    "address": "12 avenue Hassan II, Casablanca",
}

IDENTIFIER_LABEL = "E-mail ou code unique"
PASSWORD_LABEL = "Mot de passe"
GENERIC_ERROR = "Identifiant ou mot de passe incorrect."


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def users(make_user) -> dict[str, int]:
    return {"admin": make_user(**ADMIN), "talent": make_user(**TALENT)}


# --------------------------------------------------------------------------- helpers


def _log_in(page, identifier: str, password: str = USER_PASSWORD) -> None:
    page.goto("/auth/login")
    page.get_by_label(IDENTIFIER_LABEL).fill(identifier)
    page.get_by_label(PASSWORD_LABEL).fill(password)
    page.get_by_role("button", name="Se connecter").click()


# --------------------------------------------------------------------------- tests


def test_admin_logs_in_by_email_in_mixed_case(users, open_page, screenshot):
    from playwright.sync_api import expect

    watched = open_page(viewport={"width": 1280, "height": 800})
    page = watched.page
    _log_in(page, "Admin.Browser@Example.org")

    expect(page).to_have_url(re.compile(r"/admin$"))
    expect(page.get_by_role("heading", name="Tableau de bord")).to_be_visible()
    screenshot(page)
    watched.assert_clean()


def test_talent_logs_in_by_code_in_lower_case_on_a_phone(users, open_page, screenshot):
    from playwright.sync_api import expect

    watched = open_page(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = watched.page
    _log_in(page, "maf0043cas")

    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.locator("#user-code")).to_have_text(TALENT["code"])
    expect(page.locator("#phone")).to_have_text(TALENT["phone"])
    assert_no_horizontal_overflow(page)
    screenshot(page, full_page=True)

    open_menu(page)  # the header's links are behind « Menu » on a phone
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/auth/login$"))
    expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("Vous êtes déconnecté.")
    expect(page.get_by_label(IDENTIFIER_LABEL)).to_be_visible()
    expect(page.get_by_role("button", name="Se déconnecter")).to_have_count(0)
    assert_no_horizontal_overflow(page)
    watched.assert_clean()


def test_wrong_password_shows_the_generic_message_and_keeps_the_identifier(
    users, open_page, screenshot
):
    from playwright.sync_api import expect

    watched = open_page(viewport={"width": 1280, "height": 800})
    page = watched.page
    typed = "Talent.Browser@example.org"
    _log_in(page, typed, "not-the-password")

    expect(page).to_have_url(re.compile(r"/auth/login$"))
    expect(page.get_by_role("alert")).to_have_text(GENERIC_ERROR)
    expect(page.get_by_label(IDENTIFIER_LABEL)).to_have_value(typed)
    expect(page.get_by_label(PASSWORD_LABEL)).to_have_value("")
    screenshot(page)
    # The app answers a failed login with 401 on purpose; Chromium logs that status.
    watched.assert_clean(expected_statuses=((401, "/auth/login"),))
