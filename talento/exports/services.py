"""Exporting the admin's filtered user list: who may, what is recorded, what is produced.

:func:`start_export` checks the request (allowlisted columns; personal columns only when asked
for, and only by an admin), counts the rows with one COUNT query, refuses a PDF that would be
too long, writes the audit trail and **commits it before a single byte is produced**, then
returns the file name, media type and a lazy generator of the file's bytes. Nothing is read
for the body until the caller iterates (inside the streamed response).

Audit: one ``export`` row per export (format, row count, column keys, names of the filters in
use — never their values: the search box may hold a phone number), plus one
``personal_data.export`` row listing the personal fields when any is exported. One row per
export and not per exported person: for 100,000 people, 100,000 audit rows would make the
trail unusable and the export slow, while « admin X exported the phone numbers of this filtered
list of N accounts at this time » is what an investigation needs. No value (decrypted or not)
goes into the trail.

The row count in the audit row is the COUNT at that instant; accounts created or deleted while
the file streams may make the file differ by those few rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, fields

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from talento.accounts.capabilities import CAPABILITY_LABELS
from talento.accounts.models import Capability, User, holds
from talento.audit.models import AuditAction
from talento.audit.services import Actor, record
from talento.crypto import KeyRing
from talento.exports import formats
from talento.exports.columns import (
    STATUS_LABELS,
    ExportColumn,
    UnknownColumn,
    resolve,
)
from talento.exports.rows import RenderContext, export_rows
from talento.extensions import utctoday
from talento.geo.models import City, Country
from talento.i18n import gettext, lazy_gettext
from talento.profiles.choices import AVAILABILITY_LABELS
from talento.profiles.models import Skill
from talento.profiles.search.people import AdminFilters, admin_select

FILE_STEM = "talento-utilisateurs"


class ExportRefused(Exception):
    """The export cannot be produced as asked; `message` is for the person who asked."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


class PersonalDataForbidden(ExportRefused):
    """Personal data asked for by someone who may not export it (HTTP 403)."""


@dataclass(frozen=True)
class ExportSpec:
    fmt: str
    columns: tuple[str, ...]
    include_personal: bool = False


@dataclass
class Export:
    filename: str
    mimetype: str
    rows: int
    body: Iterator[bytes]


def count_rows(session: Session, filters: AdminFilters, keyring: KeyRing) -> int:
    base = admin_select(filters, keyring)
    return session.scalar(select(func.count()).select_from(base.subquery())) or 0


def may_export_personal(session: Session, actor: Actor) -> bool:
    """Only an active admin may export personal data (read from the database, not trusted
    from the caller, so a recruiter or casting account cannot slip through)."""
    if actor.id is None:
        return False
    admin = session.scalar(
        select(User.id).where(
            User.id == actor.id,
            User.is_active_account.is_(True),
            holds(Capability.ADMIN.value),
        )
    )
    return admin is not None


def filename(fmt: str, today: dt.date) -> str:
    return f"{FILE_STEM}-{today.isoformat()}.{formats.FORMATS[fmt].extension}"


def _active_filters(filters: AdminFilters) -> list[str]:
    defaults = AdminFilters()
    ignored = {"sort", "page", "per_page"}
    return [
        f.name
        for f in fields(filters)
        if f.name not in ignored and getattr(filters, f.name) != getattr(defaults, f.name)
    ]


def check_spec(session: Session, spec: ExportSpec, actor: Actor) -> list[ExportColumn]:
    """The columns of `spec`, or ExportRefused / PersonalDataForbidden."""
    if spec.fmt not in formats.FORMATS:
        raise ExportRefused(lazy_gettext("Format d'export inconnu."))
    try:
        columns = resolve(spec.columns)
    except UnknownColumn:
        raise ExportRefused(lazy_gettext("Colonne inconnue.")) from None
    if not columns:
        raise ExportRefused(lazy_gettext("Choisissez au moins une colonne."))
    personal = [c for c in columns if c.personal]
    if personal and not spec.include_personal:
        raise ExportRefused(
            lazy_gettext("Les colonnes de données personnelles demandent la case prévue.")
        )
    if spec.include_personal and not may_export_personal(session, actor):
        raise PersonalDataForbidden(
            lazy_gettext("Seuls les administrateurs peuvent exporter des données personnelles.")
        )
    return columns


