"""Payroll's spreadsheet: one row per talent and working day (attendance.payroll), in the
columns a production accountant reconciles against: who (booking code, CINEMA code, last and
first name, role), when (day, call, arrival, departure in local time), how long (meal
minutes, hours worked and overtime in decimal hours, late minutes), how much (day rate,
overtime amount, amount, currency), and whether the talent acknowledged the hours.

- XLSX: days as dates, arrivals and departures as local date-times (a night shoot's
  departure carries the next day's date), hours and amounts as numbers.
- CSV (the platform's French-locale CSV: ``;``, UTF-8 with BOM, formula neutralisation by
  exports.csv_format): hours and amounts with a **decimal comma** (« 8,50 »), which the
  French-locale spreadsheets it is made for read as numbers; times ``YYYY-MM-DD HH:MM``.

The overtime rule (pro rata of the day rate over the project's threshold) is stated in its
column's heading, so the file carries its own note.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from talento.attendance.payroll import TalentDay
from talento.exports.rows import Row
from talento.i18n import gettext as _

__all__ = ["WIDTHS", "csv_row", "labels", "remarks", "xlsx_row"]

WIDTHS = (12, 26, 22, 16, 14, 20, 18, 11, 17, 17, 10, 12, 12, 10, 13, 16, 13, 8, 12, 36)


def labels() -> list[str]:
    """The column headings, translated."""
    return [
        _("Date"),
        _("Projet"),
        _("Rôle"),
        _("Code réservation"),
        _("Code CINEMA"),
        _("Nom"),
        _("Prénom"),
        _("Convocation"),
        _("Arrivée (heure locale)"),
        _("Départ (heure locale)"),
        _("Repas (min)"),
        _("Heures travaillées"),
        _("Heures supplémentaires"),
        _("Retard (min)"),
        _("Tarif journalier"),
        _("Montant heures sup. (tarif journalier ÷ seuil × heures sup.)"),
        _("Montant"),
        _("Devise"),
        _("Validé par le talent"),
        _("Observations"),
    ]


def remarks(row: TalentDay) -> str:
    """What an accountant must know about the row, in words."""
    notes = []
    if not row.present:
        notes.append(_("Absent"))
    elif row.on_set:
        notes.append(_("Départ non enregistré"))
    if row.late_minutes:
        notes.append(_("Retard de %(num)d min", num=row.late_minutes))
    if row.day_rate is None:
        notes.append(_("Tarif non précisé"))
    if row.booking_status not in ("pending", "confirmed"):
        notes.append(_("Engagement annulé depuis"))
    if row.changed_since_acknowledged:
        notes.append(_("Heures modifiées après la validation du talent"))
    return " ; ".join(notes)


def _common(row: TalentDay) -> tuple:
    return (
        row.project_name,
        row.role_name,
        row.booking_code,
        row.cinema_code or "",
        row.last_name,
        row.first_name,
        row.call_time.strftime("%H:%M") if row.call_time else "",
    )


def xlsx_row(row: TalentDay, yes: str, no: str) -> Row:
    def number(value: Decimal | None) -> float | None:
        return float(value) if value is not None else None

    return [
        row.work_day,
        *_common(row),
        row.arrival.replace(tzinfo=None) if row.arrival else None,
        row.departure.replace(tzinfo=None) if row.departure else None,
        row.meal_minutes,
        number(row.hours),
        number(row.overtime_hours),
        row.late_minutes,
        number(row.day_rate),
        number(row.overtime_amount),
        number(row.amount),
        row.currency,
        yes if row.acknowledged else no,
        remarks(row),
    ]


def comma(value: Decimal | None) -> str:
    """« 8,50 »: a decimal with 2 places and a decimal comma (empty for None)."""
    if value is None:
        return ""
    return f"{Decimal(value):.2f}".replace(".", ",")


def csv_row(row: TalentDay, yes: str, no: str) -> Row:
    def moment(value) -> str:
        return value.strftime("%Y-%m-%d %H:%M") if value else ""

    return [
        row.work_day.isoformat(),
        *_common(row),
        moment(row.arrival),
        moment(row.departure),
        str(row.meal_minutes),
        comma(row.hours),
        comma(row.overtime_hours),
        str(row.late_minutes),
        comma(row.day_rate),
        comma(row.overtime_amount),
        comma(row.amount),
        row.currency,
        yes if row.acknowledged else no,
        remarks(row),
    ]


RowWriter = Callable[[TalentDay, str, str], Row]
