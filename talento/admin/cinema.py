"""The admin's list of casting profiles (`/admin/cinema`): filters, what each profile lacks.

One page is two statements whatever its size (a ``COUNT`` and the page's rows, selected as
columns: no profile entity is loaded, so none of its relationships or encrypted columns
either). Whether a profile has a photo, a talent type or an artist card number is a
subquery / ``IS NOT NULL`` in the same statement: nothing is decrypted and nothing is
queried per row. The page walks ``ix_casting_profiles_updated_at`` backwards; the count
joins ``users`` only when a filter reads it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.admin.cinema_figures import BAND_KEYS, GENDERS, UNKNOWN, band_condition, born_before
from talento.casting import vocabulary as v
from talento.casting.access import ADULT_AGE
from talento.casting.artist_card import CardState, card_state
from talento.casting.models import DONE, CastingPhoto, CastingProfile, CastingTalentType
from talento.geo.models import Country
from talento.i18n import lazy_gettext as _l
from talento.profiles.search.query_args import QueryArgs

PER_PAGE = 50
MAX_PAGE = 10_000
ISO2_RE = re.compile(r"[A-Z]{2}")
STATES = ("incomplete", "complete")
PHOTO_CHOICES = ("without", "with")


@dataclass(frozen=True)
class CinemaFilters:
    """The list's filters, as the query string gives them (each one narrows the list)."""

    state: str = ""  # "incomplete" / "complete"
    photo: str = ""  # "without" / "with"
    card: str = ""  # "pending": a number given, not verified
    minors: bool = False
    talent_type: str = ""
    gender: str = ""
    country: str = ""  # ISO-2
    band: str = ""

    def args(self, **changes) -> dict[str, str]:
        """Query-string values of these filters (blank ones left out), with `changes`."""
        values = {**asdict(self), **changes}
        values["minors"] = "1" if values["minors"] else ""
        values["type"] = values.pop("talent_type")
        return {key: str(value) for key, value in values.items() if value}

    @property
    def any(self) -> bool:
        return any(asdict(self).values())

    @property
    def on_users(self) -> bool:
        """Some filter reads the account row (age, gender, country)."""
        return bool(self.minors or self.band or self.gender or self.country)


def parse_filters(args: Mapping) -> CinemaFilters:
    query = QueryArgs(args)
    return CinemaFilters(
        state=query.choice("state", STATES, ""),
        photo=query.choice("photo", PHOTO_CHOICES, ""),
        card=query.choice("card", ("pending",), ""),
        minors=query.raw("minors") == "1",
        talent_type=query.choice("type", tuple(v.TALENT_TYPES), ""),
        gender=query.choice("gender", GENDERS, "", fold=str.upper),
        country=query.token("country", ISO2_RE, fold=str.upper) or "",
        band=query.choice("band", (*BAND_KEYS, UNKNOWN), ""),
    )


def _has_photo() -> ColumnElement[bool]:
    return exists().where(CastingPhoto.user_id == CastingProfile.user_id)


def _has_type(code: str | None = None) -> ColumnElement[bool]:
    stmt = exists().where(CastingTalentType.user_id == CastingProfile.user_id)
    return stmt.where(CastingTalentType.code == code) if code else stmt


def _conditions(filters: CinemaFilters, today: dt.date) -> list[ColumnElement[bool]]:
    found: list[ColumnElement[bool]] = []
    if filters.state == "incomplete":
        found.append(CastingProfile.registration_step != DONE)
    elif filters.state == "complete":
        found.append(CastingProfile.registration_step == DONE)
    if filters.photo:
        found.append(_has_photo() if filters.photo == "with" else ~_has_photo())
    if filters.card == "pending":
        found.append(
            and_(
                CastingProfile.artist_card_number.is_not(None),
                CastingProfile.artist_card_verified_at.is_(None),
            )
        )
    if filters.minors:
        found.append(User.date_of_birth > born_before(today, ADULT_AGE))
    if filters.talent_type:
        found.append(_has_type(filters.talent_type))
    if filters.gender:
        found.append(User.gender == filters.gender)
    if filters.country:
        country_id = select(Country.id).where(Country.iso2 == filters.country).scalar_subquery()
        found.append(User.country_id == country_id)
    if filters.band:
        found.append(band_condition(filters.band, today))
    return found


@dataclass(frozen=True)
class CinemaRow:
    user_id: int
    user_code: str
    cinema_code: str | None
    name: str
    email: str
    language: str
    step: str
    minor: bool
    has_photo: bool
    has_type: bool
    has_card: bool
    card: CardState
    height_cm: int | None
    playing_age_min: int | None
    completion_requested_at: dt.datetime | None
    updated_at: dt.datetime

    @property
    def complete(self) -> bool:
        return self.step == DONE

    @property
    def missing(self) -> list[str]:
        """Keys of what the profile lacks (see MISSING_LABELS in the views): the next step
        of an unfinished registration first."""
        found = [] if self.complete else ["step"]
        if not self.has_photo:
            found.append("photo")
        if not self.has_type:
            found.append("talent_type")
        if self.height_cm is None:
            found.append("height")
        if self.playing_age_min is None:
            found.append("playing_age")
        return found


@dataclass(frozen=True)
class CinemaPage:
    rows: list[CinemaRow]
    total: int
    page: int
    pages: int


@dataclass(frozen=True)
class _Card:
    """What :func:`card_state` reads, from the row's columns."""

    artist_card_expires_on: dt.date | None
    artist_card_verified_at: dt.datetime | None


_HAS_CARD = CastingProfile.artist_card_number.is_not(None)


