"""The home page (issue 12 point 6): search box into the directory, the newest listed talents
with a photo, figures from a kept aggregate, « how it works », the footer and the phone menu;
robots.txt, the sitemap, the icons and the manifest."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from defusedxml import ElementTree as ET
from sqlalchemy import select, text

from talento.accounts.models import User
from talento.extensions import db
from talento.geo.models import City, Country
from talento.profiles.models import TalentProfile
from talento.profiles.search.directory import listed_conditions
from tests.helpers import SqlStatements, login

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def city_id(app, iso2: str, code: str) -> int:
    with app.app_context():
        return db.session.scalar(
            select(City.id).join(Country).where(Country.iso2 == iso2, City.code == code)
        )


def move_to(app, user_id: int, iso2: str, code: str) -> None:
    with app.app_context():
        user = db.session.get(User, user_id)
        user.city_id = city_id(app, iso2, code)
        user.country_id = db.session.scalar(select(Country.id).where(Country.iso2 == iso2))
        db.session.commit()
        db.session.remove()


@pytest.fixture
def talents(app, make_talent, make_user) -> dict[str, int]:
    """Listed talents with and without a photo, and talents the directory does not list."""
    ids = {
        "amina": make_talent(
            code="MAF0001CAS",
            first_name="Amina",
            last_name="Alaoui",
            photo_name="a" * 32 + ".jpg",
            skills=["actor", "singer"],
        ),
        "youssef": make_talent(
            code="MAM0002RAB",
            first_name="Youssef",
            last_name="Benali",
            gender="M",
            photo_name="b" * 32 + ".jpg",
            skills=["dance-urban"],
        ),
        "nophoto": make_talent(
            code="MAF0003CAS", first_name="Salma", last_name="Sansphoto", skills=["dj"]
        ),
        "inactive": make_talent(
            code="MAF0004CAS",
            first_name="Inès",
            last_name="Désactivée",
            is_active_account=False,
            photo_name="c" * 32 + ".jpg",
            skills=["makeup"],
        ),
        "staff": make_talent(
            code="MAP0005CAS",
            first_name="Paul",
            last_name="Personnel",
            capabilities=["presence"],
            photo_name="d" * 32 + ".jpg",
            skills=["stunt"],
        ),
    }
    move_to(app, ids["youssef"], "MA", "RAB")
    return ids


def home(client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def figures(page: str) -> list[str]:
    block = re.search(r'<ul class="stats home__figures".*?</ul>', page, re.S).group(0)
    return re.findall(r"<strong>([^<]+)</strong>", block)


# -- the page ----------------------------------------------------------------------------------


def test_home_has_one_search_box_into_the_directory(client, talents):
    page = home(client)
    form = re.search(r'<form class="home__search"[^>]*>', page).group(0)
    assert 'method="get"' in form
    assert 'action="/recherche"' in form
    assert 'role="search"' in form
    assert page.count('name="q"') == 1
    assert '<label for="home-q">' in page
    # Suggestions: skills and cities that have listed talents, nothing else.
    datalist = re.search(r'<datalist id="home-suggestions">.*?</datalist>', page, re.S).group(0)
    options = re.findall(r'<option value="([^"]+)">', datalist)
    assert {"Comédien·ne", "Chant", "Danses urbaines", "DJ", "Casablanca", "Rabat"} <= set(options)
    assert "Maquillage" not in options  # only the deactivated talent has it
    assert "Cascadeur·se" not in options  # only a staff account has it


@pytest.mark.both_backends
def test_home_shows_the_newest_listed_talents_with_a_photo(client, talents):
    page = home(client)
    section = re.search(r'<section class="home__newest".*?</section>', page, re.S).group(0)
    names = re.findall(r'<span class="home__name">([^<]+)</span>', section)
    assert names == ["Youssef Benali", "Amina Alaoui"]  # newest first
    assert 'href="/p/MAM0002RAB"' in section
    assert f'src="/media/photos/thumbs/{"b" * 32}.jpg"' in section
    assert 'loading="lazy"' in section
    assert "Danses urbaines" in section
    assert "Rabat" in section
    for absent in ("Sansphoto", "Désactivée", "Personnel", "MAF0004CAS", "MAP0005CAS"):
        assert absent not in page


def test_at_most_eight_newest(client, make_talent):
    for n in range(10):
        make_talent(first_name=f"Talent{n:02d}", photo_name=f"{n:032d}.jpg")
    names = re.findall(r'<span class="home__name">Talent(\d+) ', home(client))
    assert names == [f"{n:02d}" for n in range(9, 1, -1)]


def test_figures_count_listed_talents_their_cities_and_skills(client, talents):
    # Listed: Amina (Casablanca; actor, singer), Youssef (Rabat; urban dance), Salma
    # (Casablanca; DJ). Not the deactivated talent nor the staff account, nor their skills.
    assert figures(home(client)) == ["3", "2", "4"]


def test_figures_and_newest_are_kept_a_minute_per_process(app, client, talents):
    with app.app_context():
        engine = db.engine
    home(client)
    with SqlStatements(engine) as statements:
        page = home(client)
    assert statements.seen == []  # served from the kept showcase
    assert figures(page) == ["3", "2", "4"]

    # A change made elsewhere (another worker: no ORM event in this process) shows once the
    # kept values expire...
    with app.app_context():
        db.session.execute(
            text("UPDATE users SET is_active_account = false WHERE id = :id"),
            {"id": talents["youssef"]},
        )
        db.session.commit()
        db.session.remove()
    assert figures(home(client)) == ["3", "2", "4"]
    app.extensions["talento.showcase"].ttl = 0
    app.extensions["talento.listed_places"].ttl = 0
    page = home(client)
    assert figures(page) == ["2", "1", "3"]
    assert "Youssef" not in page


def test_a_change_made_by_this_process_shows_at_once(app, client, talents, make_talent):
    assert figures(home(client)) == ["3", "2", "4"]
    make_talent(first_name="Nouvelle", photo_name="e" * 32 + ".jpg", skills=["model"])
    page = home(client)
    assert figures(page) == ["4", "2", "5"]
    assert re.search(r'<span class="home__name">Nouvelle ', page)


def test_hidden_and_unverified_talents_stay_off_the_home_page(app, client, talents):
    """The directory's rule decides (listed_conditions); with point 4's visibility and point
    3's verified e-mail in it, hidden or unverified talents are neither shown nor counted."""
    rule = " ".join(str(c) for c in listed_conditions())
    if "visibility" not in rule or "email_verified_at" not in rule:
        pytest.skip("listed_conditions() does not check visibility and e-mail verification yet")
    with app.app_context():
        db.session.get(TalentProfile, talents["amina"]).visibility = "hidden"
        db.session.get(User, talents["youssef"]).email_verified_at = None
        db.session.commit()
        db.session.remove()
    page = home(client)
    assert "Amina" not in page
    assert "Youssef" not in page
    assert figures(page)[0] == "1"


