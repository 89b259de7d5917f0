"""TOTP two-factor authentication (RFC 6238) and single-use recovery codes. No Flask request here.

Why the secret is stored in clear: login must never depend on ENCRYPTION_KEY (the product's
core rule: a wrong or lost key must not lock anyone out). The secret is a random 160-bit value
that protects nothing but the second factor of this one site; a database thief already holds
the password hashes, so encrypting it would add little and would tie logins to the key.

- A code is accepted within one 30-second step either side of now (clock drift), and only for a
  step later than the last one accepted (`totp_last_step`), so a code seen over a shoulder or in
  a proxy log cannot be replayed. The check-and-set is one conditional UPDATE: two concurrent
  logins with the same code cannot both win.
- Recovery codes are random (`xxxx-xxxx-xxxx`, about 59 bits), shown once, stored as SHA-256
  digests (long random values need no slow hash), compared in constant time and spent by a
  conditional UPDATE.
- Until enrolment is confirmed no secret is stored anywhere: it is derived from SECRET_KEY and a
  random nonce kept in the session, so the signed (not encrypted) session cookie never carries
  it.
"""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from talento.accounts.models import RecoveryCode, User
from talento.accounts.passwords import PasswordService
from talento.accounts.sessions import end_every_session
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.audit.services import Actor
from talento.extensions import rowcount, utcnow

ISSUER = "Talento"
INTERVAL = 30
DIGITS = 6
VALID_WINDOW = 1
RECOVERY_CODE_COUNT = 10
#: No 0/o, 1/l/i: codes are copied by hand from paper.
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_GROUPS = 3
RECOVERY_GROUP_LENGTH = 4
#: How long a correct password waits for its second factor.
PENDING_LOGIN_SECONDS = 300

_TOTP_RE = re.compile(rf"\d{{{DIGITS}}}")
_RECOVERY_RE = re.compile(rf"[{RECOVERY_ALPHABET}]{{{RECOVERY_GROUPS * RECOVERY_GROUP_LENGTH}}}")
_SEPARATORS = re.compile(r"[\s-]+")


class SecondFactor(enum.StrEnum):
    TOTP = "totp"
    RECOVERY_CODE = "recovery_code"


class ChangeOutcome(enum.Enum):
    OK = "ok"
    BAD_PASSWORD = "bad_password"  # noqa: S105 - an outcome name
    BAD_CODE = "bad_code"


# -- secrets, URIs, QR codes ------------------------------------------------------------------


def new_enrolment_nonce() -> str:
    return secrets.token_urlsafe(16)


def enrolment_secret(secret_key: str, user_id: int, nonce: str) -> str:
    """The base32 secret offered during enrolment: 160 bits derived from SECRET_KEY, the user
    and a random nonce, so nothing secret has to be stored before the user confirms."""
    message = f"talento-totp-enrolment:{user_id}:{nonce}".encode()
    digest = hmac.new(secret_key.encode("utf-8"), message, hashlib.sha256).digest()[:20]
    return base64.b32encode(digest).decode("ascii")


def provisioning_uri(secret: str, email: str) -> str:
    """The otpauth:// URI authenticator apps read from the QR code."""
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL).provisioning_uri(
        name=email, issuer_name=ISSUER
    )


def qr_data_uri(uri: str) -> str:
    """An SVG QR code as a data: URI (allowed by the CSP's img-src; no request, no service)."""
    return segno.make(uri, error="m", micro=False).svg_data_uri(
        scale=4, border=4, dark="#000", light="#fff"
    )


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# -- TOTP codes ---------------------------------------------------------------------------------


def _normalise(code: str | None) -> str:
    return _SEPARATORS.sub("", code or "").lower()


def current_step(now: float | None = None) -> int:
    return int((time.time() if now is None else now) // INTERVAL)


def _matching_step(secret: str, code: str, now: float | None) -> int | None:
    """The latest step within the window whose code is `code`, else None."""
    if not _TOTP_RE.fullmatch(code):
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)
    step = current_step(now)
    found = None
    for candidate in range(step - VALID_WINDOW, step + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            found = candidate
    return found


def verify_totp(session: Session, user: User, code: str, now: float | None = None) -> bool:
    """Accept a current code once: its step must be later than the last accepted one."""
    if not user.totp_secret:
        return False
    step = _matching_step(user.totp_secret, _normalise(code), now)
    if step is None:
        return False
    result = session.execute(
        update(User)
        .where(
            User.id == user.id,
            or_(User.totp_last_step.is_(None), User.totp_last_step < step),
        )
        .values(totp_last_step=step)
    )
    return rowcount(result) == 1


# -- recovery codes -----------------------------------------------------------------------------


def _hash_code(normalised: str) -> str:
    return hashlib.sha256(normalised.encode("ascii")).hexdigest()


def new_recovery_code() -> str:
    groups = (
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_GROUP_LENGTH))
        for _ in range(RECOVERY_GROUPS)
    )
    return "-".join(groups)


