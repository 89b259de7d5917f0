"""Admin actions on casting profiles: ask for completion by e-mail, check an artist card.

- :func:`request_completion` e-mails each chosen talent whose profile is incomplete (a minor's
  parent or guardian instead, at the guardian's address), in the talent's language, at most
  once every seven days. Each profile is claimed by one ``UPDATE … WHERE`` (the request date
  moves only if the last one is older than seven days), so two admins clicking at once never
  send the message twice; the e-mail leaves after the commit, and each sending is audited.
- :func:`verify_card` / :func:`unverify_card` set or clear ``artist_card_verified_at`` /
  ``_by_id`` (audited). An expired card, or one without expiry, cannot be marked verified.
- :func:`card_number_for_admin` decrypts the card number for the admin's page (audited as a
  view of personal data).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Load, Session

from talento.accounts.models import User
from talento.admin.cinema import MISSING_LABELS, STEP_LABELS, rows_of
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.audit.services import Actor
from talento.casting.access import is_minor
from talento.casting.artist_card import is_expired
from talento.casting.models import CastingProfile
from talento.crypto import Unavailable
from talento.extensions import rowcount
from talento.i18n import gettext as _
from talento.mail import OutgoingMail, queue_mail
from talento.refusals import Refused
from talento.settings import Settings

#: A talent is asked again only after this long.
RESEND_AFTER = dt.timedelta(days=7)
#: At most this many profiles per request (the list's page size is 50).
MOST_AT_ONCE = 200


@dataclass
class CompletionReport:
    """Who was written to, and who was not and why (names and codes, for the flash)."""

    sent: list[str] = field(default_factory=list)
    to_guardian: list[str] = field(default_factory=list)
    too_recent: list[tuple[str, dt.datetime]] = field(default_factory=list)
    complete: list[str] = field(default_factory=list)
    no_address: list[str] = field(default_factory=list)


def _claim(session: Session, user_id: int, now: dt.datetime) -> bool:
    """Record the request unless one was made within RESEND_AFTER (atomic)."""
    result = session.execute(
        update(CastingProfile)
        .where(
            CastingProfile.user_id == user_id,
            or_(
                CastingProfile.completion_requested_at.is_(None),
                CastingProfile.completion_requested_at <= now - RESEND_AFTER,
            ),
        )
        .values(completion_requested_at=now)
        .execution_options(synchronize_session=False)
    )
    return rowcount(result) == 1


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes back: they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def request_completion(
    session: Session,
    settings: Settings,
    user_ids: list[int],
    actor: Actor,
    now: dt.datetime,
) -> CompletionReport:
    """Ask each of `user_ids` (casting profiles) by e-mail to complete their profile."""
    report = CompletionReport()
    ids = sorted(set(user_ids))[:MOST_AT_ONCE]
    if not ids:
        return report
    found = session.execute(
        select(CastingProfile, User)
        .join(User, User.id == CastingProfile.user_id)
        .where(CastingProfile.user_id.in_(ids))
        .options(
            Load(CastingProfile).lazyload("*"),
            Load(CastingProfile).undefer_group("casting_guardian"),
            Load(User).lazyload("*"),
        )
        .order_by(User.last_name, User.first_name, User.id)
    ).all()
    base = settings.base_url.rstrip("/")
    today = now.date()
    rows = rows_of(session, ids, today)
    for profile, user in found:
        label = f"{user.full_name} ({user.code})"
        if profile.is_complete:
            report.complete.append(label)
            continue
        minor = is_minor(user, today)
        guardian_email = profile.guardian_email
        to = (
            (guardian_email if not isinstance(guardian_email, Unavailable) else "")
            if minor
            else user.email
        )
        if not to:
            report.no_address.append(label)
            continue
        previous = profile.completion_requested_at
        if not _claim(session, user.id, now):
            report.too_recent.append((label, _aware(previous) if previous else now))
            continue
        row = rows.get(user.id)
        missing = row.missing if row is not None else ["step"]
        queue_mail(
            session,
            settings,
            OutgoingMail(
                to=to,
                template="casting_complete",
                lang=user.language,
                context={
                    "first_name": user.first_name,
                    "guardian_name": (profile.guardian_name or "") if minor else "",
                    "for_guardian": minor,
                    "step": STEP_LABELS.get(profile.registration_step, ""),
                    "missing": [MISSING_LABELS[key] for key in missing],
                    "resume_url": f"{base}/cinema/register",
                    "me_url": f"{base}/cinema/me",
                },
            ),
        )
        audit.record(
            session,
            AuditAction.CASTING_COMPLETION_REQUESTED,
            actor,
            detail={"to": "guardian" if minor else "talent", "step": profile.registration_step},
            **audit.about(user),
        )
        (report.to_guardian if minor else report.sent).append(label)
    return report


# -- the artist card ---------------------------------------------------------------------------


def card_number_for_admin(
    session: Session, profile: CastingProfile, user: User, actor: Actor
) -> str | None:
    """The decrypted card number (an :class:`Unavailable` when unreadable), audited when
    there is one to show; None without a number."""
    number = profile.artist_card_number
    if number is None or (not number and not isinstance(number, Unavailable)):
        return None
    if number:
        audit.record(
            session,
            AuditAction.PERSONAL_DATA_VIEW,
            actor,
            fields=["artist_card_number"],
            **audit.about(user),
        )
    return number


def _has_number(session: Session, user_id: int) -> bool:
    """Without decrypting: is a card number stored?"""
    return bool(
        session.scalar(
            select(CastingProfile.artist_card_number.is_not(None)).where(
                CastingProfile.user_id == user_id
            )
        )
    )


def verify_card(
    session: Session,
    profile: CastingProfile,
    user: User,
    admin_id: int,
    actor: Actor,
    now: dt.datetime,
) -> bool:
    """Mark the card checked by `admin_id`. False when it already was; refuses a profile
    without a number, without an expiry date, or with an expired card."""
    if not _has_number(session, user.id):
        raise Refused("card", _("Aucun numéro de carte d'artiste n'est enregistré."))
    expires = profile.artist_card_expires_on
    if expires is None:
        raise Refused(
            "card",
            _("La date d'expiration de la carte manque : le talent doit l'indiquer d'abord."),
        )
    if is_expired(profile, now.date()):
        raise Refused(
            "card",
            _("Cette carte a expiré : elle ne peut pas être marquée comme vérifiée."),
        )
    if profile.artist_card_verified_at is not None:
        return False
    profile.artist_card_verified_at = now
    profile.artist_card_verified_by_id = admin_id
    audit.record(
        session,
        AuditAction.ARTIST_CARD_VERIFIED,
        actor,
        detail={"expires_on": expires.isoformat()},
        **audit.about(user),
    )
    return True


def unverify_card(session: Session, profile: CastingProfile, user: User, actor: Actor) -> bool:
    """Withdraw the verification. False when the card was not verified."""
    if profile.artist_card_verified_at is None:
        return False
    profile.artist_card_verified_at = None
    profile.artist_card_verified_by_id = None
    audit.record(session, AuditAction.ARTIST_CARD_UNVERIFIED, actor, **audit.about(user))
    return True
