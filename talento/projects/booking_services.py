"""Bookings (issue 14, point 6): « Engager » a shortlisted talent on a role.

- :func:`book` — one booking per chosen entry: the days (among the role's shooting days), the
  rate per day (the role's unless changed), call time, meeting point, what to bring; a code
  from projects.booking_codes (allocated race-free in this transaction); the entry becomes
  « engagé »; the talent (a minor's guardian) gets an e-mail with the link
  ``/booking/<token>`` to confirm or decline without an account.
- One live booking per talent per role is the database's rule (the partial unique index
  ``uq_bookings_live_role_talent``): a person already booked is reported, and two casting
  users booking the same person at the same instant get one booking and one clear message
  (the INSERT runs in a SAVEPOINT whose IntegrityError becomes that message, never a 500).
- :func:`respond` — the talent confirms or declines (a confirmed booking can still be
  declined; a declined or cancelled one is closed). Declining sets the entry to « refusé ».
- :func:`cancel` — casting staff cancel with a reason, which the talent receives by e-mail;
  the entry goes back to « présélectionné » and the person can be booked again.
- :func:`whatsapp_link` — on staff's request (« Préparer le message WhatsApp »), the same
  confirmation link as a ``wa.me`` message for an adult talent with a WhatsApp number; the
  number decrypted for staff is audited (``personal_data.view``, field ``whatsapp``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
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
from talento.projects.availability_services import whatsapp_digits, whatsapp_url
from talento.projects.booking_codes import allocate_booking_code
from talento.projects.booking_texts import days_label, money_label, time_label
from talento.projects.models import Booking, BookingDay, CastingRole, ShortlistEntry
from talento.refusals import Refusals, Refused
from talento.settings import Settings

MOST_AT_ONCE = 500
TEXT_MAX = 2000
MEETING_POINT_MAX = 300
RATE_MAX = Decimal("10000000")
LIVE = ("pending", "confirmed")


def already_booked_message() -> str:
    return _("Ce talent est déjà engagé sur ce rôle.")


@dataclass(frozen=True)
class BookingInput:
    """What the « Engager » form says, for every chosen person."""

    days: list[dt.date]
    rate_per_day: Decimal | None
    call_time: dt.time | None = None
    meeting_point: str = ""
    what_to_bring: str = ""


@dataclass
class BookingReport:
    booked: list[Booking] = field(default_factory=list)
    #: Names (and CINEMA codes) of people already booked on the role: nothing done for them.
    already: list[str] = field(default_factory=list)


def confirmation_url(base_url: str, secret_key: str, booking_id: int) -> str:
    token = links.make_token(secret_key, "booking", booking_id)
    return f"{base_url.rstrip('/')}/booking/{token}"


def live_booking_of(session: Session, role_id: int, talent_id: int) -> Booking | None:
    return session.scalar(
        select(Booking).where(
            Booking.role_id == role_id,
            Booking.talent_id == talent_id,
            Booking.status.in_(LIVE),
        )
    )


def live_bookings_by_talent(session: Session, role_id: int) -> dict[int, Booking]:
    rows = session.scalars(
        select(Booking).where(Booking.role_id == role_id, Booking.status.in_(LIVE))
    )
    return {row.talent_id: row for row in rows}


def _checked(role: CastingRole, data: BookingInput) -> BookingInput:
    problems: list[Refused] = []
    if not role.days:
        raise Refused(
            None,
            _("Ce rôle n'a pas encore de jours de tournage : ajoutez-les au rôle avant d'engager."),
        )
    days = sorted(set(data.days))
    if not days:
        problems.append(Refused("days", _("Cochez au moins un jour de tournage.")))
    elif not set(days) <= set(role.days):
        problems.append(Refused("days", _("Choisissez des jours de tournage du rôle.")))
    rate = data.rate_per_day
    if rate is not None and (
        not rate.is_finite()
        or rate < 0
        or rate >= RATE_MAX
        or rate != rate.quantize(Decimal("0.01"))
    ):
        problems.append(
            Refused("rate_per_day", _("Indiquez un tarif positif, avec au plus deux décimales."))
        )
    meeting_point = (data.meeting_point or "").strip()
    if len(meeting_point) > MEETING_POINT_MAX:
        problems.append(
            Refused(
                "meeting_point",
                _(
                    "Le lieu de rendez-vous est trop long (%(n)d caractères au plus).",
                    n=MEETING_POINT_MAX,
                ),
            )
        )
    what_to_bring = (data.what_to_bring or "").strip()
    if len(what_to_bring) > TEXT_MAX:
        problems.append(
            Refused(
                "what_to_bring", _("Le texte est trop long (%(n)d caractères au plus).", n=TEXT_MAX)
            )
        )
    if problems:
        raise Refusals(problems)
    return BookingInput(days, rate, data.call_time, meeting_point, what_to_bring)


def book(
    session: Session,
    settings: Settings,
    secret_key: str,
    role: CastingRole,
    entry_ids: list[int],
    data: BookingInput,
    booked_by_id: int | None,
    now: dt.datetime,
) -> BookingReport:
    """Book each chosen entry of `role` (see the module docstring). Refused when nobody can
    be booked: bad input, nobody chosen, or everyone already booked (409, the clear message)."""
    data = _checked(role, data)
    ids = sorted(set(entry_ids))[:MOST_AT_ONCE]
    entries = (
        list(
            session.scalars(
                select(ShortlistEntry)
                .where(ShortlistEntry.role_id == role.id, ShortlistEntry.id.in_(ids))
                .order_by(ShortlistEntry.position, ShortlistEntry.id)
            )
        )
        if ids
        else []
    )
    if not entries:
        raise Refused("entry", _("Choisissez au moins une personne de la liste."))
    users = {
        user.id: user
        for user in session.scalars(
            select(User).where(User.id.in_([entry.talent_id for entry in entries]))
        )
    }
    report = BookingReport()
    for entry in entries:
        user = users[entry.talent_id]
        label = f"{user.full_name} ({entry.talent.code})" if entry.talent.code else user.full_name
        booking = _book_one(session, role, entry, data, booked_by_id)
        if booking is None:
            report.already.append(label)
            continue
        entry.status = "booked"
        _mail_offer(session, settings, secret_key, booking, entry.talent, user, now.date())
        report.booked.append(booking)
    if not report.booked:
        message = already_booked_message()
        if len(entries) > 1:
            message = _("Ces talents sont déjà engagés sur ce rôle.")
        raise Refused(None, message, status=409)
    session.flush()
    return report


def _book_one(
    session: Session,
    role: CastingRole,
    entry: ShortlistEntry,
    data: BookingInput,
    booked_by_id: int | None,
) -> Booking | None:
    """The new booking, or None when the person already has a live one on the role (seen
    before, or caught by the unique index when another request booked them meanwhile)."""
    if live_booking_of(session, role.id, entry.talent_id) is not None:
        return None
    code = allocate_booking_code(session, role.project)
    booking = Booking(
        code=code,
        project_id=role.project_id,
        role_id=role.id,
        talent_id=entry.talent_id,
        status="pending",
        rate_per_day=data.rate_per_day,
        currency=role.currency,
        call_time=data.call_time,
        meeting_point=data.meeting_point or None,
        what_to_bring=data.what_to_bring or None,
        created_by_id=booked_by_id,
        booked_days=[BookingDay(day=day) for day in data.days],
    )
    try:
        with session.begin_nested():
            session.add(booking)
            session.flush()
    except IntegrityError:
        # Another request's booking won the race (uq_bookings_live_role_talent); the sequence
        # number taken above is left unused, as a rolled-back one would be. Any other
        # integrity error is a bug, not a person already booked.
        if live_booking_of(session, role.id, entry.talent_id) is None:
            raise
        return None
    return booking


def _address(profile: CastingProfile, user: User, today: dt.date) -> tuple[str | None, bool]:
    if is_minor(user, today):
        email = profile.guardian_email
        return (str(email) if email and not isinstance(email, Unavailable) else None), True
    return (user.email or None), False


def mail_context(booking: Booking, user: User, lang: str) -> dict:
    role = booking.role
    return {
        "first_name": user.first_name,
        "company": booking.project.company.name,
        "project": booking.project.name,
        "role": role.name,
        "code": booking.code,
        "days": days_label(booking.days, lang),
        "rate": money_label(booking.rate_per_day, booking.currency, lang),
        "call_time": time_label(booking.call_time, lang),
        "meeting_point": booking.meeting_point or "",
        "what_to_bring": booking.what_to_bring or "",
    }


def _mail_offer(
    session: Session,
    settings: Settings,
    secret_key: str,
    booking: Booking,
    profile: CastingProfile,
    user: User,
    today: dt.date,
) -> None:
    to, for_guardian = _address(profile, user, today)
    if not to:
        return
    context = mail_context(booking, user, user.language)
    context.update(
        for_guardian=for_guardian,
        guardian_name=(profile.guardian_name or "") if for_guardian else "",
        confirm_url=confirmation_url(settings.base_url, secret_key, booking.id),
    )
    queue_mail(
        session,
        settings,
        OutgoingMail(to=to, template="booking_offer", lang=user.language, context=context),
        after_response=True,
    )


# -- the talent's answer, the staff's cancellation -----------------------------------------------


def booking_for_token(session: Session, secret_key: str, token: str) -> Booking | None:
    booking_id = links.read_token(secret_key, "booking", token)
    return session.get(Booking, booking_id) if booking_id is not None else None


def _entry_of(session: Session, booking: Booking) -> ShortlistEntry | None:
    return session.scalar(
        select(ShortlistEntry).where(
            ShortlistEntry.role_id == booking.role_id,
            ShortlistEntry.talent_id == booking.talent_id,
        )
    )


def respond(session: Session, booking: Booking, confirm: bool, now: dt.datetime) -> None:
    """The talent's « Je confirme » / « Je ne peux pas ». Refused (409) on a booking that was
    cancelled or already declined."""
    if booking.status == "cancelled":
        raise Refused(None, _("Cet engagement a été annulé par l'équipe casting."), status=409)
    if booking.status == "declined":
        raise Refused(None, _("Vous avez déjà décliné cet engagement."), status=409)
    if confirm:
        if booking.status != "confirmed":
            booking.status = "confirmed"
            booking.confirmed_at = now
        return
    booking.status = "declined"
    booking.declined_at = now
    entry = _entry_of(session, booking)
    if entry is not None:
        entry.status = "declined"
    session.flush()


def cancel(
    session: Session,
    settings: Settings,
    booking: Booking,
    reason: str,
    cancelled_by_id: int | None,
    now: dt.datetime,
) -> None:
    """Cancel a live booking with a reason (required), e-mailed to the talent."""
    reason = (reason or "").strip()
    if not reason:
        raise Refused("reason", _("Indiquez la raison de l'annulation : le talent la recevra."))
    if len(reason) > TEXT_MAX:
        raise Refused("reason", _("Le texte est trop long (%(n)d caractères au plus).", n=TEXT_MAX))
    if not booking.is_live:
        raise Refused(None, _("Cet engagement n'est plus en cours : rien à annuler."), status=409)
    booking.status = "cancelled"
    booking.cancelled_at = now
    booking.cancel_reason = reason
    booking.cancelled_by_id = cancelled_by_id
    entry = _entry_of(session, booking)
    if entry is not None and entry.status == "booked":
        entry.status = "shortlisted"
    session.flush()
    user = session.get(User, booking.talent_id)
    if user is None:
        return
    to, for_guardian = _address(booking.talent, user, now.date())
    if not to:
        return
    context = mail_context(booking, user, user.language)
    context.update(
        for_guardian=for_guardian,
        guardian_name=(booking.talent.guardian_name or "") if for_guardian else "",
        reason=reason,
    )
    queue_mail(
        session,
        settings,
        OutgoingMail(to=to, template="booking_cancelled", lang=user.language, context=context),
        after_response=True,
    )


def has_whatsapp(session: Session, booking: Booking, today: dt.date) -> bool:
    """Can a WhatsApp message be prepared (an adult with a number)? Nothing decrypted."""
    user = session.get(User, booking.talent_id)
    if user is None or is_minor(user, today):
        return False
    return bool(
        session.scalar(select(User.whatsapp.is_not(None)).where(User.id == booking.talent_id))
    )


def whatsapp_link(
    session: Session,
    base_url: str,
    secret_key: str,
    booking: Booking,
    actor: Actor,
    today: dt.date,
) -> str | None:
    """The wa.me link with the confirmation message (audited), or None without a usable
    number, for a minor (only the guardian is contacted), or a booking no longer live."""
    if not booking.is_live:
        return None
    user = session.get(User, booking.talent_id)
    if user is None or is_minor(user, today):
        return None
    digits = whatsapp_digits(user.whatsapp)
    if digits is None:
        return None
    lang = user.language if user.language in ("fr", "en") else "fr"
    with force_locale(lang):
        message = _(
            "Bonjour %(name)s, ici l'équipe casting de « %(project)s » (%(company)s). "
            "Vous êtes engagé(e) pour le rôle « %(role)s » le(s) %(days)s (code %(code)s). "
            "Merci de confirmer votre présence, sans créer de compte : %(url)s",
            name=user.first_name,
            project=booking.project.name,
            company=booking.project.company.name,
            role=booking.role.name,
            days=days_label(booking.days, lang),
            code=booking.code,
            url=confirmation_url(base_url, secret_key, booking.id),
        )
    audit.record(
        session,
        AuditAction.PERSONAL_DATA_VIEW,
        actor,
        fields=["whatsapp"],
        detail={"purpose": "booking_whatsapp", "booking_id": booking.id},
        **audit.about(user),
    )
    return whatsapp_url(digits, message)


def bookings_of_talent(session: Session, talent_id: int) -> list[Booking]:
    """The talent's own bookings, newest first (their space)."""
    return list(
        session.scalars(
            select(Booking)
            .where(Booking.talent_id == talent_id)
            .order_by(Booking.created_at.desc(), Booking.id.desc())
        )
    )


__all__ = [
    "Booking",
    "BookingInput",
    "BookingReport",
    "book",
    "booking_for_token",
    "bookings_of_talent",
    "cancel",
    "confirmation_url",
    "live_booking_of",
    "respond",
]
