"""Talent registration in a real browser: Chromium (Debian's, through Playwright) against the app.

The browser, the live server, `open_page` and `screenshot` come from conftest.py. Every test
checks that the page logged no console error and that no request left 127.0.0.1. Screenshots
are full-page here, named after the backend, the test and the step.

With JavaScript the form is a series of steps (talento/static/js/register.js); without it the
whole form shows at once and choosing the country of residence takes one more submission
(« Afficher les villes de ce pays », or the whole form). Residence comes before the contact
step: the phone is checked against the chosen country, whose example the phone's hint gives.
With JavaScript a large photo is downscaled in the browser before it is sent
(talento/static/js/photo_resize.js).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.browser.support import assert_no_horizontal_overflow
from tests.helpers import make_settings

# A live server thread serves the app: its rows must be committed.
pytestmark = [pytest.mark.browser, pytest.mark.committed]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}

# The fieldsets of profiles/register.html, in order.
STEPS = ("identity", "residence", "contact", "professional", "links", "files", "account")

TALENT = {
    "first_name": "Yasmine",
    "last_name": "El Amrani",
    "date_of_birth": "1998-03-14",
    "email": "yasmine.browser@example.ma",
    "address": "Rue 10, Point E, Dakar",
    "instagram": "https://instagram.com/yasmine",
    "password": "Casablanca-Scene-2026",
}
MOROCCAN_PHONE = "06 12 34 56 78"  # valid in Morocco, invalid once Senegal is chosen
SENEGALESE_PHONE = "77 123 45 67"
SENEGALESE_E164 = "+221771234567"

PASSWORD_LABEL = "Mot de passe (12 caractères minimum)"
CONFIRM_LABEL = "Confirmez le mot de passe"
CONSENT_LABEL = "J'accepte que Talento traite mes données personnelles"
SUBMIT = "Créer mon profil"
PHONE_ERROR = "Ce numéro n'est pas valide pour ce pays (Sénégal)"
SENEGAL_PHONE_HINT = "Numéro de votre pays de résidence (Sénégal), par exemple 70 123 45 67"
SHOW_CITIES = "Afficher les villes de ce pays"
CITY_ERROR = "Choisissez votre ville dans la liste de votre pays."

# A refused registration comes back with status 400 on purpose (the form, its errors and what
# was typed); Chromium logs that document response as a console error. The tests that submit
# a refused form accept exactly that one message, and require it.
REFUSED_FORM = (400, "/auth/register")


# --------------------------------------------------------------------------- fixtures


@pytest.fixture
def settings(database_url, tmp_path_factory):
    """Uploads and the mail outbox in tmp dirs (as in tests/profiles/test_registration.py)."""
    outbox = tmp_path_factory.mktemp("outbox")
    uploads = tmp_path_factory.mktemp("uploads")
    return make_settings(database_url, upload_dir=str(uploads), mail_outbox_dir=str(outbox))


@pytest.fixture
def dakar_code(app) -> str:
    """Dakar's three-letter code, the end of a user code of someone living there."""
    from sqlalchemy import select

    from talento.extensions import db
    from talento.geo.models import City, Country

    with app.app_context():
        code = db.session.scalars(
            select(City.code)
            .join(Country, City.country_id == Country.id)
            .where(Country.iso2 == "SN", City.name == "Dakar")
        ).one()
        db.session.remove()
    return code


@pytest.fixture
def jpeg(tmp_path) -> Path:
    """A small real JPEG made with Pillow."""
    from PIL import Image

    path = tmp_path / "moi.jpg"
    Image.new("RGB", (120, 160), (180, 60, 40)).save(path, "JPEG")
    return path


@pytest.fixture
def screenshot(screenshot) -> Callable[..., Path]:
    """conftest.py's, full-page by default: take(page, "step-name")."""
    return functools.partial(screenshot, full_page=True)


# --------------------------------------------------------------------------- helpers


