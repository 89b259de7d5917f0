"""Geography as a Moroccan user expects it: the 79 reference cities with their French names
and codes, sorted as a French reader sorts, and no "Sahara occidental" offered anywhere."""

import csv
import html as html_lib
import re
from pathlib import Path

from sqlalchemy import select, update

from talento.accounts.models import User
from talento.extensions import db
from talento.geo.models import City, Country
from talento.geo.morocco import match_key
from talento.geo.services import cities_of, country_choices, french_key
from tests.helpers import _csrf_from, login

REFERENCE = Path("/work/shared/reference/ma-cities-talentsmaroc.csv")
# The reference file's 79 rows (kept here so the test runs where /work/shared is absent).
EXPECTED_CODES = (
    "AGA AHR HOC ASI AZE AZR BGU BEM BSL BRK BER BJD BOU CAS CHF DAK EHJ ELJ EKS ERR ESS FES "
    "FIG FNI GUE GCF IFR IMK INE JER KMG KEN KHE KHN KHO KSA LAA LAR MAR MRT MDQ MEK MID MOH "
    "NAD NOU OAL OZZ OZM OUZ OUJ RAB SAF SAL SEF SET SBN SIF SKC SSL SKH SMA TAF TAG TAN TNG "
    "TAO TRF TRD TAT TAZ TEM TET TIF TGH TIZ YOU ZAG ZAI"
).split()
ACCENTED = {
    "FES": "Fès",
    "MEK": "Meknès",
    "KEN": "Kénitra",
    "TET": "Tétouan",
    "LAA": "Laâyoune",
    "MAR": "Marrakech",
    "TNG": "Tanger",
    "HOC": "Al Hoceïma",
    "BEM": "Béni Mellal",
    "SAL": "Salé",
    "TEM": "Témara",
    "KSA": "Ksar El Kébir",
    "AHR": "Aïn Harrouda",
    "KHE": "Khémisset",
    "ZAI": "Zaïo",
}
SOUTH = {"LAA": "Laâyoune", "DAK": "Dakhla", "SMA": "Smara", "BJD": "Boujdour", "TRF": "Tarfaya"}


def _moroccan_cities(session) -> dict[str, str]:
    return {c.code: c.name for c in cities_of(session, "MA")}


def test_the_79_reference_cities_with_their_codes_and_french_names(session):
    cities = _moroccan_cities(session)
    assert len(EXPECTED_CODES) == 79
    assert set(EXPECTED_CODES) <= set(cities)
    for code, name in {**ACCENTED, **SOUTH}.items():
        assert cities[code] == name, code
    if REFERENCE.exists():  # the shared reference file itself, where it is mounted
        with REFERENCE.open(encoding="utf-8") as f:
            rows = list(csv.DictReader(f, delimiter=";"))
        assert [r["code"] for r in rows] == EXPECTED_CODES
        for row in rows:  # same names, but for an accent the file dropped (Kenitra)
            assert match_key(cities[row["code"]]) == match_key(row["name"]), row


def test_no_duplicate_city_in_morocco(session):
    keys = [match_key(c.name) for c in cities_of(session, "MA")]
    assert len(keys) == len(set(keys))
    names = set(_moroccan_cities(session).values())
    assert not {"Fes", "Tangier", "Marrakesh", "Meknes", "Laayoune", "New Fes"} & names


def test_western_sahara_is_not_a_country(session):
    assert session.scalars(select(Country).where(Country.iso2 == "EH")).first() is None
    for lang in ("fr", "en", "ar"):
        names = [name for _, name in country_choices(session, lang)]
        assert not [n for n in names if "Sahara" in n or "الصحراء" in n], lang
    assert cities_of(session, "EH") == []


def test_french_key_sorts_as_a_french_reader():
    names = ["Fnideq", "Fès", "Figuig", "Fes", "Essaouira", "Zagora", "Él", "El Jadida"]
    assert sorted(names, key=french_key) == [
        "Él",  # a prefix comes first, accent or not
        "El Jadida",
        "Essaouira",
        "Fes",
        "Fès",
        "Figuig",
        "Fnideq",
        "Zagora",
    ]


def _assert_french_order(names: list[str]) -> None:
    assert names == sorted(names, key=french_key)
    assert names.index("Fès") < names.index("Figuig") < names.index("Fnideq")
    assert names.index("Errachidia") < names.index("Essaouira") < names.index("Fès")
    assert names.index("Béni Mellal") < names.index("Benslimane")  # "beni" < "bens"
    assert names.index("Tétouan") < names.index("Tiflet")  # not after "Z" as in byte order
    assert names.index("Kénitra") < names.index("Khémisset")


def test_geo_cities_endpoint_is_sorted_the_french_way(client):
    names = [c["name"] for c in client.get("/geo/cities?country=MA").json]
    _assert_french_order(names)
    assert len(names) == len(set(names))
    assert client.get("/geo/cities?country=EH").json == []


def _options(page: str, select_name: str) -> list[str]:
    found = re.search(rf'<select[^>]*name="{select_name}"[^>]*>(.*?)</select>', page, re.S)
    assert found, select_name
    return [
        html_lib.unescape(label).strip()
        for attrs, label in re.findall(r"<option([^>]*)>([^<]*)", found[1])  # end tags optional
        if 'value=""' not in attrs
    ]


def test_registration_form_lists_cities_and_countries_in_french_order(client):
    token = _csrf_from(client.get("/auth/register").get_data(as_text=True))
    # Without JavaScript, choosing the country then sending the form lists its cities.
    page = client.post("/auth/register", data={"csrf_token": token, "country": "MA"}).get_data(
        as_text=True
    )
    cities = _options(page, "city")
    _assert_french_order(cities)
    assert set(SOUTH.values()) <= set(cities)
    countries = _options(page, "country")
    assert countries == sorted(countries, key=french_key)
    assert countries.index("Égypte") < countries.index("Espagne")
    assert "Maroc" in countries
    assert "Sahara" not in page


def _put_in_laayoune(app, user_id: int) -> None:
    with app.app_context():
        city = db.session.scalars(
            select(City).join(Country).where(Country.iso2 == "MA", City.code == "LAA")
        ).one()
        db.session.execute(update(User).where(User.id == user_id).values(city_id=city.id))
        db.session.commit()
        db.session.remove()


def test_no_western_sahara_in_filters_pages_and_exports(app, client, make_user, make_talent):
    talent = make_talent(code="MAF0002LAA", email="salma@example.org", first_name="Salma")
    _put_in_laayoune(app, talent)
    make_user(
        code="MAN0001RAB", email="chef@example.org", capabilities=["admin"], last_name="Admin"
    )

    directory = client.get("/talents?country=MA").get_data(as_text=True)
    assert "Laâyoune" in directory
    assert "Sahara" not in directory
    assert client.get("/talents?country=EH").status_code == 200

    assert login(client, "chef@example.org").status_code == 302
    for url in ("/admin/users", "/admin/users?country=MA", "/admin/users/export", "/profile/edit"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert "Sahara" not in page.get_data(as_text=True), url
    admin_cities = _options(client.get("/admin/users?country=MA").get_data(as_text=True), "city")
    _assert_french_order(admin_cities)

    page = client.get("/admin/users/export").get_data(as_text=True)
    export = client.post(
        "/admin/users/export",
        data={
            "csrf_token": _csrf_from(page),
            "format": "csv",
            "columns": ["code", "country", "city"],
        },
    )
    assert export.status_code == 200
    body = export.get_data(as_text=True)
    assert "MAF0002LAA;Maroc;Laâyoune" in body
    assert "Sahara" not in body
