"""`talento backup`: one archive holding the database, the uploads and a manifest, optionally
encrypted with a passphrase in the age format (see `backup_crypto`; restore in `restore`).

Archive: a POSIX tar, named `talento-backup-AAAAMMJJ-HHMMSS.tar` (time in UTC), or
`talento-backup-AAAAMMJJ-HHMMSS.tar.enc` when encrypted: that same tar inside an age file
(`age -d` gives it back). A plain archive is written as a stream, never whole in memory; an
encrypted one is built in memory and encrypted whole (pyrage has no streaming passphrase
encryption: see the limit in `backup_crypto`)::

    manifest.json        first member: format and app versions, backend, Alembic heads, key
                         fingerprints (never a key) and the encrypted columns they guard
                         (`talento.keys.places`), rows per table, size and sha256 of the
                         database member and of every uploaded file
    database.pgdump      `pg_dump --format=custom` (PostgreSQL)
    database.sqlite3     SQLite online backup copy (SQLite)
    uploads/<path>       every regular file of UPLOAD_DIR

The archive is written to a hidden temporary name in the target folder, fsynced, then linked
to its final name: a failed backup never leaves a partial archive under a final name. Rotation
then deletes the oldest archives beyond `keep`, touching only names of that exact pattern.

The database is dumped first, then UPLOAD_DIR is read. Uploaded files are write-once under
random names, so the only race is a photo or CV replaced during the backup: a file deleted
between the listing and its copy fails the backup (run it again), and a file replaced just
after the dump may be missing from the archive, which the app shows as a missing photo.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from talento.crypto import fingerprint
from talento.keys.places import PLACES
from talento.ops import backup_crypto
from talento.ops.backup_db import (
    POSTGRESQL,
    SQLITE,
    DatabaseError,
    DbFacts,
    backend_of,
    dump_database,
)
from talento.settings import Settings

FORMAT_NAME = "talento-backup"
FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
DB_MEMBERS = {POSTGRESQL: "database.pgdump", SQLITE: "database.sqlite3"}
UPLOADS_PREFIX = "uploads/"
ARCHIVE_RE = re.compile(r"^talento-backup-(\d{8}-\d{6})\.tar(\.enc)?$")
COPY_CHUNK = 1024 * 1024
UPLOAD_FILE_MODE = 0o640  # as talento.profiles.uploads writes them
UPLOAD_DIR_MODE = 0o750


class BackupError(Exception):
    """A backup or restore failed; the message is French and holds no secret."""


@dataclass(frozen=True)
class FileEntry:
    path: str  # relative, POSIX
    size: int
    sha256: str


@dataclass
class BackupReport:
    path: Path
    size: int
    encrypted: bool
    backend: str
    heads: list[str]
    tables: dict[str, int]
    files: int
    files_bytes: int
    fingerprints: list[str]
    primary_fingerprint: str
    lost_fingerprints: list[str] = field(default_factory=list)
    deleted: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# Small helpers.


def app_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("talento")
    except PackageNotFoundError:
        return "inconnue"


def archive_name(moment: dt.datetime, encrypted: bool) -> str:
    stamp = moment.astimezone(dt.UTC).strftime("%Y%m%d-%H%M%S")
    return f"talento-backup-{stamp}.tar" + (".enc" if encrypted else "")


class _Hashing:
    """A read-only wrapper that hashes what passes through."""

    def __init__(self, source: BinaryIO):
        self._source = source
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(size)
        self.digest.update(data)
        return data


def _hash_file(path: Path) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as handle:
        while chunk := handle.read(COPY_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _prepare_dir(path: Path) -> list[str]:
    """Create the archive folder with mode 700; warn when an existing one is open to others."""
    if not path.exists():
        path.mkdir(parents=True, mode=0o700)
        os.chmod(path, 0o700)
        return []
    if not path.is_dir():
        raise BackupError(f"{path} existe et n'est pas un dossier.")
    if path.stat().st_mode & 0o077:
        return [f"Le dossier {path} est accessible à d'autres utilisateurs : chmod 700 {path}"]
    return []


def walk_uploads(root: Path) -> tuple[list[Path], list[Path]]:
    """Regular files under `root` (sorted) and the other entries (symlinks, sockets…)."""
    regular: list[Path] = []
    other: list[Path] = []
    if not root.is_dir():
        return regular, other
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs.sort()
        base = Path(folder)
        for name in list(dirs):
            if (base / name).is_symlink():
                other.append(base / name)
        for name in sorted(files):
            path = base / name
            (regular if path.is_file() and not path.is_symlink() else other).append(path)
    return regular, other


def _scan_uploads(root: Path) -> tuple[list[FileEntry], list[str]]:
    regular, other = walk_uploads(root)
    entries = []
    for path in regular:
        size, digest = _hash_file(path)
        entries.append(FileEntry(path.relative_to(root).as_posix(), size, digest))
    warnings = [
        f"Ignoré (pas un fichier ordinaire) : {path.relative_to(root).as_posix()}" for path in other
    ]
    return entries, warnings


# Backup.


def build_manifest(
    *,
    backend: str,
    facts: DbFacts,
    dump_size: int,
    dump_sha256: str,
    files: list[FileEntry],
    primary_fingerprint: str,
    created_at: dt.datetime,
    encrypted: bool,
    lost_fingerprints: frozenset[str] = frozenset(),
) -> dict:
    """What an archive holds and what restoring it requires. Fingerprints only: never a key."""
    return {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "app_version": app_version(),
        "created_at": created_at.astimezone(dt.UTC).isoformat(timespec="seconds"),
        "encrypted": encrypted,
        "database": {
            "backend": backend,
            "member": DB_MEMBERS[backend],
            "size": dump_size,
            "sha256": dump_sha256,
            "migration_heads": facts.heads,
            "tables": facts.tables,
        },
        "keys": {
            # every key that wrote data (key_canaries) plus the key that encrypts now
            # (minus keys already lost at backup time: no restore could ever supply them)
            "fingerprints": sorted({*facts.fingerprints, primary_fingerprint} - lost_fingerprints),
            "primary": primary_fingerprint,
            "lost": sorted(lost_fingerprints & set(facts.fingerprints)),
            # the columns those keys guard: unreadable without them after a restore
            "encrypted_columns": [place.name for place in PLACES],
        },
        "uploads": {
            "count": len(files),
            "bytes": sum(f.size for f in files),
            "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in files],
        },
    }


def _tarinfo(name: str, size: int, mode: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, mode, int(mtime)
    return info


def _add_file(tar: tarfile.TarFile, name: str, path: Path, entry: FileEntry, mode: int) -> None:
    """Add `path` under `name`, checking it still is what the manifest says."""
    try:
        handle = path.open("rb")
    except FileNotFoundError:
        raise BackupError(
            f"Le fichier {entry.path} a disparu pendant la sauvegarde : relancez-la."
        ) from None
    with handle:
        reader = _Hashing(handle)
        tar.addfile(_tarinfo(name, entry.size, mode, os.fstat(handle.fileno()).st_mtime), reader)
    if reader.digest.hexdigest() != entry.sha256:
        raise BackupError(f"Le fichier {entry.path} a changé pendant la sauvegarde : relancez-la.")


def _publish(temporary: Path, final: Path) -> None:
    """Give the finished archive its name without ever replacing an existing file."""
    try:
        os.link(temporary, final)
    except FileExistsError:
        raise BackupError(f"{final} existe déjà : relancez la sauvegarde.") from None
    except OSError:  # a filesystem without hard links
        if final.exists():
            raise BackupError(f"{final} existe déjà : relancez la sauvegarde.") from None
        os.rename(temporary, final)
    else:
        os.unlink(temporary)
    _fsync_dir(final.parent)


def create_backup(
    settings: Settings,
    *,
    output_dir: str | Path | None = None,
    passphrase: str | None = None,
    keep: int | None = None,
    now: dt.datetime | None = None,
    lost_fingerprints: frozenset[str] = frozenset(),
) -> BackupReport:
    """Write one archive into `output_dir` (default BACKUP_DIR), then apply the rotation.

    `lost_fingerprints`: recorded keys no configured key reads (a lost key, before `talento keys
    adopt`). The backup still runs — it is the first step of the lost-key procedure — and the
    manifest names them as lost rather than as keys a restore must have."""
    now = now or dt.datetime.now(dt.UTC)
    folder = Path(output_dir or settings.backup_dir)
    upload_root = Path(settings.upload_dir)
    if folder.resolve().is_relative_to(upload_root.resolve()):
        raise BackupError(
            f"Le dossier des archives ({folder}) est dans UPLOAD_DIR ({upload_root}) : chaque "
            "archive contiendrait les précédentes. Choisissez un autre BACKUP_DIR."
        )
    try:
        backend = backend_of(settings.database_url)
        warnings = _prepare_dir(folder)
    except DatabaseError as exc:
        raise BackupError(str(exc)) from None
    except OSError as exc:
        raise BackupError(
            f"Dossier des archives inutilisable : {folder} ({exc.strerror})."
        ) from None
    final = folder / archive_name(now, encrypted=passphrase is not None)
    if final.exists():
        raise BackupError(f"{final} existe déjà : relancez la sauvegarde.")
    primary = fingerprint(settings.encryption_key)

    fd = None
    try:
        fd, name = tempfile.mkstemp(prefix=".talento-backup-", suffix=".partial", dir=folder)
        partial = Path(name)
        dump_path = partial.with_suffix(".db.partial")  # same random part: unique too
        dump_path.touch(mode=0o600, exist_ok=False)
    except OSError as exc:
        if fd is not None:
            os.close(fd)
            partial.unlink(missing_ok=True)
        raise BackupError(
            f"Dossier des archives inutilisable : {folder} ({exc.strerror})."
        ) from None
    raw = os.fdopen(fd, "wb")
    try:
        facts = dump_database(settings.database_url, dump_path)
        dump_size, dump_sha = _hash_file(dump_path)
        files, skipped = _scan_uploads(upload_root)
        warnings += skipped
        manifest = build_manifest(
            backend=backend,
            facts=facts,
            dump_size=dump_size,
            dump_sha256=dump_sha,
            files=files,
            primary_fingerprint=primary,
            created_at=now,
            encrypted=passphrase is not None,
            lost_fingerprints=lost_fingerprints,
        )
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode("utf-8")
        with raw:
            # encrypted: the tar is built in memory, then encrypted whole (backup_crypto)
            buffer = io.BytesIO() if passphrase is not None else None
            sink: BinaryIO = buffer if buffer is not None else raw
            with tarfile.open(fileobj=sink, mode="w|", format=tarfile.PAX_FORMAT) as tar:
                tar.addfile(
                    _tarinfo(MANIFEST_NAME, len(data), 0o600, now.timestamp()), io.BytesIO(data)
                )
                _add_file(
                    tar,
                    DB_MEMBERS[backend],
                    dump_path,
                    FileEntry(DB_MEMBERS[backend], dump_size, dump_sha),
                    0o600,
                )
                for entry in files:
                    _add_file(
                        tar,
                        UPLOADS_PREFIX + entry.path,
                        upload_root / entry.path,
                        entry,
                        UPLOAD_FILE_MODE,
                    )
            if buffer is not None and passphrase is not None:
                plaintext = buffer.getvalue()  # the buffer's own bytes, not a copy
                buffer.close()
                raw.write(backup_crypto.encrypt(plaintext, passphrase))
                del plaintext
            raw.flush()
            os.fsync(raw.fileno())
        _publish(partial, final)
    except DatabaseError as exc:
        raise BackupError(str(exc)) from None
    except OSError as exc:
        raise BackupError(
            f"Écriture de l'archive impossible dans {folder} : {exc.strerror or exc}."
        ) from None
    finally:
        raw.close()
        dump_path.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)

    deleted = rotate(folder, settings.backup_keep if keep is None else keep)
    return BackupReport(
        path=final,
        size=final.stat().st_size,
        encrypted=passphrase is not None,
        backend=backend,
        heads=facts.heads,
        tables=facts.tables,
        files=len(files),
        files_bytes=sum(f.size for f in files),
        fingerprints=manifest["keys"]["fingerprints"],
        primary_fingerprint=primary,
        lost_fingerprints=manifest["keys"]["lost"],
        deleted=deleted,
        warnings=warnings,
    )


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete the oldest archives beyond `keep` (0: keep all). Only files named exactly like
    an archive are ever considered."""
    if keep <= 0:
        return []

    def stamp_then_name(path: Path) -> tuple[str, str]:
        match = ARCHIVE_RE.match(path.name)
        assert match is not None  # only archive names are sorted
        return match.group(1), path.name

    archives = sorted(
        (
            path
            for path in folder.iterdir()
            if ARCHIVE_RE.match(path.name) and path.is_file() and not path.is_symlink()
        ),
        key=stamp_then_name,
    )
    doomed = archives[:-keep]
    for path in doomed:
        path.unlink(missing_ok=True)
    return doomed
