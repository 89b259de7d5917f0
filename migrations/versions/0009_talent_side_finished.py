"""The talent side, finished: verified e-mail, visibility, contact switch, language levels,
legal pages and saved searches.

Expand only (nothing is dropped). Accounts that exist before this revision registered when no
address was verified: they are marked verified as of their registration, so an upgrade does not
empty the directory; every account created afterwards starts unverified. Existing profiles stay
public with contact on (what they were), existing languages get the level "fluent".

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 02:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    # Not in batch mode: on SQLite a batch copy of users would lose its expression indexes.
    op.add_column('users', sa.Column('email_verified_at', sa.DateTime(timezone=True),
                                     nullable=True))
    op.execute("UPDATE users SET email_verified_at = created_at")

    with op.batch_alter_table('talent_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('visibility', sa.String(length=8), server_default='public',
                                      nullable=False))
        batch_op.add_column(sa.Column('contact_enabled', sa.Boolean(), server_default=sa.true(),
                                      nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_talent_profiles_visibility_known'), "visibility IN ('public', 'link', 'hidden')")

    with op.batch_alter_table('talent_languages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('level', sa.String(length=16), server_default='fluent',
                                      nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_talent_languages_level_known'), "level IN ('native', 'fluent', 'conversational', 'notions')")

    op.create_table(
        'legal_pages',
        sa.Column('slug', sa.String(length=40), nullable=False),
        sa.Column('body', sa.Text(), server_default='', nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True),
                  server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'],
                                name=op.f('fk_legal_pages_updated_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('slug', name=op.f('pk_legal_pages')),
    )
    op.create_table(
        'saved_searches',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=80), nullable=False),
        sa.Column('query', sa.String(length=1000), server_default='', nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True),
                  server_default=sa.text('CURRENT_TIMESTAMP'), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_saved_searches_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_searches')),
    )
    op.create_index(op.f('ix_saved_searches_user_id'), 'saved_searches', ['user_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_saved_searches_user_id'), table_name='saved_searches')
    op.drop_table('saved_searches')
    op.drop_table('legal_pages')
    with op.batch_alter_table('talent_languages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_talent_languages_level_known'), type_='check')
        batch_op.drop_column('level')
    with op.batch_alter_table('talent_profiles', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_talent_profiles_visibility_known'), type_='check')
        batch_op.drop_column('contact_enabled')
        batch_op.drop_column('visibility')
    op.drop_column('users', 'email_verified_at')
