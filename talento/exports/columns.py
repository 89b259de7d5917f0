"""The explicit allowlist of exportable columns of the admin's user list.

Nothing leaves the database in an export unless it is listed here: a new column on `User` is
never exported by accident (tests/exports/test_columns.py pins the list). Each column says
whether it is personal data (exported only by an admin who asked for it, and audited), how it is
selected (one SQL expression, plus the outer joins it needs) and how its raw value is rendered.

Personal columns are named like the audit trail's personal fields
(:data:`talento.audit.services.PERSONAL_FIELDS`), so the audit row lists them as they are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from talento.accounts.capabilities import CAPABILITY_LABELS
from talento.accounts.models import User, capability_list
from talento.geo.models import City, Country
from talento.i18n import lazy_gettext as _l
from talento.profiles.choices import AVAILABILITY_LABELS, GENDER_LABELS
from talento.profiles.models import TalentProfile

STATUS_LABELS = {True: _l("Actif"), False: _l("Inactif")}

#: How a raw value becomes a cell: see :func:`talento.exports.rows.renderer`.
#: « capabilities » is a comma-separated list of choices (the database's aggregate, any order).
KINDS = ("text", "choice", "capabilities", "date", "datetime", "encrypted", "skills")
#: Outer joins a column may need.
JOINS = ("city", "country", "profile")


@dataclass(frozen=True)
class ExportColumn:
    key: str
    label: Any  # a lazy string (flask_babel is untyped): translated when the export starts
    personal: bool = False
    #: The SQL expression for the user's language; None for « skills » (one query per batch).
    expression: Callable[[str], object] | None = None
    kind: str = "text"
    join: str | None = None
    choices: Mapping[Any, object] = field(default_factory=dict)
    #: Relative width (characters) for XLSX column widths and PDF layout.
    width: int = 14


def _column(attribute) -> Callable[[str], object]:
    return lambda lang: attribute


COLUMNS: tuple[ExportColumn, ...] = (
    ExportColumn("code", _l("Code"), expression=_column(User.code), width=12),
    ExportColumn("first_name", _l("Prénom"), expression=_column(User.first_name)),
    ExportColumn("last_name", _l("Nom"), expression=_column(User.last_name), width=16),
    ExportColumn(
        "gender",
        _l("Genre"),
        expression=_column(User.gender),
        kind="choice",
        choices=GENDER_LABELS,
        width=10,
    ),
    ExportColumn(
        "capabilities",
        _l("Capacités"),
        expression=lambda lang: capability_list(),
        kind="capabilities",
        choices=CAPABILITY_LABELS,
        width=16,
    ),
    ExportColumn(
        "status",
        _l("Statut"),
        expression=_column(User.is_active_account),
        kind="choice",
        choices=STATUS_LABELS,
        width=9,
    ),
    ExportColumn("country", _l("Pays"), expression=Country.name, join="country"),
    ExportColumn("city", _l("Ville"), expression=_column(City.name), join="city"),
    ExportColumn("skills", _l("Compétences"), kind="skills", width=28),
    ExportColumn(
        "availability",
        _l("Disponibilité"),
        expression=_column(TalentProfile.availability),
        kind="choice",
        choices=AVAILABILITY_LABELS,
        join="profile",
        width=13,
    ),
    ExportColumn(
        "created_at",
        _l("Inscription (UTC)"),
        expression=_column(User.created_at),
        kind="datetime",
        width=16,
    ),
    ExportColumn(
        "last_login_at",
        _l("Dernière connexion (UTC)"),
        expression=_column(User.last_login_at),
        kind="datetime",
        width=16,
    ),
    # -- personal data: admins only, on request, audited --------------------------------------
    ExportColumn("email", _l("E-mail"), personal=True, expression=_column(User.email), width=26),
    ExportColumn(
        "phone",
        _l("Téléphone"),
        personal=True,
        expression=_column(User.phone),
        kind="encrypted",
        width=16,
    ),
    ExportColumn(
        "whatsapp",
        _l("WhatsApp"),
        personal=True,
        expression=_column(User.whatsapp),
        kind="encrypted",
        width=16,
    ),
    ExportColumn(
        "address",
        _l("Adresse"),
        personal=True,
        expression=_column(User.address),
        kind="encrypted",
        width=30,
    ),
    ExportColumn(
        "date_of_birth",
        _l("Date de naissance"),
        personal=True,
        expression=_column(User.date_of_birth),
        kind="date",
        width=11,
    ),
)
BY_KEY: dict[str, ExportColumn] = {column.key: column for column in COLUMNS}
PUBLIC_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS if not c.personal)
PERSONAL_KEYS: tuple[str, ...] = tuple(c.key for c in COLUMNS if c.personal)


class UnknownColumn(ValueError):
    """A column key outside the allowlist."""


def resolve(keys: Iterable[str]) -> list[ExportColumn]:
    """The columns for `keys`, in the allowlist's order, duplicates dropped.

    Raises :class:`UnknownColumn` for a key outside the allowlist (never silently ignored: a
    caller asking for « password_hash » is a bug or an attack).
    """
    wanted = set()
    for key in keys:
        if key not in BY_KEY:
            raise UnknownColumn(key)
        wanted.add(key)
    return [column for column in COLUMNS if column.key in wanted]


def utc_naive(value: dt.datetime) -> dt.datetime:
    """A stored instant as a naive UTC datetime (SQLite hands back naive UTC already)."""
    if value.tzinfo is not None:
        return value.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)
    return value.replace(microsecond=0)
