"""Password reset and first-password links: signed, valid one hour, usable once.

The token is never stored. It carries the user id and a fingerprint of the account's current
password hash, password change time and e-mail, keyed with SECRET_KEY; once the password
changes (the link was used, or the user changed it another way) the fingerprint no longer
matches and the link is refused. Links are always built on BASE_URL, never on the request's
Host header (which an attacker could choose to receive someone else's link).
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.mail import OutgoingMail, queue_mail
from talento.settings import Settings

log = logging.getLogger(__name__)

SALT = "talento-password-reset"
MAX_AGE_SECONDS = 3600
RESET_PATH = "/auth/reset/"
MAX_TOKEN_LENGTH = 512
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class TokenStatus(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"  # well signed, but the password (or e-mail) changed since it was issued
    INVALID = "invalid"  # tampered, truncated, unknown or deactivated account


@dataclass(frozen=True)
class TokenCheck:
    status: TokenStatus
    user: User | None = None


def serializer(secret_key: str) -> URLSafeTimedSerializer:
    """Signs with SECRET_KEY under a salt of its own, so no other signed value passes for a
    reset token."""
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def account_fingerprint(secret_key: str, user: User) -> str:
    """Keyed digest of what a reset changes, so a token works only until the next change."""
    changed = user.password_changed_at
    micros = 0
    if changed is not None:
        micros = (changed - _EPOCH) // dt.timedelta(microseconds=1)
    material = "\x1f".join((user.password_hash or "", str(micros), user.email.strip().lower()))
    key = hashlib.sha256(f"{SALT}:{secret_key}".encode()).digest()
    return hmac.new(key, material.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def make_token(secret_key: str, user: User) -> str:
    """A link token for `user`, valid until MAX_AGE_SECONDS pass or the password changes."""
    return serializer(secret_key).dumps({"u": user.id, "f": account_fingerprint(secret_key, user)})


def reset_url(settings: Settings, user: User, base_url: str | None = None) -> str:
    """The link to put in an e-mail: always on BASE_URL (or the caller's trusted base)."""
    token = make_token(settings.secret_key, user)
    return f"{(base_url or settings.base_url).rstrip('/')}{RESET_PATH}{token}"


def check_token(
    session: Session, secret_key: str, token: str, max_age: int = MAX_AGE_SECONDS
) -> TokenCheck:
    """Which user a link belongs to, if it is still good. Reads clear columns only."""
    if len(token) > MAX_TOKEN_LENGTH:
        return TokenCheck(TokenStatus.INVALID)
    try:
        payload = serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired:
        return TokenCheck(TokenStatus.EXPIRED)
    except BadSignature:
        return TokenCheck(TokenStatus.INVALID)
    if not isinstance(payload, dict):
        return TokenCheck(TokenStatus.INVALID)
    user_id, fingerprint = payload.get("u"), payload.get("f")
    if type(user_id) is not int or not isinstance(fingerprint, str):
        return TokenCheck(TokenStatus.INVALID)
    user = session.get(User, user_id)
    if user is None or not user.is_active_account:
        return TokenCheck(TokenStatus.INVALID)
    if not hmac.compare_digest(fingerprint, account_fingerprint(secret_key, user)):
        return TokenCheck(TokenStatus.USED)
    return TokenCheck(TokenStatus.VALID, user)


def find_active_by_email(session: Session, email: str) -> User | None:
    """Case-insensitive, like login; a deactivated account gets no link."""
    email = email.strip().lower()
    if not email:
        return None
    return session.scalars(
        select(User).where(func.lower(User.email) == email, User.is_active_account.is_(True))
    ).first()


def request_password_reset(
    session: Session, settings: Settings, email: str, base_url: str | None = None
) -> bool:
    """Queue the reset e-mail when an active account has this address (True), else False.

    The caller answers the same way in both cases; the mail leaves after the commit (after the
    response, in a request), so neither the page nor its timing tells whether the address is
    registered.
    """
    user = find_active_by_email(session, email)
    if user is None:
        log.info("Demande de réinitialisation pour une adresse sans compte actif")
        return False
    log.info("Demande de réinitialisation : utilisateur id=%s", user.id)
    mail = _link_mail(settings, user, "reset_password", base_url)
    queue_mail(session, settings, mail, after_response=True)
    return True


def issue_set_password_link(
    session: Session,
    settings: Settings,
    user: User,
    base_url: str | None = None,
    report: Callable[[bool], object] | None = None,
) -> None:
    """E-mail an account created by an admin the link to choose its first password.

    The mail leaves once the transaction is committed (the link is bound to the stored
    state); ``report`` is told whether it left. No password is ever sent by e-mail.
    """
    session.flush()  # a new account gets its id and code
    log.info("Lien de création de mot de passe : utilisateur id=%s", user.id)
    mail = _link_mail(settings, user, "set_password", base_url)
    queue_mail(session, settings, mail, report=report)


def _link_mail(settings: Settings, user: User, template: str, base_url: str | None) -> OutgoingMail:
    return OutgoingMail(
        to=user.email,
        template=template,
        lang=user.language or "fr",
        context={
            "first_name": user.first_name,
            "code": user.code,
            "reset_url": reset_url(settings, user, base_url),
        },
    )
