"""A recruiter in a real browser, on a phone: filter the directory by availability, save the
search, find it in « Mes recherches », run it, delete it; an admin gives the recruiter
capability with a checkbox. Runs on PostgreSQL; screenshots in test-artifacts/screenshots/."""

from __future__ import annotations

import re

import pytest

from tests.browser.support import assert_no_horizontal_overflow
from tests.helpers import USER_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.committed]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _log_in(page, email: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("E-mail ou code unique").fill(email)
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def test_a_recruiter_saves_and_runs_a_search_on_a_phone(
    make_user, make_talent, open_page, screenshot
):
    from playwright.sync_api import expect

    make_talent(code="MAF0001CAS", first_name="Salma", last_name="Idrissi", availability="soon")
    make_talent(code="MAF0002CAS", first_name="Nadia", last_name="Amrani", availability="immediate")
    make_user(email="recruteur@example.org", code="MAR0003CAS", capabilities=["recruiter"])
    watched = open_page(**PHONE)
    page = watched.page
    _log_in(page, "recruteur@example.org")

    page.goto("/talents")
    page.get_by_text("Plus de filtres").click()
    page.get_by_label("Disponibilité").select_option("soon")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.locator(".directory__card")).to_have_count(1)
    expect(page.get_by_role("link", name="Salma Idrissi")).to_be_visible()
    page.get_by_label("Nom de la recherche").fill("Disponibles bientôt")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Recherche « Disponibles bientôt » enregistrée.")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "saved", full_page=True)

    page.goto("/talents")
    page.get_by_role("link", name="Mes recherches").first.click()
    expect(page).to_have_url(re.compile(r"/talents/saved$"))
    expect(page.get_by_role("heading", name="Disponibles bientôt")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "my-searches", full_page=True)
    page.get_by_role("link", name="Lancer la recherche").click()
    expect(page.locator(".directory__card")).to_have_count(1)

    page.goto("/talents/saved")
    page.get_by_role("button", name="Supprimer la recherche « Disponibles bientôt »").click()
    expect(page.get_by_text("Recherche « Disponibles bientôt » supprimée.")).to_be_visible()
    expect(page.get_by_text("Aucune recherche enregistrée.", exact=False)).to_be_visible()
    watched.assert_clean()


def test_an_admin_ticks_the_recruiter_capability_on_a_phone(
    make_user, make_talent, open_page, screenshot
):
    from playwright.sync_api import expect

    make_user(email="chef@example.org", code="MAN0042RAB", capabilities=["admin"])
    talent = make_talent(code="MAF0001CAS", first_name="Salma", last_name="Idrissi")
    watched = open_page(**PHONE)
    page = watched.page
    _log_in(page, "chef@example.org")
    page.goto(f"/admin/users/{talent}")
    expect(page.get_by_label("Talent", exact=True)).to_be_checked()
    page.get_by_label("Recruteur").check()
    assert_no_horizontal_overflow(page)
    screenshot(page, "capabilities", full_page=True)
    page.get_by_role("button", name="Enregistrer les capacités").click()
    expect(page.get_by_text("Capacités de MAF0001CAS : Talent, Recruteur.")).to_be_visible()
    expect(page.get_by_label("Recruteur")).to_be_checked()
    watched.assert_clean()
