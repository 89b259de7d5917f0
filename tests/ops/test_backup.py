"""`talento backup` / `talento restore`, on PostgreSQL (the round trips on SQLite too).

A round trip restores into a brand-new database and upload folder and must give back every row
of every table (raw SQL, so ciphertexts are compared as stored) and every file (sha256). Each
refusal is checked to leave the target untouched. Encrypted archives are age files: the real
`age` binary (Debian's, `make age`) opens one and what it gives back restores; archives in the
format written before age (its writer is kept in tests/ops/legacy_backup.py) still restore.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import pty
import re
import select
import signal
import stat
import tarfile
import tempfile
import time
import uuid
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from talento.crypto import fingerprint
from talento.ops import backup_crypto
from talento.ops.backup import BackupError, create_backup, rotate
from talento.ops.backup_crypto import BackupCryptoError, PassphraseError, read_passphrase_file
from talento.ops.backup_legacy import (
    CHUNK_SIZE,
    HEADER_SIZE,
    TAG_SIZE,
    DecryptingReader,
)
from talento.ops.restore import RestoreRefused, restore_backup
from talento.profiles.uploads import store_cv, store_photo
from tests.helpers import TALENTO, make_settings, new_key, run_cli
from tests.ops.legacy_backup import encrypt_legacy, legacy_archive

# pg_dump, pg_restore and the CLI are other processes: they read and write committed rows.
pytestmark = pytest.mark.committed
PASSPHRASE = "une phrase de passe solide 2026"
AGE_CHUNK = 64 * 1024  # plaintext bytes per sealed chunk of an age payload
PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
)
NOW = dt.datetime(2026, 3, 1, 3, 15, 0, tzinfo=dt.UTC)


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(
        database_url,
        upload_dir=str(tmp_path_factory.mktemp("uploads")),
        backup_dir=str(tmp_path_factory.mktemp("backup-root") / "archives"),
    )


@pytest.fixture
def populated(app, settings, make_talent):
    """Two talents (phones, address, links, skills, languages), a photo with its thumbnail and
    a CV, an audit event and the key canary: what a real instance holds."""
    from talento.audit import services as audit
    from talento.audit.models import AuditAction
    from talento.extensions import db
    from talento.keys.canary import verify_keys_or_raise

    upload_dir = Path(settings.upload_dir)
    picture = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 90, 160)).save(picture, "PNG")
    photo = store_photo(io.BytesIO(picture.getvalue()), upload_dir).name
    cv = store_cv(io.BytesIO(PDF), upload_dir).name
    make_talent(
        phone="+212600000001",
        whatsapp="+212600000002",
        address="12 rue des Oliviers, Casablanca",
        links={"instagram": "https://instagram.com/amina"},
        bio="Comédienne, « théâtre » et cinéma.",
        photo_name=photo,
        cv_name=cv,
        skills=["actor"],
    )
    make_talent(first_name="Youssef", gender="M", phone="+212600000003", languages=["fr"])
    with app.app_context():
        verify_keys_or_raise(db.session, app.extensions["talento.keyring"])
        audit.record(db.session, AuditAction.AUDIT_EXPORT, audit.SYSTEM, detail={"rows": 0})
        db.session.commit()
        db.session.remove()
    return settings


@pytest.fixture
def fresh_url(database_url, tmp_path, request):
    """A factory of brand-new empty databases of the current backend (dropped afterwards)."""
    created: list[str] = []

    def factory() -> str:
        if database_url.startswith("sqlite"):
            return f"sqlite:///{tmp_path / uuid.uuid4().hex / 'talento.db'}"
        from sqlalchemy.engine import make_url

        name = f"talento_restore_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        admin = create_engine(database_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        created.append(name)
        return make_url(database_url).set(database=name).render_as_string(hide_password=False)

    yield factory
    if created:
        admin = create_engine(database_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with admin.connect() as conn:
            for name in created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def target_settings(url: str, tmp_path: Path, key: str, **overrides):
    return make_settings(
        url,
        encryption_key=key,
        upload_dir=str(tmp_path / f"restored-uploads-{uuid.uuid4().hex[:6]}"),
        **overrides,
    )


def all_rows(url: str) -> dict[str, list[tuple]]:
    """Every row of every table of the models plus alembic_version, in primary-key order."""
    from talento.extensions import db

    engine = create_engine(url, poolclass=NullPool)
    rows = {}
    with engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            order = ", ".join(column.name for column in table.primary_key.columns)
            query = text(f"SELECT * FROM {table.name} ORDER BY {order}")  # noqa: S608
            rows[table.name] = [tuple(row) for row in conn.execute(query)]
        rows["alembic_version"] = [
            tuple(r) for r in conn.execute(text("SELECT * FROM alembic_version"))
        ]
    engine.dispose()
    return rows


def table_names(url: str) -> list[str]:
    from sqlalchemy import inspect

    if url.startswith("sqlite") and not Path(url.removeprefix("sqlite:///")).exists():
        return []
    engine = create_engine(url, poolclass=NullPool)
    with engine.connect() as conn:
        names = inspect(conn).get_table_names()
    engine.dispose()
    return names


def file_hashes(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def assert_untouched(target) -> None:
    assert table_names(target.database_url) == []
    root = Path(target.upload_dir)
    assert not root.exists() or not [p for p in root.rglob("*") if not p.is_dir()]


def assert_identical(source, target, files: int = 3) -> None:
    expected = all_rows(source.database_url)
    restored = all_rows(target.database_url)
    assert restored.keys() == expected.keys()
    for table in expected:
        assert restored[table] == expected[table], table
    assert sum(len(rows) for rows in expected.values()) > 100  # reference data came too
    assert len(expected["users"]) == 2
    assert expected["key_canaries"]
    source_files = file_hashes(Path(source.upload_dir))
    assert len(source_files) == files  # photo, thumbnail, CV
    assert file_hashes(Path(target.upload_dir)) == source_files


def rewrite_manifest(archive: Path, destination: Path, change) -> Path:
    """Copy a plain archive with its manifest edited by `change(manifest)`."""
    with tarfile.open(archive) as source, tarfile.open(destination, "w") as copy:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name == "manifest.json":
                manifest = json.loads(data)
                change(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    return destination


# Round trips.


@pytest.mark.both_backends
@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_round_trip_restores_every_row_and_file(populated, fresh_url, tmp_path, encrypted):
    source = populated
    passphrase = PASSPHRASE if encrypted else None
    report = create_backup(source, passphrase=passphrase, now=NOW)

    folder = Path(source.backup_dir)
    suffix = ".tar.enc" if encrypted else ".tar"
    assert report.path == folder / f"talento-backup-20260301-031500{suffix}"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(report.path.stat().st_mode) == 0o600
    assert [p.name for p in folder.iterdir()] == [report.path.name]  # no temporary left
    assert report.files == 3
    assert report.tables["users"] == 2
    assert fingerprint(source.encryption_key) in report.fingerprints
    blob = report.path.read_bytes()
    assert source.encryption_key.encode() not in blob
    assert source.secret_key.encode() not in blob
    if encrypted:
        assert b"manifest.json" not in blob
        assert b"Oliviers" not in blob
    else:
        with tarfile.open(report.path) as archive:
            names = archive.getnames()
            manifest = json.loads(archive.extractfile("manifest.json").read())
        assert names[0] == "manifest.json"
        assert manifest["keys"]["fingerprints"] == report.fingerprints
        assert manifest["keys"]["encrypted_columns"] == [
            "users.phone",
            "users.whatsapp",
            "users.address",
            "talent_profiles.links",
            "casting_profiles.id_number",
            "casting_profiles.artist_card_number",
            "casting_profiles.guardian_phone",
            "casting_profiles.guardian_email",
        ]
        assert manifest["database"]["tables"] == report.tables
        assert len(manifest["uploads"]["files"]) == 3

    target = target_settings(fresh_url(), tmp_path, source.encryption_key)
    restored = restore_backup(target, report.path, passphrase)
    assert not restored.needs_upgrade
    assert restored.files == 3
    assert_identical(source, target)


def test_restore_accepts_the_backup_key_as_a_previous_key(populated, fresh_url, tmp_path):
    report = create_backup(populated, now=NOW)
    target = target_settings(
        fresh_url(),
        tmp_path,
        new_key(),
        encryption_keys_previous=(populated.encryption_key,),
    )
    restore_backup(target, report.path)
    assert_identical(populated, target)


@pytest.mark.both_backends
def test_restore_into_an_empty_migrated_schema(populated, fresh_url, tmp_path):
    """`talento db upgrade` on the new server before restoring is fine: tables without rows."""
    from flask_migrate import upgrade

    from talento.web import build_app

    report = create_backup(populated, now=NOW)
    target = target_settings(fresh_url(), tmp_path, populated.encryption_key)
    Path(target.upload_dir, "photos", "thumbs").mkdir(parents=True)  # empty folders are fine
    app = build_app(target)
    with app.app_context():
        from talento.extensions import db
        from talento.ops.initdb import ensure_sqlite_directory

        ensure_sqlite_directory(target.database_url)
        upgrade()
        db.session.remove()
        db.engine.dispose()
    restore_backup(target, report.path)
    assert_identical(populated, target)


# Standard format: the real `age` binary opens a new archive; an archive written before age
# still restores.

AGE = "/usr/bin/age"
AGE_PROMPT = re.compile(rb"passphrase[^\r\n]*: ", re.IGNORECASE)


def age_binary() -> str:
    """Debian's age. Missing: skip, or fail under CI (like Chromium for the browser tests)."""
    if not (os.path.isfile(AGE) and os.access(AGE, os.X_OK)):
        reason = f"age not found at {AGE} (install it with `make age`)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; it is required under CI")
        pytest.skip(reason)
    return AGE


