"""French error pages, incident ids, request ids, LOG_FILE, and no secrets in logs."""

import logging
import re

import pytest
from flask import abort

from talento.logging import LogFileError, setup_logging
from talento.web import build_app
from tests.helpers import make_settings


@pytest.fixture
def failing_app(settings):
    app = build_app(settings)

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    @app.get("/big")
    def big():
        abort(413)

    @app.get("/down")
    def down():
        abort(503)

    return app


@pytest.mark.parametrize(
    ("path", "status", "title"),
    [
        ("/does-not-exist", 404, "Page introuvable"),
        ("/big", 413, "Fichier trop volumineux"),
        ("/down", 503, "Service momentanément indisponible"),
        ("/admin", 302, None),
    ],
)
def test_french_error_pages(failing_app, path, status, title):
    response = failing_app.test_client().get(path)
    assert response.status_code == status
    if title:
        html = response.get_data(as_text=True)
        assert title in html
        assert 'lang="fr"' in html


def test_500_shows_an_incident_id_that_is_in_the_traceback_log_line(failing_app, caplog):
    caplog.set_level(logging.ERROR)
    response = failing_app.test_client().get("/boom")
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "Erreur interne" in html
    assert "kaboom" not in html
    assert "Traceback" not in html
    incident = re.search(r'<code id="incident">([0-9a-f]{12})</code>', html).group(1)
    records = [r for r in caplog.records if incident in r.getMessage()]
    assert len(records) == 1
    message = records[0].getMessage()
    assert "builtins.RuntimeError" in message
    assert "GET /boom" in message
    assert 'raise RuntimeError("kaboom")' in message  # the frames, not the message


def test_every_response_carries_a_request_id_and_accepts_nginx_s(client):
    response = client.get("/healthz")
    assert re.fullmatch(r"[0-9a-f]{16}", response.headers["X-Request-ID"])
    forwarded = client.get("/healthz", headers={"X-Request-ID": "0123456789abcdef0123"})
    assert forwarded.headers["X-Request-ID"] == "0123456789abcdef0123"
    bogus = client.get("/healthz", headers={"X-Request-ID": "bad id <script>"})
    assert bogus.headers["X-Request-ID"] != "bad id <script>"


def test_log_file_gets_lines_with_the_request_id(database_url, tmp_path):
    log_file = tmp_path / "logs" / "talento" / "app.log"
    app = build_app(make_settings(database_url, log_file=str(log_file)))

    @app.get("/hello")
    def hello():
        logging.getLogger("talento.test").info("bonjour")
        return "ok"

    try:
        response = app.test_client().get("/hello")
        line = next(li for li in log_file.read_text().splitlines() if "bonjour" in li)
        assert f"[{response.headers['X-Request-ID']}]" in line
    finally:
        setup_logging(make_settings(database_url))  # detach the file handler


def test_unwritable_log_file_is_a_clear_start_up_error(database_url, tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    with pytest.raises(LogFileError) as caught:
        build_app(make_settings(database_url, log_file=str(blocker / "app.log")))
    assert "LOG_FILE" in str(caught.value)
    assert "mkdir" in str(caught.value)


def test_json_log_format(database_url, capsys):
    import json

    setup_logging(make_settings(database_url, log_format="json"))
    try:
        logging.getLogger("talento.test").warning("en json")
        line = capsys.readouterr().err.strip().splitlines()[-1]
        payload = json.loads(line)
        assert payload["message"] == "en json"
        assert payload["request_id"] == "-"
    finally:
        setup_logging(make_settings(database_url))


def test_security_headers(client):
    response = client.get("/auth/login")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_production_cookies_are_secure(database_url):
    app = build_app(make_settings(database_url, flask_env="production"))
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["PREFERRED_URL_SCHEME"] == "https"
