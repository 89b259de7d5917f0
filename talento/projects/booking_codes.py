"""Booking codes ``CC`` + company initials + project number (3 digits) + sequence (issue 14,
point 6): ``CCAFM0010001`` is Atlas Films (AFM), project 1, first booking.

The reference app's format, so imported codes fit. The sequence is per project and comes from
``projects.last_booking_number`` incremented inside the booking's transaction (``UPDATE …
RETURNING``): two bookings at once wait for each other on that row and never share a number.
After 9999 it continues in base 36 (``A000``…``ZZZZ``) as user codes do
(accounts.codes.sequence_to_str), so a code keeps its length.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from talento.accounts.codes import sequence_to_str
from talento.projects.models import Project

PREFIX = "CC"


def format_booking_code(initials: str, project_number: int, sequence: int) -> str:
    """``("AFM", 1, 1)`` → ``"CCAFM0010001"``; ``(…, 10000)`` → ``"…A000"``."""
    return f"{PREFIX}{initials.upper()}{project_number:03d}{sequence_to_str(sequence)}"


def next_booking_sequence(session: Session, project_id: int) -> int:
    """Allocate the project's next booking sequence inside the caller's transaction (the row
    stays locked until it ends: concurrent bookings of one project queue here)."""
    return session.execute(
        update(Project)
        .where(Project.id == project_id)
        .values(last_booking_number=Project.last_booking_number + 1)
        .returning(Project.last_booking_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def allocate_booking_code(session: Session, project: Project) -> str:
    sequence = next_booking_sequence(session, project.id)
    return format_booking_code(project.company.initials, project.number, sequence)
