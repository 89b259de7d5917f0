"""Admin dashboard indexes: staff accounts, talents' registration dates (partial indexes).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 10:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    staff = sa.text("role != 'user'")
    talents = sa.text("role = 'user'")
    op.create_index(
        'ix_users_staff', 'users', ['id'], postgresql_where=staff, sqlite_where=staff
    )
    op.create_index(
        'ix_users_talent_created', 'users', ['created_at'],
        postgresql_where=talents, sqlite_where=talents,
    )


def downgrade():
    op.drop_index('ix_users_talent_created', table_name='users')
    op.drop_index('ix_users_staff', table_name='users')