def run_age(args: list[str], answers: list[str], timeout: float = 120) -> tuple[int, str]:
    """Run age on a pseudo-terminal (it reads a passphrase from the terminal only, never from
    stdin or the environment), typing the next answer each time it asks for a passphrase.
    Returns its exit status and what it showed on the terminal."""
    binary = age_binary()
    pid, fd = pty.fork()
    if pid == 0:  # the child: age, with the pseudo-terminal as its controlling terminal
        try:
            os.execv(binary, [binary, *args])  # noqa: S606 (a fixed path, no shell)
        finally:
            os._exit(127)
    shown, pending = b"", list(answers)
    deadline = time.monotonic() + timeout
    try:
        while (remaining := deadline - time.monotonic()) > 0:
            if not select.select([fd], [], [], remaining)[0]:
                continue
            try:
                data = os.read(fd, 4096)
            except OSError:  # EIO: age closed the terminal (it exited)
                break
            if not data:
                break
            shown += data
            if pending and len(AGE_PROMPT.findall(shown)) > len(answers) - len(pending):
                os.write(fd, pending.pop(0).encode("utf-8") + b"\n")
        else:
            os.kill(pid, signal.SIGKILL)
    finally:
        os.close(fd)
        status = os.waitpid(pid, 0)[1]
    return os.waitstatus_to_exitcode(status), shown.decode("utf-8", "replace")


