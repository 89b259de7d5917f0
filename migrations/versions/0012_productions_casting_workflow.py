"""Productions and the casting workflow (issue 14), expand only: new tables, no change to
existing rows.

- ``production_companies`` (lists as JSON lists, soft delete, verified flag, a per-company
  project counter) and ``company_members`` (a company's own staff accounts);
- ``projects`` (numbered per company, soft delete, a per-project booking counter, the
  overtime threshold that attendance uses) and ``project_locations`` (cities and free text);
- ``casting_roles`` (breakdowns: the casting search's criteria as JSON) and
  ``role_shooting_days``;
- ``shortlist_entries`` and ``shortlist_notes``; ``review_links`` and ``review_feedback``;
  ``availability_requests``;
- ``bookings`` (one live booking per talent per role: a partial unique index) and
  ``booking_days``; ``presence_assignments`` (which presence accounts work which project days).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 07:40:00

"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "production_companies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("initials", sa.String(length=4), nullable=False),
        sa.Column("logo_name", sa.String(length=80), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "specialisations",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("country_id", sa.Integer(), nullable=True),
        sa.Column("city_id", sa.Integer(), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("website", sa.String(length=300), nullable=True),
        sa.Column(
            "social_links",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("founded_year", sa.SmallInteger(), nullable=True),
        sa.Column("director_name", sa.String(length=200), nullable=True),
        sa.Column("employees", sa.Integer(), nullable=True),
        sa.Column(
            "notable_productions",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "services",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "equipment",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "studios",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "certifications",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "memberships",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "awards",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.Column("last_project_number", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "employees IS NULL OR employees >= 0",
            name=op.f("ck_production_companies_company_employees_positive"),
        ),
        sa.CheckConstraint(
            "founded_year IS NULL OR founded_year BETWEEN 1895 AND 2100",
            name=op.f("ck_production_companies_company_founded_year_range"),
        ),
        sa.CheckConstraint(
            "length(initials) BETWEEN 2 AND 4",
            name=op.f("ck_production_companies_company_initials_length"),
        ),
        sa.ForeignKeyConstraint(
            ["city_id"],
            ["cities.id"],
            name=op.f("fk_production_companies_city_id_cities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["country_id"],
            ["countries.id"],
            name=op.f("fk_production_companies_country_id_countries"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_production_companies_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"],
            ["users.id"],
            name=op.f("fk_production_companies_verified_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_production_companies")),
    )
    with op.batch_alter_table("production_companies", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_production_companies_deleted_at"), ["deleted_at"], unique=False
        )

    op.create_table(
        "company_members",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_company_members_added_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["production_companies.id"],
            name=op.f("fk_company_members_company_id_production_companies"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_company_members_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("company_id", "user_id", name=op.f("pk_company_members")),
    )
    with op.batch_alter_table("company_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_company_members_user_id"), ["user_id"], unique=False)

    op.create_table(
        "projects",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("project_type", sa.String(length=16), server_default="film", nullable=False),
        sa.Column("origin_country_id", sa.Integer(), nullable=True),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), server_default="preparation", nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("overtime_after_hours", sa.Numeric(precision=4, scale=2), nullable=True),
        sa.Column("last_booking_number", sa.Integer(), server_default="0", nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "project_type IN ('film', 'series', 'short_film', 'documentary', 'commercial', 'music_video', 'tv_film', 'web_series', 'other')",
            name=op.f("ck_projects_project_type_known"),
        ),
        sa.CheckConstraint(
            "status IN ('preparation', 'shooting', 'post_production', 'wrapped')",
            name=op.f("ck_projects_project_status_known"),
        ),
        sa.CheckConstraint(
            "overtime_after_hours IS NULL OR overtime_after_hours BETWEEN 1 AND 24",
            name=op.f("ck_projects_project_overtime_range"),
        ),
        sa.CheckConstraint(
            "start_date IS NULL OR end_date IS NULL OR end_date >= start_date",
            name=op.f("ck_projects_project_dates_order"),
        ),
        sa.ForeignKeyConstraint(
            ["company_id"],
            ["production_companies.id"],
            name=op.f("fk_projects_company_id_production_companies"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_projects_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["origin_country_id"],
            ["countries.id"],
            name=op.f("fk_projects_origin_country_id_countries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
        sa.UniqueConstraint("company_id", "number", name="uq_projects_company_number"),
    )
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_projects_company_id"), ["company_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_projects_deleted_at"), ["deleted_at"], unique=False)

    op.create_table(
        "casting_roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("talent_type", sa.String(length=24), server_default="extra", nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("gender", sa.String(length=1), nullable=True),
        sa.Column("playing_age_min", sa.SmallInteger(), nullable=True),
        sa.Column("playing_age_max", sa.SmallInteger(), nullable=True),
        sa.Column(
            "criteria",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("people_needed", sa.Integer(), server_default="1", nullable=False),
        sa.Column("rate_per_day", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), server_default="MAD", nullable=False),
        sa.Column("deadline", sa.Date(), nullable=True),
        sa.Column("position", sa.SmallInteger(), server_default="0", nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "gender IS NULL OR gender IN ('M', 'F', 'N')",
            name=op.f("ck_casting_roles_role_gender_known"),
        ),
        sa.CheckConstraint(
            "talent_type IN ('principal', 'secondary', 'extra', 'silhouette', 'double', 'stand_in', 'stunt', 'model', 'voice_over', 'specialised_extra', 'chorister', 'background_dancer', 'other')",
            name=op.f("ck_casting_roles_role_talent_type_known"),
        ),
        sa.CheckConstraint(
            "people_needed BETWEEN 1 AND 5000",
            name=op.f("ck_casting_roles_role_people_needed_range"),
        ),
        sa.CheckConstraint(
            "playing_age_min IS NULL OR playing_age_max IS NULL OR playing_age_min <= playing_age_max",
            name=op.f("ck_casting_roles_role_playing_age_order"),
        ),
        sa.CheckConstraint(
            "rate_per_day IS NULL OR rate_per_day >= 0",
            name=op.f("ck_casting_roles_role_rate_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_casting_roles_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_casting_roles")),
    )
    with op.batch_alter_table("casting_roles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_casting_roles_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "presence_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_presence_assignments_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_presence_assignments_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_presence_assignments")),
        sa.UniqueConstraint("project_id", "user_id", "day", name="uq_presence_assignments_day"),
    )
    with op.batch_alter_table("presence_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_presence_assignments_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_presence_assignments_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "project_locations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("city_id", sa.Integer(), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("position", sa.SmallInteger(), server_default="0", nullable=False),
        sa.CheckConstraint(
            "city_id IS NOT NULL OR place IS NOT NULL",
            name=op.f("ck_project_locations_location_not_empty"),
        ),
        sa.ForeignKeyConstraint(
            ["city_id"],
            ["cities.id"],
            name=op.f("fk_project_locations_city_id_cities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_locations_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_locations")),
    )
    with op.batch_alter_table("project_locations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_project_locations_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("talent_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), server_default="pending", nullable=False),
        sa.Column("rate_per_day", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("currency", sa.String(length=3), server_default="MAD", nullable=False),
        sa.Column("call_time", sa.Time(), nullable=True),
        sa.Column("meeting_point", sa.String(length=300), nullable=True),
        sa.Column("what_to_bring", sa.Text(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("declined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancel_reason", sa.Text(), nullable=True),
        sa.Column("cancelled_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'confirmed', 'declined', 'cancelled')",
            name=op.f("ck_bookings_booking_status_known"),
        ),
        sa.CheckConstraint(
            "rate_per_day IS NULL OR rate_per_day >= 0",
            name=op.f("ck_bookings_booking_rate_positive"),
        ),
        sa.ForeignKeyConstraint(
            ["cancelled_by_id"],
            ["users.id"],
            name=op.f("fk_bookings_cancelled_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_bookings_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_bookings_project_id_projects")
        ),
        sa.ForeignKeyConstraint(
            ["role_id"], ["casting_roles.id"], name=op.f("fk_bookings_role_id_casting_roles")
        ),
        sa.ForeignKeyConstraint(
            ["talent_id"],
            ["casting_profiles.user_id"],
            name=op.f("fk_bookings_talent_id_casting_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
        sa.UniqueConstraint("code", name=op.f("uq_bookings_code")),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_bookings_project_id"), ["project_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bookings_role_id"), ["role_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_bookings_talent_id"), ["talent_id"], unique=False)
        batch_op.create_index(
            "uq_bookings_live_role_talent",
            ["role_id", "talent_id"],
            unique=True,
            postgresql_where=sa.text("status IN ('pending', 'confirmed')"),
            sqlite_where=sa.text("status IN ('pending', 'confirmed')"),
        )

    op.create_table(
        "review_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=True),
        sa.Column("passcode_hash", sa.String(length=255), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("last_viewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_review_links_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["users.id"],
            name=op.f("fk_review_links_revoked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["casting_roles.id"],
            name=op.f("fk_review_links_role_id_casting_roles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_links")),
    )
    with op.batch_alter_table("review_links", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_links_role_id"), ["role_id"], unique=False)

    op.create_table(
        "role_shooting_days",
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["casting_roles.id"],
            name=op.f("fk_role_shooting_days_role_id_casting_roles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("role_id", "day", name=op.f("pk_role_shooting_days")),
    )
    op.create_table(
        "shortlist_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("talent_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), server_default="0", nullable=False),
        sa.Column("status", sa.String(length=16), server_default="suggested", nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status IN ('suggested', 'shortlisted', 'contacted', 'available', 'booked', 'declined')",
            name=op.f("ck_shortlist_entries_shortlist_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["users.id"],
            name=op.f("fk_shortlist_entries_added_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["casting_roles.id"],
            name=op.f("fk_shortlist_entries_role_id_casting_roles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["talent_id"],
            ["casting_profiles.user_id"],
            name=op.f("fk_shortlist_entries_talent_id_casting_profiles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shortlist_entries")),
        sa.UniqueConstraint("role_id", "talent_id", name="uq_shortlist_entries_role_talent"),
    )
    with op.batch_alter_table("shortlist_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_shortlist_entries_role_position", ["role_id", "position"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_shortlist_entries_talent_id"), ["talent_id"], unique=False
        )

    op.create_table(
        "availability_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column(
            "days",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("sent_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "sent_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column(
            "available_days",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "answer IS NULL OR answer IN ('available', 'unavailable', 'partial')",
            name=op.f("ck_availability_requests_availability_answer_known"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["shortlist_entries.id"],
            name=op.f("fk_availability_requests_entry_id_shortlist_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["sent_by_id"],
            ["users.id"],
            name=op.f("fk_availability_requests_sent_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_availability_requests")),
    )
    with op.batch_alter_table("availability_requests", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_availability_requests_entry_id"), ["entry_id"], unique=False
        )

    op.create_table(
        "booking_days",
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_booking_days_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("booking_id", "day", name=op.f("pk_booking_days")),
    )
    with op.batch_alter_table("booking_days", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_booking_days_day"), ["day"], unique=False)

    op.create_table(
        "review_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("link_id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "verdict IN ('interested', 'not_interested', 'question')",
            name=op.f("ck_review_feedback_review_verdict_known"),
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["shortlist_entries.id"],
            name=op.f("fk_review_feedback_entry_id_shortlist_entries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["link_id"],
            ["review_links.id"],
            name=op.f("fk_review_feedback_link_id_review_links"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_feedback")),
        sa.UniqueConstraint("link_id", "entry_id", name="uq_review_feedback_link_entry"),
    )
    with op.batch_alter_table("review_feedback", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_feedback_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "shortlist_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("visibility", sa.String(length=8), server_default="team", nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "visibility IN ('private', 'team')",
            name=op.f("ck_shortlist_notes_note_visibility_known"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_shortlist_notes_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["shortlist_entries.id"],
            name=op.f("fk_shortlist_notes_entry_id_shortlist_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shortlist_notes")),
    )
    with op.batch_alter_table("shortlist_notes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shortlist_notes_entry_id"), ["entry_id"], unique=False)


def downgrade():
    with op.batch_alter_table("shortlist_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shortlist_notes_entry_id"))

    op.drop_table("shortlist_notes")
    with op.batch_alter_table("review_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_feedback_entry_id"))

    op.drop_table("review_feedback")
    with op.batch_alter_table("booking_days", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_booking_days_day"))

    op.drop_table("booking_days")
    with op.batch_alter_table("availability_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_availability_requests_entry_id"))

    op.drop_table("availability_requests")
    with op.batch_alter_table("shortlist_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shortlist_entries_talent_id"))
        batch_op.drop_index("ix_shortlist_entries_role_position")

    op.drop_table("shortlist_entries")
    op.drop_table("role_shooting_days")
    with op.batch_alter_table("review_links", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_links_role_id"))

    op.drop_table("review_links")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_bookings_live_role_talent",
            postgresql_where=sa.text("status IN ('pending', 'confirmed')"),
            sqlite_where=sa.text("status IN ('pending', 'confirmed')"),
        )
        batch_op.drop_index(batch_op.f("ix_bookings_talent_id"))
        batch_op.drop_index(batch_op.f("ix_bookings_role_id"))
        batch_op.drop_index(batch_op.f("ix_bookings_project_id"))

    op.drop_table("bookings")
    with op.batch_alter_table("project_locations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_project_locations_project_id"))

    op.drop_table("project_locations")
    with op.batch_alter_table("presence_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_presence_assignments_user_id"))
        batch_op.drop_index(batch_op.f("ix_presence_assignments_project_id"))

    op.drop_table("presence_assignments")
    with op.batch_alter_table("casting_roles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_casting_roles_project_id"))

    op.drop_table("casting_roles")
    with op.batch_alter_table("projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_projects_deleted_at"))
        batch_op.drop_index(batch_op.f("ix_projects_company_id"))

    op.drop_table("projects")
    with op.batch_alter_table("company_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_company_members_user_id"))

    op.drop_table("company_members")
    with op.batch_alter_table("production_companies", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_production_companies_deleted_at"))

    op.drop_table("production_companies")
