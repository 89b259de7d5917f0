"""User accounts. Login reads only clear columns: email, code, password hash, active flag."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable

from flask_login import UserMixin
from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    ScalarSelect,
    String,
    event,
    exists,
    func,
    select,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talento.crypto import (
    BLIND_INDEX_LENGTH,
    EncryptedText,
    Unavailable,
    active_keyring,
    watch_unreadable_values,
)
from talento.extensions import CreatedAt, Model, UpdatedAt, one_of


class Capability(enum.StrEnum):
    """What an account may do (DESIGN "Capabilities"); an account combines several."""

    TALENT = "talent"
    RECRUITER = "recruiter"
    CASTING = "casting"
    PRESENCE = "presence"
    ADMIN = "admin"


#: Capabilities in display order (labels, exports, audit rows).
CAPABILITY_ORDER: dict[str, int] = {c.value: i for i, c in enumerate(Capability)}


def in_order(capabilities: Iterable[str]) -> list[str]:
    """`capabilities` without repeats, in :class:`Capability` order (unknown ones last)."""
    return sorted(
        set(capabilities), key=lambda c: (CAPABILITY_ORDER.get(c, len(CAPABILITY_ORDER)), c)
    )


class Gender(enum.StrEnum):
    MALE = "M"
    FEMALE = "F"
    UNSPECIFIED = "N"


class User(UserMixin, Model):
    """An account: a talent, a recruiter, a presence operator, an admin, or several of these
    (its :attr:`capabilities`, one row each in ``account_capabilities``).

    Encrypted contact columns are deferred: loading a user (login, session) never decrypts.
    """

    __tablename__ = "users"
    __table_args__ = (one_of("gender", Gender, name="gender_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(10), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255), default="")
    is_active_account: Mapped[bool] = mapped_column(default=True, server_default=true())
    gender: Mapped[str] = mapped_column(String(1), default="N", server_default="N")
    date_of_birth: Mapped[dt.date | None]
    country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id"))
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"))
    phone: Mapped[str | None] = mapped_column(
        EncryptedText(), deferred=True, deferred_group="contact"
    )
    whatsapp: Mapped[str | None] = mapped_column(
        EncryptedText(), deferred=True, deferred_group="contact"
    )
    address: Mapped[str | None] = mapped_column(
        EncryptedText(), deferred=True, deferred_group="contact"
    )
    #: Blind indexes (keyed HMAC of the E.164 number, see crypto.blind_index): exact search
    #: and duplicate warnings without decrypting. Kept in step by the "set" events below.
    phone_index: Mapped[str | None] = mapped_column(String(BLIND_INDEX_LENGTH), index=True)
    whatsapp_index: Mapped[str | None] = mapped_column(String(BLIND_INDEX_LENGTH), index=True)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
    last_login_at: Mapped[dt.datetime | None]
    session_version: Mapped[int] = mapped_column(default=1, server_default="1")
    #: Reset links are bound to this instant: a link stops working once the password changes.
    password_changed_at: Mapped[dt.datetime | None]
    #: Interface language for emails ("fr" or "en").
    language: Mapped[str] = mapped_column(String(5), default="fr", server_default="fr")
    #: Fields cleared by `talento keys adopt` (no key could read them), comma-separated
    #: (see talento.keys.places.PLACES); the person re-enters them at next login.
    lost_fields: Mapped[str | None] = mapped_column(String(120))
    #: When the "please update your profile" e-mail about lost data was last sent.
    lost_data_notified_at: Mapped[dt.datetime | None]
    #: When the person proved they read this address (the signed link of accounts/verification);
    #: an unverified talent can log in and edit but is listed nowhere.
    email_verified_at: Mapped[dt.datetime | None]
    #: TOTP two-factor secret (base32), set once enrolment is confirmed. Stored in clear on
    #: purpose: login must never depend on ENCRYPTION_KEY (see accounts/two_factor.py).
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    #: Last accepted TOTP time step: a code is accepted once (no replay within its window).
    totp_last_step: Mapped[int | None]

    country = relationship("Country", lazy="joined")
    city = relationship("City", lazy="joined")
    profile = relationship(
        "TalentProfile", back_populates="user", uselist=False, cascade="all, delete-orphan"
    )
    # ORM cascades (SQLite does not enforce ON DELETE): a deleted account leaves nothing behind.
    recovery_codes = relationship("RecoveryCode", cascade="all, delete-orphan")
    lost_values = relationship("LostValue", cascade="all, delete-orphan")
    account_sessions = relationship("AccountSession", cascade="all, delete-orphan")
    #: What the account may do. Loaded with the user (one small query per batch of users), so
    #: `can()` never queries in a template or a permission check.
    capability_rows: Mapped[list[AccountCapability]] = relationship(
        lazy="selectin", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_admin(self) -> bool:
        return Capability.ADMIN.value in self.capabilities

    @property
    def capabilities(self) -> frozenset[str]:
        return frozenset(row.capability for row in self.capability_rows)

    @capabilities.setter
    def capabilities(self, wanted: Iterable[str]) -> None:
        self.set_capabilities(wanted)

    def can(self, capability: str) -> bool:
        """True when the account holds `capability` (a :class:`Capability` value)."""
        return capability in self.capabilities

    def set_capabilities(self, wanted: Iterable[str]) -> bool:
        """Hold exactly `wanted` (Capability values); rows of the others are deleted at flush.
        Returns whether anything changed. Also usable as ``User(capabilities=[...])``."""
        wanted = set(wanted)
        unknown = wanted - set(Capability)
        if unknown:
            raise ValueError(f"unknown capabilities: {sorted(unknown)}")
        if wanted == self.capabilities:
            return False
        kept = [row for row in self.capability_rows if row.capability in wanted]
        held = {row.capability for row in kept}
        self.capability_rows = kept + [
            AccountCapability(capability=c) for c in in_order(wanted - held)
        ]
        return True

    def grant(self, capability: str) -> bool:
        """Add one capability; returns False when the account already held it."""
        return self.set_capabilities(self.capabilities | {capability})

    def revoke(self, capability: str) -> bool:
        """Remove one capability; returns False when the account did not hold it."""
        return self.set_capabilities(self.capabilities - {capability})

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def two_factor_enabled(self) -> bool:
        return bool(self.totp_secret)

    @property
    def lost_field_names(self) -> list[str]:
        return [name for name in (self.lost_fields or "").split(",") if name]

    @property
    def is_active(self) -> bool:  # Flask-Login: inactive accounts cannot hold a session
        return self.is_active_account

    def get_id(self) -> str:
        """Session identity carries the session version, so bumping it ends every session (the
        server-side records of :class:`AccountSession` go with it, see accounts/sessions.py)."""
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:  # no personal data in reprs (they end up in logs)
        return f"<User id={self.id} code={self.code}>"


class AccountCapability(Model):
    """One capability of one account (DESIGN "Capabilities"): an account combines several."""

    __tablename__ = "account_capabilities"
    __table_args__ = (one_of("capability", Capability, name="capability_known"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    capability: Mapped[str] = mapped_column(String(16), primary_key=True)


def holds(capability: str) -> ColumnElement[bool]:
    """SQL: the account of the row in ``users`` holds `capability` (an EXISTS on the primary
    key of ``account_capabilities``: one index probe per user)."""
    return exists().where(
        AccountCapability.user_id == User.id, AccountCapability.capability == capability
    )


def capability_list() -> ScalarSelect[str]:
    """SQL: the account's capabilities as one comma-separated string in no set order (None
    without any): ``string_agg`` on PostgreSQL, ``group_concat`` on SQLite. Readers put them
    in order with :func:`in_order` (admin list, exports)."""
    return (
        select(func.aggregate_strings(AccountCapability.capability, ","))
        .where(AccountCapability.user_id == User.id)
        .correlate(User)
        .scalar_subquery()
    )


class RecoveryCode(Model):
    """A single-use two-factor recovery code, kept as a SHA-256 digest (the codes are random
    and long, so a slow hash adds nothing)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[dt.datetime | None]
    created_at: Mapped[CreatedAt]


