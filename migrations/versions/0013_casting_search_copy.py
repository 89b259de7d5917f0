"""The casting search's copy of the account's searched fields (issue 13 point 6), expand only.

``casting_profiles`` gets ``gender``, ``date_of_birth``, ``country_id``, ``city_id`` and
``is_active_account``, repeating the account's (``users`` stays the one place the application
writes them), so that the casting search matches and counts on one table instead of probing
``users`` for every candidate (the residence facet and the active-account rule needed that probe
too): its usual criteria (gender, age) through a partial covering index over the searched
profiles, the city of residence through a partial index of its own. The copy is filled here
from ``users`` and kept by the database itself, whatever writes: triggers copy the account's
values when a casting profile is inserted (or its copy is written) and when an account changes
one of them. Nothing else changes; the downgrade drops the triggers, the indexes and the
columns.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 07:30:00

"""

from alembic import op
import sqlalchemy as sa


revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

#: The copied columns (same names on both tables).
COPIED = ("gender", "date_of_birth", "country_id", "city_id", "is_active_account")
_LIST = ", ".join(COPIED)
_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in COPIED)
_FROM_NEW = ", ".join(f"{c} = NEW.{c}" for c in COPIED)
SEARCHABLE = "registration_step = 'done' AND visibility <> 'hidden'"

POSTGRESQL_UP = (
    # A casting profile takes its account's values when inserted, or when anything writes its
    # copy (the copy is never the application's to set).
    f"""
    CREATE FUNCTION casting_profiles_copy_user() RETURNS trigger AS $$
    BEGIN
        SELECT {", ".join(f"u.{c}" for c in COPIED)}
        INTO {", ".join(f"NEW.{c}" for c in COPIED)}
        FROM users u WHERE u.id = NEW.user_id;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE TRIGGER casting_profiles_copy_user
    BEFORE INSERT OR UPDATE OF user_id, {_LIST} ON casting_profiles
    FOR EACH ROW EXECUTE FUNCTION casting_profiles_copy_user()
    """,
    # An account's change reaches its casting profile in the same statement.
    f"""
    CREATE FUNCTION users_copy_to_casting() RETURNS trigger AS $$
    BEGIN
        UPDATE casting_profiles SET {_FROM_NEW} WHERE user_id = NEW.id;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE TRIGGER users_copy_to_casting
    AFTER UPDATE OF {_LIST} ON users
    FOR EACH ROW WHEN ({_CHANGED})
    EXECUTE FUNCTION users_copy_to_casting()
    """,
)
POSTGRESQL_DOWN = (
    "DROP TRIGGER users_copy_to_casting ON users",
    "DROP FUNCTION users_copy_to_casting()",
    "DROP TRIGGER casting_profiles_copy_user ON casting_profiles",
    "DROP FUNCTION casting_profiles_copy_user()",
)
# SQLite cannot assign NEW in a trigger: the copy is written by an UPDATE after the row's own
# statement (a trigger does not fire itself again: recursive triggers are off by default).
_SQLITE_RECOPY = (
    "UPDATE casting_profiles SET "
    + ", ".join(f"{c} = (SELECT u.{c} FROM users u WHERE u.id = NEW.user_id)" for c in COPIED)
    + " WHERE user_id = NEW.user_id;"
)
SQLITE_UP = (
    f"""
    CREATE TRIGGER casting_profiles_copy_user_insert AFTER INSERT ON casting_profiles
    BEGIN {_SQLITE_RECOPY} END
    """,
    f"""
    CREATE TRIGGER casting_profiles_copy_user_update
    AFTER UPDATE OF user_id, {_LIST} ON casting_profiles
    BEGIN {_SQLITE_RECOPY} END
    """,
    f"""
    CREATE TRIGGER users_copy_to_casting AFTER UPDATE OF {_LIST} ON users
    BEGIN UPDATE casting_profiles SET {_FROM_NEW} WHERE user_id = NEW.id; END
    """,
)
SQLITE_DOWN = (
    "DROP TRIGGER users_copy_to_casting",
    "DROP TRIGGER casting_profiles_copy_user_update",
    "DROP TRIGGER casting_profiles_copy_user_insert",
)


def upgrade():
    with op.batch_alter_table("casting_profiles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("gender", sa.String(length=1), nullable=True))
        batch_op.add_column(sa.Column("date_of_birth", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("country_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("city_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("is_active_account", sa.Boolean(), nullable=True))
    op.execute(
        "UPDATE casting_profiles SET "
        + ", ".join(
            f"{c} = (SELECT u.{c} FROM users u WHERE u.id = casting_profiles.user_id)"
            for c in COPIED
        )
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_UP if postgresql else SQLITE_UP:
        op.execute(statement)
    if postgresql:
        # The searched profiles by gender then date of birth (the search's usual criteria),
        # carrying what the facets count: the matches and their counts come from the index
        # alone (an index-only scan), never from the table or users.
        op.create_index(
            "ix_casting_profiles_searchable_gender_birth",
            "casting_profiles",
            ["gender", "date_of_birth"],
            postgresql_where=sa.text(SEARCHABLE),
            postgresql_include=[
                "user_id",
                "is_active_account",
                "country_id",
                "city_id",
                "ethnicity",
                "eye_colour",
                "hair_colour",
                "hair_type",
                "hair_length",
                "skin_tone",
                "build",
                "top_size",
                "created_at",
                "height_cm",
            ],
        )
        # The searched profiles by city of residence (« ville », « à moins de N km de »).
        op.create_index(
            "ix_casting_profiles_searchable_city",
            "casting_profiles",
            ["city_id"],
            postgresql_where=sa.text(SEARCHABLE),
        )


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.drop_index("ix_casting_profiles_searchable_city", table_name="casting_profiles")
        op.drop_index("ix_casting_profiles_searchable_gender_birth", table_name="casting_profiles")
    for statement in POSTGRESQL_DOWN if postgresql else SQLITE_DOWN:
        op.execute(statement)
    with op.batch_alter_table("casting_profiles", schema=None) as batch_op:
        for column in reversed(COPIED):
            batch_op.drop_column(column)