def _replace_recovery_codes(session: Session, user: User) -> list[str]:
    """Delete the user's codes and store 10 new ones; returns them in clear (shown once)."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.expire(user, ["recovery_codes"])
    codes = [new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    session.add_all(
        RecoveryCode(user_id=user.id, code_hash=_hash_code(_normalise(code)), created_at=utcnow())
        for code in codes
    )
    return codes


def remaining_recovery_codes(session: Session, user: User) -> int:
    return session.execute(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).scalar_one()


def use_recovery_code(session: Session, user: User, code: str, actor: Actor) -> bool:
    """Spend one unused recovery code of `user`; audited with the number left."""
    normalised = _normalise(code)
    if not _RECOVERY_RE.fullmatch(normalised):
        return False
    digest = _hash_code(normalised)
    rows = session.execute(
        select(RecoveryCode.id, RecoveryCode.code_hash).where(
            RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
        )
    ).all()
    match = None
    for row_id, stored in rows:  # no early exit: the same work whichever code matches
        if hmac.compare_digest(stored, digest):
            match = row_id
    if match is None:
        return False
    spent = session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.id == match, RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
    )
    if rowcount(spent) != 1:
        return False
    audit.record(
        session,
        AuditAction.RECOVERY_CODE_USED,
        actor,
        detail={"remaining": len(rows) - 1},
        **audit.about(user),
    )
    return True


def verify_second_factor(
    session: Session, user: User, code: str, actor: Actor, now: float | None = None
) -> SecondFactor | None:
    """A TOTP code or, failing that, a recovery code. Which one was used, or None."""
    if not user.two_factor_enabled:
        return None
    if verify_totp(session, user, code, now):
        return SecondFactor.TOTP
    if use_recovery_code(session, user, code, actor):
        return SecondFactor.RECOVERY_CODE
    return None


# -- enabling, disabling, regenerating, resetting -------------------------------------------------


def enable(
    session: Session, user: User, secret: str, code: str, actor: Actor, now: float | None = None
) -> list[str] | None:
    """Turn 2FA on once `code` proves the app holds `secret`. Returns the new recovery codes
    (to show once), or None when the code is wrong."""
    step = _matching_step(secret, _normalise(code), now)
    if step is None:
        return None
    user.totp_secret = secret
    user.totp_last_step = step  # the confirming code cannot log in afterwards
    codes = _replace_recovery_codes(session, user)
    audit.record(session, AuditAction.TWO_FACTOR_ENABLED, actor, **audit.about(user))
    return codes


def _confirm(
    session: Session,
    user: User,
    password: str,
    code: str,
    passwords: PasswordService,
    actor: Actor,
    now: float | None,
) -> ChangeOutcome:
    """Password, then second factor: a wrong password never spends a recovery code."""
    if not passwords.verify(user.password_hash, password).ok:
        return ChangeOutcome.BAD_PASSWORD
    if verify_second_factor(session, user, code, actor, now) is None:
        return ChangeOutcome.BAD_CODE
    return ChangeOutcome.OK


def _clear(session: Session, user: User) -> None:
    user.totp_secret = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    session.expire(user, ["recovery_codes"])


def disable(
    session: Session,
    user: User,
    password: str,
    code: str,
    passwords: PasswordService,
    actor: Actor,
    now: float | None = None,
) -> ChangeOutcome:
    """Turn 2FA off; needs the password and a current code or a recovery code."""
    outcome = _confirm(session, user, password, code, passwords, actor, now)
    if outcome is ChangeOutcome.OK:
        _clear(session, user)
        audit.record(session, AuditAction.TWO_FACTOR_DISABLED, actor, **audit.about(user))
    return outcome


def regenerate_recovery_codes(
    session: Session,
    user: User,
    password: str,
    code: str,
    passwords: PasswordService,
    actor: Actor,
    now: float | None = None,
) -> tuple[ChangeOutcome, list[str]]:
    """Replace every recovery code (used or not); the old ones stop working at once."""
    outcome = _confirm(session, user, password, code, passwords, actor, now)
    if outcome is not ChangeOutcome.OK:
        return outcome, []
    codes = _replace_recovery_codes(session, user)
    audit.record(session, AuditAction.RECOVERY_CODES_REGENERATED, actor, **audit.about(user))
    return outcome, codes


def reset(session: Session, user: User, actor: Actor, by: str = "cli") -> bool:
    """The operator's way out (lost phone and recovery codes): clear the second factor and end
    every session of the account. False when 2FA was not on (nothing changed)."""
    if not user.two_factor_enabled:
        return False
    _clear(session, user)
    end_every_session(session, user)
    audit.record(
        session, AuditAction.TWO_FACTOR_RESET, actor, detail={"by": by}, **audit.about(user)
    )
    return True


def must_enrol(user: User, admin_2fa_required: bool) -> bool:
    """ADMIN_2FA_REQUIRED: an admin without 2FA may only reach the enrolment pages."""
    return admin_2fa_required and user.is_admin and not user.two_factor_enabled