def _expect_step(page, number: int) -> None:
    """The progress line says step `number` and only that step's fieldset shows."""
    from playwright.sync_api import expect

    expect(page.locator(".progress")).to_have_text(f"Étape {number} sur {len(STEPS)}")
    expect(page.locator(f'fieldset.step[data-step="{STEPS[number - 1]}"]')).to_be_visible()
    expect(page.locator("fieldset.step:visible")).to_have_count(1)


def _next(page, expected_step: int) -> None:
    page.get_by_role("button", name="Suivant").click()
    _expect_step(page, expected_step)


def _fill_identity(page) -> None:
    page.get_by_label("Prénom", exact=True).fill(TALENT["first_name"])
    page.get_by_label("Nom", exact=True).fill(TALENT["last_name"])
    page.get_by_label("Femme", exact=True).check()
    page.get_by_label("Date de naissance").fill(TALENT["date_of_birth"])
    page.get_by_label("Nationalité").select_option("MA")


def _fill_contact(page, phone: str) -> None:
    page.get_by_label("E-mail", exact=True).fill(TALENT["email"])
    page.get_by_label("Téléphone", exact=True).fill(phone)
    page.get_by_label("Adresse", exact=True).fill(TALENT["address"])


def _fill_professional(page) -> None:
    page.get_by_role("checkbox", name="Comédien·ne").check()
    page.get_by_role("checkbox", name="Chant", exact=True).check()
    page.get_by_label("Présentation").fill("Comédienne et chanteuse.")
    page.get_by_label("Années d'expérience").fill("4")
    page.get_by_label("Disponibilité").select_option("immediate")
    page.get_by_label("Mode de travail").select_option("hybrid")
    page.get_by_label("Français", exact=True).select_option("fluent")
    page.get_by_label("Wolof", exact=True).select_option("notions")


def _fill_links(page) -> None:
    page.get_by_role("textbox", name="Instagram", exact=True).fill(TALENT["instagram"])
    page.get_by_role("checkbox", name="Instagram", exact=True).check()


def _fill_account(page) -> None:
    page.get_by_label(PASSWORD_LABEL).fill(TALENT["password"])
    page.get_by_label(CONFIRM_LABEL).fill(TALENT["password"])
    page.get_by_label(CONSENT_LABEL).check()


def _choose_senegal_with_script(page) -> None:
    """Choose Senegal; register.js must load its cities into "Ville" and drop the hints that
    asked for a country first; choose Dakar."""
    from playwright.sync_api import expect

    expect(page.get_by_role("button", name=SHOW_CITIES)).to_be_hidden()  # no-JS only
    expect(page.locator("#city-hint")).to_be_visible()
    page.get_by_label("Pays de résidence").select_option("SN")
    city = page.get_by_label("Ville", exact=True)
    expect(city.locator("option", has_text="Dakar")).to_have_count(1)
    expect(city.locator("option", has_text="Casablanca")).to_have_count(0)
    expect(page.locator("#city-hint")).to_be_hidden()
    expect(city).not_to_have_attribute("aria-describedby", "city-hint")
    expect(page.locator("#phone-hint")).to_contain_text(SENEGAL_PHONE_HINT)
    city.select_option(label="Dakar")


def _go_through_steps(page, phone: str, photo: Path | None = None, shot=None) -> None:
    """From step 1 to the account step, filled in and consent ticked, with the step buttons."""
    from playwright.sync_api import expect

    _fill_identity(page)
    _next(page, 2)
    _choose_senegal_with_script(page)
    if shot:
        shot(page, "2-residence")
    _next(page, 3)
    _fill_contact(page, phone)
    _next(page, 4)
    _fill_professional(page)
    if shot:
        assert_no_horizontal_overflow(page)
        shot(page, "4-professional")
    _next(page, 5)
    _fill_links(page)
    _next(page, 6)
    if photo is not None:
        preview = page.locator("#photo-preview")
        expect(preview).to_be_hidden()
        page.locator("#photo").set_input_files(photo)
        expect(preview).to_be_visible()
        # The preview shows a decoded image, not a broken one.
        assert page.evaluate("document.getElementById('photo-preview').naturalWidth") == 120
        if shot:
            shot(page, "6-files")
    _next(page, 7)
    expect(page.get_by_role("button", name="Suivant")).to_be_hidden()
    _fill_account(page)


