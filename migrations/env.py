"""Alembic environment for Talento (run through Flask-Migrate / `talento init-db`).

On PostgreSQL, migrations take an advisory lock (two `init-db` never race) and run with lock
and statement timeouts so a migration never queues behind live traffic indefinitely.
"""

import logging

from alembic import context
from flask import current_app
from sqlalchemy import Text, text

from talento.crypto import EncryptedText

config = context.config
log = logging.getLogger("alembic.env")
target_db = current_app.extensions["migrate"].db
MIGRATION_LOCK_ID = 7_301_001


def render_item(type_, obj, autogen_context):
    """Encrypted columns are plain TEXT in the schema."""
    if type_ == "type" and isinstance(obj, EncryptedText):
        return "sa.Text()"
    return False


def compare_type(context, inspected_column, metadata_column, inspected_type, metadata_type):
    if isinstance(metadata_type, EncryptedText):
        return not isinstance(inspected_type, Text)
    return None


def include_object_for(dialect_name: str):
    """Skip indexes declared for another dialect (`Index(...).ddl_if(dialect=...)`)."""

    def include_object(obj, name, type_, reflected, compare_to):
        ddl_if = getattr(obj, "_ddl_if", None)
        if type_ == "index" and ddl_if is not None and ddl_if.dialect:
            return ddl_if.dialect == dialect_name
        return True

    return include_object


def run_migrations_offline():
    context.configure(
        url=str(target_db.engine.url),
        target_metadata=target_db.metadata,
        literal_binds=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            log.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    conf_args["compare_type"] = compare_type
    with target_db.engine.connect() as connection:
        conf_args.setdefault("include_object", include_object_for(connection.dialect.name))
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET lock_timeout = '10s'"))
            connection.execute(text("SET statement_timeout = '10min'"))
            connection.execute(text(f"SELECT pg_advisory_lock({MIGRATION_LOCK_ID})"))
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=target_db.metadata,
                render_item=render_item,
                **conf_args,
            )
            with context.begin_transaction():
                context.run_migrations()
        finally:
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"SELECT pg_advisory_unlock({MIGRATION_LOCK_ID})"))
                connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
