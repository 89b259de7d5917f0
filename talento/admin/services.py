"""Aggregate figures for the admin dashboard (aggregate queries, never a load of every user)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from talento.accounts.models import User


@dataclass(frozen=True)
class Totals:
    users: int
    active: int
    inactive: int


def platform_totals(session: Session) -> Totals:
    total, active = session.execute(
        select(
            func.count(User.id),
            func.coalesce(func.sum(case((User.is_active_account, 1), else_=0)), 0),
        )
    ).one()
    return Totals(users=total, active=active, inactive=total - active)