def test_the_age_binary_opens_a_new_archive_and_its_content_restores(
    populated, fresh_url, tmp_path
):
    """The bad day: Talento's code is gone, `age -d` (Debian's, written in Go: another
    implementation than the rage library Talento uses) gives the tar back."""
    archive = create_backup(populated, passphrase=PASSPHRASE, now=NOW).path
    assert archive.read_bytes().startswith(b"age-encryption.org/v1\n")

    opened = tmp_path / "opened.tar"
    status, shown = run_age(["--decrypt", "--output", str(opened), str(archive)], [PASSPHRASE])
    assert status == 0, shown
    with tarfile.open(opened) as tar:
        assert tar.getnames()[0] == "manifest.json"
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["encrypted"] is True
    assert manifest["uploads"]["count"] == 3

    target = target_settings(fresh_url(), tmp_path, populated.encryption_key)
    restored = restore_backup(target, opened)  # the decrypted tar, as a plain archive
    assert restored.files == 3
    assert_identical(populated, target)

    status, shown = run_age(
        ["--decrypt", "--output", str(tmp_path / "wrong.tar"), str(archive)],
        ["une autre phrase de passe"],
    )
    assert status != 0
    assert "incorrect passphrase" in shown


def test_an_archive_encrypted_by_the_age_binary_is_read():
    """The other way round: a file `age --passphrase` wrote decrypts with Talento's reader."""
    data = os.urandom(3 * AGE_CHUNK + 123)
    with tempfile.TemporaryDirectory() as folder:
        plain, sealed = Path(folder, "plain.tar"), Path(folder, "plain.tar.enc")
        plain.write_bytes(data)
        status, shown = run_age(
            ["--passphrase", "--output", str(sealed), str(plain)], [PASSPHRASE, PASSPHRASE]
        )
        assert status == 0, shown
        blob = sealed.read_bytes()
    assert backup_crypto.is_age(blob)
    assert backup_crypto.decrypt(blob, PASSPHRASE) == data
    with pytest.raises(BackupCryptoError, match="archive altérée"):
        backup_crypto.decrypt(blob, "une autre phrase de passe")


