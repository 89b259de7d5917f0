"""Reference data: ISO 3166 countries and their cities with 3-letter codes (for user codes)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column

from talento.extensions import Model


def country_name_field(lang: str) -> str:
    """The attribute holding a country's name in `lang`: French for any other language."""
    return {"en": "name_en", "ar": "name_ar"}.get(lang, "name_fr")


class Country(Model):
    __tablename__ = "countries"

    id: Mapped[int] = mapped_column(primary_key=True)
    iso2: Mapped[str] = mapped_column(String(2), unique=True)
    iso3: Mapped[str | None] = mapped_column(String(3))
    name_fr: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    name_ar: Mapped[str] = mapped_column(String(120))

    @hybrid_method
    def name(self, lang: str = "fr") -> str:
        """The name in `lang`; on the class, the column to select (``Country.name("en")``)."""
        return getattr(self, country_name_field(lang))


class City(Model):
    __tablename__ = "cities"
    __table_args__ = (UniqueConstraint("country_id", "code", name="uq_cities_country_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"), index=True)
    code: Mapped[str] = mapped_column(String(3))
    name: Mapped[str] = mapped_column(String(120))
    population: Mapped[int] = mapped_column(default=0)
    geonameid: Mapped[int | None] = mapped_column(unique=True)
    #: WGS 84 degrees, for "within N km of a city" (casting search); None when unknown.
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
