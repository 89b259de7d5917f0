"""Signing off a role's day sheet at wrap, and the audit rows of payroll's documents.

A sign-off keeps the figures as signed (``day_sheet_signoffs``: people, minutes, overtime,
amount) so the sheet printed later says who signed what, even after a correction. It is
refused while someone of the role is still on set (their hours are not known yet) and for a
day without anyone booked. Signing again with unchanged figures is refused as already done;
after a correction changed them, signing again replaces the kept figures, and the audit row of
each sign-off keeps both (the trail is the audit, the row is the latest word).

Audit rows (DESIGN "Who sees what": names, hours and pay of people shown to someone else)
name the project, role, period and row count, never a value.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from talento.accounts.models import Capability
from talento.attendance.models import DaySheetSignoff
from talento.attendance.payroll import TalentDay, Totals, totals
from talento.audit.models import AuditAction
from talento.audit.services import Actor, record
from talento.i18n import gettext as _
from talento.i18n import ngettext
from talento.projects.access import assigned_days, can_manage
from talento.refusals import Refused

__all__ = ["audit_document", "may_sign", "sign_day_sheet", "signoff_of"]


def may_sign(session: Session, viewer: object, project_id: int, day: dt.date) -> bool:
    """Casting staff and admins sign any day sheet; a presence account the days it is assigned
    to (the assistant who ran the day signs it at wrap); a company member reads, never signs.
    (Whether the viewer sees the project at all is checked before: projects.access.)"""
    if can_manage(viewer):
        return True
    user_id = getattr(viewer, "id", None)
    can = getattr(viewer, "can", None)
    if user_id is None or can is None or not can(Capability.PRESENCE):
        return False
    days = assigned_days(session, user_id, project_id)
    return days is not None and (not days or day in days)


def signoff_of(session: Session, role_id: int, day: dt.date) -> DaySheetSignoff | None:
    return session.get(DaySheetSignoff, (role_id, day))


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def sign_day_sheet(
    session: Session,
    *,
    role_id: int,
    project_id: int,
    day: dt.date,
    rows: list[TalentDay],
    signer_id: int,
    actor: Actor,
    now: dt.datetime,
) -> DaySheetSignoff:
    """Sign the day sheet of `rows` (the role's talent-days of `day`); Refused (409) when it
    cannot be signed now."""
    if not rows:
        raise Refused(None, _("Personne n'est engagé ce jour-là dans ce rôle."), status=409)
    summed: Totals = totals(rows)
    if summed.on_set:
        raise Refused(
            None,
            ngettext(
                "%(num)d personne est encore sur le plateau : enregistrez son départ avant de "
                "signer.",
                "%(num)d personnes sont encore sur le plateau : enregistrez leur départ avant "
                "de signer.",
                summed.on_set,
            ),
            status=409,
        )
    figures = summed.as_json()
    existing = signoff_of(session, role_id, day)
    previous = dict(existing.totals) if existing is not None else None
    if existing is not None and previous == figures:
        raise Refused(None, _("Cette feuille est déjà signée avec ces chiffres."), status=409)
    if existing is None:
        existing = DaySheetSignoff(role_id=role_id, work_day=day)
        try:
            with session.begin_nested():
                existing.signed_by_id = signer_id
                existing.signed_at = now
                existing.totals = figures
                existing.amount = summed.amount
                session.add(existing)
        except IntegrityError:  # signed at the same instant from another phone
            raise Refused(
                None, _("Cette feuille vient d'être signée par quelqu'un d'autre."), status=409
            ) from None
    else:
        existing.signed_by_id = signer_id
        existing.signed_at = now
        existing.totals = figures
        existing.amount = summed.amount
    detail: dict = {
        "project_id": project_id,
        "role_id": role_id,
        "day": day.isoformat(),
        "people": summed.people,
        "present": summed.present,
        "worked_minutes": summed.worked_minutes,
        "overtime_minutes": summed.overtime_minutes,
        "amount_cents": _cents(summed.amount),
    }
    if previous is not None:
        detail["resigned"] = True
        detail["previous_worked_minutes"] = previous.get("worked_minutes")
        detail["previous_amount_cents"] = _cents(_decimal(previous.get("amount")))
    record(session, AuditAction.DAY_SHEET_SIGNED, actor, detail=detail)
    session.flush()
    return existing


def _decimal(value: object) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def audit_document(
    session: Session,
    action: AuditAction,
    actor: Actor,
    *,
    project_id: int,
    rows: list[TalentDay],
    fmt: str | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    role_id: int | None = None,
    talent: TalentDay | None = None,
    talent_id: int | None = None,
    talent_code: str | None = None,
) -> None:
    """One audit row per export, sheet or history page (not per person)."""
    detail: dict = {"project_id": project_id, "rows": len(rows)}
    if fmt is not None:
        detail["format"] = fmt
    if first is not None:
        detail["first"] = first.isoformat()
    if last is not None:
        detail["last"] = last.isoformat()
    if role_id is not None:
        detail["role_id"] = role_id
    record(
        session,
        action,
        actor,
        subject_id=talent.talent_id if talent else talent_id,
        subject_code=talent.talent_code if talent else talent_code,
        detail=detail,
    )
