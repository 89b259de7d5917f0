"""Server-side session records: a copied session cookie stops working at logout.

Existing session cookies carry no token and sign no one in after this revision: everybody logs in
once more after the upgrade. No row of users changes.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'account_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True),
                  server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_account_sessions_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_account_sessions')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_account_sessions_token_hash')),
    )
    op.create_index(op.f('ix_account_sessions_user_id'), 'account_sessions', ['user_id'],
                    unique=False)


def downgrade():
    op.drop_index(op.f('ix_account_sessions_user_id'), table_name='account_sessions')
    op.drop_table('account_sessions')
