"""Issue 13's CINEMA journey in real browsers (Chromium through Playwright), with real mail.

A new person registers a casting profile on a phone (390 px), step by step with the real
forms, uploads a portrait and a full-length photo (small JPEGs made with Pillow), chooses a
public casting page and confirms the address with the link of the mail that a real SMTP server
(aiosmtpd) received. A casting user (an account with the ``casting`` capability) logs in on a
desktop (1280 px), finds the profile in /cinema/talents with three criteria (height range,
eye colour, a skill) and not with a criterion it does not match, and downloads its comp card:
the PDF holds the photos, names the person and their CINEMA code, never the ID number, the
phone, the e-mail or the date of birth. An anonymous phone opens the public casting page: both
photos load, and neither the ID number, nor the phone or WhatsApp, nor the e-mail address, nor
the date of birth is in its HTML.

Screenshots (test-artifacts/screenshots/, git-ignored): the identity and photos steps at
390 px, the search results at 1280 px and 390 px, the public casting page at 390 px.

What the test relies on (field names of casting/forms.py and profile_forms.py, ids of the
templates): identity ``first_name``, ``last_name``, ``date_of_birth``, ``gender`` (radio
F/M/N), ``id_document_type`` (``cin``), ``id_number``, ``country``/``city`` (cities loaded by
register.js), ``email``, ``password``, ``password_confirm``, ``consent``; contact ``phone``,
``whatsapp``; origins ``nationality``; languages ``lang-ary`` (level ``native``) and the
accent checkboxes ``accents``; appearance ``height_cm``, ``weight_kg``, ``playing_age_min``,
``playing_age_max``, ``eye_colour``, ``hair_colour``, ``skin_tone``, ``build``; sizes
``top_size``, ``shoe_size``; skills ``talent_types`` and ``skills`` (by their labels); experience
``credits-0-*``; photos ``#photo``, ``#kind``, « Ajouter la photo », « Continuer »; visibility
``visibility`` = ``public``; « Mon profil casting » ``#cinema-code``; the search's GET names
``height_min``, ``height_max``, ``eyes``, ``skill`` and its contact sheet ``ul.cs-sheet``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.browser.support import assert_no_horizontal_overflow, wait_for_images
from tests.helpers import USER_PASSWORD, smtp_settings
from tests.pdf_reading import decode, pdf_streams, unicode_map

pytestmark = [pytest.mark.browser, pytest.mark.committed]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}

PERSON = {
    "first_name": "Hamza",
    "last_name": "Ait Lahcen",
    "date_of_birth": "1994-06-02",
    "email": "hamza.cinema@example.ma",
    "password": "Ouarzazate-Dunes-2026",
}
ID_NUMBER = "BK123456"
PHONE_TYPED, WHATSAPP_TYPED = "0612345678", "0661234567"
# Every way the two numbers could be written on a page or in a PDF.
CONTACT_FORMS = (
    "0612345678",
    "+212612345678",
    "212612345678",
    "612345678",
    "06 12 34 56 78",
    "6 12 34 56 78",
    "0661234567",
    "+212661234567",
    "661234567",
    "06 61 23 45 67",
)
# The date of birth, as a page or a PDF could write it (only an age range may show).
BIRTH_FORMS = ("1994-06-02", "02/06/1994", "2 juin 1994", "02.06.1994")
CASTING_USER = {
    "email": "directrice.casting@atlas-studios.ma",
    "code": "MAF0901CAS",
    "first_name": "Nadia",
    "last_name": "Berrada",
    "capabilities": ["casting"],
}
VERIFY_LINK = re.compile(r"https?://[^/\s]+(/auth/verify/[A-Za-z0-9._-]+)")
CONTINUE = "Enregistrer et continuer"


@pytest.fixture
def settings(database_url, smtp, tmp_path_factory):
    return smtp_settings(database_url, smtp, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def code_re(app) -> str:
    """A CINEMA code of a man living in Ouarzazate: MA, the city's code, 4 characters, M."""
    from sqlalchemy import select

    from talento.extensions import db
    from talento.geo.models import City, Country

    with app.app_context():
        city = db.session.scalars(
            select(City.code)
            .join(Country, City.country_id == Country.id)
            .where(Country.iso2 == "MA", City.name == "Ouarzazate")
        ).one()
        db.session.remove()
    return rf"MA{city}[0-9A-Z]{{4}}M"


