"""Account services: authentication, the admin account and its password. No Flask requests here."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session

from talento.accounts.models import Capability, User
from talento.accounts.passwords import PasswordService
from talento.accounts.sessions import end_every_session
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.extensions import utcnow
from talento.state import AppState

ADMIN_EMAIL = "admin@talento.com"
ADMIN_CODE = "MAN0001RAB"
ADMIN_PASSWORD_STATE = "admin_password_applied"  # noqa: S105 - a state name, not a secret


class LoginOutcome(enum.Enum):
    OK = "ok"
    INVALID = "invalid"
    INACTIVE = "inactive"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    user: User | None = None


def find_by_identifier(session: Session, identifier: str) -> User | None:
    """The identifier is an email or a unique code, in any case. Reads clear columns only."""
    identifier = identifier.strip()
    if not identifier:
        return None
    if "@" in identifier:
        where = func.lower(User.email) == identifier.lower()
    else:
        where = User.code == identifier.upper()
    return session.scalars(select(User).where(where)).first()


def authenticate(
    session: Session, identifier: str, password: str, passwords: PasswordService
) -> LoginResult:
    """Check credentials in constant-ish time; upgrade legacy or outdated hashes on success."""
    return check_password(find_by_identifier(session, identifier), password, passwords)


def check_password(user: User | None, password: str, passwords: PasswordService) -> LoginResult:
    """The password check of :func:`authenticate`, for a login that looked the account up
    first (its limits count per account)."""
    if user is None:
        passwords.burn_time()
        return LoginResult(LoginOutcome.INVALID)
    check = passwords.verify(user.password_hash, password)
    if not check.ok:
        return LoginResult(LoginOutcome.INVALID, user)
    if not user.is_active_account:
        return LoginResult(LoginOutcome.INACTIVE, user)
    if check.needs_rehash:
        user.password_hash = passwords.hash(password)
    user.last_login_at = utcnow()
    return LoginResult(LoginOutcome.OK, user)


def set_password(user: User, new_password: str, passwords: PasswordService) -> None:
    """Change a password and end every session of the account (the password change page signs
    its own session in again). The rows to end are in the user's own Session; an account not
    yet saved has none."""
    user.password_hash = passwords.hash(new_password)
    end_every_session(object_session(user), user)
    user.password_changed_at = utcnow()


def get_admin(session: Session) -> User | None:
    return session.scalars(select(User).where(User.code == ADMIN_CODE)).first()


def create_admin_if_absent(
    session: Session, admin_password: str, passwords: PasswordService
) -> User | None:
    """Create the seed's admin (admin@talento.com, MAN0001RAB). Returns it when created."""
    if get_admin(session) is not None:
        return None
    from talento.accounts.codes import reserve_sequence
    from talento.geo.models import City, Country

    morocco = session.scalars(select(Country).where(Country.iso2 == "MA")).first()
    rabat = None
    if morocco is not None:
        rabat = session.scalars(
            select(City).where(City.country_id == morocco.id, City.code == "RAB")
        ).first()
    admin = User(
        code=ADMIN_CODE,
        email=ADMIN_EMAIL,
        first_name="Admin",
        last_name="Talento",
        capabilities=[Capability.ADMIN.value],
        gender="N",
        country=morocco,
        city=rabat,
        is_active_account=True,
    )
    set_password(admin, admin_password, passwords)
    admin.session_version = 1
    session.add(admin)
    reserve_sequence(session, "MA", 1)
    _remember_admin_password(session, admin_password, passwords)
    return admin


def apply_admin_password_if_changed(
    session: Session, admin_password: str, passwords: PasswordService
) -> bool:
    """Apply ADMIN_PASSWORD to the admin when it differs from the value last applied.

    Only an Argon2 hash of the last applied value is kept. An unchanged value leaves the admin's
    password alone, so a password changed inside the app survives restarts. The state row is
    locked (PostgreSQL) so several workers starting together apply it once.
    """
    state = session.scalars(
        select(AppState).where(AppState.name == ADMIN_PASSWORD_STATE).with_for_update()
    ).first()
    if state is not None and passwords.verify(state.value, admin_password).ok:
        return False
    admin = get_admin(session)
    if admin is None:
        return False
    set_password(admin, admin_password, passwords)
    _remember_admin_password(session, admin_password, passwords, state)
    audit.record(
        session,
        AuditAction.PASSWORD_CHANGE,
        audit.SYSTEM,
        detail={"by": "ADMIN_PASSWORD"},
        **audit.about(admin),
    )
    return True


def _remember_admin_password(
    session: Session,
    admin_password: str,
    passwords: PasswordService,
    state: AppState | None = None,
) -> None:
    if state is None:
        state = session.get(AppState, ADMIN_PASSWORD_STATE)
    if state is None:
        state = AppState(name=ADMIN_PASSWORD_STATE, value="")
        session.add(state)
    state.value = passwords.hash(admin_password)
