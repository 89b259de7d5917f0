"""Morocco's cities as a Moroccan user knows them: French names, fixed 3-letter codes.

The codes are those of the TalentsMaroc database Talento imports (the last three letters of a
user code ``PPGNNNNVVV``): they never change. Laâyoune, Dakhla, Smara, Boujdour and Tarfaya are
Moroccan cities; geonames files them under "EH", which Talento folds into "MA".
Source: ``shared/reference/ma-cities-talentsmaroc.csv`` (79 cities).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

#: Countries that Talento does not offer: their cities belong to the mapped country.
FOLDED_COUNTRIES: Mapping[str, str] = {"EH": "MA"}

#: (code, French name) of the reference list, spelled as in the reference file.
MOROCCAN_CITIES: tuple[tuple[str, str], ...] = (
    ("AGA", "Agadir"),
    ("AHR", "Aïn Harrouda"),
    ("HOC", "Al Hoceïma"),
    ("ASI", "Asilah"),
    ("AZE", "Azemmour"),
    ("AZR", "Azrou"),
    ("BGU", "Ben Guerir"),
    ("BEM", "Béni Mellal"),
    ("BSL", "Benslimane"),
    ("BRK", "Berkane"),
    ("BER", "Berrechid"),
    ("BJD", "Boujdour"),
    ("BOU", "Bouskoura"),
    ("CAS", "Casablanca"),
    ("CHF", "Chefchaouen"),
    ("DAK", "Dakhla"),
    ("EHJ", "El Hajeb"),
    ("ELJ", "El Jadida"),
    ("EKS", "El Kelaa des Sraghna"),
    ("ERR", "Errachidia"),
    ("ESS", "Essaouira"),
    ("FES", "Fès"),
    ("FIG", "Figuig"),
    ("FNI", "Fnideq"),
    ("GUE", "Guelmim"),
    ("GCF", "Guercif"),
    ("IFR", "Ifrane"),
    ("IMK", "Imouzzer Kandar"),
    ("INE", "Inezgane"),
    ("JER", "Jerada"),
    ("KMG", "Kelaat MGouna"),
    ("KEN", "Kenitra"),
    ("KHE", "Khémisset"),
    ("KHN", "Khenifra"),
    ("KHO", "Khouribga"),
    ("KSA", "Ksar El Kébir"),
    ("LAA", "Laâyoune"),
    ("LAR", "Larache"),
    ("MAR", "Marrakech"),
    ("MRT", "Martil"),
    ("MDQ", "Mdiq"),
    ("MEK", "Meknès"),
    ("MID", "Midelt"),
    ("MOH", "Mohammedia"),
    ("NAD", "Nador"),
    ("NOU", "Nouaceur"),
    ("OAL", "Oualidia"),
    ("OZZ", "Ouarzazate"),
    ("OZM", "Oued Zem"),
    ("OUZ", "Ouezzane"),
    ("OUJ", "Oujda"),
    ("RAB", "Rabat"),
    ("SAF", "Safi"),
    ("SAL", "Salé"),
    ("SEF", "Sefrou"),
    ("SET", "Settat"),
    ("SBN", "Sidi Bennour"),
    ("SIF", "Sidi Ifni"),
    ("SKC", "Sidi Kacem"),
    ("SSL", "Sidi Slimane"),
    ("SKH", "Skhirat"),
    ("SMA", "Smara"),
    ("TAF", "Tafraout"),
    ("TAG", "Taghazout"),
    ("TAN", "Tan-Tan"),
    ("TNG", "Tanger"),
    ("TAO", "Taourirt"),
    ("TRF", "Tarfaya"),
    ("TRD", "Taroudant"),
    ("TAT", "Tata"),
    ("TAZ", "Taza"),
    ("TEM", "Témara"),
    ("TET", "Tétouan"),
    ("TIF", "Tiflet"),
    ("TGH", "Tinghir"),
    ("TIZ", "Tiznit"),
    ("YOU", "Youssoufia"),
    ("ZAG", "Zagora"),
    ("ZAI", "Zaïo"),
)

#: Spellings the issue asks for where the reference file dropped the accent.
NAME_FIXES: Mapping[str, str] = {"KEN": "Kénitra"}

#: Other spellings (geonames, English) of a reference city or a district of it, by match key.
ALIASES: Mapping[str, str] = {
    "tangier": "TNG",
    "marrakesh": "MAR",
    "fnidek": "FNI",
    "elkelaadessrarhna": "EKS",
    "skhirate": "SKH",
    "newfes": "FES",
    "fesalbali": "FES",
    "laayoune": "LAA",
    "kelaatmgouna": "KMG",
}


def match_key(name: str) -> str:
    """Letters only, no accents, case-folded: « Laâyoune », "Laayoune" and "LAAYOUNE" meet."""
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if c.isalpha() and not unicodedata.combining(c)).casefold()


def reference_cities() -> dict[str, str]:
    """code -> French name, with the accent fixes applied."""
    return {code: NAME_FIXES.get(code, name) for code, name in MOROCCAN_CITIES}


def reference_code(name: str) -> str | None:
    """The reference code of a city spelled `name` (any spelling listed), or None."""
    key = match_key(name)
    if key in ALIASES:
        return ALIASES[key]
    return _BY_KEY.get(key)


_BY_KEY: dict[str, str] = {match_key(name): code for code, name in MOROCCAN_CITIES}
_BY_KEY.update({match_key(name): code for code, name in NAME_FIXES.items()})


#: Coordinates (WGS 84) of the reference cities that geonames' 15000 set does not hold (small
#: towns), so "within N km of" works for every Moroccan city.
REFERENCE_COORDINATES: dict[str, tuple[float, float]] = {
    "FIG": (32.109, -1.229),  # Figuig
    "NOU": (33.367, -7.583),  # Nouaceur
    "OAL": (32.735, -9.031),  # Oualidia
    "TAF": (29.722, -8.973),  # Tafraout
    "TAG": (30.545, -9.709),  # Taghazout
    "TRF": (27.939, -12.926),  # Tarfaya
}