@pytest.fixture
def shot(screenshot) -> Callable[..., Path]:
    return functools.partial(screenshot, full_page=True)


def _jpeg(path: Path, size: tuple[int, int], colour: tuple[int, int, int]) -> Path:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, colour)
    ImageDraw.Draw(image).ellipse((size[0] // 4, 10, 3 * size[0] // 4, size[0] // 2), "white")
    image.save(path, "JPEG", quality=85)
    return path


def pdf_text(pdf: bytes) -> str:
    """The text drawn on the PDF's pages (as tests/casting/test_comp_card.py reads it)."""
    streams = pdf_streams(pdf)
    cmap = unicode_map(streams)
    pattern = rb"BT [\d.]+ [\d.]+ Td(?: [\d. ]+ rg)? \(((?:\\.|[^\\)])*)\) Tj ET"
    return "\n".join(
        decode(raw, cmap) for stream in streams for raw in re.findall(pattern, stream, re.S)
    )


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _save(page, following: str) -> None:
    """« Enregistrer et continuer », then the next step's page."""
    from playwright.sync_api import expect

    page.get_by_role("button", name=CONTINUE).click()
    expect(page).to_have_url(re.compile(rf"/cinema/register/{following}$"))


# --------------------------------------------------------------------------- the steps


def _identity(page, shot) -> None:
    from playwright.sync_api import expect

    page.goto("/cinema/register")
    expect(page).to_have_url(re.compile(r"/cinema/register/identity$"))
    expect(page.locator("#step-count")).to_have_text("Étape 1 sur 10")
    page.locator("#first_name").fill(PERSON["first_name"])
    page.locator("#last_name").fill(PERSON["last_name"])
    page.locator("#date_of_birth").fill(PERSON["date_of_birth"])
    page.get_by_role("radio", name="Homme", exact=True).check()
    page.locator("#id_document_type").select_option("cin")
    page.locator("#id_number").fill(ID_NUMBER)
    page.locator("#country").select_option("MA")
    page.locator("#city").select_option(label="Ouarzazate")  # loaded by register.js
    page.locator("#email").fill(PERSON["email"])
    page.locator("#password").fill(PERSON["password"])
    page.locator("#password_confirm").fill(PERSON["password"])
    page.locator("#consent").check()
    assert_no_horizontal_overflow(page)
    shot(page, "identity-phone")
    _save(page, "contact")


def _contact_to_experience(page) -> None:
    page.locator("#phone").fill(PHONE_TYPED)
    page.locator("#whatsapp").fill(WHATSAPP_TYPED)
    _save(page, "origins")

    page.locator("#nationality").select_option("MA")
    _save(page, "languages")

    page.locator("#lang-ary").select_option("native")
    page.get_by_role("checkbox", name="Darija du Sud (Sahara)").check()
    _save(page, "appearance")

    page.locator("#height_cm").fill("178")
    page.locator("#weight_kg").fill("74")
    page.locator("#playing_age_min").fill("25")
    page.locator("#playing_age_max").fill("38")
    page.locator("#eye_colour").select_option(label="Noisette")
    page.locator("#hair_colour").select_option("black")
    page.locator("#skin_tone").select_option("olive")
    page.locator("#build").select_option("athletic")
    _save(page, "sizes")

    page.locator("#top_size").select_option("l")
    page.locator("#shoe_size").fill("43")
    _save(page, "skills")

    page.get_by_role("checkbox", name="Figurant", exact=True).check()
    page.get_by_role("checkbox", name="Monte de dromadaire").check()
    _save(page, "experience")

    page.locator("#credits-0-title").fill("Les Cavaliers du Drâa")
    page.locator("#credits-0-kind").select_option("film")
    page.locator("#credits-0-year").fill("2024")
    page.locator("#credits-0-role").fill("Caravanier")
    _save(page, "photos")


def _photos(page, tmp_path: Path, shot) -> None:
    from playwright.sync_api import expect

    photos = page.locator("ol.media-grid > li.media-photo")
    expect(photos).to_have_count(0)
    files = (
        (_jpeg(tmp_path / "portrait.jpg", (300, 400), (150, 95, 60)), "headshot"),
        (_jpeg(tmp_path / "en-pied.jpg", (240, 600), (70, 90, 130)), "full_length"),
    )
    for number, (path, kind) in enumerate(files, start=1):
        page.locator("#photo").set_input_files(path)
        page.locator("#kind").select_option(kind)
        page.get_by_role("button", name="Ajouter la photo").click()
        expect(photos).to_have_count(number)
    expect(page.locator(f"#kind-{_photo_id(photos.nth(0))}")).to_have_value("headshot")
    expect(page.locator(f"#kind-{_photo_id(photos.nth(1))}")).to_have_value("full_length")
    assert wait_for_images(page, "ol.media-grid img") == 2
    assert_no_horizontal_overflow(page)
    shot(page, "photos-phone")
    page.get_by_role("button", name="Continuer").click()
    expect(page).to_have_url(re.compile(r"/cinema/register/visibility$"))


def _photo_id(item) -> str:
    return item.locator("select[name=kind]").get_attribute("id").removeprefix("kind-")


def _visibility(page, code_re: str) -> str:
    """Public casting page, « Terminer mon inscription »; returns the CINEMA code."""
    from playwright.sync_api import expect

    page.locator('input[name="visibility"][value="public"]').check()
    page.get_by_role("button", name="Terminer mon inscription").click()
    expect(page.locator("#cinema-code")).to_have_text(re.compile(rf"^{code_re}$"))
    return page.locator("#cinema-code").inner_text().strip()


def _confirm_address(page, inbox) -> None:
    from playwright.sync_api import expect

    messages = inbox.wait_for(1, timeout=10)
    mine = [m for m in messages if PERSON["email"] in str(m["To"])]
    assert len(mine) == 1, [str(m["To"]) for m in messages]
    body = mine[0].get_body(preferencelist=("plain",)).get_content()
    match = VERIFY_LINK.search(body)
    assert match, body[:500]
    page.goto(match.group(1))
    expect(page.get_by_role("main")).to_contain_text("vérifiée")


# --------------------------------------------------------------------------- casting staff


def _log_in(page, email: str) -> None:
    from playwright.sync_api import expect

    page.goto("/auth/login")
    page.get_by_label("E-mail ou code unique").fill(email)
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))


