"""Small named values the application keeps in the database (foundation layer).

Used by start-up (the hash of the last ADMIN_PASSWORD applied), the skill catalogue loader and
the key lifecycle; it belongs to none of them, so it sits at the bottom of the layering.
"""

from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from talento.extensions import Model, UpdatedAt


class AppState(Model):
    """Small named values (e.g. the hash of the last ADMIN_PASSWORD applied)."""

    __tablename__ = "app_state"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[UpdatedAt]
