"""Lost-key adoption: flags on users and the quarantine of unreadable values; TOTP two-factor secret and recovery codes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 12:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    # Plain ALTERs (no batch copy): a batch rebuild on SQLite would lose the expression indexes.
    op.add_column('users', sa.Column('lost_fields', sa.String(length=120), nullable=True))
    op.add_column('users', sa.Column('lost_data_notified_at', sa.DateTime(timezone=True),
                                     nullable=True))
    op.add_column('users', sa.Column('totp_secret', sa.String(length=64), nullable=True))
    op.add_column('users', sa.Column('totp_last_step', sa.Integer(), nullable=True))
    op.create_table(
        'lost_values',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('table_name', sa.String(length=64), nullable=False),
        sa.Column('column_name', sa.String(length=64), nullable=False),
        sa.Column('row_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('fingerprint', sa.String(length=32), nullable=False),
        sa.Column('ciphertext', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True),
                  server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lost_values_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lost_values')),
    )
    op.create_index(op.f('ix_lost_values_user_id'), 'lost_values', ['user_id'], unique=False)
    op.create_index(op.f('ix_lost_values_fingerprint'), 'lost_values', ['fingerprint'],
                    unique=False)
    op.create_table(
        'recovery_codes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('CURRENT_TIMESTAMP'),
                  nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    )
    op.create_index(op.f('ix_recovery_codes_user_id'), 'recovery_codes', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_recovery_codes_user_id'), table_name='recovery_codes')
    op.drop_table('recovery_codes')
    op.drop_index(op.f('ix_lost_values_fingerprint'), table_name='lost_values')
    op.drop_index(op.f('ix_lost_values_user_id'), table_name='lost_values')
    op.drop_table('lost_values')
    for column in ('totp_last_step', 'totp_secret', 'lost_data_notified_at', 'lost_fields'):
        op.drop_column('users', column)
