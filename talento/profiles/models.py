"""Per-country counters that hand out the sequence part of user codes."""

from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from talento.extensions import db


class CodeCounter(db.Model):
    """One row per country; incremented by UPDATE … RETURNING inside the inserting transaction."""

    __tablename__ = "code_counters"

    country_iso2: Mapped[str] = mapped_column(String(2), primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0, server_default="0")
