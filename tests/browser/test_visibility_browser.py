"""« Ma visibilité » and the verification banner in a real browser, on a phone (390 px).

The browser, the live server, `open_page` and `screenshot` come from conftest.py. The page
logs no console error and sends no request off 127.0.0.1.
"""

from __future__ import annotations

import re

import pytest

from tests.browser.support import assert_no_horizontal_overflow
from tests.helpers import USER_PASSWORD

# A live server thread serves the app: its rows must be committed.
pytestmark = [pytest.mark.browser, pytest.mark.committed]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True}


def test_an_unverified_talent_sets_link_only_on_a_phone(make_talent, open_page, screenshot):
    from playwright.sync_api import expect

    make_talent(email="visible.browser@example.org", code="MAF0051CAS", email_verified_at=None)
    watched = open_page(has_touch=True, **PHONE)
    page = watched.page
    page.goto("/auth/login")
    page.get_by_label("E-mail ou code unique").fill("visible.browser@example.org")
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.locator("#verify-banner")).to_be_visible()
    expect(page.get_by_role("button", name="Renvoyer le lien")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "profile", full_page=True)

    page.get_by_role("link", name="Ma visibilité").click()
    expect(page).to_have_url(re.compile(r"/profile/visibility$"))
    expect(page.get_by_role("radio", name="Public")).to_be_checked()
    contact = page.get_by_role("checkbox", name="Recevoir des messages de recruteurs via Talento")
    expect(contact).to_be_checked()
    page.get_by_role("radio", name="Lien seulement").check()
    contact.uncheck()
    assert_no_horizontal_overflow(page)
    screenshot(page, "choice", full_page=True)
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_text("Vos choix de visibilité sont enregistrés.")).to_be_visible()
    expect(page.get_by_role("radio", name="Lien seulement")).to_be_checked()
    expect(
        page.get_by_role("checkbox", name=re.compile("Recevoir des messages"))
    ).not_to_be_checked()
    watched.assert_clean()
