"""Moroccan geography: the 79 reference cities with their French names and fixed codes, and
Western Sahara ("EH") folded into Morocco.

Data only. Renames reference cities to their French names and codes, merges second rows for
the same city (users re-pointed), gives another code to a city holding a reference code it does
not own, moves EH's cities, users and nationalities to Morocco and deletes the EH country. User
codes do not change. The work is `talento.geo.services.fold_countries`, which the reference
loader runs too (idempotent); an empty database (before `init-db` loads countries) is left
as is. Downgrade leaves the data as it is (the old split cannot be told apart again).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-05 01:30:00

"""
from alembic import op
from sqlalchemy.orm import Session


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    from talento.geo.services import fold_countries

    session = Session(bind=op.get_bind())
    fold_countries(session)
    session.flush()


def downgrade():
    pass
