"""The home page and the site header in a real browser (issue 12 point 6): on a 390 px phone
the header is one row (brand + « Menu ») and the menu opens without JavaScript; on a desktop
the links are one row and there is no menu button. Screenshots at 390 and 1280 px."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image

from talento.profiles.uploads import store_photo
from tests.browser.support import assert_no_horizontal_overflow
from tests.helpers import USER_PASSWORD, make_settings

pytestmark = [pytest.mark.browser, pytest.mark.committed]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
#: One row of the header: the 2.75rem (44 px) touch targets plus its padding and border.
ONE_ROW_PX = 64
ADMIN_EMAIL = "admin.home@example.org"


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def talents(app, make_talent, make_user) -> None:
    upload_dir = Path(app.extensions["talento.settings"].upload_dir)
    colours = [(155, 44, 31), (30, 90, 160), (40, 140, 80), (200, 160, 40)]
    people = [("Amina", "Alaoui"), ("Youssef", "Benali"), ("Salma", "Haddad"), ("Omar", "Diop")]
    for n, ((first, last), colour) in enumerate(zip(people, colours, strict=True), start=1):
        image = io.BytesIO()
        Image.new("RGB", (320, 320), colour).save(image, "JPEG")
        photo = store_photo(io.BytesIO(image.getvalue()), upload_dir).name
        make_talent(
            code=f"MAF{n:04d}CAS",
            first_name=first,
            last_name=last,
            photo_name=photo,
            skills=["actor", "singer", "dance-urban", "model"][n - 1 : n],
        )
    make_user(code="MAA0009RAB", email=ADMIN_EMAIL, capabilities=["admin"])


def header_box(page) -> dict:
    return page.locator("header.site-header").bounding_box()


def assert_one_row(page, *selectors: str) -> None:
    header = header_box(page)
    assert header["height"] <= ONE_ROW_PX, f"header is {header['height']}px high"
    middle = header["y"] + header["height"] / 2
    for selector in selectors:
        for box in (el.bounding_box() for el in page.locator(selector).all()):
            if box is None:  # not displayed
                continue
            assert box["y"] <= middle <= box["y"] + box["height"], (selector, box, header)


def log_in_as_admin(page) -> None:
    page.goto("/auth/login")
    page.get_by_label("E-mail ou code unique").fill(ADMIN_EMAIL)
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url("**/admin")


def test_phone_header_is_one_row_and_the_menu_opens(talents, open_page, screenshot):
    from playwright.sync_api import expect

    watched = open_page(viewport=PHONE)
    page = watched.page
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trouvez les talents")
    expect(page.locator(".home__cards img")).to_have_count(4)
    menu = page.locator("summary.site-menu__button")
    expect(menu).to_be_visible()
    expect(page.locator(".site-nav")).to_be_hidden()
    assert_one_row(page, ".brand", "summary.site-menu__button")
    assert_no_horizontal_overflow(page)
    screenshot(page, "390", full_page=True)

    menu.click()
    nav = page.get_by_role("navigation", name="Navigation principale")
    expect(nav).to_be_visible()
    links = nav.get_by_role("link")
    expect(links.filter(has_text="Talents")).to_be_visible()
    expect(links.filter(has_text="S'inscrire")).to_be_visible()
    # The panel opens under the header: the header itself stays one row.
    assert header_box(page)["height"] <= ONE_ROW_PX
    tops = [box["y"] for box in (link.bounding_box() for link in links.all())]
    assert tops == sorted(tops)
    assert len(set(tops)) == len(tops)  # one link per line in the panel
    screenshot(page, "390-menu")
    menu.click()
    expect(nav).to_be_hidden()
    watched.assert_clean()


def test_phone_header_stays_one_row_with_the_admin_links(talents, open_page):
    from playwright.sync_api import expect

    watched = open_page(viewport=PHONE)
    page = watched.page
    log_in_as_admin(page)
    assert_one_row(page, ".brand", "summary.site-menu__button")
    page.locator("summary.site-menu__button").click()
    nav = page.get_by_role("navigation", name="Navigation principale")
    expect(nav.get_by_role("link", name="Administration")).to_be_visible()
    expect(nav.get_by_role("button", name="Se déconnecter")).to_be_visible()
    assert_no_horizontal_overflow(page)
    watched.assert_clean()


def test_the_menu_opens_without_javascript(talents, open_page):
    from playwright.sync_api import expect

    watched = open_page(viewport=PHONE, java_script_enabled=False)
    page = watched.page
    page.goto("/")
    nav = page.get_by_role("navigation", name="Navigation principale")
    expect(nav).to_be_hidden()
    page.locator("summary.site-menu__button").click()
    expect(nav.get_by_role("link", name="Se connecter")).to_be_visible()
    # The search box works without JavaScript too: a GET form.
    page.get_by_label("Rechercher un talent").fill("Chant")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/talents?skill=singer")
    expect(page.get_by_role("link", name="Youssef Benali")).to_be_visible()
    watched.assert_clean()


def test_desktop_header_is_one_row_of_links(talents, open_page, screenshot):
    from playwright.sync_api import expect

    watched = open_page(viewport=DESKTOP)
    page = watched.page
    page.goto("/")
    expect(page.locator("summary.site-menu__button")).to_be_hidden()
    nav = page.get_by_role("navigation", name="Navigation principale")
    expect(nav.get_by_role("link", name="S'inscrire")).to_be_visible()
    assert_one_row(page, ".brand", ".site-nav a")
    screenshot(page, "1280", full_page=True)

    log_in_as_admin(page)
    expect(nav.get_by_role("link", name="Administration")).to_be_visible()
    assert_one_row(page, ".brand", ".site-nav a", ".site-nav button")
    watched.assert_clean()


def test_search_box_suggests_and_lands_on_the_directory(talents, open_page):
    from playwright.sync_api import expect

    watched = open_page(viewport=PHONE)
    page = watched.page
    page.goto("/")
    options = page.locator("#home-suggestions option")
    values = [options.nth(i).get_attribute("value") for i in range(options.count())]
    assert "Casablanca" in values
    assert "Comédien·ne" in values
    page.get_by_label("Rechercher un talent").fill("Amina Casablanca")
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_url("**/talents?q=Amina&country=MA&city=*")
    expect(page.get_by_role("link", name="Amina Alaoui")).to_be_visible()
    expect(page.get_by_role("link", name="Youssef Benali")).to_have_count(0)
    watched.assert_clean()
