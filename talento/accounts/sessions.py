"""Server-side session records: what makes a signed cookie a live session.

Flask's session cookie is signed, not stored: clearing it at logout does not stop a copy of it.
So every login writes an :class:`AccountSession` row and puts a random token in the cookie; the
user loader accepts the cookie only while the row with that token's SHA-256 exists, belongs to
the same account and has been used within the idle limit. Ending a session is deleting its row:
logout (this one), "log out my other sessions" (all but this one), and everything that bumps
``User.session_version`` — a new password, a deactivation, a capability removed, a 2FA
reset — (all of them, through :func:`end_every_session`). Deleting the account deletes its
rows (cascade). No request or Flask here: the web side is in accounts/session_views.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from talento.accounts.models import AccountSession, User
from talento.extensions import rowcount, utcnow

#: ``last_seen_at`` is written at most this often per session (not one UPDATE per request).
TOUCH_EVERY = dt.timedelta(minutes=5)
#: With no idle timeout (SESSION_IDLE_MINUTES=0), a session left unused this long still ends,
#: so rows of browsers closed without logging out do not pile up for ever.
LONGEST_IDLE = dt.timedelta(days=30)


def max_idle(idle_minutes: int) -> dt.timedelta:
    """How long a row may go unseen: the idle timeout, plus the touch resolution (the precise
    idle check is the cookie's, in web/security.py); LONGEST_IDLE when the timeout is off."""
    if idle_minutes <= 0:
        return LONGEST_IDLE
    return dt.timedelta(minutes=idle_minutes) + TOUCH_EVERY


def token_digest(token: str) -> str:
    """SHA-256 of the cookie's token: the token is random and long, a slow hash adds nothing."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_session(
    session: Session, user_id: int, idle: dt.timedelta, now: dt.datetime | None = None
) -> str:
    """Record a new session of `user_id` and return its token (for the cookie only). The
    account's rows idle longer than `idle` are purged on the way."""
    now = now or utcnow()
    _purge_idle(session, user_id, idle, now)
    token = secrets.token_urlsafe(32)
    session.add(AccountSession(user_id=user_id, token_hash=token_digest(token), last_seen_at=now))
    return token


def live_session(
    session: Session,
    user_id: int,
    token: object,
    idle: dt.timedelta,
    now: dt.datetime | None = None,
) -> AccountSession | None:
    """The live row of this token for this account, touched when last seen over TOUCH_EVERY
    ago; None when there is none (logged out, ended elsewhere, idle too long, not a token)."""
    if not isinstance(token, str) or not token:
        return None
    now = now or utcnow()
    row = session.scalars(
        select(AccountSession).where(AccountSession.token_hash == token_digest(token))
    ).first()
    if row is None or row.user_id != user_id or now - row.last_seen_at > idle:
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return row


def close_session(session: Session, token: object) -> None:
    """End one session (logout). An unknown token changes nothing."""
    if isinstance(token, str) and token:
        session.execute(
            delete(AccountSession).where(AccountSession.token_hash == token_digest(token))
        )


def end_other_sessions(
    session: Session,
    user_id: int,
    keep_token: object,
    idle: dt.timedelta,
    now: dt.datetime | None = None,
) -> int:
    """End every session of the account but the one holding `keep_token`; returns how many
    were live (rows idle longer than `idle` go too, uncounted: they had ended already)."""
    now = now or utcnow()
    _purge_idle(session, user_id, idle, now)
    where = [AccountSession.user_id == user_id]
    if isinstance(keep_token, str) and keep_token:
        where.append(AccountSession.token_hash != token_digest(keep_token))
    return rowcount(session.execute(delete(AccountSession).where(*where)))


def end_every_session(session: Session | None, user: User) -> None:
    """End every session of `user`: a new session version (the cookie identity and a pending
    two-factor login carry it) and no server-side row left. `session` is None for an account
    not yet saved, which has no session to end."""
    user.session_version = (user.session_version or 0) + 1
    if session is not None and user.id is not None:
        session.execute(delete(AccountSession).where(AccountSession.user_id == user.id))


def count_other_sessions(
    session: Session,
    user_id: int,
    token: object,
    idle: dt.timedelta,
    now: dt.datetime | None = None,
) -> int:
    """Live sessions of the account other than the one holding `token`."""
    now = now or utcnow()
    query = select(func.count(AccountSession.id)).where(
        AccountSession.user_id == user_id, AccountSession.last_seen_at >= now - idle
    )
    if isinstance(token, str) and token:
        query = query.where(AccountSession.token_hash != token_digest(token))
    return session.scalar(query) or 0


def _purge_idle(session: Session, user_id: int, idle: dt.timedelta, now: dt.datetime) -> None:
    session.execute(
        delete(AccountSession).where(
            AccountSession.user_id == user_id, AccountSession.last_seen_at < now - idle
        )
    )