class AccountSession(Model):
    """One signed-in browser, kept on the server so that ending it is final: the cookie holds a
    random token, this row only its SHA-256, and a cookie whose row is gone opens nothing.
    No address or browser string is kept: the account page shows a count, nothing more."""

    __tablename__ = "account_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[CreatedAt]
    #: Refreshed at most every few minutes (accounts/sessions.TOUCH_EVERY), not per request.
    last_seen_at: Mapped[dt.datetime]


Index("uq_users_email_lower", func.lower(User.email), unique=True)
Index("ix_users_country_city", User.country_id, User.city_id)
# Casting search: gender + real age (date of birth), the commonest pair of criteria and the age
# sort; and the city alone (« within N km of a city » is a set of city ids in any country).
Index("ix_users_gender_birth", User.gender, User.date_of_birth)
Index("ix_users_city", User.city_id)
Index("ix_users_last_name_lower", func.lower(User.last_name))
# Newest accounts first (admin list), talents' registrations by date (admin dashboard: an
# index-only scan that leaves out the few staff ids without reading the rows).
Index("ix_users_created_at", User.created_at, User.id)
# Directory search (PostgreSQL): prefix LIKE on lower(name) needs text_pattern_ops under any
# non-C collation; the partial index keeps counting listed talents an index-only scan.
Index(
    "ix_users_last_name_prefix",
    func.lower(User.last_name).label("last_name_lower"),
    postgresql_ops={"last_name_lower": "text_pattern_ops"},
).ddl_if(dialect="postgresql")
Index(
    "ix_users_first_name_prefix",
    func.lower(User.first_name).label("first_name_lower"),
    postgresql_ops={"first_name_lower": "text_pattern_ops"},
).ddl_if(dialect="postgresql")
Index(
    "ix_users_email_prefix",
    func.lower(User.email).label("email_lower"),
    postgresql_ops={"email_lower": "text_pattern_ops"},
).ddl_if(dialect="postgresql")
# The directory's first page walks this backwards (newest first) and checks each account's
# talent capability by primary key, stopping after one page.
Index(
    "ix_users_listed_created",
    User.created_at,
    User.id,
    postgresql_where=User.is_active_account,
).ddl_if(dialect="postgresql")
# Holders of a capability (the admin dashboard's few staff accounts, the admin list's filter).
Index(
    "ix_account_capabilities_capability",
    AccountCapability.capability,
    AccountCapability.user_id,
)
watch_unreadable_values(User)


def _phone_blind_index(value: str | None) -> str | None:
    return active_keyring().blind_index(value) if value else None


@event.listens_for(User.phone, "set")
def _index_phone(target: User, value, oldvalue, initiator) -> None:
    if not isinstance(value, Unavailable):
        target.phone_index = _phone_blind_index(value)


@event.listens_for(User.whatsapp, "set")
def _index_whatsapp(target: User, value, oldvalue, initiator) -> None:
    if not isinstance(value, Unavailable):
        target.whatsapp_index = _phone_blind_index(value)


class CodeCounter(Model):
    """One row per country; incremented by UPDATE … RETURNING inside the inserting transaction."""

    __tablename__ = "code_counters"

    country_iso2: Mapped[str] = mapped_column(String(2), primary_key=True)
    last_value: Mapped[int] = mapped_column(default=0, server_default="0")
