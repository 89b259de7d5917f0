"""E-mail verification: signed links valid 48 hours, bound to the address they were sent to.

An account proves it reads its address by opening the link e-mailed at registration (or sent
again from its space, or by an admin). Until then it can log in and edit, but is listed
nowhere: the directory, its counts and the public page follow
``profiles.search.directory.listed_conditions`` and ``profiles.public``.

Like the password-reset and sign-in links (accounts/reset.py, accounts/sign_in_link.py), the
token is never stored: it is an itsdangerous signature with SECRET_KEY under a salt of its own,
carrying the user id and a keyed digest of the address (never the address itself, so the URL
names nobody in a proxy's log). A link sent to an old address therefore does nothing once the
address changed. Opening a link twice is harmless: the second time says « déjà vérifiée »
(also after the 48 hours, since the signature still proves which account and address it was).
Links are built on BASE_URL, never on the request's Host header.

Sending is limited per account (``SEND_LIMIT``, in the login limits' storage: Redis in
production), whoever asks: the talent's « Renvoyer le lien », an admin's button, or a request to
change the address (accounts/email_change.py), so nobody can flood a mailbox through Talento.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from talento.accounts.login_limits import Bucket, LoginLimits, Refusal, Reservation, limits_of
from talento.accounts.models import User
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.extensions import utcnow
from talento.mail import OutgoingMail, queue_mail
from talento.settings import Settings

log = logging.getLogger(__name__)

SALT = "talento-email-verification"
MAX_AGE = dt.timedelta(hours=48)
VERIFY_PATH = "/auth/verify/"
MAX_TOKEN_LENGTH = 512
#: Verification and address-change e-mails per account (the mailbox's protection).
SEND_BUCKET = "verification-send"
SEND_LIMIT = "5 per hour"


class VerifyStatus(enum.Enum):
    VERIFIED = "verified"  # this click verified the address
    ALREADY = "already"  # the address was verified already (a second click)
    EXPIRED = "expired"
    OTHER_ADDRESS = "other_address"  # well signed, for an address the account no longer has
    INVALID = "invalid"  # tampered, truncated, unknown or deactivated account


@dataclass(frozen=True)
class VerifyCheck:
    status: VerifyStatus
    user: User | None = None


def serializer(secret_key: str, salt: str, now: dt.datetime | None = None):
    """Signs under `salt`; `now` fixes the clock (signing and checking) for tests and tools."""
    if now is None:
        return URLSafeTimedSerializer(secret_key, salt=salt)
    stamp = int(now.timestamp())

    class _At(TimestampSigner):
        def get_timestamp(self) -> int:
            return stamp

    return URLSafeTimedSerializer(secret_key, salt=salt, signer=_At)


def address_digest(secret_key: str, purpose: str, email: str) -> str:
    """Keyed digest of an address (any case): binds a link to it without carrying it."""
    key = hashlib.sha256(f"{purpose}:{secret_key}".encode()).digest()
    material = email.strip().lower().encode("utf-8")
    return hmac.new(key, material, hashlib.sha256).hexdigest()[:32]


def make_token(secret_key: str, user: User, now: dt.datetime | None = None) -> str:
    digest = address_digest(secret_key, SALT, user.email)
    return serializer(secret_key, SALT, now).dumps({"u": user.id, "a": digest})


def verification_url(settings: Settings, user: User, now: dt.datetime | None = None) -> str:
    """The link to put in an e-mail: always on BASE_URL."""
    token = make_token(settings.secret_key, user, now)
    return f"{settings.base_url.rstrip('/')}{VERIFY_PATH}{token}"


def load_signed(
    secret_key: str, salt: str, token: str, now: dt.datetime | None = None
) -> tuple[dict | None, bool]:
    """(payload, expired) of a token signed under `salt`: (None, …) when it is not ours.
    An expired token's payload is still returned: its signature is good, only its age is not."""
    if len(token) > MAX_TOKEN_LENGTH * 2:
        return None, False
    max_age = int(MAX_AGE.total_seconds())
    signed = serializer(secret_key, salt, now)
    try:
        payload, expired = signed.loads(token, max_age=max_age), False
    except SignatureExpired as exc:  # the signature is good: its (encoded) payload is given
        try:
            payload, expired = signed.load_payload(exc.payload), True
        except BadSignature:
            return None, False
    except BadSignature:
        return None, False
    if not isinstance(payload, dict) or type(payload.get("u")) is not int:
        return None, False
    return payload, expired


