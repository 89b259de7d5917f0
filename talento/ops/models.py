"""Operational state kept in the database: small named settings."""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from talento.extensions import UpdatedAt, db


class AppState(db.Model):
    """Small named values (e.g. the hash of the last ADMIN_PASSWORD applied)."""

    __tablename__ = "app_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[UpdatedAt]
