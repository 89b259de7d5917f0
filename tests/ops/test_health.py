"""/healthz answers while the process runs; /readyz checks database, migrations, canary."""

import pytest
from sqlalchemy import text

from talento.extensions import db
from talento.ops.startup import run_startup_checks
from talento.web import build_app
from tests.helpers import make_settings, new_key


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_ok_after_start_up(app, client):
    run_startup_checks(app, app.extensions["talento.keyring"])
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    assert response.json["checks"] == {"database": "ok", "migrations": "ok", "key_canary": "ok"}


@pytest.mark.committed
def test_readyz_names_a_key_mismatch(app, database_url):
    run_startup_checks(app, app.extensions["talento.keyring"])
    other = build_app(make_settings(database_url, encryption_key=new_key()))
    response = other.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["failed"] == ["key_canary"]


def test_readyz_names_migrations_behind(app, client):
    from talento.ops.checks import migration_heads

    (head,) = migration_heads()
    run_startup_checks(app, app.extensions["talento.keyring"])
    with app.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = 'old'"))
        db.session.commit()
    try:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert "migrations" in response.json["failed"]
    finally:
        with app.app_context():
            db.session.execute(text("UPDATE alembic_version SET version_num = :h"), {"h": head})
            db.session.commit()


def test_readyz_database_unreachable(tmp_path):
    app = build_app(make_settings("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["failed"][0] == "database"
