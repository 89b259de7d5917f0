"""Production companies, projects, roles, shortlists, review links, availability checks,
bookings.

The casting workflow in tables: a company runs projects; a project has roles (breakdowns); a
role has a shortlist of casting profiles; a shortlist is shown to a client through review links,
its people are asked whether they are free (availability requests) and booked (bookings, one
per talent per role). Soft-deleted companies and projects keep their rows (bookings and
attendance refer to them) but every query of this package hides them.

Links handed out without an account (review links, availability and booking answers) carry a
token signed with SECRET_KEY (projects.links), not a secret stored here: a copy of the database
opens none of them, and staff can show a link again. Lists a company describes itself with are
JSON lists, never comma strings.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from talento.casting.vocabulary import TALENT_TYPES
from talento.extensions import CreatedAt, Model, UpdatedAt, one_of
from talento.projects import vocabulary as v

#: A JSON list or object (JSONB on PostgreSQL).
JSONValue = JSON().with_variant(JSONB(), "postgresql")


def _known_or_null(column: str, vocabulary, name: str) -> CheckConstraint:
    allowed = ", ".join(f"'{code}'" for code in vocabulary)
    return CheckConstraint(f"{column} IS NULL OR {column} IN ({allowed})", name=name)


class ProductionCompany(Model):
    """A production company (boîte de production). ``initials`` start its booking codes."""

    __tablename__ = "production_companies"
    __table_args__ = (
        CheckConstraint(
            "founded_year IS NULL OR founded_year BETWEEN 1895 AND 2100",
            name="company_founded_year_range",
        ),
        CheckConstraint("employees IS NULL OR employees >= 0", name="company_employees_positive"),
        CheckConstraint("length(initials) BETWEEN 2 AND 4", name="company_initials_length"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    #: Two to four capital letters for booking codes (``CC`` + initials + project + sequence).
    initials: Mapped[str] = mapped_column(String(4))
    logo_name: Mapped[str | None] = mapped_column(String(80))
    description: Mapped[str | None] = mapped_column(Text)
    #: Codes of vocabulary.COMPANY_SPECIALISATIONS.
    specialisations: Mapped[list] = mapped_column(JSONValue, default=list)
    address: Mapped[str | None] = mapped_column(Text)
    country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id"))
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id", ondelete="SET NULL"))
    #: A company's switchboard, shown to staff: business data, not a person's phone.
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(300))
    social_links: Mapped[list] = mapped_column(JSONValue, default=list)
    founded_year: Mapped[int | None] = mapped_column(SmallInteger)
    director_name: Mapped[str | None] = mapped_column(String(200))
    employees: Mapped[int | None] = mapped_column(Integer)
    notable_productions: Mapped[list] = mapped_column(JSONValue, default=list)
    services: Mapped[list] = mapped_column(JSONValue, default=list)
    equipment: Mapped[list] = mapped_column(JSONValue, default=list)
    studios: Mapped[list] = mapped_column(JSONValue, default=list)
    certifications: Mapped[list] = mapped_column(JSONValue, default=list)
    memberships: Mapped[list] = mapped_column(JSONValue, default=list)
    awards: Mapped[list] = mapped_column(JSONValue, default=list)
    verified_at: Mapped[dt.datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The last project number given (projects are numbered per company, race-free:
    #: ``UPDATE … RETURNING`` inside the creating transaction).
    last_project_number: Mapped[int] = mapped_column(default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
    #: Soft delete: the row stays for the bookings that name it; every query hides it.
    deleted_at: Mapped[dt.datetime | None] = mapped_column(index=True)

    country = relationship("Country", lazy="joined")
    city = relationship("City", lazy="joined")

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def __repr__(self) -> str:
        return f"<ProductionCompany id={self.id}>"


class CompanyMember(Model):
    """A company's own staff account: sees only its company's projects."""

    __tablename__ = "company_members"

    company_id: Mapped[int] = mapped_column(
        ForeignKey("production_companies.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[CreatedAt]


class Project(Model):
    """A production: a film, a series, a commercial… of one company."""

    __tablename__ = "projects"
    __table_args__ = (
        one_of("project_type", v.PROJECT_TYPES, name="project_type_known"),
        one_of("status", v.PROJECT_STATUSES, name="project_status_known"),
        CheckConstraint(
            "start_date IS NULL OR end_date IS NULL OR end_date >= start_date",
            name="project_dates_order",
        ),
        CheckConstraint(
            "overtime_after_hours IS NULL OR overtime_after_hours BETWEEN 1 AND 24",
            name="project_overtime_range",
        ),
        UniqueConstraint("company_id", "number", name="uq_projects_company_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(ForeignKey("production_companies.id"), index=True)
    #: The project's number within its company (booking codes carry it).
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    project_type: Mapped[str] = mapped_column(String(16), default="film", server_default="film")
    origin_country_id: Mapped[int | None] = mapped_column(ForeignKey("countries.id"))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(
        String(16), default="preparation", server_default="preparation"
    )
    notes: Mapped[str | None] = mapped_column(Text)
    #: Hours of a working day after which time counts as overtime (attendance payroll).
    overtime_after_hours: Mapped[Decimal | None] = mapped_column(Numeric(4, 2))
    #: The last booking sequence given in this project (race-free, as project numbers).
    last_booking_number: Mapped[int] = mapped_column(default=0, server_default="0")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]
    deleted_at: Mapped[dt.datetime | None] = mapped_column(index=True)

    company: Mapped[ProductionCompany] = relationship(lazy="joined")
    origin_country = relationship("Country", lazy="joined")
    locations: Mapped[list[ProjectLocation]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="ProjectLocation.position"
    )

    def __repr__(self) -> str:
        return f"<Project id={self.id}>"


class ProjectLocation(Model):
    """A shooting location: a city of the geo data, a free-text place, or both."""

    __tablename__ = "project_locations"
    __table_args__ = (
        CheckConstraint("city_id IS NOT NULL OR place IS NOT NULL", name="location_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id", ondelete="SET NULL"))
    place: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")

    city = relationship("City", lazy="joined")


class CastingRole(Model):
    """A role (breakdown) of a project: who is needed, how many, which days, at what rate.

    ``criteria`` holds the casting search's own query arguments for what the columns do not
    say (languages, skills, height, hair…: ``{"language": ["ar-ma"], "height_min": ["170"]}``),
    so "Find talents" opens the search pre-filled with exactly what the role asks.
    """

    __tablename__ = "casting_roles"
    __table_args__ = (
        one_of("talent_type", TALENT_TYPES, name="role_talent_type_known"),
        _known_or_null("gender", ("M", "F", "N"), "role_gender_known"),
        CheckConstraint("people_needed BETWEEN 1 AND 5000", name="role_people_needed_range"),
        CheckConstraint(
            "playing_age_min IS NULL OR playing_age_max IS NULL "
            "OR playing_age_min <= playing_age_max",
            name="role_playing_age_order",
        ),
        CheckConstraint("rate_per_day IS NULL OR rate_per_day >= 0", name="role_rate_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    talent_type: Mapped[str] = mapped_column(String(24), default="extra", server_default="extra")
    description: Mapped[str | None] = mapped_column(Text)
    gender: Mapped[str | None] = mapped_column(String(1))
    playing_age_min: Mapped[int | None] = mapped_column(SmallInteger)
    playing_age_max: Mapped[int | None] = mapped_column(SmallInteger)
    criteria: Mapped[dict] = mapped_column(JSONValue, default=dict)
    people_needed: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    rate_per_day: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    currency: Mapped[str] = mapped_column(String(3), default="MAD", server_default="MAD")
    deadline: Mapped[dt.date | None] = mapped_column(Date)
    position: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    project: Mapped[Project] = relationship(lazy="joined")
    shooting_days: Mapped[list[RoleShootingDay]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="RoleShootingDay.day"
    )

    @property
    def days(self) -> list[dt.date]:
        return [row.day for row in self.shooting_days]

    def __repr__(self) -> str:
        return f"<CastingRole id={self.id}>"


class RoleShootingDay(Model):
    __tablename__ = "role_shooting_days"

    role_id: Mapped[int] = mapped_column(
        ForeignKey("casting_roles.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)


class ShortlistEntry(Model):
    """A talent on a role's shortlist: its place, its status, who added it.

    Never shown to the talent (projects.access): shortlists and notes are staff data."""

    __tablename__ = "shortlist_entries"
    __table_args__ = (
        one_of("status", v.SHORTLIST_STATUSES, name="shortlist_status_known"),
        UniqueConstraint("role_id", "talent_id", name="uq_shortlist_entries_role_talent"),
        Index("ix_shortlist_entries_role_position", "role_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("casting_roles.id", ondelete="CASCADE"))
    talent_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("casting_profiles.user_id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(16), default="suggested", server_default="suggested")
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    role: Mapped[CastingRole] = relationship(lazy="joined")
    talent = relationship("CastingProfile", lazy="joined")


class ShortlistNote(Model):
    """A note on a shortlisted talent, for its author only or for the casting team."""

    __tablename__ = "shortlist_notes"
    __table_args__ = (one_of("visibility", v.NOTE_VISIBILITIES, name="note_visibility_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("shortlist_entries.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    visibility: Mapped[str] = mapped_column(String(8), default="team", server_default="team")
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[CreatedAt]


class ReviewLink(Model):
    """A role's shortlist shared with a director or client who has no account.

    The link's token is signed (projects.links), so it cannot be guessed or forged; it stops
    working when the link expires or is revoked. A passcode, when set, is hashed like a
    password."""

    __tablename__ = "review_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(
        ForeignKey("casting_roles.id", ondelete="CASCADE"), index=True
    )
    #: Whom the link was made for ("Réalisateur", "Agence X"): shown to staff only.
    label: Mapped[str | None] = mapped_column(String(200))
    passcode_hash: Mapped[str | None] = mapped_column(String(255))
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[CreatedAt]
    last_viewed_at: Mapped[dt.datetime | None]

    role: Mapped[CastingRole] = relationship(lazy="joined")


class ReviewFeedback(Model):
    """A review-link viewer's verdict on one shortlisted talent, with a comment."""

    __tablename__ = "review_feedback"
    __table_args__ = (
        one_of("verdict", v.REVIEW_VERDICTS, name="review_verdict_known"),
        UniqueConstraint("link_id", "entry_id", name="uq_review_feedback_link_entry"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("review_links.id", ondelete="CASCADE"))
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("shortlist_entries.id", ondelete="CASCADE"), index=True
    )
    verdict: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]


