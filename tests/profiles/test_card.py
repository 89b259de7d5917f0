"""The printable profile card: the PDF builder (uncompressed, text read back) and its route."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from PIL import Image

from talento.crypto import UNAVAILABLE
from talento.profiles.card import CardContact, CardLabels, build_card_pdf, photo_file
from talento.profiles.public import PublicProfile
from tests.helpers import login, make_settings
from tests.pdf_reading import decode, pdf_streams, unicode_map

CODE = "MAF0001CAS"
URL = f"http://localhost/p/{CODE}"
PHONE, WHATSAPP, EMAIL = "+212612345678", "+212698765432", "amina.card@example.org"
LABELS = CardLabels(
    code="Code :",
    skills="Compétences",
    contact="Contact",
    phone="Téléphone :",
    whatsapp="WhatsApp :",
    email="E-mail :",
    unavailable="Donnée indisponible",
    scan="Scannez pour voir le profil",
)
PROFILE = PublicProfile(
    code=CODE,
    first_name="Amina",
    last_name="Éloïse Benœmar",
    photo="photo.jpg",
    skills=("Chant", "Comédien·ne"),
    city="Casablanca",
    country="Maroc",
    bio="Une bio qui ne va pas sur la carte.",
    links=(),
)


# --- reading text back from a PDF (no PDF library here) ------------------------------------


def pdf_text(pdf: bytes) -> str:
    """The text drawn on the page: glyph ids (Identity-H) mapped back through ToUnicode."""
    streams = pdf_streams(pdf)
    cmap = unicode_map(streams)
    lines = []
    pattern = rb"BT [\d.]+ [\d.]+ Td(?: [\d. ]+ rg)? \(((?:\\.|[^\\)])*)\) Tj ET"
    for stream in streams:
        for raw in re.findall(pattern, stream, re.S):
            lines.append(decode(raw, cmap))
    return "\n".join(lines)


def _image_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Subtype /Image", pdf))


# --- the builder ---------------------------------------------------------------------------


def test_card_without_contact_by_default():
    pdf = build_card_pdf(PROFILE, url=URL, labels=LABELS, compress=False)
    assert pdf.startswith(b"%PDF")
    assert b"/FlateDecode" not in pdf.split(b"/Subtype /Image")[0]  # text streams are plain
    text = pdf_text(pdf)
    assert "Amina Éloïse Benœmar" in text  # accents and ligatures survive (DejaVu Sans)
    assert f"Code : {CODE}" in text
    assert "Chant" in text
    assert "Comédien·ne" in text
    assert "Casablanca, Maroc" in text
    assert URL in text
    assert "Contact".upper() not in text
    assert "Téléphone" not in text
    assert "@" not in text
    assert "bio" not in text
    assert _image_count(pdf) == 1  # the QR code only


def test_card_with_contact():
    contact = CardContact(phone=PHONE, whatsapp=WHATSAPP, email=EMAIL)
    text = pdf_text(
        build_card_pdf(PROFILE, url=URL, labels=LABELS, contact=contact, compress=False)
    )
    assert f"Téléphone : {PHONE}" in text
    assert f"WhatsApp : {WHATSAPP}" in text
    assert f"E-mail : {EMAIL}" in text


def test_card_unreadable_contact_says_so_and_empty_is_skipped():
    contact = CardContact(phone=UNAVAILABLE, whatsapp=None, email=EMAIL)
    text = pdf_text(
        build_card_pdf(PROFILE, url=URL, labels=LABELS, contact=contact, compress=False)
    )
    assert "Téléphone : Donnée indisponible" in text
    assert "WhatsApp" not in text


def test_card_is_compressed_by_default():
    pdf = build_card_pdf(PROFILE, url=URL, labels=LABELS)
    assert pdf.startswith(b"%PDF")
    assert b"/FlateDecode" in pdf
    assert "Amina Éloïse Benœmar" in pdf_text(pdf)  # the reader inflates streams


def test_card_embeds_an_existing_photo(tmp_path):
    Image.new("RGB", (900, 1200), (180, 90, 60)).save(tmp_path / "big.jpg")
    pdf = build_card_pdf(PROFILE, url=URL, labels=LABELS, photo=tmp_path / "big.jpg")
    assert _image_count(pdf) == 2
    assert len(pdf) < 200_000  # re-encoded small, not the full phone picture


def test_card_skips_an_unreadable_photo(tmp_path, caplog):
    (tmp_path / "broken.jpg").write_bytes(b"not an image")
    pdf = build_card_pdf(PROFILE, url=URL, labels=LABELS, photo=tmp_path / "broken.jpg")
    assert _image_count(pdf) == 1
    assert "broken.jpg" not in caplog.text


def test_card_cuts_overlong_content_instead_of_overflowing():
    long = dataclasses.replace(
        PROFILE,
        last_name="De La Fontaine " * 8,
        skills=tuple(f"Compétence numéro {i}" for i in range(30)),
    )
    pdf = build_card_pdf(long, url=URL, labels=LABELS, compress=False)
    assert pdf.count(b"/Type /Page\n") == 1
    assert "…" in pdf_text(pdf)


def test_photo_file(tmp_path):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "-tok_en.jpg").write_bytes(b"x")
    assert photo_file(tmp_path, "-tok_en.jpg") == tmp_path / "photos" / "-tok_en.jpg"
    assert photo_file(tmp_path, "missing.jpg") is None
    assert photo_file(tmp_path, None) is None
    assert photo_file(tmp_path, "../photos/-tok_en.jpg") is None
    assert photo_file(tmp_path, "/etc/passwd") is None


# --- the route -----------------------------------------------------------------------------


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def owner(make_talent, settings):
    photos = Path(settings.upload_dir) / "photos"
    photos.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (300, 400), (20, 120, 200)).save(photos / "owner-photo.jpg")
    return make_talent(
        email=EMAIL,
        phone=PHONE,
        whatsapp=WHATSAPP,
        address="Derb Sultan",
        skills=["actor"],
        photo_name="owner-photo.jpg",
    )


def test_card_requires_login(client, owner):
    response = client.get("/profile/card.pdf")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_owner_downloads_own_card_without_contact(client, owner, make_talent):
    make_talent(email="other@example.org", phone="+212600000001")  # MAF0002CAS
    login(client, EMAIL)
    response = client.get("/profile/card.pdf?code=MAF0002CAS")  # no way to ask for another
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="carte-talento-{CODE}.pdf"'
    )
    assert "no-store" in response.headers["Cache-Control"]
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF")
    assert _image_count(pdf) == 2  # photo + QR
    text = pdf_text(pdf)
    assert CODE in text
    assert "Comédien·ne" in text
    assert URL in text
    assert PHONE not in text
    assert WHATSAPP not in text
    assert EMAIL not in text
    assert "Derb Sultan" not in text
    assert "MAF0002CAS" not in text


def test_owner_card_with_contact(client, owner):
    login(client, EMAIL)
    text = pdf_text(client.get("/profile/card.pdf?contact=1").get_data())
    assert PHONE in text
    assert WHATSAPP in text
    assert EMAIL in text
    assert "Derb Sultan" not in text  # the address is never on the card


def test_user_without_profile_is_sent_to_own_space(client, make_user):
    make_user(email="staff@example.org")
    login(client, "staff@example.org")
    response = client.get("/profile/card.pdf")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/profile")
