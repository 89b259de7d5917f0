"""What the shortlist page shows of each face: public-safe columns of the casting profile
(never an entity: nothing encrypted is read), the notes the viewer may read, the clients'
verdicts from review links.

A private note is read by its author only; a team note by every casting user. The filter is
in the query, so a private note never reaches another person's page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import false, or_, select, true
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.casting.access import age_on
from talento.casting.models import CastingPhoto, CastingProfile
from talento.projects.models import ReviewFeedback, ReviewLink, ShortlistEntry, ShortlistNote


@dataclass(frozen=True)
class Note:
    id: int
    author: str
    mine: bool
    visibility: str
    body: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Verdict:
    link_label: str | None
    verdict: str
    comment: str | None
    at: dt.datetime


@dataclass
class Face:
    """One shortlisted talent as staff see it."""

    entry_id: int
    position: int
    status: str
    talent_id: int
    code: str | None
    first_name: str
    last_name: str
    date_of_birth: dt.date | None
    height_cm: int | None
    playing_age_min: int | None
    playing_age_max: int | None
    thumb_name: str | None
    notes: list[Note] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)

    def age(self, today: dt.date) -> int | None:
        return age_on(self.date_of_birth, today)

    @property
    def initials(self) -> str:
        return "".join(part[:1] for part in (self.first_name, self.last_name)).upper()

    @property
    def playing_age(self) -> str:
        low, high = self.playing_age_min, self.playing_age_max
        return f"{low}–{high}" if low is not None and high is not None else ""


def faces(
    session: Session,
    role_id: int,
    viewer_id: int | None,
    offset: int = 0,
    limit: int | None = None,
) -> list[Face]:
    """The role's shortlist in its order (a page of it: `offset`, `limit`), with the notes
    `viewer_id` may read and the verdicts of every review link of the role."""
    thumb = (
        select(CastingPhoto.thumb_name)
        .where(CastingPhoto.user_id == ShortlistEntry.talent_id, CastingPhoto.is_primary == true())
        .limit(1)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            ShortlistEntry.id,
            ShortlistEntry.position,
            ShortlistEntry.status,
            ShortlistEntry.talent_id,
            CastingProfile.code,
            User.first_name,
            User.last_name,
            User.date_of_birth,
            CastingProfile.height_cm,
            CastingProfile.playing_age_min,
            CastingProfile.playing_age_max,
            thumb,
        )
        .join(CastingProfile, CastingProfile.user_id == ShortlistEntry.talent_id)
        .join(User, User.id == ShortlistEntry.talent_id)
        .where(ShortlistEntry.role_id == role_id)
        .order_by(ShortlistEntry.position, ShortlistEntry.id)
        .offset(offset)
        .limit(limit)
    ).all()
    found = [
        Face(
            entry_id=row[0],
            position=row[1],
            status=row[2],
            talent_id=row[3],
            code=row[4],
            first_name=row[5],
            last_name=row[6],
            date_of_birth=row[7],
            height_cm=row[8],
            playing_age_min=row[9],
            playing_age_max=row[10],
            thumb_name=row[11],
        )
        for row in rows
    ]
    by_entry = {face.entry_id: face for face in found}
    if not found:
        return found
    author = User.__table__.alias("author")
    notes = session.execute(
        select(
            ShortlistNote.entry_id,
            ShortlistNote.id,
            author.c.first_name,
            author.c.last_name,
            ShortlistNote.author_id,
            ShortlistNote.visibility,
            ShortlistNote.body,
            ShortlistNote.created_at,
        )
        .join(ShortlistEntry, ShortlistEntry.id == ShortlistNote.entry_id)
        .outerjoin(author, author.c.id == ShortlistNote.author_id)
        .where(
            ShortlistEntry.role_id == role_id,
            ShortlistNote.entry_id.in_(list(by_entry)),
            or_(
                ShortlistNote.visibility == "team",
                (ShortlistNote.author_id == viewer_id) if viewer_id is not None else false(),
            ),
        )
        .order_by(ShortlistNote.created_at, ShortlistNote.id)
    )
    for entry_id, note_id, first, last, author_id, visibility, body, created in notes:
        name = f"{first} {last}" if first else ""
        by_entry[entry_id].notes.append(
            Note(note_id, name, author_id == viewer_id, visibility, body, created)
        )
    verdicts = session.execute(
        select(
            ReviewFeedback.entry_id,
            ReviewLink.label,
            ReviewFeedback.verdict,
            ReviewFeedback.comment,
            ReviewFeedback.updated_at,
        )
        .join(ReviewLink, ReviewLink.id == ReviewFeedback.link_id)
        .where(ReviewLink.role_id == role_id, ReviewFeedback.entry_id.in_(list(by_entry)))
        .order_by(ReviewFeedback.updated_at)
    )
    for entry_id, label, verdict, comment, at in verdicts:
        if entry_id in by_entry:
            by_entry[entry_id].verdicts.append(Verdict(label, verdict, comment, at))
    return found


__all__ = ["Face", "Note", "Verdict", "faces"]