def _search_three_traits(page) -> None:
    """Height 175–185, « Noisette » eyes, « Monte de dromadaire », through the form."""
    from playwright.sync_api import expect

    page.goto("/cinema/talents")
    form = page.get_by_role("search")
    form.locator("details.cs-more > summary").click()
    form.locator("#height_min").fill("175")
    form.locator("#height_max").fill("185")
    eyes = form.locator("details.cs-list", has=page.locator('input[name="eyes"]'))
    eyes.locator("summary").click()
    eyes.get_by_role("checkbox", name=re.compile(r"^Noisette\b")).check()
    skills = form.locator("details.cs-list", has=page.locator('input[name="skill"]'))
    skills.locator("summary").click()
    skills.get_by_role("checkbox", name=re.compile(r"^Monte de dromadaire\b")).check()
    form.get_by_role("button", name="Rechercher").click()
    expect(page).to_have_url(re.compile(r"/cinema/talents\?.*skill=riding_camel"))
    for part in ("height_min=175", "height_max=185", "eyes=hazel"):
        assert part in page.url, page.url


def test_cinema_registration_search_comp_card_and_public_page(
    open_page, shot, tmp_path, inbox, make_user, code_re
):
    from playwright.sync_api import expect

    full_name = f"{PERSON['first_name']} {PERSON['last_name']}"
    make_user(**CASTING_USER)

    # -- 1. a new person registers on a phone ------------------------------------------------
    phone = open_page(**PHONE)
    person = phone.page
    _identity(person, shot)
    _contact_to_experience(person)
    _photos(person, tmp_path, shot)
    code = _visibility(person, code_re)
    _confirm_address(person, inbox)

    # -- 2. a casting user finds the profile with three traits, at 1280 then 390 px ---------
    desk = open_page(**DESKTOP)
    staff = desk.page
    _log_in(staff, CASTING_USER["email"])
    _search_three_traits(staff)
    sheet = staff.locator("ul.cs-sheet > li", has_text=code)
    expect(sheet).to_have_count(1)
    expect(sheet.locator(".cs-name")).to_have_text(full_name)
    assert wait_for_images(staff, "ul.cs-sheet img") >= 1  # the portrait's thumbnail
    expect(sheet.locator("img")).to_have_count(1)
    shot(staff, "search-desktop")
    searched = staff.url
    staff.set_viewport_size(PHONE["viewport"])
    staff.goto(searched)
    expect(staff.locator("ul.cs-sheet > li", has_text=code)).to_have_count(1)
    wait_for_images(staff, "ul.cs-sheet img")
    assert_no_horizontal_overflow(staff)
    shot(staff, "search-phone")
    staff.set_viewport_size(DESKTOP["viewport"])
    # A trait the profile does not have (blue eyes) leaves it out.
    staff.goto(searched.replace("eyes=hazel", "eyes=blue"))
    expect(staff.get_by_role("checkbox", name=re.compile(r"^Bleus\b"))).to_be_checked()
    expect(staff.locator("#height_min")).to_have_value("175")
    expect(staff.get_by_text(code)).to_have_count(0)

    # -- 3. the comp card: the name and the code, never the ID number nor the phone --------
    response = staff.request.get(f"/cinema/p/{code}/comp-card.pdf")
    assert response.status == 200, response.status
    assert response.headers["content-type"].startswith("application/pdf")
    pdf = response.body()
    # Pictures: the QR code, the portrait and the full-length photo (fpdf2 image XObjects).
    assert len(re.findall(rb"/Subtype\s*/Image", pdf)) == 3
    card = pdf_text(pdf)
    assert code in card, card
    assert PERSON["first_name"] in card, card
    assert PERSON["last_name"] in card, card
    assert ID_NUMBER not in card
    assert PERSON["email"] not in card
    for written in BIRTH_FORMS:
        assert written not in card, written
    for written in CONTACT_FORMS:
        assert written not in card, written
    assert "612345678" not in _digits(card)
    assert "661234567" not in _digits(card)

    # -- 4. anybody's phone: the public casting page ---------------------------------------
    anonymous = open_page(**PHONE)
    visitor = anonymous.page
    response = visitor.goto(f"/cinema/p/{code}")
    assert response is not None
    assert response.status == 200, response.status
    expect(visitor.locator("h1")).to_contain_text(PERSON["first_name"])
    html = visitor.content()
    assert code in html
    assert ID_NUMBER.lower() not in html.lower()
    assert PERSON["email"] not in html
    for written in BIRTH_FORMS:
        assert written not in html, written
    for written in CONTACT_FORMS:
        assert written not in html, written
    assert "612345678" not in _digits(html)
    assert "661234567" not in _digits(html)
    # Both photos show to an anonymous visitor: the portrait first, then the full length.
    assert wait_for_images(visitor, "img.casting-page__photo") == 1
    assert wait_for_images(visitor, "#casting-photos img") == 1
    assert_no_horizontal_overflow(visitor)
    shot(visitor, "public-page-phone")

    phone.assert_clean()
    desk.assert_clean()
    anonymous.assert_clean()
