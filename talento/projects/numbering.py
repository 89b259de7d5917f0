"""Numbers handed out by the database (STYLE #7): a company's project numbers and a project's
booking sequence.

Each comes from a counter column of the parent row, incremented by ``UPDATE … SET n = n + 1
RETURNING n`` inside the transaction that inserts the child (as accounts.codes.next_sequence
does for user codes): the row lock makes concurrent creations wait for each other, so two
projects of one company never share a number, and a rolled-back creation gives its number
back. No ``SELECT max(number) + 1``: that races.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from talento.projects.models import ProductionCompany, Project

__all__ = ["next_booking_number", "next_project_number"]


def next_project_number(session: Session, company_id: int) -> int | None:
    """The next project number of a live company, or None when the company does not exist or
    was deleted (the caller refuses the choice)."""
    return session.execute(
        update(ProductionCompany)
        .where(ProductionCompany.id == company_id, ProductionCompany.deleted_at.is_(None))
        .values(last_project_number=ProductionCompany.last_project_number + 1)
        .returning(ProductionCompany.last_project_number)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()


def next_booking_number(session: Session, project_id: int) -> int | None:
    """The next booking sequence of a live project (booking codes end with it), or None."""
    return session.execute(
        update(Project)
        .where(Project.id == project_id, Project.deleted_at.is_(None))
        .values(last_booking_number=Project.last_booking_number + 1)
        .returning(Project.last_booking_number)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
