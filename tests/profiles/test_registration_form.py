"""The registration form as a user meets it (issue 12, point 3): required fields marked, errors
that say what to do, residence before the phone (checked against the chosen country), hints
that go once they no longer apply, a visibility choice the consent text agrees with, and phone
photos up to PHOTO_MAX_MB — a bigger one refused on the same page with everything typed kept,
a request over the hard cap answered with a readable 413 page.
"""

from __future__ import annotations

import html as html_lib
import io
import os
import re
from pathlib import Path

import pytest
from PIL import ExifTags, Image
from sqlalchemy import select, text

from talento.accounts.models import User
from talento.extensions import db
from talento.profiles.visibility import VISIBILITY_SENTENCES
from tests.helpers import _csrf_from, make_settings
from tests.profiles.test_registration import _city_id, _form, _post

MB = 1024 * 1024


@pytest.fixture
def settings(database_url, tmp_path_factory):
    outbox = tmp_path_factory.mktemp("outbox")
    uploads = tmp_path_factory.mktemp("uploads")
    return make_settings(database_url, upload_dir=str(uploads), mail_outbox_dir=str(outbox))


def _text(response) -> str:
    """The page's text with entities decoded (« l'annuaire » is written l&#39;annuaire)."""
    return html_lib.unescape(response.get_data(as_text=True))


def _field_html(page: str, field_id: str) -> str:
    """The markup of one field's wrapper (<div class="field" id="field-…">)."""
    start = page.index(f'id="field-{field_id}"')
    end = page.find('<div class="field', start + 1)
    return page[start : end if end > 0 else len(page)]


def _hint(page: str, field_id: str) -> str | None:
    found = re.search(rf'<p class="hint" id="{field_id}-hint">([^<]*)</p>', page)
    return found.group(1) if found else None


def _stored_files(settings) -> list[Path]:
    return [p for p in Path(settings.upload_dir).rglob("*") if p.is_file()]