def _row_has(column, owner) -> ColumnElement[bool]:
    """SQL, per row of a page: the profile has a row in `column`'s table. A ``LIMIT 1``
    subquery rather than ``EXISTS``: PostgreSQL would hash an ``EXISTS`` of the select list over
    the whole table, where this one probes the index for the page's rows only."""
    return select(column).where(column == owner).limit(1).scalar_subquery().is_not(None)


def _select_rows():
    return select(
        CastingProfile.user_id,
        User.code.label("user_code"),
        CastingProfile.code.label("cinema_code"),
        User.first_name,
        User.last_name,
        User.email,
        User.language,
        CastingProfile.registration_step,
        User.date_of_birth,
        _row_has(CastingPhoto.user_id, CastingProfile.user_id).label("has_photo"),
        _row_has(CastingTalentType.user_id, CastingProfile.user_id).label("has_type"),
        _HAS_CARD.label("has_card"),
        CastingProfile.artist_card_expires_on,
        CastingProfile.artist_card_verified_at,
        CastingProfile.height_cm,
        CastingProfile.playing_age_min,
        CastingProfile.completion_requested_at,
        CastingProfile.updated_at,
    ).join(User, User.id == CastingProfile.user_id)


def _row(r, today: dt.date) -> CinemaRow:
    return CinemaRow(
        user_id=r.user_id,
        user_code=r.user_code,
        cinema_code=r.cinema_code,
        name=f"{r.first_name} {r.last_name}".strip(),
        email=r.email,
        language=r.language,
        step=r.registration_step,
        minor=r.date_of_birth is not None and r.date_of_birth > born_before(today, ADULT_AGE),
        has_photo=bool(r.has_photo),
        has_type=bool(r.has_type),
        has_card=bool(r.has_card),
        card=card_state(
            _Card(r.artist_card_expires_on, r.artist_card_verified_at), bool(r.has_card), today
        ),
        height_cm=r.height_cm,
        playing_age_min=r.playing_age_min,
        completion_requested_at=r.completion_requested_at,
        updated_at=r.updated_at,
    )


def list_profiles(
    session: Session, filters: CinemaFilters, page: int, today: dt.date, per_page: int = PER_PAGE
) -> CinemaPage:
    """One page of casting profiles, most recently updated first (two statements)."""
    conditions = _conditions(filters, today)
    counted = select(CastingProfile.user_id)
    if filters.on_users:  # the join only when a filter needs it
        counted = counted.join(User, User.id == CastingProfile.user_id)
    total = session.scalar(select(func.count()).select_from(counted.where(*conditions).subquery()))
    total = total or 0
    pages = max(1, -(-total // per_page))
    page = min(page, pages)
    stmt = (
        _select_rows()
        .where(*conditions)
        .order_by(CastingProfile.updated_at.desc(), CastingProfile.user_id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    rows = [_row(r, today) for r in session.execute(stmt)]
    return CinemaPage(rows=rows, total=total, page=page, pages=pages)


def rows_of(session: Session, user_ids: list[int], today: dt.date) -> dict[int, CinemaRow]:
    """The list's rows of these profiles, by user id (one statement)."""
    stmt = _select_rows().where(CastingProfile.user_id.in_(user_ids))
    return {r.user_id: _row(r, today) for r in session.execute(stmt)}


def one_profile(session: Session, user_id: int, today: dt.date) -> CinemaRow | None:
    """The list's row of one profile (for its admin page), or None."""
    found = session.execute(_select_rows().where(CastingProfile.user_id == user_id)).first()
    return _row(found, today) if found is not None else None


#: The registration steps as the admin's pages and the completion e-mail name them.
STEP_LABELS = {
    "identity": _l("Identité"),
    "contact": _l("Coordonnées"),
    "origins": _l("Origines et nationalité"),
    "languages": _l("Langues"),
    "appearance": _l("Apparence"),
    "sizes": _l("Tailles"),
    "skills": _l("Compétences"),
    "experience": _l("Expérience"),
    "photos": _l("Photos"),
    "visibility": _l("Visibilité"),
    DONE: _l("Terminée"),
}
#: What a profile may lack (CinemaRow.missing), as the pages and the e-mail say it.
MISSING_LABELS = {
    "step": _l("inscription inachevée"),
    "photo": _l("aucune photo"),
    "talent_type": _l("aucun type de talent"),
    "height": _l("taille non renseignée"),
    "playing_age": _l("âge de jeu non renseigné"),
}
BAND_LABELS = {
    "minor": _l("Moins de 18 ans"),
    "18_25": _l("18–25 ans"),
    "26_35": _l("26–35 ans"),
    "36_50": _l("36–50 ans"),
    "51_65": _l("51–65 ans"),
    "66_plus": _l("Plus de 65 ans"),
    "unknown": _l("Âge inconnu"),
}
assert list(BAND_KEYS) == list(BAND_LABELS)[:-1]
GENDER_LABELS = {"F": _l("Femmes"), "M": _l("Hommes"), "N": _l("Non précisé")}
CARD_LABELS = {
    "none": _l("Aucune"),
    "pending": _l("À vérifier"),
    "verified": _l("Vérifiée"),
    "expired": _l("Expirée"),
}


def cinema_labels() -> dict:
    """The labels the CINEMA pages and the dashboard's CINEMA section share."""
    return {
        "band_labels": BAND_LABELS,
        "gender_labels": GENDER_LABELS,
        "card_labels": CARD_LABELS,
        "type_labels": v.TALENT_TYPES,
        "step_labels": STEP_LABELS,
        "missing_labels": MISSING_LABELS,
    }
