"""Changing one's e-mail address: nothing changes until the new address proves it reads mail.

From the talent's space (current password asked again, limited like the other confirmations),
a signed link is e-mailed to the NEW address. It is valid 48 hours and bound to both
addresses: it carries a keyed digest of the current address (a link made before another change
does nothing) and the new address encrypted with the application's key ring (the URL names
nobody in a proxy's log or a browser's history; a key rotation within the 48 hours only means
asking again). Opening the link shows a button (mail scanners that follow links do not change
anything); its POST changes the address if it is still free (compared without case, like
everywhere), marks it verified, ends every session of the account (the address is how a
password is reset: whoever had a session with the old one must sign in again; the browser
that confirmed stays signed in if it was this account's), records the change in the audit
trail (that the e-mail changed, never the addresses), and sends a notice to the OLD address.
"""

from __future__ import annotations

import datetime as dt
import enum
import hmac
import logging
from dataclasses import dataclass

from cryptography.fernet import InvalidToken
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.accounts.sessions import end_every_session
from talento.accounts.verification import MAX_TOKEN_LENGTH, address_digest, load_signed, serializer
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.crypto import KeyRing
from talento.extensions import utcnow
from talento.i18n import gettext as _
from talento.mail import OutgoingMail, queue_mail
from talento.refusals import Refused
from talento.settings import Settings

log = logging.getLogger(__name__)

SALT = "talento-email-change"
CHANGE_PATH = "/auth/email-change/"
MAX_EMAIL_LENGTH = 254


class ChangeStatus(enum.Enum):
    VALID = "valid"
    DONE = "done"  # the account already has the new address (a second click)
    EXPIRED = "expired"
    STALE = "stale"  # the address changed otherwise since the link was sent
    TAKEN = "taken"  # another account took the new address meanwhile
    INVALID = "invalid"


@dataclass(frozen=True)
class ChangeCheck:
    status: ChangeStatus
    user: User | None = None
    new_email: str | None = None


def address_taken(session: Session, email: str, except_user_id: int) -> bool:
    """Another account has this address (without case: the unique index is on lower(email))."""
    query = select(User.id).where(
        func.lower(User.email) == email.strip().lower(), User.id != except_user_id
    )
    return session.scalar(query.limit(1)) is not None


def make_token(
    secret_key: str, keyring: KeyRing, user: User, new_email: str, now: dt.datetime | None = None
) -> str:
    payload = {
        "u": user.id,
        "o": address_digest(secret_key, SALT, user.email),
        "n": keyring.encrypt(new_email.strip()),
    }
    return serializer(secret_key, SALT, now).dumps(payload)


def change_url(
    settings: Settings,
    keyring: KeyRing,
    user: User,
    new_email: str,
    now: dt.datetime | None = None,
) -> str:
    token = make_token(settings.secret_key, keyring, user, new_email, now)
    return f"{settings.base_url.rstrip('/')}{CHANGE_PATH}{token}"


def request_email_change(
    session: Session, settings: Settings, keyring: KeyRing, user: User, new_email: str
) -> None:
    """Check the new address and queue the link to it (the caller checked the password and
    reserved a place in the account's sending limit). Refused: same address, or taken."""
    new_email = new_email.strip()
    if new_email.lower() == user.email.strip().lower():
        raise Refused("new_email", _("C'est déjà votre adresse actuelle."), status=400)
    if address_taken(session, new_email, user.id):
        raise Refused(
            "new_email", _("Un compte existe déjà avec cette adresse e-mail."), status=400
        )
    log.info("Changement d'adresse demandé : utilisateur id=%s", user.id)
    mail = OutgoingMail(
        to=new_email,
        template="email_change",
        lang=user.language or "fr",
        context={
            "first_name": user.first_name,
            "change_url": change_url(settings, keyring, user, new_email),
        },
    )
    queue_mail(session, settings, mail)


def check_change(
    session: Session,
    secret_key: str,
    keyring: KeyRing,
    token: str,
    now: dt.datetime | None = None,
) -> ChangeCheck:
    """What the link would do; nothing is changed (see :func:`apply_email_change`)."""
    if len(token) > MAX_TOKEN_LENGTH * 2:
        return ChangeCheck(ChangeStatus.INVALID)
    payload, expired = load_signed(secret_key, SALT, token, now)
    if payload is None or not isinstance(payload.get("o"), str):
        return ChangeCheck(ChangeStatus.INVALID)
    try:
        new_email = keyring.decrypt(str(payload.get("n", "")))
    except (InvalidToken, ValueError, UnicodeError):
        return ChangeCheck(ChangeStatus.INVALID)
    if not new_email or len(new_email) > MAX_EMAIL_LENGTH or "@" not in new_email:
        return ChangeCheck(ChangeStatus.INVALID)
    user = session.get(User, payload["u"])
    if user is None or not user.is_active_account:
        return ChangeCheck(ChangeStatus.INVALID)
    if user.email.strip().lower() == new_email.lower():
        return ChangeCheck(ChangeStatus.DONE, user, new_email)
    if not hmac.compare_digest(payload["o"], address_digest(secret_key, SALT, user.email)):
        return ChangeCheck(ChangeStatus.STALE, user)
    if expired:
        return ChangeCheck(ChangeStatus.EXPIRED, user)
    if address_taken(session, new_email, user.id):
        return ChangeCheck(ChangeStatus.TAKEN, user)
    return ChangeCheck(ChangeStatus.VALID, user, new_email)


def apply_email_change(
    session: Session,
    settings: Settings,
    keyring: KeyRing,
    token: str,
    actor: audit.Actor | None = None,
    now: dt.datetime | None = None,
) -> ChangeCheck:
    """Follow the link: change the address when it is VALID (flushed; the caller commits),
    end every session of the account, record it, and queue the notice to the old address."""
    check = check_change(session, settings.secret_key, keyring, token, now)
    if check.status is not ChangeStatus.VALID or check.user is None or check.new_email is None:
        return check
    user = check.user
    old_email = user.email
    user.email = check.new_email
    user.email_verified_at = now or utcnow()
    end_every_session(session, user)
    try:
        session.flush()
    except IntegrityError:  # the same address, taken a split second earlier
        session.rollback()
        return ChangeCheck(ChangeStatus.TAKEN)
    audit.record(session, AuditAction.EMAIL_CHANGED, actor, fields=["email"], **audit.about(user))
    log.info("Adresse e-mail changée : utilisateur id=%s", user.id)
    notice = OutgoingMail(
        to=old_email,
        template="email_changed",
        lang=user.language or "fr",
        context={"first_name": user.first_name, "code": user.code},
    )
    queue_mail(session, settings, notice)
    return check
