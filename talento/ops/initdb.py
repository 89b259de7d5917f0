"""`talento init-db` ≡ `python3 migrations_init.py`: schema, reference data, admin, canary.

Idempotent: a second run changes nothing and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

from talento.accounts.services import apply_admin_password_if_changed, create_admin_if_absent
from talento.extensions import db
from talento.geo.services import load_reference_data
from talento.keys.canary import verify_keys_or_raise
from talento.keys.rotation import reindex_phones
from talento.ops.checks import current_revisions, migration_heads
from talento.profiles.catalogue import load_skill_catalogue


@dataclass
class InitReport:
    lines: list[str] = field(default_factory=list)
    changes: int = 0

    def changed(self, line: str) -> None:
        self.lines.append(f"✔ {line}")
        self.changes += 1

    def same(self, line: str) -> None:
        self.lines.append(f"· {line}")


def ensure_sqlite_directory(database_url: str) -> None:
    """SQLite creates the file but not its folder (instance/ on a fresh clone)."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        Path(url.database).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)


def init_db(app: Flask) -> InitReport:
    report = InitReport()
    settings = app.extensions["talento.settings"]
    ensure_sqlite_directory(settings.database_url)
    keyring = app.extensions["talento.keyring"]
    passwords = app.extensions["talento.passwords"]
    with app.app_context():
        session = db.session()
        heads = migration_heads()
        before = current_revisions(session)
        session.rollback()
        if before != heads:
            upgrade()
            report.changed(f"Schéma mis à jour vers {', '.join(sorted(heads))}")
        else:
            report.same(f"Schéma déjà à jour ({', '.join(sorted(heads))})")

        fp = keyring.primary_fingerprint
        if verify_keys_or_raise(session, keyring):  # before any encrypted data is written
            report.changed(f"Canari de clé créé (empreinte {fp})")
        else:
            report.same(f"Clé de chiffrement vérifiée (empreinte {fp})")

        changes = load_reference_data(session)
        if changes.total:
            report.changed(
                f"Données de référence : {changes.countries_added} pays ajoutés, "
                f"{changes.countries_updated} mis à jour ; {changes.cities_added} villes "
                f"ajoutées, {changes.cities_updated} mises à jour"
            )
        else:
            report.same("Données de référence (pays, villes) déjà à jour")

        added = load_skill_catalogue(session)
        if added:
            report.changed(f"Catalogue de compétences : {added} entrées ajoutées")
        else:
            report.same("Catalogue de compétences déjà à jour")

        reindexed = reindex_phones(session, keyring, only_missing=True)
        if reindexed:
            report.changed(f"Index de recherche des téléphones : {reindexed} comptes")

        if create_admin_if_absent(session, settings.admin_password, passwords):
            report.changed("Compte administrateur créé : admin@talento.com, code MAN0001RAB")
        elif apply_admin_password_if_changed(session, settings.admin_password, passwords):
            report.changed("ADMIN_PASSWORD a changé : appliqué au compte administrateur")
        else:
            report.same("Compte administrateur présent, ADMIN_PASSWORD inchangé")
        session.commit()
        db.session.remove()
    return report
