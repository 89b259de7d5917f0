"""The contact relay: anyone reaches a talent by e-mail without ever seeing their address.

A visitor (or a signed-in account) fills the « Contacter » form of a public page; the message
goes to the talent by e-mail, From the platform with Reply-To set to the sender, and the sender
gets a copy. Neither the pages nor the copy show the talent's e-mail or phone: the talent
decides whether to answer (and so reveal their address).

Who can be contacted: exactly the talents whose public page is shown
(:func:`talento.profiles.public.public_profile`, so every rule that hides a page hides its
form too) and who left contact on (``TalentProfile.contact_enabled``).

Limits (``accounts.login_limits.contact_buckets``, one atomic reservation: a refused message
takes no place anywhere): per client network (wide), per sender (the typed e-mail; an
account's id), and per talent (an hourly limit and a daily cap) for senders who are not
recruiters; a recruiter account (or an admin) has one generous ceiling of its own instead.
The per-sender limit also bounds the copies a visitor can make Talento send to an address
typed in the form.

Spam traps without any third-party service (talento.profiles.contact_traps): a honeypot field
humans never see and a signed time stamp in the form. The view answers a trapped submission
exactly like a sent one; here it sends nothing, takes places in the network and sender buckets
(not the talent's: a robot cannot spend a talent's daily cap) and leaves an audit row.

Audit: one row per relayed message (who: the account or anonymous, with the client address as
every row has; to whom: the talent; when), never the message nor the sender's e-mail. The
relayed mail carries a signed « report abuse » link (no login needed): the talent's report is
an audit row the admin sees on the audit page, one per message however often it is clicked.

Header injection: names and organisations are single lines (control characters refused),
the e-mail is a plain address checked here, and the Reply-To header is built from its parts.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from email.headerregistry import Address

from sqlalchemy import select
from sqlalchemy.orm import Session

from talento.accounts.login_limits import (
    CONTACT_AT_ADDRESS,
    CONTACT_FOR_RECRUITER,
    CONTACT_FOR_SENDER,
    CONTACT_TALENT_DAY,
    LoginLimits,
    Refusal,
)
from talento.accounts.models import User
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.audit.services import Actor
from talento.i18n import gettext as _
from talento.i18n import ngettext
from talento.mail import OutgoingMail, queue_mail
from talento.profiles.contact_reports import report_url
from talento.profiles.models import TalentProfile
from talento.profiles.public import normalise_code, public_profile
from talento.refusals import Refusals, Refused
from talento.settings import Settings

log = logging.getLogger(__name__)

NAME_MAX = 100
ORGANISATION_MAX = 120
EMAIL_MAX = 254
MESSAGE_MIN = 20
MESSAGE_MAX = 3000

#: A plain address whose parts make a valid header: no quotes, spaces, brackets or commas.
_EMAIL_RE = re.compile(
    r"(?P<local>[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*)"
    r"@(?P<domain>[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,63})",
    re.ASCII,
)


@dataclass(frozen=True)
class Recipient:
    """The talent a message goes to. The e-mail stays in the service and the mail: no page
    receives this object."""

    user_id: int
    code: str
    first_name: str
    full_name: str
    email: str
    language: str


@dataclass(frozen=True)
class ContactMessage:
    """What the sender typed (the view passes an account's own e-mail, not a typed one)."""

    name: str
    email: str
    body: str
    organisation: str = ""


@dataclass(frozen=True)
class Sender:
    """Who sends, as the request knows them: the account (or none) and the client address in
    `actor`, and whether the account holds the recruiter capability."""

    actor: Actor
    recruiter: bool = False
    #: The language the sender is using: their copy is written in it.
    lang: str = "fr"

    def identity(self, email: str) -> str:
        """The sender's bucket: an account is itself whatever address it types."""
        if self.actor.id is not None:
            return f"user:{self.actor.id}"
        return "email:" + email.strip().lower()


class TooMany(Refused):
    """A limit is reached: the form again, everything kept, with when to retry."""

    def __init__(self, field: str | None, message: str, retry_after: int):
        super().__init__(field, message, status=429)
        self.retry_after = retry_after


@dataclass(frozen=True)
class Relayed:
    """A message accepted (and queued): the audit row that records it."""

    event_id: int


# -- who can be contacted ------------------------------------------------------------------


def recipient(session: Session, code: str, lang: str = "fr") -> Recipient | None:
    """The talent at `code` when their public page is shown and contact is on, else None."""
    if public_profile(session, code, lang) is None:
        return None
    row = session.execute(
        select(User.id, User.code, User.first_name, User.last_name, User.email, User.language)
        .join(TalentProfile, TalentProfile.user_id == User.id)
        .where(User.code == normalise_code(code), TalentProfile.contact_enabled.is_(True))
    ).one_or_none()
    if row is None:
        return None
    return Recipient(
        user_id=row.id,
        code=row.code,
        first_name=row.first_name,
        full_name=f"{row.first_name} {row.last_name}".strip(),
        email=row.email,
        language=row.language or "fr",
    )


# -- checking what was typed -----------------------------------------------------------------


#: Bidi embeddings, overrides and isolates: they can make a name display as something else.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _single_line(value: str) -> bool:
    """No control character (CR, LF, NUL…), line or paragraph separator, or bidi override: a
    header-safe line. Joiners (ZWJ, ZWNJ) stay allowed: some scripts and emoji need them."""
    return not any(
        unicodedata.category(char) in ("Cc", "Zl", "Zp") or char in _BIDI_CONTROLS for char in value
    )


def reply_address(name: str, email: str) -> Address:
    """The Reply-To header of the relayed mail, from checked parts (raises ValueError)."""
    match = _EMAIL_RE.fullmatch(email)
    if match is None or len(email) > EMAIL_MAX or not _single_line(name):
        raise ValueError("expéditeur invalide")
    return Address(display_name=name, username=match["local"], domain=match["domain"])


def checked(message: ContactMessage) -> ContactMessage:
    """The message with its fields trimmed (a body's line breaks kept), or Refusals."""
    name = message.name.strip()
    organisation = message.organisation.strip()
    email = message.email.strip()
    body = message.body.replace("\r\n", "\n").replace("\r", "\n").strip()
    problems: list[Refused] = []
    if not name:
        problems.append(Refused("name", _("Indiquez votre nom.")))
    elif len(name) > NAME_MAX or not _single_line(name):
        problems.append(
            Refused(
                "name",
                _(
                    "Votre nom doit tenir sur une ligne de %(max)d caractères au plus.",
                    max=NAME_MAX,
                ),
            )
        )
    if len(organisation) > ORGANISATION_MAX or not _single_line(organisation):
        problems.append(
            Refused(
                "organisation",
                _(
                    "L'organisation doit tenir sur une ligne de %(max)d caractères au plus.",
                    max=ORGANISATION_MAX,
                ),
            )
        )
    try:
        reply_address(name if _single_line(name) else "", email)
    except ValueError:
        problems.append(Refused("email", _("Indiquez une adresse e-mail valide.")))
    printable = body.replace("\n", "").replace("\t", "")
    if len(body) < MESSAGE_MIN:
        problems.append(
            Refused(
                "message",
                _("Votre message est trop court (%(min)d caractères au moins).", min=MESSAGE_MIN),
            )
        )
    elif len(body) > MESSAGE_MAX:
        problems.append(
            Refused(
                "message",
                _("Votre message est trop long (%(max)d caractères au plus).", max=MESSAGE_MAX),
            )
        )
    elif any(unicodedata.category(char) == "Cc" for char in printable):
        problems.append(Refused("message", _("Votre message contient des caractères invalides.")))
    if problems:
        raise Refusals(problems)
    return ContactMessage(name=name, email=email, body=body, organisation=organisation)


# -- sending ---------------------------------------------------------------------------------


def relay(
    session: Session,
    settings: Settings,
    limits: LoginLimits,
    code: str,
    message: ContactMessage,
    sender: Sender,
) -> Relayed:
    """Check, count and queue the relayed mail and the sender's copy (sent after commit).

    Raises Refusals (bad input, nothing counted), Refused with status 404 (the talent is not
    contactable) or TooMany (a limit: nothing counted anywhere)."""
    message = checked(message)
    target = recipient(session, code)
    if target is None:
        raise Refused(None, _("Ce talent ne reçoit pas de messages."), status=404)
    attempt = limits.reserve(
        limits.contact_buckets(
            settings,
            sender=sender.identity(message.email),
            talent_id=target.user_id,
            address=sender.actor.ip,
            recruiter=sender.recruiter,
        )
    )
    if isinstance(attempt, Refusal):
        log.info("Message de contact refusé (limite %s)", attempt.bucket)
        raise _too_many(attempt)
    event = audit.record(
        session,
        AuditAction.CONTACT_RELAYED,
        sender.actor,
        subject_id=target.user_id,
        subject_code=target.code,
        detail={"recruiter": sender.recruiter},
    )
    session.flush()  # the row's id goes into the report link
    report = report_url(settings.base_url, settings.secret_key, event.id, target.user_id)
    public_url = f"{settings.base_url}/p/{target.code}"
    shared = {
        "sender_name": message.name,
        "sender_organisation": message.organisation,
        "sender_email": message.email,
        "body": message.body,
        "talent_first_name": target.first_name,
        "talent_name": target.full_name,
        "talent_code": target.code,
        "public_url": public_url,
    }
    queue_mail(
        session,
        settings,
        OutgoingMail(
            to=target.email,
            template="contact_relay",
            lang=target.language,
            context={**shared, "report_url": report},
            reply_to=reply_address(message.name, message.email),
        ),
    )
    queue_mail(
        session,
        settings,
        OutgoingMail(to=message.email, template="contact_copy", lang=sender.lang, context=shared),
    )
    log.info("Message de contact transmis : talent id=%s", target.user_id)
    return Relayed(event.id)


def record_trapped(
    session: Session,
    settings: Settings,
    limits: LoginLimits,
    code: str,
    email: str,
    sender: Sender,
    reason: str,
) -> None:
    """A submission caught by a trap: nothing is sent; it counts against the network and the
    sender (never the talent) and leaves an audit row, unless those buckets are already full."""
    target = recipient(session, code)
    if target is None:
        return
    attempt = limits.reserve(
        limits.contact_buckets(
            settings,
            sender=sender.identity(email),
            talent_id=target.user_id,
            address=sender.actor.ip,
            recruiter=sender.recruiter,
            trapped=True,
        )
    )
    log.info("Message de contact piégé (%s) : rien n'est envoyé", reason)
    if isinstance(attempt, Refusal):
        return
    audit.record(
        session,
        AuditAction.CONTACT_TRAPPED,
        sender.actor,
        subject_id=target.user_id,
        subject_code=target.code,
        detail={"reason": reason},
    )


def _too_many(refusal: Refusal) -> TooMany:
    minutes = max(1, -(-refusal.retry_after // 60))
    if minutes > 90:
        hours = -(-minutes // 60)
        wait = ngettext("Réessayez dans %(num)d heure.", "Réessayez dans %(num)d heures.", hours)
    else:
        wait = ngettext(
            "Réessayez dans %(num)d minute.", "Réessayez dans %(num)d minutes.", minutes
        )
    if refusal.bucket in (CONTACT_FOR_SENDER, CONTACT_FOR_RECRUITER):
        field: str | None = "email"
        message = _("Vous avez envoyé beaucoup de messages en peu de temps.")
    elif refusal.bucket == CONTACT_AT_ADDRESS:
        field = None
        message = _("Trop de messages envoyés depuis votre connexion.")
    elif refusal.bucket == CONTACT_TALENT_DAY:
        field = None
        message = _("Ce talent a reçu beaucoup de messages aujourd'hui.")
    else:
        field = None
        message = _("Ce talent a reçu beaucoup de messages ces dernières minutes.")
    return TooMany(field, f"{message} {wait}", refusal.retry_after)
