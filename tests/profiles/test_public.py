"""Public profile page, QR codes and the public allowlist (STYLE #12)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import struct

import pytest
import segno
from sqlalchemy import text

from talento.extensions import db
from talento.profiles.public import PublicLanguage, PublicLink, PublicProfile, public_profile
from talento.profiles.public_views import og_description
from talento.profiles.qr import profile_url, qr_png, qr_svg

BASE = "http://localhost"  # tests.helpers.make_settings' BASE_URL
CODE = "MAF0001CAS"  # make_user's first code
PHONE, WHATSAPP, ADDRESS = "+212612345678", "+212698765432", "12 rue des Secrets"
EMAIL = "amina.public@example.org"


@pytest.fixture
def talent(make_talent):
    return make_talent(
        email=EMAIL,
        first_name="Amina",
        last_name="Éloïse",
        phone=PHONE,
        whatsapp=WHATSAPP,
        address=ADDRESS,
        date_of_birth=dt.date(1994, 5, 17),
        bio="Comédienne de théâtre et de cinéma, basée à Casablanca.",
        skills=["actor", "singer"],
        links={"instagram": "https://instagram.com/x", "linkedin": "https://linkedin.com/in/y"},
        public_links="instagram",
        photo_name="photo-token_1.jpg",
        cv_name="cv-token.pdf",
    )


def _meta(html: str, prop: str) -> str | None:
    match = re.search(rf'<meta property="{re.escape(prop)}" content="([^"]*)"', html)
    return match.group(1) if match else None


# --- the page ------------------------------------------------------------------------------


@pytest.mark.both_backends
def test_public_page_shows_public_fields(client, talent):
    response = client.get(f"/p/{CODE}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Amina" in html
    assert "Éloïse" in html
    assert f'id="public-code">{CODE}<' in html
    assert "Casablanca" in html
    assert "Maroc" in html
    assert "Comédien·ne" in html
    assert "Chant" in html
    assert "Comédienne de théâtre" in html
    assert '<img class="public-profile__photo" src="/media/photos/photo-token_1.jpg"' in html
    assert re.search(
        r'<a href="https://instagram.com/x" rel="nofollow noopener" data-kind="instagram">'
        r'<svg class="icon"[^>]*aria-hidden="true"[^>]*>.*?</svg><span>Instagram</span></a>',
        html,
    )


def test_public_page_never_shows_private_data(client, talent):
    html = client.get(f"/p/{CODE}").get_data(as_text=True)
    for private in (PHONE, "612345678", WHATSAPP, "698765432", ADDRESS, EMAIL, "cv-token"):
        assert private not in html
    for birth in ("1994", "17/05", "05-17"):
        assert birth not in html
    # linkedin is stored but not chosen as public
    assert "linkedin.com" not in html
    assert "LinkedIn" not in html


def test_open_graph_tags_use_base_url(client, talent):
    html = client.get(f"/p/{CODE}", headers={"Host": "evil.example"}).get_data(as_text=True)
    assert _meta(html, "og:url") == f"{BASE}/p/{CODE}"
    assert _meta(html, "og:type") == "profile"
    assert _meta(html, "og:title").startswith("Amina Éloïse")
    assert _meta(html, "og:description").startswith("Comédienne de théâtre")
    assert _meta(html, "og:image") == f"{BASE}/media/photos/photo-token_1.jpg"
    assert f'<link rel="canonical" href="{BASE}/p/{CODE}">' in html


def test_no_og_image_without_photo(client, make_talent):
    make_talent()
    html = client.get(f"/p/{CODE}").get_data(as_text=True)
    assert _meta(html, "og:type") == "profile"
    assert _meta(html, "og:image") is None
    assert "/media/photos/" not in html


def test_lowercase_code_shows_the_canonical_profile(client, talent):
    response = client.get(f"/p/{CODE.lower()}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="public-code">{CODE}<' in html
    assert f"/p/{CODE}/qr.svg" in html  # the QR image and links use the stored code


def test_page_shows_qr_and_download_links(client, talent):
    html = client.get(f"/p/{CODE}").get_data(as_text=True)
    assert f'src="/p/{CODE}/qr.svg"' in html
    assert f'href="/p/{CODE}/qr.png?download=1"' in html
    assert f'href="/p/{CODE}/qr.svg?download=1"' in html
    assert re.search(r'<img src="/p/MAF0001CAS/qr.svg"[^>]*alt="[^"]+"', html)


@pytest.mark.parametrize("path", ["/p/{code}", "/p/{code}/qr.svg", "/p/{code}/qr.png"])
def test_unknown_code_is_404(client, talent, path):
    for code in ("MAF9999CAS", "not-a-code", "A" * 40):
        response = client.get(path.format(code=code))
        assert response.status_code == 404


@pytest.mark.parametrize("path", ["/p/{code}", "/p/{code}/qr.svg", "/p/{code}/qr.png"])
def test_inactive_user_is_404(client, make_talent, path):
    make_talent(is_active_account=False)
    response = client.get(path.format(code=CODE))
    assert response.status_code == 404
    if path == "/p/{code}":
        assert "Page introuvable" in response.get_data(as_text=True)


def test_user_without_talent_profile_is_404(client, make_user):
    make_user()
    assert client.get(f"/p/{CODE}").status_code == 404


def test_non_web_links_are_not_rendered_as_links(client, make_talent):
    make_talent(
        links={"website": "javascript:alert(1)", "instagram": "https://instagram.com/ok"},
        public_links="website,instagram",
    )
    html = client.get(f"/p/{CODE}").get_data(as_text=True)
    assert 'href="javascript:' not in html
    assert "javascript:alert(1)" in html  # shown as escaped text
    assert 'href="https://instagram.com/ok"' in html


# --- QR codes ------------------------------------------------------------------------------


def test_qr_svg_encodes_the_canonical_url(client, talent):
    response = client.get(f"/p/{CODE.lower()}/qr.svg", headers={"Host": "evil.example"})
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert "Content-Disposition" not in response.headers
    body = response.get_data()
    assert b"<svg" in body
    assert body.rstrip().endswith(b"</svg>")
    url = f"{BASE}/p/{CODE}"
    assert body == qr_svg(url)
    expected = io.BytesIO()
    segno.make(url, error="m").save(
        expected, kind="svg", scale=4, border=4, dark="#000", light="#fff"
    )
    assert body == expected.getvalue()


def test_qr_png_encodes_the_canonical_url(client, talent):
    response = client.get(f"/p/{CODE}/qr.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    body = response.get_data()
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", body[16:24])
    url = f"{BASE}/p/{CODE}"
    qr = segno.make(url, error="m")
    assert (width, height) == qr.symbol_size(scale=8, border=4)
    assert qr.error in {"M", "Q", "H"}
    assert not qr.is_micro
    assert body == qr_png(url)


@pytest.mark.parametrize("ext", ["png", "svg"])
def test_qr_download_headers(client, talent, ext):
    response = client.get(f"/p/{CODE.lower()}/qr.{ext}?download=1")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="talento-{CODE}.{ext}"'


def test_profile_url():
    assert profile_url("https://talento.ma", "MAF0001CAS") == "https://talento.ma/p/MAF0001CAS"
    assert profile_url("https://talento.ma/", "MAF0001CAS") == "https://talento.ma/p/MAF0001CAS"


# --- the service: the allowlist ------------------------------------------------------------


def test_public_profile_allowlist_snapshot():
    """Adding a field to the public view must be a deliberate change to this list."""
    assert {f.name for f in dataclasses.fields(PublicProfile)} == {
        "code",
        "first_name",
        "last_name",
        "photo",
        "skills",
        "city",
        "country",
        "bio",
        "links",
        "availability",
        "languages",
        "years_experience",
        "work_mode",
        "rate_min",
        "rate_max",
    }
    assert {f.name for f in dataclasses.fields(PublicLink)} == {"kind", "url"}
    assert {f.name for f in dataclasses.fields(PublicLanguage)} == {
        "code",
        "name",
        "level",
        "level_label",
    }
    assert PublicProfile.__dataclass_params__.frozen


def test_public_profile_service(app, talent):
    with app.app_context():
        profile = public_profile(db.session, CODE.lower())
        english = public_profile(db.session, CODE, lang="en")
        assert public_profile(db.session, "") is None
        assert public_profile(db.session, "MAF0001CA%") is None
    assert profile == PublicProfile(
        code=CODE,
        first_name="Amina",
        last_name="Éloïse",
        photo="photo-token_1.jpg",
        skills=("Chant", "Comédien·ne"),
        city="Casablanca",
        country="Maroc",
        bio="Comédienne de théâtre et de cinéma, basée à Casablanca.",
        links=(PublicLink("instagram", "https://instagram.com/x"),),
        languages=(
            PublicLanguage("ar", "Arabe standard (fousha)", "fluent", "Courant"),
            PublicLanguage("fr", "Français", "fluent", "Courant"),
        ),
    )
    assert english.skills == ("Actor / actress", "Singing")
    assert english.country == "Morocco"


def test_unreadable_links_give_no_links(app, talent):
    with app.app_context():
        db.session.execute(
            text("UPDATE talent_profiles SET links = :v WHERE user_id = :i"),
            {"v": "000000000000$gAAAAABnot-a-token", "i": talent},
        )
        db.session.commit()
        profile = public_profile(db.session, CODE)
    assert profile is not None
    assert profile.links == ()


def test_unsafe_photo_names_are_dropped(app, make_talent):
    make_talent(photo_name="../../etc/passwd")
    with app.app_context():
        assert public_profile(db.session, CODE).photo is None


def test_only_chosen_and_known_kinds_are_public(app, make_talent):
    make_talent(
        links={"instagram": "https://i.example/a", "secret": "https://s.example"},
        public_links="secret, instagram,tiktok",
    )
    with app.app_context():
        links = public_profile(db.session, CODE).links
    assert links == (PublicLink("instagram", "https://i.example/a"),)


@pytest.mark.parametrize(
    ("url", "href"),
    [
        ("https://instagram.com/x", "https://instagram.com/x"),
        ("http://example.org", "http://example.org"),
        ("HTTPS://EXAMPLE.ORG/a", "HTTPS://EXAMPLE.ORG/a"),
        ("javascript:alert(1)", None),
        ("data:text/html,x", None),
        ("ftp://example.org", None),
        ("https:///nohost", None),
        ("//example.org", None),
        ("@handle", None),
    ],
)
def test_public_link_href(url, href):
    assert PublicLink("website", url).href == href


def test_og_description_truncates_long_bios():
    bio = "Danseuse " + "très motivée " * 40
    profile = PublicProfile("MAF0001CAS", "A", "B", None, ("Danse",), "Rabat", None, bio, ())
    description = og_description(profile)
    assert len(description) <= 200
    assert description.endswith("…")
    assert "\n" not in description
    short = dataclasses.replace(profile, bio=None)
    assert og_description(short) == "Danse — Rabat"
