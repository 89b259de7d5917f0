"""Talent profiles, the skills catalogue and spoken languages."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, Text, true
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talento.crypto import EncryptedText, watch_unreadable_values
from talento.extensions import CreatedAt, Model, UpdatedAt, db, one_of


class Availability(enum.StrEnum):
    IMMEDIATE = "immediate"
    SOON = "soon"
    UNAVAILABLE = "unavailable"
    IN_PROJECT = "in_project"


class WorkMode(enum.StrEnum):
    ON_SITE = "on_site"
    REMOTE = "remote"
    HYBRID = "hybrid"
    FLEXIBLE = "flexible"


class Visibility(enum.StrEnum):
    """Where a talent appears: directory and public page, the public page by code or QR
    only, or nowhere."""

    PUBLIC = "public"
    LINK = "link"
    HIDDEN = "hidden"


class LanguageLevel(enum.StrEnum):
    NATIVE = "native"
    FLUENT = "fluent"
    CONVERSATIONAL = "conversational"
    NOTIONS = "notions"


def skill_name_field(lang: str) -> str:
    """The attribute holding a skill's or a category's name in `lang`: English in English,
    French in any other language."""
    return "name_en" if lang == "en" else "name_fr"


class SkillCategory(Model):
    __tablename__ = "skill_categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name_fr: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))

    @hybrid_method
    def name(self, lang: str = "fr") -> str:
        """The name in `lang`; on the class, the column to select."""
        return getattr(self, skill_name_field(lang))


class Skill(Model):
    __tablename__ = "skills"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("skill_categories.id"), index=True)
    name_fr: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))

    category = relationship(SkillCategory, lazy="joined")

    @hybrid_method
    def name(self, lang: str = "fr") -> str:
        """The name in `lang`; on the class, the column to select (``Skill.name("en")``)."""
        return getattr(self, skill_name_field(lang))


talent_skills = Table(
    "talent_skills",
    db.metadata,
    Column("user_id", ForeignKey("talent_profiles.user_id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skills.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class TalentLanguage(Model):
    """A language the talent speaks (ISO 639-1 code, 639-3 where 639-1 has none) and how
    well, one row each so the directory can filter."""

    __tablename__ = "talent_languages"
    __table_args__ = (one_of("level", LanguageLevel, name="level_known"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("talent_profiles.user_id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(3), primary_key=True, index=True)
    level: Mapped[str] = mapped_column(
        String(16), default=LanguageLevel.FLUENT.value, server_default="fluent"
    )


class TalentProfile(Model):
    """The professional side of a talent. Links (social profiles…) are stored encrypted."""

    __tablename__ = "talent_profiles"
    __table_args__ = (
        one_of("availability", Availability, name="availability_known"),
        one_of("work_mode", WorkMode, name="work_mode_known"),
        one_of("visibility", Visibility, name="visibility_known"),
        CheckConstraint(
            "rate_min IS NULL OR rate_max IS NULL OR rate_min <= rate_max", name="rate_range"
        ),
    )

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    nationality_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id"))
    bio: Mapped[str | None] = mapped_column(Text)
    years_experience: Mapped[int | None]
    availability: Mapped[str] = mapped_column(
        String(16), default=Availability.IMMEDIATE.value, server_default="immediate", index=True
    )
    work_mode: Mapped[str] = mapped_column(
        String(16), default=WorkMode.FLEXIBLE.value, server_default="flexible"
    )
    rate_min: Mapped[int | None]
    rate_max: Mapped[int | None]
    education: Mapped[str | None] = mapped_column(Text)
    #: JSON object {kind: url}, encrypted: portfolio, website and social profiles.
    links: Mapped[str | None] = mapped_column(EncryptedText(), deferred=True)
    #: Comma-separated link kinds the talent chose to show on the public page.
    public_links: Mapped[str] = mapped_column(String(300), default="", server_default="")
    photo_name: Mapped[str | None] = mapped_column(String(80))
    cv_name: Mapped[str | None] = mapped_column(String(80))
    consent_at: Mapped[dt.datetime | None]
    visibility: Mapped[str] = mapped_column(
        String(8), default=Visibility.PUBLIC.value, server_default="public"
    )
    #: The talent accepts messages relayed from the public page (profiles/contact).
    contact_enabled: Mapped[bool] = mapped_column(default=True, server_default=true())
    updated_at: Mapped[UpdatedAt]

    user = relationship("User", back_populates="profile")
    nationality = relationship("Country", lazy="joined")
    skills = relationship(Skill, secondary=talent_skills, lazy="selectin", order_by=Skill.name_fr)
    languages = relationship(
        TalentLanguage, lazy="selectin", cascade="all, delete-orphan", order_by=TalentLanguage.code
    )


Index("ix_talent_profiles_updated_at", TalentProfile.updated_at)
watch_unreadable_values(TalentProfile)


class SavedSearch(Model):
    """A recruiter's named directory search, kept as its query string (the one parser,
    search.query_args, reads it back, so a saved search cannot hold what a URL could not)."""

    __tablename__ = "saved_searches"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    query: Mapped[str] = mapped_column(String(1000), default="", server_default="")
    created_at: Mapped[CreatedAt]
