"""Talent profiles, skills catalogue, spoken languages; password change time, UI language.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 07:48:48.633462

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('skill_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name_fr', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skill_categories')),
    sa.UniqueConstraint('slug', name=op.f('uq_skill_categories_slug'))
    )
    op.create_table('skills',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('name_fr', sa.String(length=120), nullable=False),
    sa.Column('name_en', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['category_id'], ['skill_categories.id'], name=op.f('fk_skills_category_id_skill_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_skills')),
    sa.UniqueConstraint('slug', name=op.f('uq_skills_slug'))
    )
    with op.batch_alter_table('skills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skills_category_id'), ['category_id'], unique=False)

    op.create_table('talent_profiles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('nationality_id', sa.Integer(), nullable=True),
    sa.Column('bio', sa.Text(), nullable=True),
    sa.Column('years_experience', sa.Integer(), nullable=True),
    sa.Column('availability', sa.String(length=16), server_default='immediate', nullable=False),
    sa.Column('work_mode', sa.String(length=16), server_default='flexible', nullable=False),
    sa.Column('rate_min', sa.Integer(), nullable=True),
    sa.Column('rate_max', sa.Integer(), nullable=True),
    sa.Column('education', sa.Text(), nullable=True),
    sa.Column('links', sa.Text(), nullable=True),
    sa.Column('public_links', sa.String(length=300), server_default='', nullable=False),
    sa.Column('photo_name', sa.String(length=80), nullable=True),
    sa.Column('cv_name', sa.String(length=80), nullable=True),
    sa.Column('consent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("availability IN ('immediate', 'soon', 'unavailable', 'in_project')", name=op.f('ck_talent_profiles_availability_known')),
    sa.CheckConstraint("work_mode IN ('on_site', 'remote', 'hybrid', 'flexible')", name=op.f('ck_talent_profiles_work_mode_known')),
    sa.CheckConstraint('rate_min IS NULL OR rate_max IS NULL OR rate_min <= rate_max', name=op.f('ck_talent_profiles_rate_range')),
    sa.ForeignKeyConstraint(['nationality_id'], ['countries.id'], name=op.f('fk_talent_profiles_nationality_id_countries')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_talent_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_talent_profiles'))
    )
    with op.batch_alter_table('talent_profiles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_talent_profiles_availability'), ['availability'], unique=False)
        batch_op.create_index('ix_talent_profiles_updated_at', ['updated_at'], unique=False)

    op.create_table('talent_languages',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['talent_profiles.user_id'], name=op.f('fk_talent_languages_user_id_talent_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'code', name=op.f('pk_talent_languages'))
    )
    with op.batch_alter_table('talent_languages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_talent_languages_code'), ['code'], unique=False)

    op.create_table('talent_skills',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('skill_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['skill_id'], ['skills.id'], name=op.f('fk_talent_skills_skill_id_skills'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['talent_profiles.user_id'], name=op.f('fk_talent_skills_user_id_talent_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'skill_id', name=op.f('pk_talent_skills'))
    )
    with op.batch_alter_table('talent_skills', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_talent_skills_skill_id'), ['skill_id'], unique=False)

    # Plain ALTERs, not batch mode: on SQLite a batch "move and copy" of users would silently
    # drop the expression index uq_users_email_lower.
    op.add_column('users', sa.Column('password_changed_at', sa.DateTime(timezone=True), nullable=True))
    op.add_column('users', sa.Column('language', sa.String(length=5), server_default='fr', nullable=False))
    op.create_index('ix_users_country_city', 'users', ['country_id', 'city_id'], unique=False)
    op.create_index('ix_users_created_at', 'users', ['created_at'], unique=False)
    # Directory search by name (prefix match on the lower-cased last name).
    op.create_index('ix_users_last_name_lower', 'users', [sa.text('lower(last_name)')])



def downgrade():
    op.drop_index('ix_users_last_name_lower', table_name='users')
    op.drop_index('ix_users_created_at', table_name='users')
    op.drop_index('ix_users_country_city', table_name='users')
    op.drop_column('users', 'language')
    op.drop_column('users', 'password_changed_at')

    with op.batch_alter_table('talent_skills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_talent_skills_skill_id'))

    op.drop_table('talent_skills')
    with op.batch_alter_table('talent_languages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_talent_languages_code'))

    op.drop_table('talent_languages')
    with op.batch_alter_table('talent_profiles', schema=None) as batch_op:
        batch_op.drop_index('ix_talent_profiles_updated_at')
        batch_op.drop_index(batch_op.f('ix_talent_profiles_availability'))

    op.drop_table('talent_profiles')
    with op.batch_alter_table('skills', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skills_category_id'))

    op.drop_table('skills')
    op.drop_table('skill_categories')