def _phone_photo(target_bytes: int) -> bytes:
    """A noisy JPEG (noise compresses badly, like a real 50 Mpx photo) of a little less than
    ``target_bytes``, with the EXIF of a phone: GPS position, maker, orientation."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TalentoPhone"
    exif[ExifTags.Base.Orientation] = 6
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (33.0, 35.0, 21.0)
    # quality 100 without chroma subsampling: about 4.1 bytes per pixel of noise
    pixels = int(target_bytes / 4.3)
    width = int((pixels * 4 / 3) ** 0.5)
    height = pixels // width
    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=100, subsampling=0, exif=exif)
    return out.getvalue()


# --- order, marks, messages -------------------------------------------------------------


def test_residence_comes_before_the_phone(client):
    page = client.get("/auth/register").get_data(as_text=True)
    order = [page.index(f'name="{name}"') for name in ("first_name", "country", "city", "phone")]
    assert order == sorted(order)
    steps = re.findall(r'data-step="([a-z]+)"', page)
    assert steps[:3] == ["identity", "residence", "contact"]


def test_residence_comes_before_the_phone_on_the_edit_page(app, client, make_user):
    from tests.helpers import login

    make_user(email="talent@example.ma")
    login(client, "talent@example.ma")
    page = client.get("/profile/edit").get_data(as_text=True)
    assert page.index('name="country"') < page.index('name="city"') < page.index('name="phone"')
    assert "Les champs marqués * sont obligatoires." in page


REQUIRED_CONTROLS = (
    "first_name",
    "last_name",
    "date_of_birth",
    "nationality",
    "country",
    "city",
    "email",
    "phone",
    "password",
    "password_confirm",
    "consent",
)
OPTIONAL_CONTROLS = ("whatsapp", "address", "bio", "years_experience", "education", "photo")


def test_every_required_field_is_marked_and_explained(client):
    page = client.get("/auth/register").get_data(as_text=True)
    assert "Les champs marqués * sont obligatoires." in page
    for name in REQUIRED_CONTROLS:
        markup = _field_html(page, name)
        assert re.search(rf'<(input|select|textarea)[^>]*id="{name}"[^>]*\brequired\b', markup), (
            name
        )
        assert '<span class="req" aria-hidden="true">*</span>' in markup, name
    for name in OPTIONAL_CONTROLS:
        markup = _field_html(page, name)
        assert 'class="req"' not in markup, name
        assert not re.search(r"\brequired\b", markup), name
    # Groups (no single control to carry `required`): the star, and words for screen readers.
    for group in ("gender", "skills"):
        markup = _field_html(page, group)
        assert re.search(r'<legend>[^<]*<span class="req" aria-hidden="true">\*</span>', markup)
        assert '<span class="visually-hidden"> (obligatoire)</span>' in markup
    assert len(re.findall(r'name="gender"[^>]*required', page)) == 3


def test_an_empty_form_says_what_to_do_for_each_field(client):
    token = _csrf_from(client.get("/auth/register").get_data(as_text=True))
    response = client.post("/auth/register", data={"csrf_token": token})
    assert response.status_code == 400
    page = _text(response)
    for message in (
        "Indiquez votre prénom.",
        "Indiquez votre nom.",
        "Choisissez Femme, Homme ou Non précisé.",
        "Indiquez votre date de naissance.",
        "Choisissez votre nationalité.",
        "Choisissez votre pays de résidence.",
        "Choisissez votre ville dans la liste de votre pays.",
        "Indiquez votre adresse e-mail.",
        "Indiquez votre numéro de téléphone.",
        "Choisissez au moins une compétence.",
        "Choisissez un mot de passe.",
        "Tapez le même mot de passe une seconde fois.",
        "Cochez cette case pour accepter : sans votre accord, le profil ne peut pas être créé.",
    ):
        assert message in page, message


def test_wrong_values_get_messages_that_say_how_to_fix_them(app, client):
    response = _post(
        client,
        _form(
            app,
            email="pas-une-adresse",
            password_confirm="Autre-chose-2026-xyz",
            link_instagram="instagram.com/yasmine",
            years_experience="95",
        ),
    )
    page = _text(response)
    assert response.status_code == 400
    assert "Vérifiez l'adresse e-mail : elle doit ressembler à nom@exemple.ma." in page
    assert "Les deux mots de passe sont différents : tapez le même dans les deux champs." in page
    assert "Collez l'adresse complète de la page, qui commence par https://." in page
    assert "Indiquez un nombre d'années entre 0 et 80." in page


@pytest.mark.parametrize(
    ("country", "city", "phone", "accepted"),
    [
        ("MA", "CAS", "06 12 34 56 78", True),
        ("SN", "DAK", "06 12 34 56 78", False),  # a Moroccan mobile is not a Senegalese one
        ("SN", "DAK", "77 123 45 67", True),
        ("SN", "DAK", "33 821 23 45", True),  # a Dakar landline…
        ("MA", "CAS", "33 821 23 45", False),  # …is no Moroccan number
        ("MA", "CAS", "+221 77 123 45 67", True),  # international form: any country
    ],
)
def test_the_phone_is_checked_against_the_chosen_country(
    app, client, country, city, phone, accepted
):
    response = _post(
        client, _form(app, country=country, city=str(_city_id(app, country, city)), phone=phone)
    )
    if accepted:
        assert response.status_code == 302, _text(response)[:3000]
        return
    assert response.status_code == 400
    error = re.search(r'id="phone-error">([^<]*)<', _text(response)).group(1)
    name, example = {"SN": ("Sénégal", "70 123 45 67"), "MA": ("Maroc", "06 50 12 34 56")}[country]
    assert error == (
        f"Ce numéro n'est pas valide pour ce pays ({name}) : tapez-le comme {example}, "
        "ou au format international (+…)."
    )


# --- hints ------------------------------------------------------------------------------

CHOOSE_COUNTRY_FIRST = "Choisissez d'abord votre pays de résidence : le numéro est vérifié"
CITY_AFTER_COUNTRY = "Choisissez d'abord votre pays : la liste de ses villes s'affichera ici."


def test_hints_that_need_a_country_go_once_one_is_chosen(app, client):
    first = _text(client.get("/auth/register"))
    assert _hint(first, "phone").startswith(CHOOSE_COUNTRY_FIRST)
    assert _hint(first, "city") == CITY_AFTER_COUNTRY
    assert 'aria-describedby="city-hint"' in first

    # Without JavaScript: « Afficher les villes » shows them, checking nothing else yet.
    token = _csrf_from(first)
    response = client.post(
        "/auth/register",
        data={"csrf_token": token, "country": "SN", "first_name": "Awa", "show_cities": "1"},
    )
    assert response.status_code == 200
    page = _text(response)
    assert 'class="field-error"' not in page
    assert ">Dakar</option>" in page
    assert 'value="Awa"' in page
    assert _hint(page, "city") is None
    assert "city-hint" not in page
    assert _hint(page, "phone") == (
        "Numéro de votre pays de résidence (Sénégal), par exemple 70 123 45 67, ou au format "
        "international (+…)."
    )

    # Refused for another reason, the page keeps the country's hints, not the stale ones.
    again = _text(_post(client, _form(app, country="SN", city="", phone="77 123 45 67")))
    assert 'id="city-error"' in again
    assert _hint(again, "city") is None
    assert "(Sénégal)" in _hint(again, "phone")


def test_the_script_gets_what_it_needs_to_rewrite_the_phone_hint(client):
    page = client.get("/auth/register").get_data(as_text=True)
    phone = re.search(r"<input[^>]*id=\"phone\"[^>]*>", page).group(0)
    examples = html_lib.unescape(re.search(r'data-examples="([^"]*)"', phone).group(1))
    pairs = dict(pair.split("=", 1) for pair in examples.split("|"))
    assert pairs["MA"] == "06 50 12 34 56"
    assert pairs["SN"] == "70 123 45 67"
    assert "{country}" in html_lib.unescape(re.search(r'data-hint-country="([^"]*)"', phone)[1])
    assert "without-js" in page  # the « Afficher les villes » button register.js hides


# --- visibility and consent -------------------------------------------------------------


def test_visibility_choice_uses_the_shared_labels_and_the_consent_text_agrees(client):
    page = _text(client.get("/auth/register"))
    for value, label in VISIBILITY_SENTENCES.items():
        assert f'value="{value}"' in page
        assert str(label) in page
    assert re.search(r'<input[^>]*checked[^>]*value="public"|value="public"[^>]*checked', page)
    consent = page[page.index('id="consent-text"') : page.index('id="field-consent"')]
    assert "Selon la visibilité choisie ci-dessus" in consent
    assert "seuls ceux que vous avez cochés y figurent" in consent
    # It used to say links are never public while the links step offered to show some.
    assert "vos liens sont chiffrés et ne sont jamais publics" not in consent
    assert "ne sont jamais publics" in consent  # phone, WhatsApp and address
    assert "avec la visibilité et les liens publics que j'ai choisis" in page


@pytest.mark.parametrize("chosen", [None, "public", "link", "hidden"])
def test_the_chosen_visibility_is_stored(app, client, chosen):
    data = _form(app) if chosen is None else _form(app, visibility=chosen)
    assert _post(client, data).status_code == 302
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "yasmine@example.ma")).one()
        assert user.profile.visibility == (chosen or "public")


def test_an_unknown_visibility_is_refused(app, client):
    response = _post(client, _form(app, visibility="everyone"))
    assert response.status_code == 400
    assert "Choisissez qui peut voir votre profil." in _text(response)


# --- photos -----------------------------------------------------------------------------


def test_a_phone_photo_of_nearly_20_mb_is_accepted_reencoded_and_stripped(app, client, settings):
    data = _phone_photo(19 * MB)
    assert 15 * MB < len(data) <= 20 * MB
    response = _post(client, _form(app), photo=(io.BytesIO(data), "IMG_2026.jpg"))
    assert response.status_code == 302, _text(response)[:3000]
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "yasmine@example.ma")).one()
        name = user.profile.photo_name
    stored = Path(settings.upload_dir) / "photos" / name
    raw = stored.read_bytes()
    assert len(raw) < len(data) / 10
    assert b"Exif" not in raw
    assert b"TalentoPhone" not in raw
    with Image.open(stored) as image:
        assert not image.getexif()
        assert max(image.size) == 1024
        assert image.height > image.width  # the EXIF orientation (6) applied to the pixels


def test_a_photo_over_the_limit_is_refused_on_the_same_page_with_everything_kept(
    app, client, settings
):
    too_big = b"\xff\xd8\xff\xe0" + os.urandom(21 * MB)  # under REQUEST_MAX_MB: the form parses
    response = _post(
        client,
        _form(app, email="pas-une-adresse"),  # its error shows at the same time
        photo=(io.BytesIO(too_big), "IMG_big.jpg"),
    )
    assert response.status_code == 400
    page = _text(response)
    assert 'id="register-form"' in page
    error = re.search(r'id="photo-error">([^<]*)<', page).group(1)
    assert error.startswith("La photo dépasse 20 Mo : choisissez une image plus légère")
    assert 'id="email-error"' in page
    for kept in ('value="Yasmine"', 'value="El Amrani"', "12 rue des Orangers", "ISADAC"):
        assert kept in page, kept
    assert re.search(r'<option selected value="MA">|<option value="MA" selected>', page)
    assert _stored_files(settings) == []
    with app.app_context():
        assert db.session.scalar(text("SELECT count(*) FROM users")) == 0


def test_on_the_edit_page_too_an_oversize_photo_is_refused_with_the_input_kept(
    app, client, make_user, settings
):
    from tests.helpers import login

    make_user(email="talent@example.ma")
    login(client, "talent@example.ma")
    token = _csrf_from(client.get("/profile/edit").get_data(as_text=True))
    too_big = b"\xff\xd8\xff\xe0" + os.urandom(21 * MB)
    response = client.post(
        "/profile/edit",
        data={
            **_form(app),
            "first_name": "Nouveau-Prénom",
            "csrf_token": token,
            "photo": (io.BytesIO(too_big), "IMG.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    page = _text(response)
    assert re.search(r'id="photo-error">La photo dépasse 20 Mo', page)
    assert 'value="Nouveau-Prénom"' in page
    assert _stored_files(settings) == []


def test_the_photo_limit_is_a_setting(app, database_url, tmp_path):
    from talento.web import build_app

    small = build_app(make_settings(database_url, photo_max_mb=1, upload_dir=str(tmp_path)))
    other = small.test_client()
    page = other.get("/auth/register").get_data(as_text=True)
    assert "Photo (JPEG, PNG ou WebP, 1 Mo maximum)" in page
    assert f'data-max-bytes="{MB}"' in page
    photo = b"\xff\xd8\xff\xe0" + os.urandom(MB + 10)
    response = _post(other, _form(app), photo=(io.BytesIO(photo), "p.jpg"))
    assert response.status_code == 400
    assert "La photo dépasse 1 Mo" in _text(response)


def test_a_request_over_the_hard_cap_gets_a_readable_413_page(app, client, settings):
    assert app.config["MAX_CONTENT_LENGTH"] == settings.request_max_mb * MB == 32 * MB
    huge = (io.BytesIO(b"\0" * (33 * MB)), "huge.jpg")
    response = _post(client, _form(app), photo=huge)
    assert response.status_code == 413
    page = _text(response)
    assert "Fichier trop volumineux" in page
    assert "L'envoi dépasse 32 Mo au total : une photo peut peser jusqu'à 20 Mo" in page
    assert "bouton Retour" in page
    assert "Request Entity Too Large" not in page  # never werkzeug's own page
    assert '<link rel="stylesheet"' in page  # the site's page, with its header and styles


def test_the_request_cap_must_leave_room_for_a_photo_and_a_cv():
    from talento.settings import read_settings
    from tests.helpers import ADMIN_PASSWORD, new_key

    base = {
        "SECRET_KEY": "k" * 40,
        "ENCRYPTION_KEY": new_key(),
        "ADMIN_PASSWORD": ADMIN_PASSWORD,
    }
    assert read_settings(base).settings.request_max_mb == 32
    assert read_settings({**base, "PHOTO_MAX_MB": "30", "REQUEST_MAX_MB": "42"}).settings
    refused = read_settings({**base, "PHOTO_MAX_MB": "30"})
    assert refused.settings is None
    assert [p.variable for p in refused.problems] == ["REQUEST_MAX_MB"]
    assert "client_max_body_size" in refused.problems[0].fix


def test_the_registration_page_stays_light(client):
    """HTML, CSS and scripts under 100 KB (DESIGN.md), the phone examples included."""
    page = client.get("/auth/register").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="(/static/[^"?]+\.(?:js|css))', page)
    assert "/static/js/photo_resize.js" in assets
    total = len(page.encode()) + sum(len(client.get(a).get_data()) for a in set(assets))
    assert total < 100_000, total
