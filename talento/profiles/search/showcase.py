"""What the home page shows of the listed talents: figures, the newest profiles with a photo, the
names its search box suggests, and how that box's text becomes the directory's filters.

Listed means :func:`~talento.profiles.search.directory.listed_conditions` (the directory's
rule): a talent the directory would not show is never on the home page either.

Everything here is kept `ttl` seconds per process, per language, like the directory's
:class:`~talento.profiles.search.directory.ListedPlaces` (whose counts it reuses): at 100,000
talents, « the newest with a photo » may read many rows when few talents have one, and the
figures are aggregates. A change to talents made by this process drops the kept values at once;
another process sees it within `ttl` seconds. Only public data is selected (names, code, city,
skills, photo file name); the photo route checks again, per request, that the account is
active.

The search box is one text field. :func:`directory_args` turns its text into the directory's
own parameters (no second search engine): a skill or category name → ``skill``, the name of a
city where talents are listed → ``country`` + ``city``, anything else → ``q`` (name or code).
"""

from __future__ import annotations

import threading
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.geo.models import City, Country
from talento.geo.services import french_key
from talento.profiles.models import Skill, SkillCategory, TalentProfile, talent_skills
from talento.profiles.search.directory import (
    _CODE_RE,
    MAX_Q_LENGTH,
    ListedPlaces,
    listed_conditions,
    local_changes,
    sort_key,
)

NEWEST = 8
#: How far back « the newest with a photo » looks (most recent listed talents).
NEWEST_WINDOW = 2000
CARD_SKILLS = 2
#: Cities offered as suggestions (those with the most listed talents).
SUGGESTED_CITIES = 60
#: Longest name looked for in the text, in words (« Ben Guerir », « Voix off / doublage »).
_LONGEST_NAME = 6


@dataclass(frozen=True)
class Figures:
    talents: int
    cities: int
    skills: int


@dataclass(frozen=True)
class ShowcaseCard:
    code: str
    first_name: str
    last_name: str
    photo_name: str
    city: str | None
    skills: tuple[str, ...]


@dataclass(frozen=True)
class Lookup:
    """Normalised names → directory parameters, in every language."""

    skills: dict[str, tuple[str, ...]] = field(default_factory=dict)  # key → skill slugs
    cities: dict[str, tuple[str, int]] = field(default_factory=dict)  # key → (iso2, city id)


@dataclass(frozen=True)
class Showcase:
    figures: Figures
    newest: tuple[ShowcaseCard, ...]
    #: Suggestions of the search box (datalist), in the page's language.
    skill_names: tuple[str, ...]
    city_names: tuple[str, ...]
    lookup: Lookup


# -- names -------------------------------------------------------------------------------------


def name_key(text: str) -> str:
    """Accents, case and punctuation left out: « Fès » and « fes », « Comédien·ne » and
    « comedien ne » give the same key."""
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(c if c.isalnum() else " " for c in decomposed if not unicodedata.combining(c))
    return " ".join(letters.casefold().split())


def name_keys(name: str) -> set[str]:
    """The keys a typed name may have: the whole name, each « / » alternative, and inclusive
    forms without their ending (« Comédien·ne » → comedien ne, comedien, comedienne)."""
    keys = {name_key(name)}
    for part in name.split("/"):
        keys.add(name_key(part))
        if "·" in part:
            keys.add(name_key(part.split("·")[0]))
            keys.add(name_key(part.replace("·", "")))
    return {key for key in keys if key}


def directory_args(text: str, lookup: Lookup) -> list[tuple[str, str]]:
    """The directory's query parameters for the search box's `text`.

    A talent code goes to ``q`` as it is. Otherwise the longest run of words naming a city,
    then the longest naming a skill or a category, become filters; the words left, if any,
    search names.
    """
    text = " ".join(text.split())[:MAX_Q_LENGTH]
    if not text:
        return []
    if _CODE_RE.match(text.upper()):
        return [("q", text)]
    words = text.split(" ")
    args: list[tuple[str, str]] = []
    city, words = _take(words, lookup.cities)
    slugs, words = _take(words, lookup.skills)
    if words:
        args.append(("q", " ".join(words)))
    args += [("skill", slug) for slug in slugs or ()]
    if city:
        args += [("country", city[0]), ("city", str(city[1]))]
    return args


def _take(words: list[str], table: dict) -> tuple:
    """The value of the longest run of `words` whose key is in `table`, and the other words."""
    for size in range(min(len(words), _LONGEST_NAME), 0, -1):
        for start in range(len(words) - size + 1):
            key = name_key(" ".join(words[start : start + size]))
            if key in table:
                return table[key], words[:start] + words[start + size :]
    return None, words


# -- the kept showcase -------------------------------------------------------------------------


