"""On-set attendance (issue 15), expand only: new tables, no change to existing rows.

- ``attendance_days``: one row per booking and working day (the lock of that person's scans
  that day, and their acknowledgement of the day's hours);
- ``attendance_scans``: every scan or manual entry, never overwritten, unique by the device's
  scan id (a batch synced twice counts once);
- ``attendance_corrections``: the trail of every change (who, when, old and new value, why);
- ``day_sheet_signoffs``: a role's day sheet signed off, with its totals.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05 08:25:00

"""

from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "day_sheet_signoffs",
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("work_day", sa.Date(), nullable=False),
        sa.Column("signed_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "signed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column(
            "totals",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("amount", sa.Numeric(precision=12, scale=2), nullable=True),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["casting_roles.id"],
            name=op.f("fk_day_sheet_signoffs_role_id_casting_roles"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["signed_by_id"],
            ["users.id"],
            name=op.f("fk_day_sheet_signoffs_signed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("role_id", "work_day", name=op.f("pk_day_sheet_signoffs")),
    )
    op.create_table(
        "attendance_days",
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("work_day", sa.Date(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_minutes", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["booking_id"],
            ["bookings.id"],
            name=op.f("fk_attendance_days_booking_id_bookings"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("booking_id", "work_day", name=op.f("pk_attendance_days")),
    )
    op.create_table(
        "attendance_scans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scan_uuid", sa.String(length=36), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("work_day", sa.Date(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), server_default="scan", nullable=False),
        sa.Column("source", sa.String(length=12), server_default="camera", nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "received_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("device_id", sa.String(length=64), nullable=True),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "kind IN ('scan', 'arrival', 'departure', 'meal_start', 'meal_end')",
            name=op.f("ck_attendance_scans_attendance_scan_kind_known"),
        ),
        sa.CheckConstraint(
            "source IN ('camera', 'typed', 'group', 'correction', 'offline')",
            name=op.f("ck_attendance_scans_attendance_scan_source_known"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id", "work_day"],
            ["attendance_days.booking_id", "attendance_days.work_day"],
            name="fk_attendance_scans_day",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_attendance_scans_project_id_projects")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["users.id"],
            name=op.f("fk_attendance_scans_recorded_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_scans")),
        sa.UniqueConstraint("scan_uuid", name=op.f("uq_attendance_scans_scan_uuid")),
    )
    with op.batch_alter_table("attendance_scans", schema=None) as batch_op:
        batch_op.create_index(
            "ix_attendance_scans_day", ["booking_id", "work_day", "occurred_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attendance_scans_project_id"), ["project_id"], unique=False
        )

    op.create_table(
        "attendance_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("booking_id", sa.Integer(), nullable=False),
        sa.Column("work_day", sa.Date(), nullable=False),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("old_scan_id", sa.Integer(), nullable=True),
        sa.Column("new_scan_id", sa.Integer(), nullable=True),
        sa.Column("old_value", sa.String(length=200), nullable=True),
        sa.Column("new_value", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("corrected_by_id", sa.Integer(), nullable=True),
        sa.Column(
            "corrected_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "action IN ('add', 'move', 'void')",
            name=op.f("ck_attendance_corrections_attendance_correction_action_known"),
        ),
        sa.ForeignKeyConstraint(
            ["booking_id", "work_day"],
            ["attendance_days.booking_id", "attendance_days.work_day"],
            name="fk_attendance_corrections_day",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["corrected_by_id"],
            ["users.id"],
            name=op.f("fk_attendance_corrections_corrected_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["new_scan_id"],
            ["attendance_scans.id"],
            name=op.f("fk_attendance_corrections_new_scan_id_attendance_scans"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["old_scan_id"],
            ["attendance_scans.id"],
            name=op.f("fk_attendance_corrections_old_scan_id_attendance_scans"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance_corrections")),
    )
    with op.batch_alter_table("attendance_corrections", schema=None) as batch_op:
        batch_op.create_index(
            "ix_attendance_corrections_day", ["booking_id", "work_day"], unique=False
        )


def downgrade():
    with op.batch_alter_table("attendance_corrections", schema=None) as batch_op:
        batch_op.drop_index("ix_attendance_corrections_day")

    op.drop_table("attendance_corrections")
    with op.batch_alter_table("attendance_scans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_scans_project_id"))
        batch_op.drop_index("ix_attendance_scans_day")

    op.drop_table("attendance_scans")
    op.drop_table("attendance_days")
    op.drop_table("day_sheet_signoffs")
