"""What the key lifecycle keeps in the database: key canaries and quarantined lost values."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from talento.extensions import CreatedAt, Model


class KeyCanary(Model):
    """One row per encryption key that has written data: its fingerprint and a canary token.

    At start-up every recorded key must be readable by a configured key, otherwise the app
    refuses to start: two keys' data never mix silently in one database.
    """

    __tablename__ = "key_canaries"

    fingerprint: Mapped[str] = mapped_column(String(32), primary_key=True)
    token: Mapped[str] = mapped_column(Text)
    created_at: Mapped[CreatedAt]


class LostValue(Model):
    """A ciphertext that no configured key could read when `talento keys adopt` cleared it.

    Kept, not destroyed: if the old key turns up later, `talento keys recover` decrypts these
    and puts back every value the person has not re-entered in the meantime.
    """

    __tablename__ = "lost_values"

    id: Mapped[int] = mapped_column(primary_key=True)
    table_name: Mapped[str] = mapped_column(String(64))
    column_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[int]
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    #: Fingerprint named in the stored value: which lost key wrote it.
    fingerprint: Mapped[str] = mapped_column(String(32), index=True)
    ciphertext: Mapped[str] = mapped_column(Text)
    created_at: Mapped[CreatedAt]