class ShowcaseCache:
    """The home page's :class:`Showcase` per language, kept `ttl` seconds (see the module)."""

    def __init__(self, listed: ListedPlaces, ttl: float = 60.0) -> None:
        self.listed = listed
        self.ttl = ttl
        self._lock = threading.Lock()
        self._kept: dict[str, tuple[Showcase, float, int]] = {}

    def get(self, session: Session, lang: str) -> Showcase:
        with self._lock:
            entry = self._kept.get(lang)
        if entry is not None:
            showcase, at, generation = entry
            if time.monotonic() - at < self.ttl and generation == local_changes():
                return showcase
        generation = local_changes()
        showcase = build_showcase(session, lang, self.listed)
        with self._lock:
            self._kept[lang] = (showcase, time.monotonic(), generation)
        return showcase


def build_showcase(session: Session, lang: str, listed: ListedPlaces) -> Showcase:
    """Five statements at most: the listed places (unless `listed` keeps them), the skills
    that have a listed talent, their categories, the listed cities, the newest cards (and
    their skills)."""
    counts = listed.counts(session)
    by_city: Counter[int] = Counter()
    for (_country, city), n in counts.items():
        if city is not None:
            by_city[city] += n

    skill_rows = session.execute(
        select(Skill.slug, Skill.name_fr, Skill.name_en, Skill.category_id, Skill.name(lang)).where(
            exists()
            .where(talent_skills.c.skill_id == Skill.id)
            .where(talent_skills.c.user_id == User.id)
            .where(TalentProfile.user_id == User.id)
            .where(*listed_conditions())
        )
    ).all()
    lookup = Lookup()
    by_category: dict[int, list[str]] = {}
    for slug, name_fr, name_en, category_id, _name in skill_rows:
        by_category.setdefault(category_id, []).append(slug)
        for key in name_keys(name_fr) | name_keys(name_en):
            lookup.skills[key] = (slug,)
    if by_category:
        categories = session.execute(
            select(SkillCategory.id, SkillCategory.name_fr, SkillCategory.name_en).where(
                SkillCategory.id.in_(by_category)
            )
        )
        for category_id, name_fr, name_en in categories:
            for key in name_keys(name_fr) | name_keys(name_en):
                lookup.skills.setdefault(key, tuple(sorted(by_category[category_id])))

    city_names: list[str] = []
    if by_city:
        city_rows = session.execute(
            select(City.id, City.name, Country.iso2)
            .join(Country, Country.id == City.country_id)
            .where(City.id.in_(list(by_city)))
        ).all()
        # The city with the most talents wins a name two countries share.
        for city_id, name, iso2 in sorted(city_rows, key=lambda row: by_city[row[0]]):
            lookup.cities[name_key(name)] = (iso2, city_id)
        top = {city_id for city_id, _ in by_city.most_common(SUGGESTED_CITIES)}
        city_names = sorted({name for cid, name, _ in city_rows if cid in top}, key=french_key)

    return Showcase(
        figures=Figures(talents=sum(counts.values()), cities=len(by_city), skills=len(skill_rows)),
        newest=newest_cards(session, lang),
        skill_names=tuple(sorted({row[-1] for row in skill_rows}, key=sort_key)),
        city_names=tuple(city_names),
        lookup=lookup,
    )


def newest_cards(
    session: Session, lang: str, limit: int = NEWEST, window: int = NEWEST_WINDOW
) -> tuple[ShowcaseCard, ...]:
    """The `limit` most recently registered listed talents who have a photo, among the
    `window` most recent listed talents: a bounded read (an index scan of `window` rows) even
    when few talents have a photo, where « the newest with a photo » would otherwise read every
    talent (about 0.4 s at 100,000 without photos)."""
    recent = (
        select(User.id)
        .join(TalentProfile, TalentProfile.user_id == User.id)
        .where(*listed_conditions())
        .order_by(User.created_at.desc(), User.id.desc())
        .limit(window)
        .subquery()
    )
    rows = session.execute(
        select(
            User.id,
            User.code,
            User.first_name,
            User.last_name,
            TalentProfile.photo_name,
            City.name,
        )
        .join(recent, recent.c.id == User.id)
        .join(TalentProfile, TalentProfile.user_id == User.id)
        .outerjoin(City, City.id == User.city_id)
        .where(TalentProfile.photo_name.is_not(None))
        .order_by(User.created_at.desc(), User.id.desc())
        .limit(limit)
    ).all()
    skills: dict[int, list[str]] = {}
    if rows:
        skill_rows = session.execute(
            select(talent_skills.c.user_id, Skill.name(lang))
            .join(Skill, Skill.id == talent_skills.c.skill_id)
            .where(talent_skills.c.user_id.in_([row[0] for row in rows]))
        )
        for user_id, name in skill_rows:
            skills.setdefault(user_id, []).append(name)
    return tuple(
        ShowcaseCard(
            code=code,
            first_name=first,
            last_name=last,
            photo_name=photo or "",  # never empty: the query asks for a photo
            city=city,
            skills=tuple(sorted(skills.get(user_id, ()), key=sort_key)[:CARD_SKILLS]),
        )
        for user_id, code, first, last, photo, city in rows
    )