# --------------------------------------------------------------------------- tests


def test_with_javascript_a_refused_phone_reopens_the_contact_step(open_page, screenshot):
    """The server refuses a Moroccan number once Senegal is chosen: the script opens the step
    holding the first error (Contact, step 3), with the error next to the phone and the input
    kept."""
    from playwright.sync_api import expect

    watched = open_page(**PHONE)
    page = watched.page
    page.goto("/auth/register")
    _expect_step(page, 1)
    _go_through_steps(page, MOROCCAN_PHONE)
    page.get_by_role("button", name=SUBMIT).click()

    expect(page).to_have_url(re.compile(r"/auth/register$"))
    _expect_step(page, 3)
    phone = page.get_by_label("Téléphone", exact=True)
    error = page.locator("#field-phone .field-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text(PHONE_ERROR)
    expect(phone).to_have_attribute("aria-describedby", "phone-hint phone-error")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(phone).to_have_value(MOROCCAN_PHONE)
    expect(page.get_by_label("E-mail", exact=True)).to_have_value(TALENT["email"])
    # Fields of the other steps are kept too (hidden, but their values are there).
    expect(page.get_by_label("Prénom", exact=True)).to_have_value(TALENT["first_name"])
    expect(page.get_by_label("Date de naissance")).to_have_value(TALENT["date_of_birth"])
    expect(page.get_by_label("Ville", exact=True).locator("option:checked")).to_have_text("Dakar")
    expect(page.locator("#link_instagram")).to_have_value(TALENT["instagram"])
    # Passwords never come back.
    expect(page.get_by_label(PASSWORD_LABEL)).to_have_value("")
    assert_no_horizontal_overflow(page)
    screenshot(page, "phone-error")
    # Corrected, the number's error no longer applies: it goes (the server checks it again).
    phone.fill(SENEGALESE_PHONE)
    phone.blur()
    expect(error).to_be_hidden()
    expect(phone).not_to_have_attribute("aria-invalid", "true")
    watched.assert_clean(expected_statuses=(REFUSED_FORM,))


def test_with_javascript_on_a_phone_a_talent_registers_step_by_step(
    open_page, screenshot, jpeg, dakar_code
):
    from playwright.sync_api import expect

    watched = open_page(**PHONE)
    page = watched.page
    page.goto("/auth/register")
    _expect_step(page, 1)
    expect(page.get_by_role("button", name="Précédent")).to_be_hidden()
    expect(page.get_by_role("button", name=SUBMIT)).to_be_hidden()
    assert_no_horizontal_overflow(page)
    screenshot(page, "1-identity")

    # Required fields empty: "Suivant" stays on step 1 and points at the first one.
    page.get_by_role("button", name="Suivant").click()
    _expect_step(page, 1)
    expect(page.get_by_label("Prénom", exact=True)).to_be_focused()
    page.get_by_label("Prénom", exact=True).fill(TALENT["first_name"])
    page.get_by_role("button", name="Suivant").click()
    _expect_step(page, 1)

    # "Précédent" goes back without losing anything.
    _fill_identity(page)
    _next(page, 2)
    page.get_by_role("button", name="Précédent").click()
    _expect_step(page, 1)
    expect(page.get_by_label("Nom", exact=True)).to_have_value(TALENT["last_name"])

    _go_through_steps(page, SENEGALESE_PHONE, photo=jpeg, shot=screenshot)
    assert_no_horizontal_overflow(page)
    screenshot(page, "7-account")
    page.get_by_role("button", name=SUBMIT).click()

    expect(page).to_have_url(re.compile(r"/profile$"))
    code = page.locator("#user-code")
    expect(code).to_have_text(re.compile(r"^SNF0001[A-Z]{3}$"))
    expect(code).to_have_text(f"SNF0001{dakar_code}")
    expect(page.locator("#phone")).to_have_text(SENEGALESE_E164)
    expect(page.get_by_role("status").first).to_contain_text(f"SNF0001{dakar_code}")
    assert_no_horizontal_overflow(page)
    screenshot(page, "8-profile")
    watched.assert_clean()


def test_without_javascript_the_whole_form_shows_and_the_city_comes_second(
    open_page, screenshot, dakar_code
):
    from playwright.sync_api import expect

    watched = open_page(java_script_enabled=False, **DESKTOP)
    page = watched.page
    page.goto("/auth/register")

    # No steps: every fieldset shows, with the submit button, and no step navigation.
    expect(page.locator("fieldset.step:visible")).to_have_count(len(STEPS))
    expect(page.locator(".progress")).to_have_count(0)
    expect(page.get_by_role("button", name="Suivant")).to_have_count(0)
    city = page.get_by_label("Ville", exact=True)
    expect(city.locator("option")).to_have_count(1)  # "— Choisir —" until a country is sent

    _fill_identity(page)
    _fill_contact(page, SENEGALESE_PHONE)
    page.get_by_label("Pays de résidence").select_option("SN")
    _fill_professional(page)
    _fill_links(page)
    _fill_account(page)
    page.get_by_role("button", name=SUBMIT).click()

    # Back with the city error and Senegal's cities; everything typed is kept.
    expect(page).to_have_url(re.compile(r"/auth/register$"))
    expect(page.locator("#field-city .field-error")).to_have_text(CITY_ERROR)
    expect(city).to_have_attribute("aria-invalid", "true")
    expect(city.locator("option", has_text="Dakar")).to_have_count(1)
    expect(city.locator("option", has_text="Casablanca")).to_have_count(0)
    expect(page.get_by_label("Pays de résidence")).to_have_value("SN")
    expect(page.get_by_label("Prénom", exact=True)).to_have_value(TALENT["first_name"])
    expect(page.get_by_label("Nom", exact=True)).to_have_value(TALENT["last_name"])
    expect(page.get_by_label("Femme", exact=True)).to_be_checked()
    expect(page.get_by_label("Date de naissance")).to_have_value(TALENT["date_of_birth"])
    expect(page.get_by_label("Nationalité")).to_have_value("MA")
    expect(page.get_by_label("E-mail", exact=True)).to_have_value(TALENT["email"])
    # The number comes back as typed or in its international form: the same digits.
    typed_phone = page.get_by_label("Téléphone", exact=True).input_value()
    assert re.sub(r"\D", "", typed_phone).endswith("771234567"), typed_phone
    expect(page.get_by_label("Adresse", exact=True)).to_have_value(TALENT["address"])
    expect(page.get_by_role("checkbox", name="Comédien·ne")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Chant", exact=True)).to_be_checked()
    expect(page.get_by_label("Disponibilité")).to_have_value("immediate")
    expect(page.get_by_label("Mode de travail")).to_have_value("hybrid")
    expect(page.get_by_label("Wolof", exact=True)).to_have_value("notions")
    expect(page.get_by_role("textbox", name="Instagram", exact=True)).to_have_value(
        TALENT["instagram"]
    )
    expect(page.get_by_role("checkbox", name="Instagram", exact=True)).to_be_checked()
    expect(page.get_by_label(CONSENT_LABEL)).to_be_checked()
    expect(page.get_by_label(PASSWORD_LABEL)).to_have_value("")
    expect(page.get_by_label(CONFIRM_LABEL)).to_have_value("")
    screenshot(page, "city-error")

    city.select_option(label="Dakar")
    page.get_by_label(PASSWORD_LABEL).fill(TALENT["password"])
    page.get_by_label(CONFIRM_LABEL).fill(TALENT["password"])
    page.get_by_role("button", name=SUBMIT).click()

    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.locator("#user-code")).to_have_text(f"SNF0001{dakar_code}")
    expect(page.locator("#phone")).to_have_text(SENEGALESE_E164)
    screenshot(page, "profile")
    watched.assert_clean(expected_statuses=(REFUSED_FORM,))


def test_without_javascript_the_cities_button_shows_them_and_drops_stale_hints(
    open_page, screenshot
):
    from playwright.sync_api import expect

    watched = open_page(java_script_enabled=False, **PHONE)
    page = watched.page
    page.goto("/auth/register")
    expect(page.locator("#city-hint")).to_be_visible()
    expect(page.locator("#phone-hint")).to_contain_text("Choisissez d'abord votre pays")
    page.get_by_label("Prénom", exact=True).fill(TALENT["first_name"])
    page.get_by_label("Pays de résidence").select_option("SN")
    page.get_by_role("button", name=SHOW_CITIES).click()

    expect(page).to_have_url(re.compile(r"/auth/register#field-city$"))
    city = page.get_by_label("Ville", exact=True)
    expect(city.locator("option", has_text="Dakar")).to_have_count(1)
    expect(page.locator(".field-error")).to_have_count(0)  # nothing was checked yet
    expect(page.locator("#city-hint")).to_have_count(0)
    expect(page.locator("#phone-hint")).to_contain_text(SENEGAL_PHONE_HINT)
    expect(page.get_by_label("Prénom", exact=True)).to_have_value(TALENT["first_name"])
    assert_no_horizontal_overflow(page)
    screenshot(page, "cities-shown")
    watched.assert_clean()


def _phone_photo(path: Path) -> Path:
    """A noisy 2600 x 1950 JPEG of about 18 MB, as a phone camera writes one."""
    import io
    import os

    from PIL import Image

    width, height = 2600, 1950
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=100, subsampling=0)
    path.write_bytes(out.getvalue())
    return path


