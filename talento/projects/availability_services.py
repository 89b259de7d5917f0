"""Availability checks (issue 14, point 6): « are you free on the role's shooting days? »

- :func:`send_checks` — one :class:`AvailabilityRequest` per chosen shortlist entry of a role,
  asking about the role's shooting days (a copy: the role may change afterwards). The talent
  gets an e-mail at the account's address — a minor's parent or guardian at theirs, never the
  child — with the answer link ``/availability/<token>`` (a signed token, projects.links). The
  mail leaves after the commit. The entry becomes « contacté » (a booked one stays « engagé »).
- :func:`sent_checks` — what the casting user sees once it is sent: who got an e-mail, and for
  each adult talent with a WhatsApp number a ``https://wa.me/<digits>?text=…`` link with a
  pre-written message and the answer link, which the casting user opens on their phone (no
  paid WhatsApp API). Decrypting the number for staff is a display of personal data: one
  audit row per person shown (``personal_data.view``, field ``whatsapp``). A minor gets no
  WhatsApp link: only the guardian is contacted, and the guardian has no WhatsApp recorded.
- :func:`answer` — the talent's answer, without an account: available, not available, or
  available some days (the ticked ones among those asked) with a comment. The answer can be
  changed until the request expires; the latest one counts. The entry's status follows:
  available or some days → « disponible », not available → « refusé » (a booked entry keeps
  « engagé »: the booking, not a late answer, says whether the person comes).
- :func:`latest_answers` — for the shortlist page: the latest request of each entry of a role
  (answered or not: ``answer is None`` means « waiting »).

A request expires :data:`VALID_FOR` after sending, or at the end of the last day asked if that
comes first; an expired link answers 410 with a page that says so.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import quote

from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.audit.services import Actor
from talento.casting.access import is_minor
from talento.casting.models import CastingProfile
from talento.crypto import Unavailable
from talento.i18n import gettext as _
from talento.mail import OutgoingMail, queue_mail
from talento.projects import links
from talento.projects.booking_texts import days_label, parse_days
from talento.projects.models import AvailabilityRequest, CastingRole, ShortlistEntry
from talento.projects.vocabulary import AVAILABILITY_ANSWERS
from talento.refusals import Refused
from talento.settings import Settings

#: How long an answer link works (never past the last day asked).
VALID_FOR = dt.timedelta(days=7)
#: At most this many people per sending (a crowd role's whole shortlist).
MOST_AT_ONCE = 500
COMMENT_MAX = 1000
#: Entry statuses an answer sets (a booked entry is left alone).
STATUS_AFTER = {"available": "available", "partial": "available", "unavailable": "declined"}


@dataclass(frozen=True)
class Person:
    """One chosen entry as the compose and result pages show it (no contact value)."""

    entry_id: int
    talent_id: int
    name: str
    cinema_code: str | None
    status: str
    minor: bool
    has_email: bool
    has_whatsapp: bool


@dataclass(frozen=True)
class SentCheck:
    """One request once sent: who got an e-mail, the answer link, the wa.me link if any."""

    request_id: int
    entry_id: int
    name: str
    cinema_code: str | None
    emailed: bool
    to_guardian: bool
    answer_url: str
    whatsapp_url: str | None
    answer: str | None


def answer_url(base_url: str, secret_key: str, request_id: int) -> str:
    token = links.make_token(secret_key, "availability", request_id)
    return f"{base_url.rstrip('/')}/availability/{token}"


def whatsapp_digits(number: object) -> str | None:
    """The digits wa.me wants (country code first, no « + », no « 00 »), or None when the
    number is missing, unreadable or too short to be one."""
    if not number or isinstance(number, Unavailable):
        return None
    digits = re.sub(r"\D", "", str(number))
    if str(number).strip().startswith("00"):
        digits = digits[2:]
    return digits if 8 <= len(digits) <= 15 else None


def whatsapp_url(digits: str, message: str) -> str:
    return f"https://wa.me/{digits}?text={quote(message, safe='')}"


def chosen_entries(
    session: Session, role: CastingRole, entry_ids: list[int]
) -> list[ShortlistEntry]:
    """The role's entries among `entry_ids`, in shortlist order (others are ignored)."""
    ids = sorted(set(entry_ids))[:MOST_AT_ONCE]
    if not ids:
        return []
    return list(
        session.scalars(
            select(ShortlistEntry)
            .where(ShortlistEntry.role_id == role.id, ShortlistEntry.id.in_(ids))
            .order_by(ShortlistEntry.position, ShortlistEntry.id)
        )
    )


def _users(session: Session, talent_ids: list[int]) -> dict[int, User]:
    return {user.id: user for user in session.scalars(select(User).where(User.id.in_(talent_ids)))}