def test_an_archive_written_before_age_still_restores(populated, fresh_url, tmp_path):
    plain = create_backup(populated, now=NOW).path
    old = legacy_archive(plain, tmp_path / "talento-backup-20250101-000000.tar.enc", PASSPHRASE)
    blob = old.read_bytes()
    assert blob.startswith(b"TLNTOBAK")
    assert b"manifest.json" not in blob
    target = target_settings(fresh_url(), tmp_path, populated.encryption_key)

    def refused(archive, passphrase=None) -> str:
        with pytest.raises(RestoreRefused) as caught:
            restore_backup(target, archive, passphrase)
        assert_untouched(target)
        return str(caught.value)

    assert "--passphrase-file" in refused(old)
    assert "archive altérée" in refused(old, "une autre phrase de passe")
    truncated = tmp_path / "truncated-old.tar.enc"
    truncated.write_bytes(blob[: len(blob) - 1000])
    assert "archive altérée" in refused(truncated, PASSPHRASE)

    restored = restore_backup(target, old, PASSPHRASE)
    assert restored.files == 3
    assert_identical(populated, target)


# Refusals: each leaves the target database and upload folder as they were.


def age_payload_start(blob: bytes) -> int:
    """Offset of the first sealed chunk of an age file: after the header's `--- <MAC>` line
    and the 16-byte payload nonce."""
    mac_line = blob.index(b"\n--- ") + 1
    return blob.index(b"\n", mac_line) + 1 + 16


