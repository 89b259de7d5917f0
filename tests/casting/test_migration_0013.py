"""Migration 0013 on a database holding a casting profile: the copy of the account's searched
fields is filled from ``users`` and kept by the triggers from then on; the downgrade takes the
copy away and leaves the profile."""

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from talento.extensions import db
from talento.web import build_app
from tests.casting.test_migration_0011 import _insert_world, _scalar
from tests.helpers import make_settings
from tests.test_migrations import _scratch_url

pytestmark = [pytest.mark.both_backends, pytest.mark.committed]

COPIED = {"gender", "date_of_birth", "country_id", "city_id", "is_active_account"}


def _copy(user: int) -> tuple:
    with db.engine.connect() as conn:
        return tuple(
            conn.execute(
                text(
                    "SELECT gender, date_of_birth, country_id, city_id, is_active_account "
                    "FROM casting_profiles WHERE user_id = :u"
                ),
                {"u": user},
            ).one()
        )


def test_0013_fills_the_copy_and_keeps_it(tmp_path, database_url):
    app = build_app(make_settings(_scratch_url(tmp_path, database_url, "cinema0013")))
    with app.app_context():
        upgrade(revision="0012")
        _insert_world()
        user = _scalar("SELECT id FROM users WHERE code = 'MAF0002OZZ'")
        city = _scalar("SELECT id FROM cities WHERE code = 'OZZ'")
        country = _scalar("SELECT id FROM countries WHERE iso2 = 'MA'")
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE users SET date_of_birth = '1995-04-03', country_id = :c, "
                    "city_id = :city WHERE id = :u"
                ),
                {"u": user, "c": country, "city": city},
            )
            conn.execute(
                text(
                    "INSERT INTO casting_profiles (user_id, visibility, registration_step, "
                    "created_at, updated_at) VALUES (:u, 'staff', 'done', "
                    "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"u": user},
            )
        upgrade(revision="0013")
        gender, born, country_id, city_id, active = _copy(user)
        assert (gender, str(born), country_id, city_id) == ("F", "1995-04-03", country, city)
        assert active in (True, 1)

        with db.engine.begin() as conn:  # kept from now on
            conn.execute(
                text("UPDATE users SET gender = 'M', city_id = NULL WHERE id = :u"), {"u": user}
            )
        assert _copy(user)[0] == "M"
        assert _copy(user)[3] is None

        downgrade(revision="0012")
        columns = {c["name"] for c in inspect(db.engine).get_columns("casting_profiles")}
        assert not (COPIED & columns)
        assert _scalar("SELECT count(*) FROM casting_profiles") == 1
        with db.engine.begin() as conn:  # no trigger left behind
            conn.execute(text("UPDATE users SET gender = 'F' WHERE id = :u"), {"u": user})
        upgrade()
        assert _copy(user)[0] == "F"
        db.engine.dispose()