def test_how_it_works_for_talents_and_recruiters_and_a_call_to_register(client, talents):
    page = home(client)
    how = re.search(r'<section class="home__how".*?</section>', page, re.S).group(0)
    assert "Comment ça marche" in how
    assert "Vous êtes un talent" in how
    assert "Vous recrutez" in how
    assert how.count("<li>") == 6
    assert page.count('href="/auth/register"') >= 2


def test_the_page_is_light(client, talents):
    page = home(client)
    css = client.get("/static/css/talento.css").get_data()
    assert len(page.encode()) + len(css) < 50_000
    assert "<script" not in page


def test_signed_in_people_go_to_their_space(client, talents):
    login(client, "talent1@example.org")
    response = client.get("/")
    assert response.status_code == 302
    assert response.location.endswith("/profile")


def test_home_is_never_kept_by_a_cache(client, talents):
    """It shows people's names and faces: an unpublished profile must leave it at once."""
    client.get("/")
    response = client.get("/")
    assert response.headers["Cache-Control"] == "private, no-store"


def test_home_in_english(client, talents):
    page = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in page
    assert "Urban dance" in page  # skills in the visitor's language


# -- the search box ----------------------------------------------------------------------------


def directory_target(client, q: str) -> tuple[str, list[tuple[str, str]]]:
    response = client.get("/recherche", query_string={"q": q})
    assert response.status_code == 302
    target = urlsplit(response.location)
    return target.path, parse_qsl(target.query)


