"""Printing badges and talent lists: read the rows, write the audit row, build the PDF.

Who may print is the view's business (projects.access.can_see_project); this takes plain data
and a session. Every print is audited — one row per document, not per person (a 300-badge PDF
is one decision): a badge shows a person's name, face and CINEMA code, the list their name
and days, to someone who is not that person (DESIGN "Who sees what"). The row names the
project, the role or booking when the document is about one, and how many bookings it holds;
for a single badge, the person it shows is the row's subject.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from talento.audit.models import AuditAction
from talento.audit.services import Actor, record
from talento.projects.badge_pdf import BadgeLabels, build_badges_pdf
from talento.projects.badge_rows import BookingRow, ProjectHeader, booking_rows
from talento.projects.badge_tokens import sign_badge
from talento.projects.talent_list_pdf import TalentListLabels, build_talent_list_pdf

__all__ = ["print_badges", "print_talent_list"]


def _audit(
    session: Session,
    action: AuditAction,
    actor: Actor,
    rows: list[BookingRow],
    detail: dict,
    *,
    single: bool = False,
) -> None:
    person = rows[0] if single and rows else None
    record(
        session,
        action,
        actor,
        subject_id=person.talent_id if person else None,
        subject_code=person.talent_code if person else None,
        detail={**detail, "bookings": len(rows)},
    )


def print_badges(
    session: Session,
    header: ProjectHeader,
    *,
    actor: Actor,
    secret_key: str,
    upload_dir: str | Path,
    labels: BadgeLabels,
    lang: str,
    role_id: int | None = None,
    booking_id: int | None = None,
    on_days: set[dt.date] | None = None,
) -> tuple[bytes, int]:
    """The badges of the project's live bookings (of one role, or one booking; on some days
    only, for a presence account assigned to them) as PDF bytes, and how many it holds."""
    rows = booking_rows(
        session, header.project_id, role_id=role_id, booking_id=booking_id, on_days=on_days
    )
    detail: dict = {"project_id": header.project_id}
    if role_id is not None:
        detail["role_id"] = role_id
    if booking_id is not None:
        detail["booking_id"] = booking_id
    _audit(session, AuditAction.BADGES_PRINTED, actor, rows, detail, single=booking_id is not None)
    pdf = build_badges_pdf(
        header,
        rows,
        token_for=lambda row: sign_badge(secret_key, row),
        upload_dir=upload_dir,
        labels=labels,
        lang=lang,
    )
    return pdf, len(rows)


def print_talent_list(
    session: Session,
    header: ProjectHeader,
    *,
    actor: Actor,
    labels_for: Callable[[int], TalentListLabels],
    lang: str,
    on_days: set[dt.date] | None = None,
) -> bytes:
    """The project's talent list as PDF bytes (on some days only, for a presence account
    assigned to them). `labels_for(count)` gives the labels (the subtitle says how many
    people are on the list)."""
    rows = booking_rows(session, header.project_id, on_days=on_days)
    _audit(session, AuditAction.TALENT_LIST_PRINTED, actor, rows, {"project_id": header.project_id})
    return build_talent_list_pdf(header, rows, labels=labels_for(len(rows)), lang=lang)
