"""The public pages a sitemap lists: every listed talent (the directory's rule), paged."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.profiles.models import TalentProfile
from talento.profiles.search.directory import listed_conditions


def listed_pages(session: Session, offset: int, limit: int) -> list[tuple[str, dt.datetime]]:
    """(code, profile last updated) of listed talents, oldest account first: one indexed query
    (users' primary key order), however many talents."""
    if limit <= 0:
        return []
    stmt = (
        select(User.code, TalentProfile.updated_at)
        .join(TalentProfile, TalentProfile.user_id == User.id)
        .where(*listed_conditions())
        .order_by(User.id)
        .offset(offset)
        .limit(limit)
    )
    return [(code, updated) for code, updated in session.execute(stmt)]