@pytest.mark.both_backends
def test_the_search_box_becomes_the_directory_filters(app, client, talents):
    casablanca = str(city_id(app, "MA", "CAS"))
    rabat = str(city_id(app, "MA", "RAB"))
    assert directory_target(client, "") == ("/talents", [])
    assert directory_target(client, "  benali ") == ("/talents", [("q", "benali")])
    assert directory_target(client, "MAF0001CAS") == ("/talents", [("q", "MAF0001CAS")])
    assert directory_target(client, "Casablanca")[1] == [("country", "MA"), ("city", casablanca)]
    assert directory_target(client, "rabat")[1] == [("country", "MA"), ("city", rabat)]
    assert directory_target(client, "Chant")[1] == [("skill", "singer")]
    assert directory_target(client, "singing")[1] == [("skill", "singer")]  # English name
    assert directory_target(client, "comédienne")[1] == [("skill", "actor")]
    assert directory_target(client, "Comédien·ne")[1] == [("skill", "actor")]
    # A category: every skill of it that listed talents have.
    assert directory_target(client, "Danse")[1] == [("skill", "dance-urban")]
    # Together: the name is what is left.
    assert directory_target(client, "Amina chant Casablanca")[1] == [
        ("q", "Amina"),
        ("skill", "singer"),
        ("country", "MA"),
        ("city", casablanca),
    ]
    # A skill nobody listed has: searched as a name (the directory then says nothing matches).
    assert directory_target(client, "Maquillage")[1] == [("q", "Maquillage")]


def test_the_search_box_lands_on_the_filtered_directory(client, talents):
    response = client.get(
        "/recherche", query_string={"q": "chant casablanca"}, follow_redirects=True
    )
    page = response.get_data(as_text=True)
    assert response.request.path == "/talents"
    assert "Amina Alaoui" in page
    assert "Youssef Benali" not in page
    assert "Salma Sansphoto" not in page
    assert re.search(r'value="singer"[^>]*(checked|selected)', page)  # shown as chosen

    page = client.get("/recherche?q=Rabat", follow_redirects=True).get_data(as_text=True)
    assert "Youssef Benali" in page
    assert "Amina Alaoui" not in page


# -- footer and header -------------------------------------------------------------------------


def test_footer_links_legal_pages_contact_and_languages(client, talents):
    page = home(client)
    footer = re.search(r'<footer class="site-footer">.*?</footer>', page, re.S).group(0)
    for path, label in (
        ("/mentions-legales", "Mentions légales"),
        ("/confidentialite", "Politique de confidentialité"),
        ("/conditions", "Conditions d'utilisation"),
        ("/cookies", "Cookies"),
    ):
        assert f'<a href="{path}">{label}</a>' in footer
    # Without CONTACT_EMAIL, « Contact » leads to the legal notice (the publisher's details).
    assert '<a href="/mentions-legales">Contact</a>' in footer
    assert 'href="/?lang=en"' in footer
    assert 'hreflang="en"' in footer
    assert re.search(r"© 20\d\d ", footer)


def test_footer_contact_is_the_contact_address_when_set(database_url, tmp_path, cleanup):
    from talento.web import build_app
    from tests.helpers import make_settings

    app = build_app(make_settings(database_url, contact_email="contact@talento.ma"))
    page = app.test_client().get("/auth/login").get_data(as_text=True)
    assert '<a href="mailto:contact@talento.ma">Contact</a>' in page


def test_the_header_menu_works_without_javascript(client, talents):
    """A <details> disclosure: the summary is the button, the navigation its content."""
    page = home(client)
    header = re.search(r'<header class="site-header">.*?</header>', page, re.S).group(0)
    assert re.search(
        r'<details class="site-menu">\s*<summary class="site-menu__button">.*?Menu</summary>\s*'
        r'<nav class="site-nav" aria-label="Navigation principale">',
        header,
        re.S,
    )
    assert header.index("</nav>") < header.index("</details>")
    assert "<script" not in header


def test_pages_link_the_icons_and_the_manifest(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<link rel="icon" href="/favicon.ico"' in page
    assert 'href="/static/icons/icon-32.png" type="image/png" sizes="32x32"' in page
    assert '<link rel="apple-touch-icon" href="/static/icons/apple-touch-icon.png">' in page
    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<meta name="theme-color" content="#9b2c1f">' in page


# -- robots, sitemap, icons ---------------------------------------------------------------------


def base_url(app) -> str:
    return app.extensions["talento.settings"].base_url


def test_robots_txt(app, client):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    lines = response.get_data(as_text=True).splitlines()
    assert "User-agent: *" in lines
    for path in ("/admin", "/auth", "/profile", "/account"):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /talents" not in lines
    assert "Disallow: /p/" not in lines
    assert f"Sitemap: {base_url(app)}/sitemap.xml" in lines
    assert response.headers["Cache-Control"] == "public, max-age=86400"


def sitemap_locs(client, path: str = "/sitemap.xml") -> tuple[str, list[str]]:
    response = client.get(path)
    assert response.status_code == 200
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.get_data())  # well-formed XML, or this raises
    return root.tag, [loc.text for loc in root.iter(f"{SITEMAP}loc")]