def _with_whatsapp(session: Session, talent_ids: list[int]) -> set[int]:
    """Who has a WhatsApp number, without decrypting one."""
    return set(
        session.scalars(select(User.id).where(User.id.in_(talent_ids), User.whatsapp.is_not(None)))
    )


def people(session: Session, entries: list[ShortlistEntry], today: dt.date) -> list[Person]:
    """The compose page's list: names, CINEMA codes, whether an e-mail and a WhatsApp link
    can reach them (nothing decrypted)."""
    talent_ids = [entry.talent_id for entry in entries]
    users = _users(session, talent_ids)
    whatsapp = _with_whatsapp(session, talent_ids)
    found = []
    for entry in entries:
        user = users[entry.talent_id]
        profile: CastingProfile = entry.talent
        minor = is_minor(user, today)
        has_email = bool(profile.guardian_email) if minor else bool(user.email)
        found.append(
            Person(
                entry_id=entry.id,
                talent_id=user.id,
                name=user.full_name,
                cinema_code=profile.code,
                status=entry.status,
                minor=minor,
                has_email=has_email,
                has_whatsapp=not minor and user.id in whatsapp,
            )
        )
    return found


def expiry_for(days: list[dt.date], now: dt.datetime) -> dt.datetime:
    """:data:`VALID_FOR` after `now`, or the end of the last day asked if earlier."""
    end_of_last = dt.datetime.combine(max(days) + dt.timedelta(days=1), dt.time.min, dt.UTC)
    return min(now + VALID_FOR, end_of_last)


def send_checks(
    session: Session,
    settings: Settings,
    secret_key: str,
    role: CastingRole,
    entry_ids: list[int],
    sender_id: int | None,
    now: dt.datetime,
    note: str = "",
) -> list[int]:
    """Ask each chosen entry of `role` about the role's shooting days; returns the new
    requests' ids (flushed). Refused: no shooting day (or only past ones), nobody chosen."""
    days = [day for day in role.days if day >= now.date()]
    if not role.days:
        raise Refused(
            None,
            _(
                "Ce rôle n'a pas encore de jours de tournage : ajoutez-les au rôle avant de "
                "demander les disponibilités."
            ),
        )
    if not days:
        raise Refused(None, _("Les jours de tournage de ce rôle sont tous passés."))
    entries = chosen_entries(session, role, entry_ids)
    if not entries:
        raise Refused("entry", _("Choisissez au moins une personne de la liste."))
    note = (note or "").strip()
    if len(note) > COMMENT_MAX:
        raise Refused(
            "note", _("Le message est trop long (%(n)d caractères au plus).", n=COMMENT_MAX)
        )
    users = _users(session, [entry.talent_id for entry in entries])
    expires_at = expiry_for(days, now)
    project = role.project
    made = []
    for entry in entries:
        user = users[entry.talent_id]
        request = AvailabilityRequest(
            entry_id=entry.id,
            days=[day.isoformat() for day in days],
            message=note or None,
            sent_by_id=sender_id,
            sent_at=now,
            expires_at=expires_at,
        )
        session.add(request)
        session.flush()
        to, for_guardian = _address(entry.talent, user, now.date())
        if to:
            request.emailed_at = now
            queue_mail(
                session,
                settings,
                OutgoingMail(
                    to=to,
                    template="availability_check",
                    lang=user.language,
                    context={
                        "first_name": user.first_name,
                        "for_guardian": for_guardian,
                        "guardian_name": (entry.talent.guardian_name or "") if for_guardian else "",
                        "company": project.company.name,
                        "project": project.name,
                        "role": role.name,
                        "days": days_label(days, user.language),
                        "note": note,
                        "answer_url": answer_url(settings.base_url, secret_key, request.id),
                        "expires": days_label([expires_at.date()], user.language),
                    },
                ),
                after_response=True,
            )
        if entry.status != "booked":
            entry.status = "contacted"
        made.append(request.id)
    session.flush()
    return made


def _address(profile: CastingProfile, user: User, today: dt.date) -> tuple[str | None, bool]:
    """(e-mail address, is it the guardian's): a minor's guardian, else the account's."""
    if is_minor(user, today):
        email = profile.guardian_email
        return (str(email) if email and not isinstance(email, Unavailable) else None), True
    return (user.email or None), False


def whatsapp_message(
    first_name: str, role: CastingRole, days: list[dt.date], url: str, lang: str
) -> str:
    """The pre-written message of the wa.me link, in the talent's language."""
    lang = lang if lang in ("fr", "en") else "fr"
    with force_locale(lang):
        return _(
            "Bonjour %(name)s, ici l'équipe casting de « %(project)s » (%(company)s). "
            "Êtes-vous disponible pour le rôle « %(role)s » le(s) %(days)s ? "
            "Répondez en un clic, sans créer de compte : %(url)s",
            name=first_name,
            project=role.project.name,
            company=role.project.company.name,
            role=role.name,
            days=days_label(days, lang),
            url=url,
        )