def test_damaged_or_locked_archives_are_refused(populated, fresh_url, tmp_path):
    Path(populated.upload_dir, "cv", "grand.pdf").write_bytes(os.urandom(3 * AGE_CHUNK + 5000))
    encrypted = create_backup(populated, passphrase=PASSPHRASE, now=NOW).path
    plain = create_backup(populated, now=NOW + dt.timedelta(seconds=1)).path
    target = target_settings(fresh_url(), tmp_path, populated.encryption_key)
    blob = encrypted.read_bytes()
    assert blob.startswith(b"age-encryption.org/v1\n-> scrypt ")
    payload = age_payload_start(blob)
    assert len(blob) > payload + 3 * (AGE_CHUNK + 16)  # several chunks

    def refused(archive, passphrase=None) -> str:
        with pytest.raises(RestoreRefused) as caught:
            restore_backup(target, archive, passphrase)
        assert_untouched(target)
        return str(caught.value)

    wrong = refused(encrypted, "une autre phrase de passe")
    assert "phrase de passe incorrecte ou archive altérée" in wrong.lower()

    assert "--passphrase-file" in refused(encrypted)

    last_chunk = tmp_path / "tampered-end.tar.enc"  # after the files were already extracted
    last_chunk.write_bytes(blob[:-20] + bytes([blob[-20] ^ 1]) + blob[-19:])
    assert "archive altérée" in refused(last_chunk, PASSPHRASE)

    first_chunk = tmp_path / "tampered-start.tar.enc"
    at = payload + 100
    first_chunk.write_bytes(blob[:at] + bytes([blob[at] ^ 0x40]) + blob[at + 1 :])
    assert "archive altérée" in refused(first_chunk, PASSPHRASE)

    header = tmp_path / "tampered-header.tar.enc"  # a character of the scrypt salt
    header.write_bytes(blob[:35] + bytes([blob[35] ^ 0x01]) + blob[36:])
    assert "archive altérée" in refused(header, PASSPHRASE)

    at_boundary = tmp_path / "truncated-boundary.tar.enc"  # whole chunks only
    at_boundary.write_bytes(blob[: payload + 2 * (AGE_CHUNK + 16)])
    assert "archive altérée" in refused(at_boundary, PASSPHRASE)

    extended = tmp_path / "extended.tar.enc"
    extended.write_bytes(blob + blob[payload : payload + AGE_CHUNK + 16])
    assert "archive altérée" in refused(extended, PASSPHRASE)

    truncated = tmp_path / "truncated.tar.enc"
    truncated.write_bytes(blob[: len(blob) - 1000])
    assert "archive altérée" in refused(truncated, PASSPHRASE)

    plain_blob = plain.read_bytes()
    short_plain = tmp_path / "truncated.tar"
    short_plain.write_bytes(plain_blob[: len(plain_blob) // 2])
    assert "tronquée" in refused(short_plain)

    flipped = bytearray(plain_blob)
    with tarfile.open(plain) as archive:
        photo = next(m for m in archive.getmembers() if m.name.startswith("uploads/photos/"))
    flipped[photo.offset_data + 10] ^= 1  # a byte of an uploaded file
    altered_plain = tmp_path / "altered.tar"
    altered_plain.write_bytes(bytes(flipped))
    assert "sha256" in refused(altered_plain)

    not_an_archive = tmp_path / "notes.tar"
    not_an_archive.write_text("bonjour")
    assert "illisible" in refused(not_an_archive)
    assert "illisible" in refused(tmp_path / "absent.tar")

    # the same target still accepts the intact archive
    restore_backup(target, encrypted, PASSPHRASE)
    assert_identical(populated, target, files=4)


@pytest.mark.both_backends
def test_restore_refuses_a_database_or_folder_that_is_not_empty(populated, fresh_url, tmp_path):
    archive = create_backup(populated, now=NOW).path

    with pytest.raises(RestoreRefused) as caught:
        restore_backup(populated, archive)  # the source itself: full of rows and files
    message = str(caught.value)
    assert "La base cible n'est pas vide" in message
    assert "users (2)" in message
    assert "n'est pas vide (3 fichier(s))" in message

    target = target_settings(fresh_url(), tmp_path, populated.encryption_key)
    Path(target.upload_dir).mkdir()
    Path(target.upload_dir, "oublié.txt").write_text("x")
    with pytest.raises(RestoreRefused, match="UPLOAD_DIR"):
        restore_backup(target, archive)
    assert table_names(target.database_url) == []


def test_restore_refuses_keys_that_cannot_read_the_archive(populated, fresh_url, tmp_path):
    archive = create_backup(populated, now=NOW).path
    target = target_settings(fresh_url(), tmp_path, new_key())
    with pytest.raises(RestoreRefused) as caught:
        restore_backup(target, archive)
    message = str(caught.value)
    assert fingerprint(populated.encryption_key) in message
    assert "illisible sans son ENCRYPTION_KEY" in message
    assert "talento keys fingerprint" in message
    assert_untouched(target)


def test_restore_refuses_a_schema_newer_than_the_code(populated, fresh_url, tmp_path):
    archive = create_backup(populated, now=NOW).path
    future = rewrite_manifest(
        archive,
        tmp_path / "future.tar",
        lambda m: m["database"].update(migration_heads=["9999_from_the_future"]),
    )
    target = target_settings(fresh_url(), tmp_path, populated.encryption_key)
    with pytest.raises(RestoreRefused, match="9999_from_the_future.*plus récent"):
        restore_backup(target, future)
    assert_untouched(target)


def test_an_older_schema_is_restored_and_the_upgrade_is_announced(populated, fresh_url, tmp_path):
    from talento.ops.restore import _code_revisions

    heads, known = _code_revisions()
    older = sorted(known - set(heads))[0]
    archive = create_backup(populated, now=NOW).path
    edited = rewrite_manifest(
        archive, tmp_path / "older.tar", lambda m: m["database"].update(migration_heads=[older])
    )
    target = target_settings(fresh_url(), tmp_path, populated.encryption_key)
    report = restore_backup(target, edited)
    assert report.needs_upgrade
    assert report.archive_heads == [older]


@pytest.mark.both_backends
def test_restore_refuses_another_backend(populated, database_url, tmp_path):
    archive = create_backup(populated, now=NOW).path
    other = (
        "postgresql+psycopg://postgres@127.0.0.1:5432/absent"
        if database_url.startswith("sqlite")
        else f"sqlite:///{tmp_path / 'talento.db'}"
    )
    with pytest.raises(RestoreRefused, match="même type"):
        restore_backup(target_settings(other, tmp_path, populated.encryption_key), archive)


# Rotation and failures.


def test_rotation_keeps_the_newest_archives_only(populated):
    folder = Path(populated.backup_dir)
    folder.mkdir(parents=True)
    strangers = ["notes.txt", "talento-backup-latest.tar", "talento-backup-20200101-000000.tar.gz"]
    for name in strangers:
        (folder / name).write_text("à garder")
    made = []
    for day in range(4):
        moment = NOW + dt.timedelta(days=day)
        encrypted = day % 2 == 1
        report = create_backup(
            populated, passphrase=PASSPHRASE if encrypted else None, now=moment, keep=3
        )
        made.append(report.path.name)
    assert report.deleted == [folder / made[0]]
    remaining = sorted(p.name for p in folder.iterdir())
    assert remaining == sorted(strangers + made[1:])
    assert rotate(folder, 0) == []  # 0 keeps everything
    assert [p.name for p in rotate(folder, 1)] == made[1:3]


def test_a_failed_backup_leaves_no_archive(settings, tmp_path):
    broken = make_settings(
        f"sqlite:///{tmp_path / 'absent.db'}",
        encryption_key=settings.encryption_key,
        upload_dir=settings.upload_dir,
        backup_dir=str(tmp_path / "archives"),
    )
    with pytest.raises(BackupError, match="introuvable"):
        create_backup(broken, now=NOW)
    assert list((tmp_path / "archives").iterdir()) == []


# The real command line, once per backend.


def _env(settings, **extra) -> dict[str, str]:
    env = {
        "SECRET_KEY": settings.secret_key,
        "ENCRYPTION_KEY": settings.encryption_key,
        "ADMIN_PASSWORD": settings.admin_password,
        "DATABASE_URL": settings.database_url,
        "UPLOAD_DIR": settings.upload_dir,
        "BACKUP_DIR": settings.backup_dir,
        "FLASK_ENV": "development",
    }
    env.update(extra)
    return env


@pytest.mark.both_backends
def test_cli_backup_and_restore(populated, fresh_url, tmp_path):
    passphrase_file = tmp_path / "phrase"
    passphrase_file.write_text(PASSPHRASE + "\n")
    passphrase_file.chmod(0o600)
    folder = Path(populated.backup_dir)
    folder.mkdir(parents=True)
    old = folder / "talento-backup-20000101-000000.tar"
    old.write_text("ancienne archive")

    made = run_cli(
        [TALENTO, "backup", "--passphrase-file", str(passphrase_file), "--keep", "1"],
        _env(populated),
    )
    assert made.returncode == 0, made.stderr
    archive = next(folder.glob("talento-backup-*.tar.enc"))
    assert f"Archive écrite : {archive}" in made.stdout
    assert "users : 2" in made.stdout
    assert "Fichiers envoyés : 3" in made.stdout
    assert f"{fingerprint(populated.encryption_key)} (ENCRYPTION_KEY actuelle)" in made.stdout
    assert "illisible sans ENCRYPTION_KEY" in made.stdout
    assert f"Rotation : {old.name} supprimée." in made.stdout
    assert not old.exists()
    assert f"chmod 700 {folder}" in made.stderr  # made by hand above, open to others

    target = target_settings(fresh_url(), tmp_path, populated.encryption_key)
    wrong_key = run_cli(
        [TALENTO, "restore", str(archive), "--passphrase-file", str(passphrase_file)],
        _env(target, ENCRYPTION_KEY=new_key()),
    )
    assert wrong_key.returncode == 2
    assert fingerprint(populated.encryption_key) in wrong_key.stderr
    assert_untouched(target)

    other_phrase = tmp_path / "autre-phrase"
    other_phrase.write_text("une autre phrase de passe\n")
    other_phrase.chmod(0o600)
    wrong_phrase = run_cli(
        [TALENTO, "restore", str(archive), "--passphrase-file", str(other_phrase)], _env(target)
    )
    assert wrong_phrase.returncode == 2
    assert "Phrase de passe incorrecte ou archive altérée" in wrong_phrase.stderr
    assert_untouched(target)

    restored = run_cli(
        [TALENTO, "restore", str(archive), "--passphrase-file", str(passphrase_file)],
        _env(target),
    )
    assert restored.returncode == 0, restored.stderr
    assert "restaurée" in restored.stdout
    assert "users : 2" in restored.stdout
    assert "migrations_init" not in restored.stdout  # same schema: nothing to upgrade
    assert_identical(populated, target)


def test_cli_backup_runs_with_a_lost_key_and_a_weak_passphrase_is_refused(
    populated, fresh_url, tmp_path
):
    """Backing up is the first step of the lost-key procedure: it must work then, and name the
    lost key as lost instead of as a key any restore would need."""
    lost = fingerprint(populated.encryption_key)
    replacement = new_key()
    made = run_cli([TALENTO, "backup"], _env(populated, ENCRYPTION_KEY=replacement))
    assert made.returncode == 0, made.stderr
    assert f"Clé(s) perdue(s) {lost}" in made.stderr
    archive = next(Path(populated.backup_dir).glob("talento-backup-*.tar"))
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
    assert manifest["keys"]["lost"] == [lost]
    assert manifest["keys"]["fingerprints"] == [fingerprint(replacement)]
    target = target_settings(fresh_url(), tmp_path, replacement)
    restored = run_cli([TALENTO, "restore", str(archive)], _env(target))
    assert restored.returncode == 0, restored.stderr  # the same state as before: adopt next
    short = tmp_path / "court"
    short.write_text("trop court\n")
    weak = run_cli([TALENTO, "backup", "--passphrase-file", str(short)], _env(populated))
    assert weak.returncode == 1
    assert "trop courte" in weak.stderr
    assert list(Path(populated.backup_dir).glob("talento-backup-*")) == [archive]


def test_cli_backup_without_pg_dump_says_so(populated, database_url, tmp_path):
    if database_url.startswith("sqlite"):
        pytest.skip("pg_dump only serves PostgreSQL")
    result = run_cli([TALENTO, "backup"], _env(populated, PATH=str(tmp_path)))
    assert result.returncode == 1
    assert "pg_dump est introuvable" in result.stderr
    assert "postgresql-client" in result.stderr
    assert list(Path(populated.backup_dir).iterdir()) == []


# The legacy encrypted stream (archives written before age) and the passphrase file.


def _encrypt(data: bytes, passphrase: str = PASSPHRASE) -> bytes:
    return encrypt_legacy(data, passphrase)


def _decrypt(blob: bytes, passphrase: str = PASSPHRASE) -> bytes:
    reader = DecryptingReader(io.BytesIO(blob), passphrase)
    parts = []
    while part := reader.read(77_777):
        parts.append(part)
    return b"".join(parts)


@pytest.mark.parametrize(
    "size", [0, 1, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE + 5]
)
def test_encrypted_stream_round_trip(size):
    data = os.urandom(size)
    blob = _encrypt(data)
    chunks = max(1, -(-size // CHUNK_SIZE))
    assert len(blob) == HEADER_SIZE + size + chunks * TAG_SIZE
    assert _decrypt(blob) == data


def test_encrypted_stream_detects_reordering_truncation_and_header_edits():
    data = os.urandom(3 * CHUNK_SIZE + 10)
    blob = _encrypt(data)
    sealed = CHUNK_SIZE + TAG_SIZE
    header, body = blob[:HEADER_SIZE], blob[HEADER_SIZE:]
    chunks = [body[i : i + sealed] for i in range(0, len(body), sealed)]
    swapped = header + chunks[1] + chunks[0] + b"".join(chunks[2:])
    dropped_last = header + b"".join(chunks[:-1])
    duplicated = header + chunks[0] + b"".join(chunks)
    edited_header = blob[:17] + bytes([blob[17] ^ 1]) + blob[18:]  # memory cost
    for bad in (swapped, dropped_last, duplicated, edited_header, header):
        with pytest.raises(BackupCryptoError, match="archive altérée"):
            _decrypt(bad)
    with pytest.raises(BackupCryptoError, match="archive altérée"):
        _decrypt(blob, "une mauvaise phrase de passe")
    with pytest.raises(BackupCryptoError, match="tronqué"):
        _decrypt(blob[:10])


def test_passphrase_file_rules(tmp_path):
    good = tmp_path / "phrase"
    good.write_text(PASSPHRASE + "\n")
    good.chmod(0o600)
    assert read_passphrase_file(good) == (PASSPHRASE, [])
    good.chmod(0o644)
    passphrase, warnings = read_passphrase_file(good)
    assert passphrase == PASSPHRASE
    assert "chmod 600" in warnings[0]
    for content, message in (("", "vide"), ("\n", "vide"), ("court 11 ch\n", "trop courte")):
        bad = tmp_path / "bad"
        bad.write_text(content)
        with pytest.raises(PassphraseError, match=message):
            read_passphrase_file(bad)
    with pytest.raises(PassphraseError, match="illisible"):
        read_passphrase_file(tmp_path / "absent")
