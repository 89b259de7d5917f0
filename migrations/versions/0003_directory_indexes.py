"""Directory search indexes (PostgreSQL only): name prefixes and listed talents.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 08:15:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite uses no index for LIKE on lower(); nothing to gain there
    op.create_index(
        'ix_users_last_name_prefix', 'users', [sa.text('lower(last_name) text_pattern_ops')]
    )
    op.create_index(
        'ix_users_first_name_prefix', 'users', [sa.text('lower(first_name) text_pattern_ops')]
    )
    op.create_index(
        'ix_users_listed_created', 'users', ['created_at', 'id'],
        postgresql_where=sa.text("is_active_account AND role = 'user'"),
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index('ix_users_listed_created', table_name='users')
    op.drop_index('ix_users_first_name_prefix', table_name='users')
    op.drop_index('ix_users_last_name_prefix', table_name='users')
