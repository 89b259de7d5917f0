"""``GET /cinema/talents``: the casting search (casting staff and admins only), a GET filter
form that works without JavaScript, facet counts, a contact sheet or a table, pages.

Opened from a role (``?role=<id>``, « Trouver des talents »), the results can be added to the
role's shortlist: a checkbox per face and « Tout ajouter ». Shortlists belong to projects, a
layer above casting, so projects installs the lookup (:data:`SEARCH_TARGET`) and this page only
shows the :class:`SearchTarget` it answers.

The exports of the same result set (« Imprimer » as a PDF contact sheet, XLSX) are
talento/exports/casting_sheet.py: they read the same criteria with the same parser.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from talento.casting import vocabulary as v
from talento.casting.access import is_casting_staff
from talento.casting.search.facets import AllFacets, Facets, facets_for
from talento.casting.search.filters import (
    LEVELS,
    MONTHS,
    PER_PAGE,
    RADII,
    CastingFilters,
    parse_filters,
)
from talento.casting.search.query import search
from talento.context import current_language
from talento.extensions import db, login_manager, utctoday
from talento.geo.models import City, Country
from talento.geo.services import french_key
from talento.i18n import gettext as _
from talento.i18n import lazy_gettext as _l
from talento.profiles.choices import GENDER_LABELS
from talento.profiles.languages import LANGUAGES, display_order

bp = Blueprint("casting_search", __name__, url_prefix="/cinema")

SORT_LABELS = {
    "relevance": _l("Pertinence"),
    "newest": _l("Inscriptions récentes"),
    "height": _l("Taille croissante"),
    "height_desc": _l("Taille décroissante"),
    "age": _l("Âge croissant"),
    "age_desc": _l("Âge décroissant"),
}
LEVEL_LABELS = {
    "conversational": _l("Au moins conversationnel"),
    "fluent": _l("Au moins courant"),
    "native": _l("Langue maternelle"),
}
#: The checkbox lists of the form, in order: (name, legend, vocabulary or None for languages).
LISTS = (
    ("type", _l("Type de talent"), v.TALENT_TYPES),
    ("ethnicity", _l("Apparence (origine)"), v.ETHNICITIES),
    ("eyes", _l("Couleur des yeux"), v.EYE_COLOURS),
    ("hair", _l("Couleur des cheveux"), v.HAIR_COLOURS),
    ("hair_type", _l("Type de cheveux"), v.HAIR_TYPES),
    ("hair_length", _l("Longueur des cheveux"), v.HAIR_LENGTHS),
    ("skin", _l("Teint"), v.SKIN_TONES),
    ("build", _l("Silhouette"), v.BUILDS),
    ("top", _l("Taille de haut"), v.TOP_SIZES),
    ("language", _l("Langues parlées (toutes celles cochées)"), None),
    ("accent", _l("Accents (tous ceux cochés)"), {c: label for c, (_, label) in v.ACCENTS.items()}),
    ("skill", _l("Compétences (toutes celles cochées)"), v.SKILLS),
    ("asset", _l("Peut apporter (tout ce qui est coché)"), v.ASSETS),
)


#: Lists counted from the code tables (not counted past facets.CODE_FACET_CAP matches).
CODE_LISTS = frozenset({"type", "language", "accent", "skill", "asset"})


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    count: int | None  # None: not counted (a broad search)
    checked: bool


@dataclass(frozen=True)
class CheckList:
    name: str
    legend: str
    options: tuple[Option, ...]

    @property
    def chosen(self) -> int:
        return sum(1 for o in self.options if o.checked)


@functools.cache
def _labels(lang: str) -> dict[str, tuple[str, dict[str, str]]]:
    """Each list's legend and labels in `lang`, translated once per process (the catalogues
    are compiled at start-up): called within a request whose language is `lang`."""
    labels: dict[str, tuple[str, dict[str, str]]] = {}
    for name, legend, vocabulary in LISTS:
        words = vocabulary if vocabulary is not None else LANGUAGES
        labels[name] = (str(legend), {code: str(label) for code, label in words.items()})
    return labels


def check_lists(f: CastingFilters, facets: Facets, everyone: Facets) -> list[CheckList]:
    """Each list's values with their count in the result set; values no profile has are left
    out of the long lists (skills, assets, accents, languages) unless chosen. When a broad
    search did not count the code tables, those lists offer what some searched profile has
    (`everyone`, the kept unfiltered facets), without numbers."""
    lists = []
    translated = _labels(current_language())
    for name, _legend, vocabulary in LISTS:
        chosen = set(getattr(f, name))
        counted = facets.codes_counted or name not in CODE_LISTS
        counts = facets.of(name) if counted else everyone.of(name)
        legend, labels = translated[name]
        if vocabulary is None:
            codes = display_order(set(counts) | chosen)
            labels = {code: labels.get(code, code) for code in codes}
        else:
            codes = list(labels)
        long = name in ("skill", "asset", "accent", "language")
        options = tuple(
            Option(code, labels[code], counts.get(code, 0) if counted else None, code in chosen)
            for code in codes
            if not long or counts.get(code) or code in chosen
        )
        lists.append(CheckList(name, legend, options))
    return lists


def _places(f: CastingFilters, facets: Facets, lang: str):
    """Countries some result lives in (plus the chosen ones), the cities offered for « près
    de » and « ville » (the chosen residence country's, Morocco's by default)."""
    session = db.session()
    ids = {int(cid) for cid in facets.of("country_id")}
    chosen = {iso for iso in (f.country, f.nationality) if iso}
    rows = session.execute(
        select(Country.id, Country.iso2, Country.name(lang)).where(
            Country.id.in_(ids) | Country.iso2.in_(chosen)
        )
    ).all()
    countries = sorted(((iso2, name) for _, iso2, name in rows), key=lambda c: french_key(c[1]))
    iso = f.country or "MA"
    city_rows = session.execute(
        select(City.id, City.name).join(Country).where(Country.iso2 == iso)
    ).all()
    cities = sorted(((str(cid), name) for cid, name in city_rows), key=lambda c: french_key(c[1]))
    return countries, cities


#: ``app.extensions`` key of the shortlist lookup installed by projects (see the docstring).
SEARCH_TARGET = "talento.casting_search_target"


@dataclass(frozen=True)
class SearchTarget:
    """The shortlist this search adds to: where to post, what to call it, who is on it."""

    role_id: int
    role_name: str
    project_name: str
    action: str
    shortlist_url: str
    on_list: int
    already: frozenset[int]
    most: int  # the most faces « Tout ajouter » takes


#: (session, viewer, query args, user ids of the page) -> the target, or None.
TargetLookup = Callable[[Session, object, Mapping, Sequence[int]], SearchTarget | None]


def _target(session: Session, page_ids: Sequence[int]) -> SearchTarget | None:
    lookup: TargetLookup | None = current_app.extensions.get(SEARCH_TARGET)
    if lookup is None or not request.args.get("role"):
        return None
    return lookup(session, current_user, request.args, page_ids)


@bp.before_request
def casting_staff_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not is_casting_staff(current_user):
        abort(403)
    return None


@bp.get("/talents")
def talents():
    f = parse_filters(request.args)
    today = utctoday()
    session = db.session()
    cache = current_app.extensions.setdefault("talento.casting_facets", AllFacets())
    page = ((f.page - 1) * PER_PAGE, PER_PAGE)
    facets = facets_for(session, f, today, cache, page=page)
    result = search(
        session,
        f,
        today,
        total=facets.total,
        page_ids=facets.page_ids,
    )
    countries, cities = _places(f, facets, current_language())
    return render_template(
        "casting/search.html",
        filters=f,
        result=result,
        lists=check_lists(f, facets, cache.get(session, today)),
        facets=facets,
        today=today,
        countries=countries,
        cities=cities,
        gender_labels=GENDER_LABELS,
        sort_labels=SORT_LABELS,
        level_labels={level: LEVEL_LABELS[level] for level in LEVELS},
        radii=RADII,
        months=[(m, _("%(num)s mois", num=m)) for m in MONTHS],
        per_page=PER_PAGE,
        target=_target(session, [card.user_id for card in result.items]),
    )
