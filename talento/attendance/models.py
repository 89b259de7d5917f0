"""Attendance: what the set team records, and what is derived from it.

- ``attendance_scans``: every scan or manual entry, as it happened, never overwritten. A scan
  carries the id its device gave it (``scan_uuid``, unique), so a batch sent twice, or replayed
  after a lost answer, counts once. ``occurred_at`` is the device's clock at the scan (UTC),
  ``received_at`` the server's. What a scan *means* (arrival, departure, re-entry) is derived
  from the day's scans in time order by attendance.rules, so scans synced late from another
  phone fall into place (two phones that scanned the same person offline give one arrival, the
  earliest); meal breaks are explicit kinds. A correction never edits a scan: it voids it
  and/or adds one, and writes an ``attendance_corrections`` row (who, when, old and new value,
  why).
- ``attendance_days``: one row per booking and working day, the lock that serialises the
  scans of one person on one day (``SELECT … FOR UPDATE``) and the talent's acknowledgement of
  the day's hours (sign-off at wrap).
- ``day_sheet_signoffs``: an assistant's sign-off of a role's day sheet.

A working day is a booked day (``booking_days``): a night shoot's scans after midnight belong
to the day that started the evening before (attendance.rules decides, in the site's time
zone, ``TIMEZONE``). Every time is stored in UTC.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from talento.extensions import CreatedAt, Model, one_of

#: What a scan row records. ``scan`` (a badge read, or its code typed by hand) is an arrival
#: or a departure by its place in the day; the others say what they are.
SCAN_KINDS = ("scan", "arrival", "departure", "meal_start", "meal_end")
#: How it was recorded.
SCAN_SOURCES = ("camera", "typed", "group", "correction", "offline")
CORRECTION_ACTIONS = ("add", "move", "void")


class AttendanceDay(Model):
    """One booking's one working day: the lock of its scans, and the talent's sign-off."""

    __tablename__ = "attendance_days"

    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    work_day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    created_at: Mapped[CreatedAt]
    #: The talent saw and acknowledged the day's hours (their space); the hours they saw.
    acknowledged_at: Mapped[dt.datetime | None]
    acknowledged_minutes: Mapped[int | None] = mapped_column(Integer)


class AttendanceScan(Model):
    __tablename__ = "attendance_scans"
    __table_args__ = (
        one_of("kind", SCAN_KINDS, name="attendance_scan_kind_known"),
        one_of("source", SCAN_SOURCES, name="attendance_scan_source_known"),
        ForeignKeyConstraint(
            ["booking_id", "work_day"],
            ["attendance_days.booking_id", "attendance_days.work_day"],
            ondelete="CASCADE",
            name="fk_attendance_scans_day",
        ),
        Index("ix_attendance_scans_day", "booking_id", "work_day", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The id the device gave the scan (a UUID): a scan sent twice is recorded once.
    scan_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    booking_id: Mapped[int] = mapped_column(Integer)
    work_day: Mapped[dt.date] = mapped_column(Date)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(12), default="scan", server_default="scan")
    source: Mapped[str] = mapped_column(String(12), default="camera", server_default="camera")
    #: When it happened (the device's clock, UTC), and when the server received it.
    occurred_at: Mapped[dt.datetime]
    received_at: Mapped[CreatedAt]
    #: The phone that scanned (its own random id), for conflict reports.
    device_id: Mapped[str | None] = mapped_column(String(64))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: A voided scan stays, struck through on the record (corrections never delete).
    voided_at: Mapped[dt.datetime | None]


class AttendanceCorrection(Model):
    """A change to a day's record: who, when, what it was, what it became, and why."""

    __tablename__ = "attendance_corrections"
    __table_args__ = (
        one_of("action", CORRECTION_ACTIONS, name="attendance_correction_action_known"),
        ForeignKeyConstraint(
            ["booking_id", "work_day"],
            ["attendance_days.booking_id", "attendance_days.work_day"],
            ondelete="CASCADE",
            name="fk_attendance_corrections_day",
        ),
        Index("ix_attendance_corrections_day", "booking_id", "work_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(Integer)
    work_day: Mapped[dt.date] = mapped_column(Date)
    action: Mapped[str] = mapped_column(String(8))
    #: The scan voided or moved, and the scan added (a move is both).
    old_scan_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendance_scans.id", ondelete="SET NULL")
    )
    new_scan_id: Mapped[int | None] = mapped_column(
        ForeignKey("attendance_scans.id", ondelete="SET NULL")
    )
    #: What the record said and says, as shown to people (« arrivée 07:42 »): kept as text so
    #: the trail reads the same after any later change.
    old_value: Mapped[str | None] = mapped_column(String(200))
    new_value: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    corrected_at: Mapped[CreatedAt]


class DaySheetSignoff(Model):
    """An assistant signed off a role's day sheet (the figures as signed, kept)."""

    __tablename__ = "day_sheet_signoffs"

    role_id: Mapped[int] = mapped_column(
        ForeignKey("casting_roles.id", ondelete="CASCADE"), primary_key=True
    )
    work_day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    signed_at: Mapped[CreatedAt]
    #: Totals as signed (people, minutes worked, overtime minutes, amount).
    totals: Mapped[dict] = mapped_column(JSON().with_variant(JSONB(), "postgresql"), default=dict)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))


__all__ = [
    "CORRECTION_ACTIONS",
    "SCAN_KINDS",
    "SCAN_SOURCES",
    "AttendanceCorrection",
    "AttendanceDay",
    "AttendanceScan",
    "DaySheetSignoff",
]
