"""Administration: phone blind indexes, e-mail prefix index, the append-only audit trail.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 09:40:00

Existing phone numbers get their blind index from `talento keys reindex` (it needs the
encryption key, which a migration must not read); until then they are not found by an exact
phone search. The audit table refuses UPDATE on both backends and, on PostgreSQL, DELETE
outside `talento audit purge` (which sets talento.audit_purge for its transaction).
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('phone_index', sa.String(length=32), nullable=True))
    op.add_column('users', sa.Column('whatsapp_index', sa.String(length=32), nullable=True))
    op.create_index('ix_users_phone_index', 'users', ['phone_index'])
    op.create_index('ix_users_whatsapp_index', 'users', ['whatsapp_index'])
    op.create_table(
        'audit_events',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True),
                  server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.Column('action', sa.String(length=40), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor_code', sa.String(length=10), nullable=True),
        sa.Column('subject_id', sa.Integer(), nullable=True),
        sa.Column('subject_code', sa.String(length=10), nullable=True),
        sa.Column('fields', sa.String(length=300), server_default='', nullable=False),
        sa.Column('ip', sa.String(length=45), nullable=True),
        sa.Column('request_id', sa.String(length=64), nullable=True),
        sa.Column('detail', sa.Text(), server_default='{}', nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_events')),
    )
    op.create_index('ix_audit_events_created_at', 'audit_events', ['created_at'])
    op.create_index('ix_audit_events_action_created', 'audit_events', ['action', 'created_at'])
    op.create_index('ix_audit_events_subject', 'audit_events', ['subject_id', 'created_at'])
    op.create_index('ix_audit_events_actor', 'audit_events', ['actor_id', 'created_at'])
    if op.get_bind().dialect.name == 'postgresql':
        op.create_index(
            'ix_users_email_prefix', 'users', [sa.text('lower(email) text_pattern_ops')]
        )
        op.execute("""
            CREATE FUNCTION audit_events_append_only() RETURNS trigger AS $$
            BEGIN
                IF TG_OP = 'DELETE'
                   AND current_setting('talento.audit_purge', true) = 'on' THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP;
            END;
            $$ LANGUAGE plpgsql
        """)
        op.execute("""
            CREATE TRIGGER audit_events_append_only
            BEFORE UPDATE OR DELETE ON audit_events
            FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()
        """)
    else:
        op.execute("""
            CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
            BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END
        """)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER audit_events_append_only ON audit_events')
        op.execute('DROP FUNCTION audit_events_append_only()')
        op.drop_index('ix_users_email_prefix', table_name='users')
    else:
        op.execute('DROP TRIGGER audit_events_no_update')
    op.drop_index('ix_audit_events_actor', table_name='audit_events')
    op.drop_index('ix_audit_events_subject', table_name='audit_events')
    op.drop_index('ix_audit_events_action_created', table_name='audit_events')
    op.drop_index('ix_audit_events_created_at', table_name='audit_events')
    op.drop_table('audit_events')
    op.drop_index('ix_users_whatsapp_index', table_name='users')
    op.drop_index('ix_users_phone_index', table_name='users')
    op.drop_column('users', 'whatsapp_index')
    op.drop_column('users', 'phone_index')
