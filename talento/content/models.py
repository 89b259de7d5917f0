"""Legal pages (mentions légales, confidentialité, conditions, cookies) as admin-edited Markdown.

A page without a row shows the French default shipped with the code; the first edit stores a row.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from talento.extensions import Model, UpdatedAt


class LegalPage(Model):
    __tablename__ = "legal_pages"

    slug: Mapped[str] = mapped_column(String(40), primary_key=True)
    #: Markdown; rendered with raw HTML escaped (content/markdown).
    body: Mapped[str] = mapped_column(Text, default="", server_default="")
    updated_at: Mapped[UpdatedAt]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
