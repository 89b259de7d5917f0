"""The comp card PDF /cinema/p/<code>/comp-card.pdf: what it holds (text read back from the
PDF), what it never holds, A5 and A4, and how long it takes (printed, never asserted)."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest

from tests.casting.helpers import make_casting_profile
from tests.helpers import login, make_settings
from tests.pdf_reading import decode, pdf_streams, unicode_map

CODE = "MAOUZ0002M"
PHONE, EMAIL, ID_NUMBER = "+212661234987", "youssef.card@example.org", "BK7392150"
BORN = dt.date(1990, 7, 21)


def pdf_text(pdf: bytes) -> str:
    """The text drawn on the pages: glyph ids (Identity-H) mapped back through ToUnicode."""
    streams = pdf_streams(pdf)
    cmap = unicode_map(streams)
    pattern = rb"BT [\d.]+ [\d.]+ Td(?: [\d. ]+ rg)? \(((?:\\.|[^\\)])*)\) Tj ET"
    return "\n".join(
        decode(raw, cmap) for stream in streams for raw in re.findall(pattern, stream, re.S)
    )


def _media_box(pdf: bytes) -> tuple[float, float]:
    box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert box is not None
    return float(box[1]), float(box[2])


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def profile(app, make_talent):
    def factory(visibility="public"):
        user_id = make_talent(
            code="MAM0001CAS",
            email=EMAIL,
            gender="M",
            first_name="Youssef",
            last_name="El Ouarzazi",
            phone=PHONE,
            whatsapp=PHONE,
            date_of_birth=BORN,
            languages={"shi": "native", "en": "conversational"},
        )
        make_casting_profile(
            app,
            user_id,
            code=CODE,
            visibility=visibility,
            photos=5,
            photo_size=(1200, 1500),  # a stored display JPEG's size
            id_document_type="passport",
            id_number=ID_NUMBER,
            height_cm=183,
            eye_colour="brown",
            hair_colour="black",
            hair_length="short",
            top_size="l",
            shoe_size=44.0,
            playing_age_min=30,
            playing_age_max=40,
            talent_types=("double", "stunt"),
        )
        return user_id

    return factory


def test_comp_card_holds_the_casting_facts_and_no_contact_data(app, profile):
    profile()
    client = app.test_client()
    client.get(f"/cinema/p/{CODE}/comp-card.pdf")  # warm-up: the first call imports fpdf
    started = time.perf_counter()
    response = client.get(f"/cinema/p/{CODE.lower()}/comp-card.pdf")
    elapsed = time.perf_counter() - started
    print(f"\ncomp card (A5, 5 photos, through HTTP): {elapsed * 1000:.0f} ms")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'inline; filename="fiche-casting-{CODE}-a5.pdf"'
    )
    pdf = response.get_data()
    text = " ".join(pdf_text(pdf).split())  # wrapped lines joined
    assert "Youssef El Ouarzazi" in text
    assert CODE in text
    assert "183 cm" in text
    assert "30–40 ans" in text
    assert "Tachelhit (chleuh) (Langue maternelle)" in text
    assert "Anglais (Conversationnel)" in text
    assert "Doublure, Cascadeur" in text
    assert "Marron" in text
    assert "Noirs, Courts" in text
    assert "Haut L" in text
    assert "Pointure 44" in text
    assert f"http://localhost/cinema/p/{CODE}" in text  # the QR's URL, printed under it
    for secret in (PHONE, "661234987", EMAIL, "youssef.card", ID_NUMBER, "739215", "1990"):
        assert secret not in text, secret
        assert secret.encode() not in pdf
    assert "Passeport" not in text
    assert len(re.findall(rb"/Subtype /Image", pdf)) == 6  # primary + 4 more + QR code
    assert _media_box(pdf) == pytest.approx((419.53, 595.28), abs=0.1)  # A5 in points
    assert len(pdf) < 400_000


def test_comp_card_in_a4(app, profile):
    profile()
    response = app.test_client().get(f"/cinema/p/{CODE}/comp-card.pdf?format=a4&download=1")
    assert response.status_code == 200
    assert _media_box(response.get_data()) == pytest.approx((595.28, 841.89), abs=0.1)
    assert response.headers["Content-Disposition"].startswith("attachment;")
    # An unknown format is the default one, not an error.
    response = app.test_client().get(f"/cinema/p/{CODE}/comp-card.pdf?format=letter")
    assert _media_box(response.get_data()) == pytest.approx((419.53, 595.28), abs=0.1)


def test_comp_card_of_a_staff_only_profile(app, profile, make_user):
    profile(visibility="staff")
    assert app.test_client().get(f"/cinema/p/{CODE}/comp-card.pdf").status_code == 404
    make_user(email="card-casting@example.org", code="MAC0002CAS", capabilities=["casting"])
    client = app.test_client()
    login(client, "card-casting@example.org")
    response = client.get(f"/cinema/p/{CODE}/comp-card.pdf")
    assert response.status_code == 200
    text = pdf_text(response.get_data())
    assert "Youssef El Ouarzazi" in text
    assert PHONE not in text
    assert ID_NUMBER not in text


def test_builder_skips_missing_or_broken_photos(tmp_path):
    from talento.casting.comp_card import CompCardLabels, build_comp_card
    from talento.casting.page import CastingView, Language, Photo

    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"not a jpeg")
    view = CastingView(
        code="MAOUZ0003N",
        first_name="Salma",
        last_name="Ait Benhaddou",
        photos=(Photo("a.jpg", "a.webp", "headshot", True),),
        height_cm=165,
        languages=(Language("Français", "Courant", ()),),
    )
    pdf = build_comp_card(
        view,
        facts=[("Taille", "165 cm"), ("Langues", "Français (Courant)")],
        url="http://localhost/cinema/p/MAOUZ0003N",
        labels=CompCardLabels(brand="Talento · CINEMA", scan="Scannez"),
        primary=broken,
        more=[tmp_path / "missing.webp"],
        compress=False,
    )
    text = pdf_text(pdf)
    assert "Salma Ait Benhaddou" in text
    assert "165 cm" in text
    assert len(re.findall(rb"/Subtype /Image", pdf)) == 1  # the QR code alone


def test_latin_text_uses_the_latin_subset_and_other_scripts_the_full_font(tmp_path):
    from talento.casting.comp_card import (
        FONT_PATH,
        LATIN_FONT_PATH,
        CompCardLabels,
        build_comp_card,
        font_for,
    )
    from talento.casting.page import CastingView

    assert font_for(["Aït Benhaddou — Œuvre 20 €", "Ḥassan Ṭaleb"]) == LATIN_FONT_PATH
    assert font_for(["Aït", "محمد"]) == FONT_PATH
    assert font_for(["ⵜⴰⵎⴰⵣⵉⵖⵜ"]) == FONT_PATH
    labels = CompCardLabels(brand="Talento · CINEMA", scan="Scannez")
    for first, last in (("Salomé", "Aït Œuvré"), ("محمد", "العلوي")):
        view = CastingView(code="MAOUZ0004M", first_name=first, last_name=last, photos=())
        pdf = build_comp_card(
            view, facts=[], url="http://localhost/x", labels=labels, compress=False
        )
        assert f"{first} {last}" in pdf_text(pdf)