def sent_checks(
    session: Session,
    settings: Settings,
    secret_key: str,
    role: CastingRole,
    request_ids: list[int],
    actor: Actor,
    today: dt.date,
) -> list[SentCheck]:
    """The requests of `role` among `request_ids` with their links; every WhatsApp number
    decrypted for the page is audited."""
    ids = sorted(set(request_ids))[:MOST_AT_ONCE]
    if not ids:
        return []
    requests = list(
        session.scalars(
            select(AvailabilityRequest)
            .join(ShortlistEntry, ShortlistEntry.id == AvailabilityRequest.entry_id)
            .where(AvailabilityRequest.id.in_(ids), ShortlistEntry.role_id == role.id)
            .order_by(ShortlistEntry.position, ShortlistEntry.id, AvailabilityRequest.id)
        )
    )
    users = _users(session, [request.entry.talent_id for request in requests])
    checks = []
    for request in requests:
        entry = request.entry
        user = users[entry.talent_id]
        minor = is_minor(user, today)
        url = answer_url(settings.base_url, secret_key, request.id)
        wa_url = None
        if not minor:
            digits = whatsapp_digits(user.whatsapp)
            if digits:
                days = parse_days(request.days)
                wa_url = whatsapp_url(
                    digits, whatsapp_message(user.first_name, role, days, url, user.language)
                )
                audit.record(
                    session,
                    AuditAction.PERSONAL_DATA_VIEW,
                    actor,
                    fields=["whatsapp"],
                    detail={"purpose": "availability_whatsapp", "request_id": request.id},
                    **audit.about(user),
                )
        checks.append(
            SentCheck(
                request_id=request.id,
                entry_id=entry.id,
                name=user.full_name,
                cinema_code=entry.talent.code,
                emailed=request.emailed_at is not None,
                to_guardian=minor,
                answer_url=url,
                whatsapp_url=wa_url,
                answer=request.answer,
            )
        )
    return checks


# -- the talent's answer -----------------------------------------------------------------------


def request_for_token(session: Session, secret_key: str, token: str) -> AvailabilityRequest | None:
    """The request a link was made for; None for a forged or altered token, or a request
    that no longer exists (its entry was removed from the shortlist)."""
    request_id = links.read_token(secret_key, "availability", token)
    return session.get(AvailabilityRequest, request_id) if request_id is not None else None


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives naive datetimes back: they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def is_expired(request: AvailabilityRequest, now: dt.datetime) -> bool:
    return _aware(request.expires_at) <= now


def answer(
    session: Session,
    request: AvailabilityRequest,
    choice: str,
    days: list[dt.date],
    comment: str,
    now: dt.datetime,
) -> None:
    """Record the talent's answer (see the module docstring). Refused: an expired request
    (410), no answer chosen, « some days » without a day, a comment too long."""
    if is_expired(request, now):
        raise Refused(
            None, _("Cette demande a expiré : il n'est plus possible d'y répondre."), status=410
        )
    if choice not in AVAILABILITY_ANSWERS:
        raise Refused("answer", _("Choisissez votre réponse."))
    asked = parse_days(request.days)
    chosen = sorted(set(days) & set(asked))
    if choice == "partial" and not chosen:
        raise Refused("days", _("Cochez les jours où vous êtes disponible."))
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise Refused(
            "comment", _("Le commentaire est trop long (%(n)d caractères au plus).", n=COMMENT_MAX)
        )
    if choice == "partial" and chosen == asked:
        choice = "available"
    request.answer = choice
    request.available_days = [
        day.isoformat()
        for day in (asked if choice == "available" else chosen if choice == "partial" else [])
    ]
    request.comment = comment or None
    request.answered_at = now
    entry = request.entry
    if entry.status != "booked":
        entry.status = STATUS_AFTER[choice]
    session.flush()


def latest_answers(session: Session, role_id: int) -> dict[int, AvailabilityRequest]:
    """For the shortlist page: each entry's latest request (``answer is None``: waiting)."""
    latest = (
        select(func.max(AvailabilityRequest.id))
        .join(ShortlistEntry, ShortlistEntry.id == AvailabilityRequest.entry_id)
        .where(ShortlistEntry.role_id == role_id)
        .group_by(AvailabilityRequest.entry_id)
    )
    rows = session.scalars(select(AvailabilityRequest).where(AvailabilityRequest.id.in_(latest)))
    return {row.entry_id: row for row in rows}


__all__ = [
    "AvailabilityRequest",
    "Person",
    "SentCheck",
    "answer",
    "answer_url",
    "is_expired",
    "latest_answers",
    "people",
    "request_for_token",
    "send_checks",
    "sent_checks",
    "whatsapp_digits",
    "whatsapp_url",
]
