"""« Mes engagements » ``/cinema/me/bookings``: the signed-in talent's own bookings and
availability requests (issue 14, point 8), with their confirm / decline and answer buttons.

Only the person's own rows, of projects not deleted: project, company, role, days, call
details, status. Never a shortlist, a note, a review, another talent or the entry's status.
An account without a casting profile has none and is sent to « Mon profil casting », which
says what a casting profile is.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import Session

from talento.accounts.current import signed_in_user
from talento.casting.services import casting_of
from talento.context import current_language
from talento.extensions import db, utcnow
from talento.projects import links
from talento.projects.availability_services import is_expired
from talento.projects.booking_forms import RespondForm
from talento.projects.booking_texts import money_label, parse_days, time_label, weekday_label
from talento.projects.models import (
    AvailabilityRequest,
    Booking,
    CastingRole,
    ProductionCompany,
    Project,
    ShortlistEntry,
)
from talento.projects.vocabulary import AVAILABILITY_ANSWERS, BOOKING_STATUSES

bp = Blueprint("my_bookings", __name__, url_prefix="/cinema/me/bookings")

#: The newest first, at most this many of each (older ones are history nobody scrolls to).
SHOWN = 100


@dataclass(frozen=True)
class MyBooking:
    booking: Booking
    token: str
    status_label: str
    days: list[str]
    rate: str
    call_time: str


@dataclass(frozen=True)
class MyRequest:
    request: AvailabilityRequest
    token: str
    project: Project
    role_name: str
    days: list[str]
    answer_label: str
    expired: bool


def _live(query):
    return (
        query.join(Project, Project.id == Booking.project_id)
        .join(ProductionCompany, ProductionCompany.id == Project.company_id)
        .where(Project.deleted_at.is_(None), ProductionCompany.deleted_at.is_(None))
    )


def my_bookings(session: Session, talent_id: int) -> list[Booking]:
    return list(
        session.scalars(
            _live(select(Booking))
            .where(Booking.talent_id == talent_id)
            .order_by(Booking.created_at.desc(), Booking.id.desc())
            .limit(SHOWN)
        )
    )


def my_requests(session: Session, talent_id: int) -> list[AvailabilityRequest]:
    return list(
        session.scalars(
            select(AvailabilityRequest)
            .join(ShortlistEntry, ShortlistEntry.id == AvailabilityRequest.entry_id)
            .join(CastingRole, CastingRole.id == ShortlistEntry.role_id)
            .join(Project, Project.id == CastingRole.project_id)
            .join(ProductionCompany, ProductionCompany.id == Project.company_id)
            .where(
                ShortlistEntry.talent_id == talent_id,
                Project.deleted_at.is_(None),
                ProductionCompany.deleted_at.is_(None),
            )
            .order_by(AvailabilityRequest.sent_at.desc(), AvailabilityRequest.id.desc())
            .limit(SHOWN)
        )
    )


@bp.get("")
@login_required
def index():
    user = signed_in_user()
    if casting_of(user) is None:
        return redirect(url_for("casting_me.me"))
    secret = current_app.config["SECRET_KEY"]
    lang = current_language()
    now = utcnow()
    bookings = [
        MyBooking(
            booking=row,
            token=links.make_token(secret, "booking", row.id),
            status_label=str(BOOKING_STATUSES.get(row.status, row.status)),
            days=[weekday_label(day, lang) for day in row.days],
            rate=money_label(row.rate_per_day, row.currency, lang),
            call_time=time_label(row.call_time, lang),
        )
        for row in my_bookings(db.session(), user.id)
    ]
    requests = [
        MyRequest(
            request=row,
            token=links.make_token(secret, "availability", row.id),
            project=row.entry.role.project,
            role_name=row.entry.role.name,
            days=[weekday_label(day, lang) for day in parse_days(row.days)],
            answer_label=str(AVAILABILITY_ANSWERS.get(row.answer or "", "")),
            expired=is_expired(row, now),
        )
        for row in my_requests(db.session(), user.id)
    ]
    return render_template(
        "casting/my_bookings.html",
        bookings=bookings,
        requests=requests,
        form=RespondForm(),
    )