class AvailabilityRequest(Model):
    """ "Are you free on these days?" sent to a shortlisted talent; answered through a signed
    link without logging in. The latest request of an entry is the one that counts."""

    __tablename__ = "availability_requests"
    __table_args__ = (
        _known_or_null("answer", v.AVAILABILITY_ANSWERS, "availability_answer_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("shortlist_entries.id", ondelete="CASCADE"), index=True
    )
    #: The days asked about (a copy: the role's days may change after sending).
    days: Mapped[list] = mapped_column(JSONValue, default=list)
    message: Mapped[str | None] = mapped_column(Text)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    sent_at: Mapped[CreatedAt]
    emailed_at: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime]
    answer: Mapped[str | None] = mapped_column(String(16))
    #: The days the talent is free on when the answer is "partial" (ISO dates).
    available_days: Mapped[list] = mapped_column(JSONValue, default=list)
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None]

    entry: Mapped[ShortlistEntry] = relationship(lazy="joined")


class Booking(Model):
    """A talent booked on a role (the reference app's "assignment"): days, rate and call
    details, confirmed by the talent through a link, cancellable with a reason.

    One live booking per talent per role: a partial unique index (a cancelled booking does not
    block booking the person again). The code is ``CC`` + company initials + project number
    (3 digits) + sequence in the project (4 characters, base 36 after 9999), allocated race-free.
    """

    __tablename__ = "bookings"
    __table_args__ = (
        one_of("status", v.BOOKING_STATUSES, name="booking_status_known"),
        CheckConstraint("rate_per_day IS NULL OR rate_per_day >= 0", name="booking_rate_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id"), index=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("casting_roles.id"), index=True)
    talent_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("casting_profiles.user_id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="pending", server_default="pending")
    rate_per_day: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    currency: Mapped[str] = mapped_column(String(3), default="MAD", server_default="MAD")
    call_time: Mapped[dt.time | None] = mapped_column(Time)
    meeting_point: Mapped[str | None] = mapped_column(String(300))
    what_to_bring: Mapped[str | None] = mapped_column(Text)
    confirmed_at: Mapped[dt.datetime | None]
    declined_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[CreatedAt]
    updated_at: Mapped[UpdatedAt]

    project: Mapped[Project] = relationship(lazy="joined")
    role: Mapped[CastingRole] = relationship(lazy="joined")
    talent = relationship("CastingProfile", lazy="joined")
    booked_days: Mapped[list[BookingDay]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="BookingDay.day"
    )

    @property
    def days(self) -> list[dt.date]:
        return [row.day for row in self.booked_days]

    @property
    def is_live(self) -> bool:
        return self.status in ("pending", "confirmed")

    def __repr__(self) -> str:
        return f"<Booking id={self.id} code={self.code}>"


Index(
    "uq_bookings_live_role_talent",
    Booking.role_id,
    Booking.talent_id,
    unique=True,
    postgresql_where=Booking.status.in_(("pending", "confirmed")),
    sqlite_where=Booking.status.in_(("pending", "confirmed")),
)


class BookingDay(Model):
    __tablename__ = "booking_days"

    booking_id: Mapped[int] = mapped_column(
        ForeignKey("bookings.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True, index=True)


class PresenceAssignment(Model):
    """A `presence` account assigned to a project, for one day or (day NULL) every day."""

    __tablename__ = "presence_assignments"
    __table_args__ = (
        UniqueConstraint("project_id", "user_id", "day", name="uq_presence_assignments_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    day: Mapped[dt.date | None] = mapped_column(Date)
    created_at: Mapped[CreatedAt]


__all__ = [
    "AvailabilityRequest",
    "Booking",
    "BookingDay",
    "CastingRole",
    "CompanyMember",
    "PresenceAssignment",
    "ProductionCompany",
    "Project",
    "ProjectLocation",
    "ReviewFeedback",
    "ReviewLink",
    "RoleShootingDay",
    "ShortlistEntry",
    "ShortlistNote",
]