def test_with_javascript_a_large_phone_photo_is_downscaled_before_upload(
    app, open_page, screenshot, tmp_path, settings
):
    """At 390 px, a ~18 MB photo is reduced in the browser to a ~1600 px JPEG of well under
    2 MB; that is what the request carries, and the server stores its own re-encoded copy."""
    from flask import request
    from playwright.sync_api import expect

    photo = _phone_photo(tmp_path / "IMG_20260314_101010.jpg")
    assert photo.stat().st_size > 15 * 1024 * 1024
    uploads: list[int] = []

    @app.before_request
    def measure() -> None:  # what really arrives: the request's size
        if request.method == "POST" and request.path == "/auth/register":
            uploads.append(request.content_length or 0)

    watched = open_page(**PHONE)
    page = watched.page
    page.goto("/auth/register")
    _fill_identity(page)
    _next(page, 2)
    _choose_senegal_with_script(page)
    _next(page, 3)
    _fill_contact(page, SENEGALESE_PHONE)
    _next(page, 4)
    _fill_professional(page)
    _next(page, 5)
    _next(page, 6)
    page.locator("#photo").set_input_files(photo)
    expect(page.locator("#photo")).to_have_attribute("data-resized", re.compile(r"^\d+$"))
    sent = page.evaluate(
        "(() => { const f = document.getElementById('photo').files[0];"
        " return {size: f.size, type: f.type, name: f.name}; })()"
    )
    assert sent["type"] == "image/jpeg"
    assert sent["name"] == "IMG_20260314_101010.jpg"
    assert sent["size"] < 2 * 1024 * 1024, sent
    expect(page.locator("#photo-error-js")).to_have_count(0)
    screenshot(page, "6-large-photo")
    _next(page, 7)
    _fill_account(page)
    page.get_by_role("button", name=SUBMIT).click()

    expect(page).to_have_url(re.compile(r"/profile$"))
    assert len(uploads) == 1
    assert uploads[0] < 2 * 1024 * 1024, uploads
    stored = list((Path(settings.upload_dir) / "photos").glob("*.jpg"))
    assert len(stored) == 1
    from PIL import Image

    with Image.open(stored[0]) as image:
        assert max(image.size) == 1024
        assert not image.getexif()
    watched.assert_clean()
