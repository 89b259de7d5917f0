"""Client review links (issue 14 point 5): a role's shortlist shown to a director or a client
who has no account, through a signed link (projects.links, kind "review").

- Staff create a link (label, expiry day: 14 days by default, an optional passcode hashed
  with the app's password service), show it again (the token is signed, never stored),
  revoke it.
- The viewer sees public-safe fields only (:class:`ReviewFace`): first name and the initial
  of the last name, playing age, height, languages, photos. Never a CINEMA code, a phone, an
  e-mail, an address or an ID number: the query selects none of them.
- The viewer gives a verdict per face (interested / not interested / question) with a comment;
  staff read the verdicts on the shortlist (shortlist_faces).
- Every view is audited (``review_link.view``: no actor, the link's id in the detail).

A link stops working at the end of its expiry day (UTC) or when revoked; it then answers a
410 page saying so. A link of a deleted role, project or company is a 404 like a forged one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.accounts.passwords import PasswordService
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.casting.models import CastingPhoto, CastingProfile
from talento.extensions import utcnow
from talento.i18n import gettext as _
from talento.profiles.languages import display_order, language_label
from talento.profiles.models import TalentLanguage
from talento.projects.models import CastingRole, ReviewFeedback, ReviewLink, ShortlistEntry
from talento.projects.shortlist_services import live_role
from talento.projects.vocabulary import REVIEW_VERDICTS
from talento.refusals import Refusals, Refused

DEFAULT_DAYS = 14
MAX_DAYS = 180
MAX_LABEL = 200
PASSCODE_MIN, PASSCODE_MAX = 4, 64
MAX_COMMENT = 1000
#: Photos of one face on the review page besides the first (in a folded list).
MORE_PHOTOS = 4

OPEN, EXPIRED, REVOKED = "open", "expired", "revoked"


@dataclass(frozen=True)
class LinkInput:
    label: str
    expires_on: dt.date | None
    passcode: str


def expiry_instant(day: dt.date) -> dt.datetime:
    """A link works through its expiry day (UTC) and stops at the next midnight."""
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)


def last_day(link: ReviewLink) -> dt.date:
    return (link.expires_at - dt.timedelta(seconds=1)).date()


def create_link(
    session: Session,
    role: CastingRole,
    data: LinkInput,
    passwords: PasswordService,
    created_by_id: int | None,
    today: dt.date,
) -> ReviewLink:
    problems: list[Refused] = []
    label = (data.label or "").strip()
    if len(label) > MAX_LABEL:
        problems.append(Refused("label", _("%(num)s caractères au plus.", num=MAX_LABEL)))
    day = data.expires_on or today + dt.timedelta(days=DEFAULT_DAYS)
    if day < today:
        problems.append(Refused("expires_on", _("Choisissez une date à venir.")))
    elif day > today + dt.timedelta(days=MAX_DAYS):
        problems.append(
            Refused("expires_on", _("Un lien dure au plus %(num)s jours.", num=MAX_DAYS))
        )
    passcode = data.passcode or ""
    if passcode and not PASSCODE_MIN <= len(passcode) <= PASSCODE_MAX:
        problems.append(
            Refused(
                "passcode",
                _(
                    "Le code d'accès fait de %(low)s à %(high)s caractères.",
                    low=PASSCODE_MIN,
                    high=PASSCODE_MAX,
                ),
            )
        )
    if problems:
        raise Refusals(problems)
    link = ReviewLink(
        role_id=role.id,
        label=label or None,
        passcode_hash=passwords.hash(passcode) if passcode else None,
        expires_at=expiry_instant(day),
        created_by_id=created_by_id,
    )
    session.add(link)
    session.flush()
    return link


def revoke_link(session: Session, link: ReviewLink, by_id: int | None) -> None:
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        link.revoked_by_id = by_id
        session.flush()


def links_of(session: Session, role_id: int) -> list[ReviewLink]:
    return list(
        session.scalars(
            select(ReviewLink)
            .where(ReviewLink.role_id == role_id)
            .order_by(ReviewLink.created_at.desc(), ReviewLink.id.desc())
        )
    )


def find_link(session: Session, link_id: int) -> ReviewLink | None:
    """The link, if its role is live (else None: the same 404 as a forged token)."""
    link = session.get(ReviewLink, link_id)
    if link is None or live_role(session, link.role_id) is None:
        return None
    return link


def state_of(link: ReviewLink, now: dt.datetime) -> str:
    if link.revoked_at is not None:
        return REVOKED
    if link.expires_at <= now:
        return EXPIRED
    return OPEN


def passcode_ok(link: ReviewLink, passcode: str, passwords: PasswordService) -> bool:
    return bool(link.passcode_hash) and passwords.verify(link.passcode_hash, passcode).ok


def creator_name(session: Session, link: ReviewLink) -> str | None:
    """Whom a viewer of a dead link should ask: the staff member who made it."""
    if link.created_by_id is None:
        return None
    row = session.execute(
        select(User.first_name, User.last_name).where(User.id == link.created_by_id)
    ).first()
    return f"{row[0]} {row[1]}" if row else None


# -- what the viewer sees --------------------------------------------------------------------


@dataclass
class ReviewFace:
    """One face as a client sees it: public-safe fields only."""

    entry_id: int
    number: int
    first_name: str
    initial: str
    height_cm: int | None
    playing_age_min: int | None
    playing_age_max: int | None
    thumbs: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    verdict: str | None = None
    comment: str | None = None

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.initial}." if self.initial else self.first_name

    @property
    def playing_age(self) -> str:
        low, high = self.playing_age_min, self.playing_age_max
        return f"{low}–{high}" if low is not None and high is not None else ""


def review_faces(session: Session, link: ReviewLink) -> list[ReviewFace]:
    rows = session.execute(
        select(
            ShortlistEntry.id,
            ShortlistEntry.talent_id,
            User.first_name,
            User.last_name,
            CastingProfile.height_cm,
            CastingProfile.playing_age_min,
            CastingProfile.playing_age_max,
        )
        .join(CastingProfile, CastingProfile.user_id == ShortlistEntry.talent_id)
        .join(User, User.id == ShortlistEntry.talent_id)
        .where(ShortlistEntry.role_id == link.role_id, User.is_active_account == true())
        .order_by(ShortlistEntry.position, ShortlistEntry.id)
    ).all()
    found: list[ReviewFace] = []
    by_talent: dict[int, ReviewFace] = {}
    for number, (entry_id, talent_id, first, last, height, low, high) in enumerate(rows, 1):
        face = ReviewFace(entry_id, number, first, (last or "")[:1].upper(), height, low, high)
        found.append(face)
        by_talent[talent_id] = face
    if not found:
        return found
    ids = list(by_talent)
    photos = session.execute(
        select(CastingPhoto.user_id, CastingPhoto.thumb_name)
        .where(CastingPhoto.user_id.in_(ids))
        .order_by(
            CastingPhoto.user_id,
            CastingPhoto.is_primary.desc(),
            CastingPhoto.position,
            CastingPhoto.id,
        )
    )
    for talent_id, thumb in photos:
        thumbs = by_talent[talent_id].thumbs
        if len(thumbs) <= MORE_PHOTOS:
            thumbs.append(thumb)
    spoken: dict[int, list[str]] = {}
    for talent_id, code in session.execute(
        select(TalentLanguage.user_id, TalentLanguage.code).where(TalentLanguage.user_id.in_(ids))
    ):
        spoken.setdefault(talent_id, []).append(code)
    for talent_id, codes in spoken.items():
        by_talent[talent_id].languages = [language_label(c) for c in display_order(codes)]
    by_entry = {face.entry_id: face for face in found}
    for entry_id, verdict, comment in session.execute(
        select(ReviewFeedback.entry_id, ReviewFeedback.verdict, ReviewFeedback.comment).where(
            ReviewFeedback.link_id == link.id
        )
    ):
        if entry_id in by_entry:
            by_entry[entry_id].verdict, by_entry[entry_id].comment = verdict, comment
    return found


def record_verdict(
    session: Session, link: ReviewLink, entry_id: int | None, verdict: str, comment: str
) -> ReviewFeedback:
    """The viewer's verdict on one face of this link's shortlist (a second one replaces it)."""
    entry = session.get(ShortlistEntry, entry_id) if entry_id else None
    if entry is None or entry.role_id != link.role_id:
        raise Refused("entry", _("Ce talent ne fait plus partie de la sélection."), status=404)
    if verdict not in REVIEW_VERDICTS:
        raise Refused("verdict", _("Choisissez « Intéressé », « Pas intéressé » ou « Question »."))
    text = (comment or "").strip()
    if len(text) > MAX_COMMENT:
        raise Refused("comment", _("%(num)s caractères au plus.", num=MAX_COMMENT))
    feedback = session.scalar(
        select(ReviewFeedback).where(
            ReviewFeedback.link_id == link.id, ReviewFeedback.entry_id == entry.id
        )
    )
    if feedback is None:
        feedback = ReviewFeedback(link_id=link.id, entry_id=entry.id)
        session.add(feedback)
    feedback.verdict = verdict
    feedback.comment = text or None
    session.flush()
    return feedback


def record_view(
    session: Session, link: ReviewLink, actor: audit.Actor, state: str, faces: int = 0
) -> None:
    """Every view of a review link: an audit row without an actor account (the viewer has
    none; a signed-in staff member opening it is recorded the same way)."""
    anonymous = audit.Actor(ip=actor.ip, request_id=actor.request_id)
    audit.record(
        session,
        AuditAction.REVIEW_LINK_VIEW,
        anonymous,
        detail={"link_id": link.id, "role_id": link.role_id, "state": state, "faces": faces},
    )
    if state == OPEN:
        link.last_viewed_at = utcnow()


def photo_on_link(session: Session, link: ReviewLink, thumb_name: str) -> bool:
    """Is this thumbnail one of a face on the link's shortlist?"""
    return (
        session.scalar(
            select(CastingPhoto.id)
            .join(ShortlistEntry, ShortlistEntry.talent_id == CastingPhoto.user_id)
            .join(User, User.id == CastingPhoto.user_id)
            .where(
                CastingPhoto.thumb_name == thumb_name,
                ShortlistEntry.role_id == link.role_id,
                User.is_active_account == true(),
            )
            .limit(1)
        )
        is not None
    )


__all__ = [
    "DEFAULT_DAYS",
    "EXPIRED",
    "OPEN",
    "REVOKED",
    "LinkInput",
    "ReviewFace",
    "create_link",
    "creator_name",
    "expiry_instant",
    "find_link",
    "last_day",
    "links_of",
    "passcode_ok",
    "photo_on_link",
    "record_verdict",
    "record_view",
    "review_faces",
    "revoke_link",
    "state_of",
]