@pytest.mark.both_backends
def test_sitemap_lists_public_pages_and_listed_talents_only(app, client, talents):
    tag, locs = sitemap_locs(client)
    assert tag == f"{SITEMAP}urlset"
    base = base_url(app)
    assert locs[:6] == [
        f"{base}/",
        f"{base}/talents",
        f"{base}/mentions-legales",
        f"{base}/confidentialite",
        f"{base}/conditions",
        f"{base}/cookies",
    ]
    assert locs[6:] == [f"{base}/p/MAF0001CAS", f"{base}/p/MAM0002RAB", f"{base}/p/MAF0003CAS"]
    page = client.get("/sitemap.xml").get_data(as_text=True)
    assert page.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert re.search(r"<lastmod>\d{4}-\d\d-\d\d</lastmod>", page)


def test_sitemap_leaves_out_hidden_and_unverified_talents(app, client, talents):
    rule = " ".join(str(c) for c in listed_conditions())
    if "visibility" not in rule or "email_verified_at" not in rule:
        pytest.skip("listed_conditions() does not check visibility and e-mail verification yet")
    with app.app_context():
        db.session.get(TalentProfile, talents["amina"]).visibility = "hidden"
        db.session.get(User, talents["youssef"]).email_verified_at = None
        db.session.commit()
        db.session.remove()
    _, locs = sitemap_locs(client)
    assert [loc for loc in locs if "/p/" in loc] == [f"{base_url(app)}/p/MAF0003CAS"]


def test_a_large_sitemap_becomes_an_index_of_parts(app, client, make_talent):
    app.config["TALENTO_SITEMAP_URLS"] = 4  # 50,000 in production: the protocol's limit
    codes = [f"MAF{n:04d}CAS" for n in range(1, 6)]
    for code in codes:
        make_talent(code=code)
    tag, parts = sitemap_locs(client)
    assert tag == f"{SITEMAP}sitemapindex"  # 6 fixed pages + 5 talents = 11 → 3 parts
    assert parts == [f"{base_url(app)}/sitemap-{n}.xml" for n in (1, 2, 3)]
    seen = []
    for n in (1, 2, 3):
        tag, locs = sitemap_locs(client, f"/sitemap-{n}.xml")
        assert tag == f"{SITEMAP}urlset"
        assert len(locs) <= 4
        seen += locs
    assert len(seen) == 11 == len(set(seen))
    assert [loc.rsplit("/", 1)[1] for loc in seen if "/p/" in loc] == codes
    assert client.get("/sitemap-4.xml").status_code == 404
    assert client.get("/sitemap-0.xml").status_code == 404


def test_the_sitemap_is_one_query_for_the_talents(app, client, make_talent):
    for _ in range(5):
        make_talent()
    with app.app_context():
        engine = db.engine
    client.get("/sitemap.xml")  # the kept listed count
    with SqlStatements(engine) as statements:
        client.get("/sitemap.xml")
    assert len(statements.seen) == 1


def test_favicon_icons_and_manifest_are_served(client):
    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 200
    assert favicon.mimetype == "image/x-icon"
    assert favicon.get_data()[:4] == b"\x00\x00\x01\x00"  # ICO header
    assert favicon.headers["Cache-Control"] == "public, max-age=604800"
    for name, size in (
        ("icon-32.png", 32),
        ("apple-touch-icon.png", 180),
        ("icon-192.png", 192),
        ("icon-512.png", 512),
    ):
        response = client.get(f"/static/icons/{name}")
        assert response.status_code == 200, name
        data = response.get_data()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
        assert (width, height) == (size, size), name
        assert len(data) < 20_000, name
    manifest = client.get("/manifest.webmanifest")
    assert manifest.mimetype == "application/manifest+json"
    body = manifest.get_json(force=True)
    assert body["name"] == "Talento"
    assert body["theme_color"] == "#9b2c1f"
    assert {icon["sizes"] for icon in body["icons"]} == {"192x192", "512x512"}
    for icon in body["icons"]:
        assert client.get(icon["src"]).status_code == 200