def check_token(
    session: Session, secret_key: str, token: str, now: dt.datetime | None = None
) -> VerifyCheck:
    """What opening `token` would do; nothing is changed (see :func:`confirm_email`)."""
    if len(token) > MAX_TOKEN_LENGTH:
        return VerifyCheck(VerifyStatus.INVALID)
    payload, expired = load_signed(secret_key, SALT, token, now)
    if payload is None or not isinstance(payload.get("a"), str):
        return VerifyCheck(VerifyStatus.INVALID)
    user = session.get(User, payload["u"])
    if user is None or not user.is_active_account:
        return VerifyCheck(VerifyStatus.INVALID)
    if not hmac.compare_digest(payload["a"], address_digest(secret_key, SALT, user.email)):
        return VerifyCheck(VerifyStatus.OTHER_ADDRESS)
    if user.email_verified:
        return VerifyCheck(VerifyStatus.ALREADY, user)
    if expired:
        return VerifyCheck(VerifyStatus.EXPIRED, user)
    return VerifyCheck(VerifyStatus.VERIFIED, user)


def confirm_email(
    session: Session,
    secret_key: str,
    token: str,
    actor: audit.Actor | None = None,
    now: dt.datetime | None = None,
) -> VerifyCheck:
    """Open a verification link: marks the address verified (and records it) when the link is
    good and the address was not verified yet. Idempotent."""
    check = check_token(session, secret_key, token, now)
    if check.status is VerifyStatus.VERIFIED and check.user is not None:
        mark_verified(session, check.user, actor, now)
    return check


def mark_verified(
    session: Session,
    user: User,
    actor: audit.Actor | None = None,
    now: dt.datetime | None = None,
) -> None:
    """The account proved it reads its address (a verification link, or any link e-mailed to
    it that binds the address: a password reset, a first password)."""
    if user.email_verified:
        return
    user.email_verified_at = now or utcnow()
    audit.record(session, AuditAction.EMAIL_VERIFIED, actor, **audit.about(user))
    log.info("Adresse e-mail vérifiée : utilisateur id=%s", user.id)


# -- sending -----------------------------------------------------------------------------------


def send_buckets(limits: LoginLimits, user_id: int) -> list[Bucket]:
    """Every verification or address-change e-mail of one account, whoever asks for it."""
    return [
        Bucket(SEND_BUCKET, limits.digest(SEND_BUCKET, f"user:{user_id}"), limits_of(SEND_LIMIT))
    ]


def reserve_send(limits: LoginLimits, user_id: int) -> Reservation | Refusal:
    """A place for one more e-mail to this account, or the refusal (with its wait)."""
    return limits.reserve(send_buckets(limits, user_id))


def verification_mail(settings: Settings, user: User, lang: str | None = None) -> OutgoingMail:
    return OutgoingMail(
        to=user.email,
        template="verify_email",
        lang=lang or user.language or "fr",
        context={"first_name": user.first_name, "verify_url": verification_url(settings, user)},
    )


def send_verification(
    session: Session,
    settings: Settings,
    user: User,
    actor: audit.Actor | None = None,
    report: Callable[[bool], object] | None = None,
) -> bool:
    """Queue the verification e-mail (it leaves after the commit). False, and nothing sent,
    when the address is verified already. The caller has reserved a place (:func:`reserve_send`).
    An admin's request (``actor`` another account) is recorded in the audit trail."""
    if user.email_verified or not user.is_active_account:
        return False
    if actor is not None and actor.id != user.id:
        audit.record(session, AuditAction.VERIFICATION_SENT, actor, **audit.about(user))
    log.info("Lien de vérification envoyé : utilisateur id=%s", user.id)
    queue_mail(session, settings, verification_mail(settings, user), report=report)
    return True
