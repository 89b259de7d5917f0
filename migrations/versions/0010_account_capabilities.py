"""Capabilities instead of one role: an account holds a set (talent, recruiter, casting,
presence, admin), one row each in ``account_capabilities``; ``users.role`` goes.

Every account keeps what its role gave it: ``user`` becomes ``talent``, ``presence`` and
``admin`` keep their names. The partial indexes that read ``role`` go with it:
``ix_users_listed_created`` (PostgreSQL) comes back on active accounts only (the directory
checks the talent capability by primary key as it walks it), and the dashboard's
``ix_users_staff`` / ``ix_users_talent_created`` give way to an index on
``account_capabilities (capability, user_id)`` and to ``ix_users_created_at`` widened to
``(created_at, id)`` (registrations by date without the staff ids: an index-only scan).

SQLite cannot drop a column that a CHECK constraint names, so there ``users`` is rebuilt in
batch mode (SQLite does not enforce foreign keys here: no ``PRAGMA foreign_keys``, so dropping
the old copy deletes nothing elsewhere). The copy loses the expression indexes SQLite cannot
reflect (``uq_users_email_lower``, ``ix_users_last_name_lower``): they are created again.

Downgrade gives each account one role back: ``admin`` if it holds admin, else ``presence`` if
it holds presence, else ``user`` (recruiter and casting have no role to go back to).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 03:00:00

"""
import warnings

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

CAPABILITIES = ('talent', 'recruiter', 'casting', 'presence', 'admin')
ROLES = ('user', 'presence', 'admin')


def _in(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == 'sqlite'


def _quiet_reflection():
    """SQLite's reflection warns that it skips the expression indexes; they are created again
    right after the rebuild (:func:`_restore_sqlite_expression_indexes`)."""
    warnings.filterwarnings('ignore', message='Skipped unsupported reflection of expression')


def _restore_sqlite_expression_indexes():
    """The indexes of 0001 and 0002 on lower(...) that a batch copy of users drops."""
    existing = set(op.get_bind().execute(
        sa.text("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'users'")
    ).scalars())
    if 'uq_users_email_lower' not in existing:
        op.create_index('uq_users_email_lower', 'users', [sa.text('lower(email)')], unique=True)
    if 'ix_users_last_name_lower' not in existing:
        op.create_index('ix_users_last_name_lower', 'users', [sa.text('lower(last_name)')])


def upgrade():
    op.create_table(
        'account_capabilities',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('capability', sa.String(length=16), nullable=False),
        sa.CheckConstraint(_in('capability', CAPABILITIES),
                           name=op.f('ck_account_capabilities_capability_known')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_account_capabilities_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'capability', name=op.f('pk_account_capabilities')),
    )
    op.create_index('ix_account_capabilities_capability', 'account_capabilities',
                    ['capability', 'user_id'], unique=False)
    op.execute(
        "INSERT INTO account_capabilities (user_id, capability) "
        "SELECT id, CASE role WHEN 'user' THEN 'talent' ELSE role END FROM users"
    )

    op.drop_index('ix_users_talent_created', table_name='users')
    op.drop_index('ix_users_staff', table_name='users')
    if _sqlite():
        with warnings.catch_warnings():
            _quiet_reflection()
            with op.batch_alter_table('users', recreate='always') as batch_op:
                batch_op.drop_constraint(op.f('ck_users_role_known'), type_='check')
                batch_op.drop_column('role')
        _restore_sqlite_expression_indexes()
    else:
        op.drop_index('ix_users_listed_created', table_name='users')
        op.drop_constraint(op.f('ck_users_role_known'), 'users', type_='check')
        op.drop_column('users', 'role')
        op.create_index('ix_users_listed_created', 'users', ['created_at', 'id'],
                        postgresql_where=sa.text('is_active_account'))
    op.drop_index('ix_users_created_at', table_name='users')
    op.create_index('ix_users_created_at', 'users', ['created_at', 'id'], unique=False)


def downgrade():
    op.drop_index('ix_users_created_at', table_name='users')
    op.create_index('ix_users_created_at', 'users', ['created_at'], unique=False)
    role = sa.Column('role', sa.String(length=16), server_default='user', nullable=False)
    if _sqlite():
        op.add_column('users', role)
        with warnings.catch_warnings():
            _quiet_reflection()
            with op.batch_alter_table('users', recreate='always') as batch_op:
                batch_op.create_check_constraint(op.f('ck_users_role_known'), _in('role', ROLES))
        _restore_sqlite_expression_indexes()
    else:
        op.drop_index('ix_users_listed_created', table_name='users')
        op.add_column('users', role)
        op.create_check_constraint(op.f('ck_users_role_known'), 'users', _in('role', ROLES))
    op.execute(
        "UPDATE users SET role = CASE "
        "WHEN EXISTS (SELECT 1 FROM account_capabilities c WHERE c.user_id = users.id "
        "AND c.capability = 'admin') THEN 'admin' "
        "WHEN EXISTS (SELECT 1 FROM account_capabilities c WHERE c.user_id = users.id "
        "AND c.capability = 'presence') THEN 'presence' "
        "ELSE 'user' END"
    )
    if not _sqlite():
        op.create_index('ix_users_listed_created', 'users', ['created_at', 'id'],
                        postgresql_where=sa.text("is_active_account AND role = 'user'"))
    staff = sa.text("role != 'user'")
    talents = sa.text("role = 'user'")
    op.create_index('ix_users_staff', 'users', ['id'], postgresql_where=staff, sqlite_where=staff)
    op.create_index('ix_users_talent_created', 'users', ['created_at'],
                    postgresql_where=talents, sqlite_where=talents)
    op.drop_index('ix_account_capabilities_capability', table_name='account_capabilities')
    op.drop_table('account_capabilities')
