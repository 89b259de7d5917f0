"""CINEMA casting profiles: what casting staff search on, stored beside the talent profile.

One person, one account (DESIGN "Capabilities"): a casting profile extends a talent profile
(``casting_profiles.user_id`` references ``talent_profiles.user_id``), which extends the account.
Names, gender, date of birth, residence, phone and WhatsApp stay on ``users``; nationality and
spoken languages stay on the talent profile (``talent_languages``, one vocabulary everywhere).
Only what casting adds lives here, plus the search's copy of the account's gender, date of
birth, residence and active flag (written by the database's triggers, migration 0013; never by
the application). Closed lists are stable codes of ``casting.vocabulary``,
checked by the database.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.schema import FetchedValue

from talento.casting import vocabulary as v
from talento.crypto import (
    BLIND_INDEX_LENGTH,
    EncryptedText,
    Unavailable,
    active_keyring,
    watch_unreadable_values,
)
from talento.extensions import CreatedAt, Model, UpdatedAt, db, one_of

#: The steps of the casting registration, in order (``casting_profiles.registration_step``
#: names the next one to fill; "done" once the profile is complete).
REGISTRATION_STEPS: tuple[str, ...] = (
    "identity",
    "contact",
    "origins",
    "languages",
    "appearance",
    "sizes",
    "skills",
    "experience",
    "photos",
    "visibility",
)
DONE = "done"


def _range(column: str, low: int, high: int, name: str) -> CheckConstraint:
    return CheckConstraint(f"{column} IS NULL OR {column} BETWEEN {low} AND {high}", name=name)


def _known(column: str, vocabulary: v.Vocabulary, name: str) -> CheckConstraint:
    allowed = ", ".join(f"'{code}'" for code in vocabulary)
    return CheckConstraint(f"{column} IS NULL OR {column} IN ({allowed})", name=name)


class CastingProfile(Model):
    """The casting side of a talent. Identity and guardian contact data are encrypted and
    deferred: loading profiles for a search or a contact sheet never decrypts."""

    __tablename__ = "casting_profiles"
    __table_args__ = (
        one_of("visibility", v.CASTING_VISIBILITIES, name="casting_visibility_known"),
        one_of("registration_step", (*REGISTRATION_STEPS, DONE), name="casting_step_known"),
        _known("id_document_type", v.ID_DOCUMENT_TYPES, "id_document_known"),
        _known("ethnicity", v.ETHNICITIES, "ethnicity_known"),
        _known("eye_colour", v.EYE_COLOURS, "eye_colour_known"),
        _known("hair_colour", v.HAIR_COLOURS, "hair_colour_known"),
        _known("hair_type", v.HAIR_TYPES, "hair_type_known"),
        _known("hair_length", v.HAIR_LENGTHS, "hair_length_known"),
        _known("skin_tone", v.SKIN_TONES, "skin_tone_known"),
        _known("build", v.BUILDS, "build_known"),
        _known("tattoos", v.MARKINGS, "tattoos_known"),
        _known("piercings", v.MARKINGS, "piercings_known"),
        _known("top_size", v.TOP_SIZES, "top_size_known"),
        _known("guardian_relationship", v.GUARDIAN_RELATIONSHIPS, "guardian_relationship_known"),
        _range("height_cm", 100, 250, "height_range"),
        _range("weight_kg", 10, 250, "weight_range"),
        _range("chest_cm", 40, 200, "chest_range"),
        _range("waist_cm", 30, 200, "waist_range"),
        _range("hips_cm", 40, 200, "hips_range"),
        _range("trouser_size", 20, 70, "trouser_size_range"),
        _range("dress_size", 28, 64, "dress_size_range"),
        _range("hat_size_cm", 40, 70, "hat_size_range"),
        CheckConstraint("shoe_size IS NULL OR shoe_size BETWEEN 15 AND 52", name="shoe_size_range"),
        _range("playing_age_min", 0, 100, "playing_age_min_range"),
        _range("playing_age_max", 0, 100, "playing_age_max_range"),
        CheckConstraint(
            "playing_age_min IS NULL OR playing_age_max IS NULL "
            "OR playing_age_min <= playing_age_max",
            name="playing_age_order",
        ),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("talent_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    #: CINEMA code ``PPVVVNNNNG`` (casting.codes), given once residence and gender are known;
    #: it never changes afterwards. The account's user code stays its login code.
    code: Mapped[str | None] = mapped_column(String(10), unique=True)
    visibility: Mapped[str] = mapped_column(String(8), default="staff", server_default="staff")
    #: The next registration step to fill, "done" once complete (resumable registration).
    registration_step: Mapped[str] = mapped_column(
        String(16), default=REGISTRATION_STEPS[0], server_default=REGISTRATION_STEPS[0]
    )
    completed_at: Mapped[dt.datetime | None]
    # The account's searched fields, copied by the database (migration 0013's triggers: on
    # insert and whenever ``users`` changes them) so that the casting search matches and
    # counts on this table alone. Read-only here: ``users`` holds the values the application
    # writes and shows; FetchedValue keeps the ORM from inserting NULL over the copy.
    gender: Mapped[str | None] = mapped_column(String(1), server_default=FetchedValue())
    date_of_birth: Mapped[dt.date | None] = mapped_column(server_default=FetchedValue())
    country_id: Mapped[int | None] = mapped_column(server_default=FetchedValue())
    city_id: Mapped[int | None] = mapped_column(server_default=FetchedValue())
    is_active_account: Mapped[bool | None] = mapped_column(server_default=FetchedValue())

    # Identity document (the number is encrypted; its blind index finds duplicates).
    id_document_type: Mapped[str | None] = mapped_column(String(16))
    id_number: Mapped[str | None] = mapped_column(
        EncryptedText(), deferred=True, deferred_group="casting_identity"
    )
    id_number_index: Mapped[str | None] = mapped_column(String(BLIND_INDEX_LENGTH), index=True)
    id_photo_name: Mapped[str | None] = mapped_column(String(80))

    # Origins (nationality is the talent profile's).
    origin_country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id"))
    origin_region: Mapped[str | None] = mapped_column(String(120))
    ethnicity: Mapped[str | None] = mapped_column(String(24))

    # Appearance.
    height_cm: Mapped[int | None] = mapped_column(SmallInteger)
    weight_kg: Mapped[int | None] = mapped_column(SmallInteger)
    eye_colour: Mapped[str | None] = mapped_column(String(16))
    hair_colour: Mapped[str | None] = mapped_column(String(16))
    hair_type: Mapped[str | None] = mapped_column(String(16))
    hair_length: Mapped[str | None] = mapped_column(String(16))
    skin_tone: Mapped[str | None] = mapped_column(String(16))
    build: Mapped[str | None] = mapped_column(String(16))
    tattoos: Mapped[str | None] = mapped_column(String(8))
    piercings: Mapped[str | None] = mapped_column(String(8))

    # Sizes (which ones the form asks depends on gender: vocabulary.SIZE_FIELDS_BY_GENDER).
    top_size: Mapped[str | None] = mapped_column(String(8))
    chest_cm: Mapped[int | None] = mapped_column(SmallInteger)
    waist_cm: Mapped[int | None] = mapped_column(SmallInteger)
    hips_cm: Mapped[int | None] = mapped_column(SmallInteger)
    trouser_size: Mapped[int | None] = mapped_column(SmallInteger)  # EU (FR) size
    dress_size: Mapped[int | None] = mapped_column(SmallInteger)  # EU (FR) size
    shoe_size: Mapped[float | None] = mapped_column(Float)  # EU, halves allowed
    hat_size_cm: Mapped[int | None] = mapped_column(SmallInteger)

    # Playing age: the ages the person can play on screen, not their real age.
    playing_age_min: Mapped[int | None] = mapped_column(SmallInteger)
    playing_age_max: Mapped[int | None] = mapped_column(SmallInteger)

    #: Details of what they can bring (sizes of costumes, breed of animals…): free text.
    assets_note: Mapped[str | None] = mapped_column(Text)

    # Moroccan professional artist card (optional): a badge once an admin has checked it.
    artist_card_number: Mapped[str | None] = mapped_column(
        EncryptedText(), deferred=True, deferred_group="casting_identity"
    )
    artist_card_expires_on: Mapped[dt.date | None]
    artist_card_verified_at: Mapped[dt.datetime | None]
    artist_card_verified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )

    # Media: a showreel link (YouTube, Vimeo; shown as a link, never embedded) and a voice reel.
    showreel_url: Mapped[str | None] = mapped_column(String(300))
    voice_reel_name: Mapped[str | None] = mapped_column(String(80))

    # A minor: the parent or guardian, their contact (encrypted) and their recorded consent.
    guardian_name: Mapped[str | None] = mapped_column(String(200))
    guardian_relationship: Mapped[str | None] = mapped_column(String(16))
    guardian_phone: Mapped[str | None] = mapped_column(
        EncryptedText(), deferred=True, deferred_group="casting_guardian"
    )
    guardian_email: Mapped[str | None] = mapped_column(
        EncryptedText(), deferred=True, deferred_group="casting_guardian"
    )
    guardian_consent_at: Mapped[dt.datetime | None]

    #: When an admin last asked the talent by e-mail to complete the profile.
    completion_requested_at: Mapped[dt.datetime | None]
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    #: Deleting a talent profile (an account) deletes its casting profile: the database
    #: cascades, and the ORM does not try to blank the primary key out first.
    talent_profile = relationship(
        "TalentProfile",
        backref=db.backref(
            "casting", uselist=False, cascade="all, delete-orphan", passive_deletes=True
        ),
    )
    origin_country = relationship("Country", lazy="joined")
    photos: Mapped[list[CastingPhoto]] = relationship(
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="(CastingPhoto.position, CastingPhoto.id)",
    )
    talent_type_rows: Mapped[list[CastingTalentType]] = relationship(
        lazy="selectin", cascade="all, delete-orphan"
    )
    skill_rows: Mapped[list[CastingSkill]] = relationship(
        lazy="selectin", cascade="all, delete-orphan"
    )
    asset_rows: Mapped[list[CastingAsset]] = relationship(
        lazy="selectin", cascade="all, delete-orphan"
    )
    accent_rows: Mapped[list[CastingAccent]] = relationship(
        lazy="selectin", cascade="all, delete-orphan"
    )
    credits: Mapped[list[CastingCredit]] = relationship(
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="(CastingCredit.year.desc(), CastingCredit.id)",
    )

    @property
    def is_complete(self) -> bool:
        return self.registration_step == DONE

    @property
    def talent_types(self) -> list[str]:
        return [row.code for row in self.talent_type_rows]

    @property
    def skills(self) -> list[str]:
        return [row.code for row in self.skill_rows]

    @property
    def assets(self) -> list[str]:
        return [row.code for row in self.asset_rows]

    @property
    def accents(self) -> list[str]:
        return [row.code for row in self.accent_rows]

    @property
    def primary_photo(self) -> CastingPhoto | None:
        return next((p for p in self.photos if p.is_primary), None)

    @property
    def artist_card_verified(self) -> bool:
        return self.artist_card_verified_at is not None

    def __repr__(self) -> str:  # no personal data in reprs
        return f"<CastingProfile user_id={self.user_id} code={self.code}>"


class _CodeRow:
    """One code of a vocabulary for one casting profile: the (user_id, code) tables below,
    each with its CHECK of known codes and an index (code, user_id) for the search."""

    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("casting_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(24), primary_key=True)


class CastingTalentType(_CodeRow, Model):
    __tablename__ = "casting_talent_types"
    __table_args__ = (
        one_of("code", v.TALENT_TYPES, name="casting_talent_type_known"),
        Index("ix_casting_talent_types_code_user", "code", "user_id"),
    )


class CastingSkill(_CodeRow, Model):
    __tablename__ = "casting_skills"
    __table_args__ = (
        one_of("code", v.SKILLS, name="casting_skill_known"),
        Index("ix_casting_skills_code_user", "code", "user_id"),
    )


class CastingAsset(_CodeRow, Model):
    """Something the talent can bring to a set (a caftan, a camel, a vintage car)."""

    __tablename__ = "casting_assets"
    __table_args__ = (
        one_of("code", v.ASSETS, name="casting_asset_known"),
        Index("ix_casting_assets_code_user", "code", "user_id"),
    )


class CastingAccent(_CodeRow, Model):
    """An accent or regional variety (vocabulary.ACCENTS) refining a spoken language."""

    __tablename__ = "casting_accents"
    __table_args__ = (
        one_of("code", v.ACCENTS, name="casting_accent_known"),
        Index("ix_casting_accents_code_user", "code", "user_id"),
    )


class CastingCredit(Model):
    """A previous production: title, kind, year, role."""

    __tablename__ = "casting_credits"
    __table_args__ = (
        one_of("kind", v.CREDIT_KINDS, name="casting_credit_kind_known"),
        _range("year", 1900, 2100, "casting_credit_year_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("casting_profiles.user_id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="film", server_default="film")
    year: Mapped[int | None] = mapped_column(SmallInteger)
    role: Mapped[str | None] = mapped_column(String(120))


class CastingPhoto(Model):
    """A casting photo: the re-encoded image (no EXIF) and its small thumbnail for contact
    sheets. One per profile is primary (a partial unique index)."""

    __tablename__ = "casting_photos"
    __table_args__ = (one_of("kind", v.PHOTO_KINDS, name="casting_photo_kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("casting_profiles.user_id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16), default="other", server_default="other")
    name: Mapped[str] = mapped_column(String(80))
    thumb_name: Mapped[str] = mapped_column(String(80))
    width: Mapped[int | None] = mapped_column(SmallInteger)
    height: Mapped[int | None] = mapped_column(SmallInteger)
    position: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    is_primary: Mapped[bool] = mapped_column(default=False, server_default="0")
    created_at: Mapped[CreatedAt]


Index(
    "uq_casting_photos_primary",
    CastingPhoto.user_id,
    unique=True,
    postgresql_where=CastingPhoto.is_primary,
    sqlite_where=CastingPhoto.is_primary,
)
Index("ix_casting_profiles_updated_at", CastingProfile.updated_at)
# The casting search (PostgreSQL): the searched profiles (complete, not hidden) newest first
# (relevance walks it: photos first, then the rest) and by height (sort and range).
_SEARCHABLE = (CastingProfile.registration_step == DONE) & (CastingProfile.visibility != "hidden")
Index(
    "ix_casting_profiles_searchable_created",
    CastingProfile.created_at.desc(),
    CastingProfile.user_id.desc(),
    postgresql_where=_SEARCHABLE,
).ddl_if(dialect="postgresql")
Index(
    "ix_casting_profiles_searchable_height",
    CastingProfile.height_cm,
    CastingProfile.user_id,
    postgresql_where=_SEARCHABLE,
).ddl_if(dialect="postgresql")
# Gender then date of birth (the search's usual criteria), on the copy of migration 0013,
# carrying what the facets count: matches and counts come from an index-only scan.
Index(
    "ix_casting_profiles_searchable_gender_birth",
    CastingProfile.gender,
    CastingProfile.date_of_birth,
    postgresql_where=_SEARCHABLE,
    postgresql_include=[
        "user_id",
        "is_active_account",
        "country_id",
        "city_id",
        "ethnicity",
        "eye_colour",
        "hair_colour",
        "hair_type",
        "hair_length",
        "skin_tone",
        "build",
        "top_size",
        "created_at",
        "height_cm",
    ],
).ddl_if(dialect="postgresql")
# The city of residence (« ville », « à moins de N km de »), on the same copy.
Index(
    "ix_casting_profiles_searchable_city",
    CastingProfile.city_id,
    postgresql_where=_SEARCHABLE,
).ddl_if(dialect="postgresql")


class CastingCodeCounter(Model):
    """One row per country for CINEMA codes; incremented by UPDATE … RETURNING inside the
    inserting transaction (the mechanism of accounts.codes)."""

    __tablename__ = "casting_code_counters"

    country_iso2: Mapped[str] = mapped_column(String(2), primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0, server_default="0")


watch_unreadable_values(CastingProfile)


@event.listens_for(CastingProfile.id_number, "set")
def _index_id_number(target: CastingProfile, value, oldvalue, initiator) -> None:
    """The services store the number normalised (no spaces, upper case), so the index is of the
    stored value, as `talento keys reindex` recomputes it."""
    if not isinstance(value, Unavailable):
        target.id_number_index = active_keyring().blind_index(value) if value else None


__all__ = [
    "DONE",
    "REGISTRATION_STEPS",
    "CastingAccent",
    "CastingAsset",
    "CastingCodeCounter",
    "CastingCredit",
    "CastingPhoto",
    "CastingProfile",
    "CastingSkill",
    "CastingTalentType",
]
