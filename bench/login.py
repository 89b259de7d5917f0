"""`make bench`: prints timing figures as JSON. Never fails on speed (no thresholds here).

Measures, on a throw-away SQLite database: Argon2id verification at the configured
parameters, start-up checks, and median latencies of the login page, a login and /profile.
"""

from __future__ import annotations

import json
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from cryptography.fernet import Fernet


def _median_ms(func, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        samples.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(samples), 2)


def main() -> None:
    from flask_migrate import upgrade

    from talento.accounts.models import User
    from talento.accounts.passwords import PasswordService
    from talento.accounts.services import set_password
    from talento.extensions import db
    from talento.ops.startup import run_startup_checks
    from talento.settings import Settings
    from talento.web import build_app

    results: dict[str, float | str] = {}
    password = secrets.token_urlsafe(18)  # generated: no credential in the code
    passwords = PasswordService()
    stored = passwords.hash(password)
    results["argon2id_verify_ms"] = _median_ms(lambda: passwords.verify(stored, password), 20)
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            secret_key=secrets.token_hex(32),
            encryption_key=Fernet.generate_key().decode(),
            admin_password=secrets.token_urlsafe(18),
            database_url=f"sqlite:///{Path(tmp) / 'bench.db'}",
            flask_env="testing",
            log_level="WARNING",
            login_limit_per_ip="100000 per minute",
            login_limit_per_identifier="100000 per minute",
        )
        app = build_app(settings)
        app.config["WTF_CSRF_ENABLED"] = False
        with app.app_context():
            upgrade()
            user = User(
                code="MAF0001CAS",
                email="bench@example.org",
                first_name="B",
                last_name="Bench",
                phone="+212600000000",
                address="Casablanca",
            )
            set_password(user, password, app.extensions["talento.passwords"])
            db.session.add(user)
            db.session.commit()
        start = time.perf_counter()
        run_startup_checks(app, app.extensions["talento.keyring"])
        results["startup_checks_ms"] = round((time.perf_counter() - start) * 1000, 2)
        client = app.test_client()
        results["login_page_median_ms"] = _median_ms(lambda: client.get("/auth/login"), 50)

        def login():
            client.post(
                "/auth/login",
                data={"identifier": "bench@example.org", "password": password},
            )
            client.post("/auth/logout")

        results["login_and_logout_median_ms"] = _median_ms(login, 20)
        client.post(
            "/auth/login",
            data={"identifier": "bench@example.org", "password": password},
        )
        results["profile_page_median_ms"] = _median_ms(lambda: client.get("/profile"), 50)
        with app.app_context():
            db.engine.dispose()
    results["note"] = "figures only; never a pass/fail threshold"
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