def start_export(
    session: Session,
    filters: AdminFilters,
    spec: ExportSpec,
    actor: Actor,
    keyring: KeyRing,
    *,
    lang: str = "fr",
    today: dt.date | None = None,
    batch_size: int | None = None,
) -> Export:
    """Check, count, audit (committed), then return the lazily produced file."""
    columns = check_spec(session, spec, actor)
    fmt = formats.FORMATS[spec.fmt]
    rows = count_rows(session, filters, keyring)
    limit = fmt.max_rows
    if limit is not None and rows > limit:
        raise ExportRefused(
            gettext(
                "Le PDF est limité à %(limit)s lignes et cette liste en compte %(rows)s : "
                "affinez les filtres, ou choisissez CSV ou XLSX.",
                limit=f"{limit:,}".replace(",", "\u202f"),
                rows=f"{rows:,}".replace(",", "\u202f"),
            )
        )
    keys = [c.key for c in columns]
    record(
        session,
        AuditAction.EXPORT,
        actor,
        detail={
            "format": fmt.key,
            "rows": rows,
            "columns": keys,
            "filters": _active_filters(filters),
        },
    )
    personal = [c.key for c in columns if c.personal]
    if personal:
        record(
            session,
            AuditAction.PERSONAL_DATA_EXPORT,
            actor,
            fields=personal,
            detail={"format": fmt.key, "rows": rows},
        )
    session.commit()

    context = RenderContext.build(columns, lang)
    today = today or utctoday()
    layout = formats.Layout(
        labels=[str(c.label) for c in columns],
        widths=[c.width for c in columns],
        title=gettext("Talento — utilisateurs — %(date)s", date=today.isoformat()),
        sheet_name=gettext("Utilisateurs"),
        page_label=gettext("Page %(page)s", page="{page}"),
        lang=lang,
    )
    batches = export_rows(
        session, filters, keyring, columns, context, limit=limit, batch_size=batch_size
    )
    return Export(
        filename=filename(fmt.key, today),
        mimetype=fmt.mimetype,
        rows=rows,
        body=fmt.write(layout, batches),
    )


def describe_filters(session: Session, filters: AdminFilters, lang: str) -> list[tuple[str, str]]:
    """(label, shown value) of each filter in use, for the export page."""
    shown: list[tuple[str, str]] = []
    if filters.q:
        shown.append((gettext("Recherche"), filters.q))
    if filters.capability:
        label = CAPABILITY_LABELS.get(filters.capability, filters.capability)
        shown.append((gettext("Capacité"), str(label)))
    if filters.status:
        shown.append((gettext("Statut"), str(STATUS_LABELS[filters.status == "active"])))
    if filters.country:
        country = session.scalar(select(Country).where(Country.iso2 == filters.country))
        shown.append((gettext("Pays"), country.name(lang) if country else filters.country))
    if filters.city:
        city = session.get(City, filters.city)
        shown.append((gettext("Ville"), city.name if city else str(filters.city)))
    if filters.skill:
        skill = session.scalar(select(Skill).where(Skill.slug == filters.skill))
        shown.append((gettext("Compétence"), skill.name(lang) if skill else filters.skill))
    if filters.availability:
        label = AVAILABILITY_LABELS.get(filters.availability, filters.availability)
        shown.append((gettext("Disponibilité"), str(label)))
    if filters.registered_from:
        shown.append((gettext("Inscrits depuis le"), filters.registered_from.isoformat()))
    if filters.registered_to:
        shown.append((gettext("Inscrits jusqu'au"), filters.registered_to.isoformat()))
    return shown
