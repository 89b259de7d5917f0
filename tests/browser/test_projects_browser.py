"""Casting staff on a phone (390 px), then on a desk (1280 px): « Projets » in the menu, a new
company (the country's cities loaded by the page's script), a project whose end before its
start is refused, a role, and « Trouver des talents » opening the casting search pre-filled.

Runs on PostgreSQL; screenshots go to test-artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.support import assert_no_horizontal_overflow, open_menu
from tests.helpers import USER_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.committed]

CASTING = {"capabilities": ["casting"], "email": "directrice.casting@example.ma"}


@pytest.mark.parametrize("width", [390, 1280])
def test_company_project_role_then_search_prefilled(make_user, open_page, screenshot, width):
    from playwright.sync_api import expect

    make_user(**CASTING)
    watched = open_page(viewport={"width": width, "height": 900})
    page = watched.page
    page.goto("/auth/login")
    page.get_by_label("E-mail ou code unique").fill(CASTING["email"])
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/cinema/talents$"))

    open_menu(page)
    page.locator("#menu-projects").click()
    expect(page).to_have_url(re.compile(r"/projects$"))
    page.locator("#companies-link").click()
    page.locator("#new-company").click()

    page.get_by_label("Nom de la société").fill("Draa Films")
    page.get_by_label("Pays").select_option("MA")
    expect(page.locator("#city option", has_text="Ouarzazate")).to_have_count(1)
    page.locator("#city").select_option(label="Ouarzazate")
    page.get_by_label("Réseaux sociaux (une adresse par ligne)").fill(
        "https://instagram.com/draafilms"
    )
    page.get_by_label("Services proposés (un par ligne)").fill("Casting\nRepérages")
    assert_no_horizontal_overflow(page)
    screenshot(page, f"company-form-{width}", full_page=True)
    page.locator("#save").click()
    expect(page.locator("h1")).to_have_text("Draa Films")
    expect(page.locator("#initials")).to_have_text("DF")
    expect(page.locator("#services li")).to_have_count(2)
    assert_no_horizontal_overflow(page)

    page.locator("#new-project").click()
    page.get_by_label("Nom du projet").fill("Les Caravanes")
    page.get_by_label("Début du tournage").fill("2027-03-10")
    page.get_by_label("Fin du tournage").fill("2027-03-01")
    page.locator("#save").click()
    expect(page.locator("#end_date-error")).to_contain_text("La date de fin doit être")
    refused = urlsplit(page.url)  # answered 422: the console says so
    page.get_by_label("Fin du tournage").fill("2027-03-20")
    page.get_by_label("Autres lieux (un par ligne)").fill("Dunes de l'Erg Chegaga")
    page.locator("#save").click()
    expect(page.locator("h1")).to_have_text("Les Caravanes")
    expect(page.locator("#project-dates")).to_have_text("du 10 mars 2027 au 20 mars 2027")
    expect(page.locator("#project-number")).to_have_text("001")

    page.locator("#new-role").click()
    page.get_by_label("Nom du rôle").fill("Caravaniers")
    page.get_by_label("Nombre de personnes").fill("300")
    page.get_by_label("Taille minimum (cm)").fill("170")
    page.locator("input[name=language][value=ary]").check()
    page.get_by_label("Jours de tournage").fill("12/03/2027 - 14/03/2027")
    page.get_by_label("Tarif par jour (MAD)").fill("450")
    assert_no_horizontal_overflow(page)
    page.locator("#save").click()
    expect(page.locator("h1")).to_have_text("Caravaniers")
    expect(page.locator("#rate")).to_have_text("450 MAD")
    expect(page.locator(".details")).to_contain_text("au moins 170 cm")
    assert_no_horizontal_overflow(page)
    screenshot(page, f"role-{width}", full_page=True)

    page.locator("#find-talents").click()
    expect(page).to_have_url(re.compile(r"/cinema/talents\?"))
    args = parse_qs(urlsplit(page.url).query)
    assert args["type"] == ["extra"]
    assert args["height_min"] == ["170"]
    assert args["language"] == ["ary"]
    assert "role" in args
    expect(page.locator("input[name=height_min]")).to_have_value("170")
    watched.assert_clean(expected_statuses=((422, f"{refused.path}?{refused.query}"),))
