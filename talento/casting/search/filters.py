"""The casting search's criteria: one validated, immutable :class:`CastingFilters` read from a
query string by :func:`parse_filters` (through the one reader, ``profiles.search.query_args``).

Every closed list offers exactly the codes of ``casting.vocabulary`` (or the languages'
vocabulary); an unknown code, a bad number, a control character or a repeated single value is
ignored, never an error: a hand-edited or hostile URL shows a broader search, not a 500.
The page, its facets and the exports (PDF, XLSX) all read their criteria here, so an export
lists exactly the rows of the page it was asked from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from talento.accounts.models import Gender
from talento.casting import vocabulary as v
from talento.profiles.languages import LANGUAGES
from talento.profiles.search.query_args import COUNTRY_RE, MAX_ID, QueryArgs

SORTS = ("relevance", "newest", "height", "height_desc", "age", "age_desc")
DEFAULT_SORT = "relevance"
VIEWS = ("sheet", "table")
PER_PAGE = 48
MAX_PAGE = 2_000  # OFFSET stays below 100,000 rows whatever the URL says
MAX_Q_LENGTH = 100
MAX_AGE = 120
LEVELS = ("conversational", "fluent", "native")
#: Radii offered around a city, in kilometres.
RADII = (10, 25, 50, 100, 200, 300)
#: « mis à jour depuis moins de N mois ».
MONTHS = (1, 3, 6, 12, 24)
MAX_CHOICES = 20

#: Multi-valued criteria over a closed vocabulary, by query-string name: (vocabulary, all
#: chosen are required (True) or any one of them (False)).
CLOSED: Mapping[str, tuple[Mapping[str, object], bool]] = {
    "type": (v.TALENT_TYPES, False),
    "ethnicity": (v.ETHNICITIES, False),
    "eyes": (v.EYE_COLOURS, False),
    "hair": (v.HAIR_COLOURS, False),
    "hair_type": (v.HAIR_TYPES, False),
    "hair_length": (v.HAIR_LENGTHS, False),
    "skin": (v.SKIN_TONES, False),
    "build": (v.BUILDS, False),
    "top": (v.TOP_SIZES, False),
    "language": (LANGUAGES, True),
    "accent": (v.ACCENTS, True),
    "skill": (v.SKILLS, True),
    "asset": (v.ASSETS, True),
}
#: Integer ranges by query-string name prefix: (low, high) accepted.
RANGES: Mapping[str, tuple[int, int]] = {
    "age": (0, MAX_AGE),
    "play": (0, 100),
    "height": (100, 250),
    "shoe": (15, 52),
}
FLAGS = ("card", "photo", "voice")


@dataclass(frozen=True)
class CastingFilters:
    """What casting staff asked for, already validated (build it with :func:`parse_filters`)."""

    q: str = ""
    gender: str | None = None
    # Multi-valued closed lists (the keys of CLOSED, same names).
    type: tuple[str, ...] = ()
    ethnicity: tuple[str, ...] = ()
    eyes: tuple[str, ...] = ()
    hair: tuple[str, ...] = ()
    hair_type: tuple[str, ...] = ()
    hair_length: tuple[str, ...] = ()
    skin: tuple[str, ...] = ()
    build: tuple[str, ...] = ()
    top: tuple[str, ...] = ()
    language: tuple[str, ...] = ()
    accent: tuple[str, ...] = ()
    skill: tuple[str, ...] = ()
    asset: tuple[str, ...] = ()
    #: The lowest level for each chosen language (None: any level); only with languages.
    level: str | None = None
    # Ranges (min, max), each bound optional, swapped when given in the wrong order.
    age_min: int | None = None
    age_max: int | None = None
    play_min: int | None = None
    play_max: int | None = None
    height_min: int | None = None
    height_max: int | None = None
    shoe_min: int | None = None
    shoe_max: int | None = None
    nationality: str | None = None  # ISO-2
    country: str | None = None  # ISO-2 of residence
    city: int | None = None  # city of residence (ignored when `near` is set)
    near: int | None = None  # a city id: « à moins de `km` km de … »
    km: int = 100
    card: bool = False  # artist card checked by an admin
    photo: bool = False
    voice: bool = False
    months: int | None = None  # updated in the last N months
    sort: str = DEFAULT_SORT
    view: str = "sheet"
    page: int = 1

    @property
    def chosen(self) -> int:
        """How many criteria are set (the sort, view and page are not criteria)."""
        skipped = {"sort", "view", "page", "km", "level"}
        return sum(
            1
            for f in fields(self)
            if f.name not in skipped and getattr(self, f.name) not in (None, "", (), False)
        )

    @property
    def refined(self) -> bool:
        """A criterion other than the text box is set (the filters' <details> opens)."""
        return self.chosen > (1 if self.q else 0)

    def query_args(self, **changes) -> list[tuple[str, str]]:
        """The query-string pairs that reproduce these filters (defaults left out)."""
        f = replace(self, **changes) if changes else self
        pairs: list[tuple[str, str]] = []
        for field in fields(f):
            value, default = getattr(f, field.name), field.default
            if value == default:
                continue
            if isinstance(value, tuple):
                pairs += [(field.name, str(item)) for item in value]
            elif isinstance(value, bool):
                pairs.append((field.name, "1"))
            else:
                pairs.append((field.name, str(value)))
        return pairs


def _range(read: QueryArgs, name: str) -> tuple[int | None, int | None]:
    low, high = RANGES[name]
    first = read.integer(f"{name}_min", low=low, high=high)
    last = read.integer(f"{name}_max", low=low, high=high)
    if first is not None and last is not None and first > last:
        return last, first
    return first, last


def _flag(read: QueryArgs, name: str) -> bool:
    return read.raw(name) in ("1", "on", "y", "yes", "true")


def parse_filters(args: Mapping) -> CastingFilters:
    """Validate query parameters: bad values are dropped or clamped, never an error."""
    read = QueryArgs(args)
    closed = {
        name: read.choices(name, vocabulary, fold=str.lower, most=MAX_CHOICES)
        for name, (vocabulary, _all) in CLOSED.items()
    }
    ranges = {}
    for name in RANGES:
        ranges[f"{name}_min"], ranges[f"{name}_max"] = _range(read, name)
    km = read.integer("km", low=1, high=max(RADII))
    near = read.integer("near", low=1, high=MAX_ID)
    months = read.integer("months", low=1, high=max(MONTHS))
    values: dict[str, Any] = {**closed, **ranges}
    return CastingFilters(
        q=read.text("q", max_length=MAX_Q_LENGTH),
        gender=read.choice("gender", set(Gender), fold=str.upper),
        level=read.choice("level", LEVELS) if closed["language"] else None,
        **values,
        nationality=read.token("nationality", COUNTRY_RE, fold=str.upper),
        country=read.token("country", COUNTRY_RE, fold=str.upper),
        city=None if near else read.integer("city", low=1, high=MAX_ID),
        near=near,
        km=km if km in RADII else 100,
        card=_flag(read, "card"),
        photo=_flag(read, "photo"),
        voice=_flag(read, "voice"),
        months=months if months in MONTHS else None,
        sort=read.choice("sort", SORTS, DEFAULT_SORT),
        view=read.choice("view", VIEWS, "sheet"),
        page=read.page(last=MAX_PAGE),
    )
