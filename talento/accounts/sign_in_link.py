"""One-time sign-in links, e-mailed when an identifier's failures reached their ceiling.

Many failed passwords from other addresses must not lock the owner out: past the ceiling the
password is no longer checked (that would let a distributed guess go on), and the login page
offers this link instead. The link is as strong as the password-reset e-mail (it proves access
to the mailbox); it is signed with SECRET_KEY under its own salt, valid 15 minutes, bound to the
account's session version (a password change or "log out everywhere" voids it) and usable once:
its nonce is consumed atomically in the limits' storage (Redis or memory), so no table is needed.
It does not skip the second factor: an account with 2FA still enters its code afterwards.
"""

from __future__ import annotations

import enum
import logging
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.orm import Session

from talento.accounts.login_limits import LoginLimits
from talento.accounts.models import User
from talento.mail import OutgoingMail, queue_mail
from talento.settings import Settings

log = logging.getLogger(__name__)

SALT = "talento-sign-in-link"
MAX_AGE_SECONDS = 15 * 60
LINK_PATH = "/auth/link/"
MAX_TOKEN_LENGTH = 512
#: The "used" mark outlives the link: a token is refused by its age before the mark expires.
_USED_MARK_SECONDS = MAX_AGE_SECONDS + 60


class LinkStatus(enum.Enum):
    VALID = "valid"
    EXPIRED = "expired"
    USED = "used"
    INVALID = "invalid"  # tampered, truncated, unknown or deactivated account, password changed


@dataclass(frozen=True)
class LinkCheck:
    status: LinkStatus
    user: User | None = None
    nonce: str | None = None


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=SALT)


def make_token(secret_key: str, user: User) -> str:
    payload = {"u": user.id, "v": user.session_version, "n": secrets.token_urlsafe(16)}
    return _serializer(secret_key).dumps(payload)


def link_url(settings: Settings, user: User) -> str:
    """Always on BASE_URL, never on the request's Host header (an attacker could choose it)."""
    return f"{settings.base_url.rstrip('/')}{LINK_PATH}{make_token(settings.secret_key, user)}"


def check_link(
    session: Session, secret_key: str, token: str, max_age: int = MAX_AGE_SECONDS
) -> LinkCheck:
    """Whose link this is, if still good; it is not consumed (see :func:`consume`)."""
    if len(token) > MAX_TOKEN_LENGTH:
        return LinkCheck(LinkStatus.INVALID)
    try:
        payload = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired:
        return LinkCheck(LinkStatus.EXPIRED)
    except BadSignature:
        return LinkCheck(LinkStatus.INVALID)
    if not isinstance(payload, dict):
        return LinkCheck(LinkStatus.INVALID)
    user_id, version, nonce = payload.get("u"), payload.get("v"), payload.get("n")
    if type(user_id) is not int or type(version) is not int or not isinstance(nonce, str):
        return LinkCheck(LinkStatus.INVALID)
    user = session.get(User, user_id)
    if user is None or not user.is_active_account or user.session_version != version:
        return LinkCheck(LinkStatus.INVALID)
    return LinkCheck(LinkStatus.VALID, user, nonce)


def consume(limits: LoginLimits, check: LinkCheck) -> LinkCheck:
    """Spend a valid link: the first caller gets it back VALID, every later one USED (also when
    two requests race: the mark is set atomically)."""
    if check.status is not LinkStatus.VALID or check.nonce is None:
        return check
    if limits.consume_once("sign-in-link", check.nonce, _USED_MARK_SECONDS):
        return check
    return LinkCheck(LinkStatus.USED)


def send_sign_in_link(session: Session, settings: Settings, user: User | None) -> bool:
    """Queue the link for an active account (True), else nothing (False).

    The caller answers the same way in both cases, and the mail leaves after the response, so
    neither the page nor its timing tells whether the identifier has an account.
    """
    if user is None or not user.is_active_account:
        log.info("Lien de connexion demandé pour un identifiant sans compte actif")
        return False
    log.info("Lien de connexion envoyé : utilisateur id=%s", user.id)
    mail = OutgoingMail(
        to=user.email,
        template="sign_in_link",
        lang=user.language or "fr",
        context={"first_name": user.first_name, "link_url": link_url(settings, user)},
    )
    queue_mail(session, settings, mail, after_response=True)
    return True
