"""A role's shortlist as a contact-sheet PDF and as XLSX (issue 14 point 4).

The drawing and the columns are the casting search's (exports.casting_sheet): the same faces,
public-safe columns only (code, name, gender, age, playing age, sizes, city, languages, talent
types), plus the shortlist's rank and status. No contact or identity data, no notes and no
client verdicts (staff working data stays on the page). Each export is audited (``export``
with the role's id): a shortlist says whom a production is considering.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.casting.models import CastingPhoto, CastingProfile
from talento.casting.search.query import CARD_COLUMNS
from talento.exports.casting_sheet import SHEET_COLUMNS, SheetRow, rows_with_details
from talento.projects.models import ShortlistEntry

#: Faces in one shortlist PDF (a crowd role's 300 fit in 15 pages); XLSX takes every face.
PDF_MAX = 1000
XLSX_MAX = 5000


@dataclass(frozen=True)
class ShortlistRows:
    rows: list[SheetRow]
    statuses: list[str]
    cut: bool


def shortlist_rows(session: Session, role_id: int, limit: int) -> ShortlistRows:
    """The shortlist's faces in its order (at most `limit`; `cut` when there were more)."""
    thumb = (
        select(CastingPhoto.thumb_name)
        .where(CastingPhoto.user_id == CastingProfile.user_id, CastingPhoto.is_primary == true())
        .limit(1)
        .scalar_subquery()
    )
    stmt = (
        select(*CARD_COLUMNS, thumb, User.city_id, *SHEET_COLUMNS, ShortlistEntry.status)
        .select_from(ShortlistEntry)
        .join(CastingProfile, CastingProfile.user_id == ShortlistEntry.talent_id)
        .join(User, User.id == ShortlistEntry.talent_id)
        .where(ShortlistEntry.role_id == role_id)
        .order_by(ShortlistEntry.position, ShortlistEntry.id)
        .limit(limit + 1)
    )
    rows = session.execute(stmt).all()
    cut = len(rows) > limit
    rows = rows[:limit]
    return ShortlistRows(rows_with_details(session, rows), [row[-1] for row in rows], cut)


def ranks(count: int) -> Sequence[str]:
    return [str(n) for n in range(1, count + 1)]


def export_name(role_id: int, today: dt.date, extension: str) -> str:
    return f"shortlist-{role_id}-{today.isoformat()}.{extension}"


__all__ = ["PDF_MAX", "XLSX_MAX", "ShortlistRows", "export_name", "ranks", "shortlist_rows"]
