"""`talento restore`: an archive of `talento backup` into an empty database and upload folder.

Restore refuses (RestoreRefused, nothing written) unless the archive reads and authenticates,
the target database and upload folder are empty, the configured keys include every key
fingerprint of the manifest (the personal data in the dump is unreadable without them) and
the archive's schema is not newer than this code. Files are then extracted and checked
against the manifest, and only when the whole archive has been read and verified is the
database loaded (all or nothing); any failure before that removes what was extracted. An
archive with an older schema is restored as is: the operator then runs
`python3 migrations_init.py`, which upgrades the schema with its usual checks (keys, admin).

Encrypted archives are told apart by their first bytes: `age-encryption.org/v1` (the format
written today, decrypted whole in memory: see `backup_crypto`) or `TLNTOBAK` (the format written
before, still read chunk by chunk by `backup_legacy`).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from talento.crypto import fingerprint
from talento.ops import backup_crypto
from talento.ops.backup import (
    COPY_CHUNK,
    DB_MEMBERS,
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST_NAME,
    UPLOAD_DIR_MODE,
    UPLOAD_FILE_MODE,
    UPLOADS_PREFIX,
    BackupError,
    app_version,
    walk_uploads,
)
from talento.ops.backup_crypto import BackupCryptoError
from talento.ops.backup_db import (
    POSTGRESQL,
    DatabaseError,
    DbFacts,
    backend_of,
    inspect_target,
    restore_database,
)
from talento.ops.backup_legacy import DecryptingReader, is_legacy
from talento.settings import Settings

MAX_MANIFEST_BYTES = 256 * 1024 * 1024


class RestoreRefused(Exception):
    """The archive cannot be restored here; nothing was changed."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        lines = ["Restauration refusée :"]
        lines += [f"  ✖ {problem}" for problem in problems]
        lines.append("Rien n'a été modifié (base et dossier des fichiers).")
        super().__init__("\n".join(lines))


@dataclass
class RestoreReport:
    backend: str
    created_at: str
    app_version: str
    tables: dict[str, int]
    files: int
    files_bytes: int
    archive_heads: list[str]
    code_heads: list[str]
    needs_upgrade: bool
    warnings: list[str] = field(default_factory=list)


def _code_revisions() -> tuple[list[str], set[str]]:
    """This code's Alembic heads and every revision it knows."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from talento.settings import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    script = ScriptDirectory.from_config(config)
    return sorted(script.get_heads()), {rev.revision for rev in script.walk_revisions()}


def _refuse_unreadable(detail: str) -> RestoreRefused:
    return RestoreRefused([f"Archive illisible, tronquée ou altérée : {detail}"])


def _read_manifest(tar: tarfile.TarFile, member: tarfile.TarInfo | None) -> dict:
    if member is None or member.name != MANIFEST_NAME or not member.isfile():
        raise RestoreRefused(
            ["Ce fichier n'est pas une archive de Talento (manifest.json absent en tête)."]
        )
    if member.size > MAX_MANIFEST_BYTES:
        raise _refuse_unreadable("manifeste démesuré.")
    try:
        source = tar.extractfile(member)
        assert source is not None  # a regular file: checked above
        manifest = json.loads(source.read().decode("utf-8"))
        if manifest["format"] != FORMAT_NAME:
            raise ValueError
        if manifest["format_version"] > FORMAT_VERSION:
            raise RestoreRefused(
                [
                    f"Archive au format {manifest['format_version']}, plus récent que cette "
                    f"version de Talento ({app_version()}) : mettez Talento à jour."
                ]
            )
        database, keys, uploads = manifest["database"], manifest["keys"], manifest["uploads"]
        checks = (
            database["backend"] in DB_MEMBERS,
            database["member"] == DB_MEMBERS[database["backend"]],
            isinstance(database["size"], int) and isinstance(database["sha256"], str),
            isinstance(database["migration_heads"], list),
            isinstance(database["tables"], dict),
            isinstance(keys["fingerprints"], list),
            all(
                isinstance(f["path"], str) and isinstance(f["size"], int) for f in uploads["files"]
            ),
        )
        if not all(checks):
            raise ValueError
    except RestoreRefused:
        raise
    except (ValueError, KeyError, TypeError, AttributeError):
        raise _refuse_unreadable("manifeste invalide.") from None
    return manifest


def _upload_problem(root: Path) -> str | None:
    regular, other = walk_uploads(root)
    if root.exists() and not root.is_dir():
        return f"UPLOAD_DIR ({root}) existe et n'est pas un dossier."
    count = len(regular) + len(other)
    if count:
        return (
            f"Le dossier des fichiers envoyés (UPLOAD_DIR = {root}) n'est pas vide ({count} "
            "fichier(s)) : la restauration ne remplace jamais de fichiers. Videz-le ou "
            "indiquez un autre UPLOAD_DIR."
        )
    return None


def _preflight(settings: Settings, manifest: dict) -> tuple[list[str], DbFacts, bool]:
    """Every reason to refuse, the target's facts and whether a schema upgrade will be due."""
    problems: list[str] = []
    database = manifest["database"]

    backend = backend_of(settings.database_url)
    if backend != database["backend"]:
        problems.append(
            f"L'archive contient une base {database['backend']} et DATABASE_URL désigne une "
            f"base {backend} : restaurez dans une base du même type."
        )

    code_heads, known = _code_revisions()
    unknown = [head for head in database["migration_heads"] if head not in known]
    if unknown:
        problems.append(
            f"Le schéma de l'archive (révision {', '.join(unknown)}) est plus récent que ce code "
            f"(révision {', '.join(code_heads)}) : installez la version de Talento qui a fait la "
            f"sauvegarde (version {manifest.get('app_version', '?')}) ou une plus récente."
        )
    needs_upgrade = not unknown and sorted(database["migration_heads"]) != code_heads

    configured = {fingerprint(key) for key in settings.all_encryption_keys}
    missing = [fp for fp in manifest["keys"]["fingerprints"] if fp not in configured]
    if missing:
        problems.append(
            "Les clés configurées (ENCRYPTION_KEY, ENCRYPTION_KEYS_PREVIOUS) ne lisent pas les "
            f"données de cette archive. Empreinte(s) de clé manquante(s) : {', '.join(missing)}. "
            "Une sauvegarde est illisible sans son ENCRYPTION_KEY : mettez la clé d'origine dans "
            "ENCRYPTION_KEY (ou ajoutez-la à ENCRYPTION_KEYS_PREVIOUS) dans .env. "
            "`talento keys fingerprint` calcule l'empreinte d'une clé lue sur l'entrée standard."
        )

    target = DbFacts()
    if backend == database["backend"]:
        try:
            target = inspect_target(settings.database_url)
        except DatabaseError as exc:
            problems.append(str(exc))
        else:
            full = target.non_empty
            foreign = sorted(set(target.tables) - set(database["tables"]))
            if backend == POSTGRESQL and foreign and not full:
                problems.append(
                    "La base cible contient des tables absentes de l'archive "
                    f"({', '.join(foreign[:5])}) : restaurez dans une base neuve (createdb)."
                )
            if full:
                names = sorted(full, key=lambda name: (name != "users", name))  # users first
                listed = ", ".join(f"{name} ({full[name]})" for name in names[:5])
                more = f" et {len(full) - 5} autre(s)" if len(full) > 5 else ""
                problems.append(
                    f"La base cible n'est pas vide (tables avec des lignes : {listed}{more}). "
                    "La restauration ne remplace jamais de données : créez une base vide "
                    "(PostgreSQL : createdb ; SQLite : un nouveau fichier) et pointez "
                    "DATABASE_URL dessus."
                )

    upload_problem = _upload_problem(Path(settings.upload_dir))
    if upload_problem:
        problems.append(upload_problem)
    return problems, target, needs_upgrade


def _safe_relative(name: str) -> str | None:
    path = PurePosixPath(name)
    if not name or path.is_absolute() or any(part in ("", ".", "..") for part in path.parts):
        return None
    return path.as_posix()


def _create(destination: Path, mode: int) -> BinaryIO:
    """A new file, never an existing one nor through a symlink."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    return os.fdopen(os.open(destination, flags, mode), "wb")


def _copy_verified(source: IO[bytes], out: BinaryIO, destination: Path, expected: str) -> None:
    digest = hashlib.sha256()
    with out:
        while chunk := source.read(COPY_CHUNK):
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if digest.hexdigest() != expected:
        raise _refuse_unreadable(f"{destination.name} ne correspond pas au manifeste (sha256).")


class _Extraction:
    """What a restore wrote, so that a failure before the database load removes it all."""

    def __init__(self, root: Path):
        self.root = root
        self.files: list[Path] = []
        self.dirs: list[Path] = []

    def make_dirs(self, folder: Path) -> None:
        missing = []
        while not folder.exists():
            missing.append(folder)
            folder = folder.parent
        for path in reversed(missing):
            path.mkdir(mode=UPLOAD_DIR_MODE)
            self.dirs.append(path)

    def undo(self) -> None:
        for path in reversed(self.files):
            path.unlink(missing_ok=True)
        for path in reversed(self.dirs):
            with contextlib.suppress(OSError):
                path.rmdir()


def _staging_dir(work_dir: Path) -> Path:
    try:
        return Path(tempfile.mkdtemp(prefix=".talento-restore-", dir=work_dir))
    except OSError:
        return Path(tempfile.mkdtemp(prefix="talento-restore-"))


def _extract_and_load(
    settings: Settings,
    tar: tarfile.TarFile,
    members,
    stream,
    manifest: dict,
    target: DbFacts,
    work_dir: Path,
) -> None:
    database = manifest["database"]
    expected = {entry["path"]: entry for entry in manifest["uploads"]["files"]}
    root = Path(settings.upload_dir)
    written = _Extraction(root)
    staging = _staging_dir(work_dir)
    try:
        written.make_dirs(root)
        dump: Path | None = None
        seen: set[str] = set()
        for member in members:
            source = tar.extractfile(member) if member.isfile() else None
            if member.name == database["member"] and dump is None:
                if source is None or member.size != database["size"]:
                    raise _refuse_unreadable("la base de l'archive ne correspond pas au manifeste.")
                dump = staging / member.name
                _copy_verified(source, _create(dump, 0o600), dump, database["sha256"])
                continue
            relative = (
                _safe_relative(member.name[len(UPLOADS_PREFIX) :])
                if member.name.startswith(UPLOADS_PREFIX)
                else None
            )
            entry = expected.get(relative) if relative else None
            if (
                relative is None  # then entry is None too: spelled out for the type checker
                or entry is None
                or relative in seen
                or source is None
                or member.size != entry["size"]
            ):
                raise _refuse_unreadable(f"membre inattendu « {member.name} ».")
            destination = root / relative
            written.make_dirs(destination.parent)
            out = _create(destination, UPLOAD_FILE_MODE)
            written.files.append(destination)
            _copy_verified(source, out, destination, entry["sha256"])
            seen.add(relative)
        if isinstance(stream, DecryptingReader):
            stream.drain()  # authenticate up to the final chunk
        missing = len(expected) - len(seen)
        if dump is None or missing:
            what = "la base" if dump is None else f"{missing} fichier(s)"
            raise _refuse_unreadable(f"il manque {what} (archive tronquée ?).")
        restore_database(settings.database_url, dump, replace_empty_schema=bool(target.tables))
    except BaseException:
        written.undo()
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def restore_backup(
    settings: Settings,
    archive: str | Path,
    passphrase: str | None = None,
    *,
    work_dir: str | Path | None = None,
) -> RestoreReport:
    """Restore `archive` into the configured (empty) database and upload folder.

    Raises RestoreRefused (nothing changed) or BackupError (the database load failed; the
    extracted files were removed)."""
    archive = Path(archive)
    try:
        handle = archive.open("rb")
    except OSError as exc:
        raise RestoreRefused([f"Archive illisible : {archive} ({exc.strerror or exc})."]) from None
    warnings = []
    with handle:
        head = handle.read(len(backup_crypto.AGE_MAGIC))
        handle.seek(0)
        age, legacy = backup_crypto.is_age(head), is_legacy(head)
        encrypted = age or legacy
        if encrypted and passphrase is None:
            raise RestoreRefused(
                ["Archive chiffrée : indiquez sa phrase de passe avec --passphrase-file."]
            )
        if not encrypted and passphrase is not None:
            warnings.append("Archive non chiffrée : la phrase de passe n'a pas servi.")
        try:
            stream: BinaryIO | DecryptingReader = handle
            if age and passphrase is not None:
                stream = io.BytesIO(backup_crypto.decrypt(handle.read(), passphrase))
            elif legacy and passphrase is not None:
                stream = DecryptingReader(handle, passphrase)
            # Stream mode ("r|") only calls read(); typeshed asks every mode's fileobj for
            # write, tell, seek and close too, which DecryptingReader has no reason to offer.
            with tarfile.open(fileobj=stream, mode="r|") as tar:  # type: ignore[call-overload]
                members = iter(tar)
                manifest = _read_manifest(tar, next(members, None))
                problems, target, needs_upgrade = _preflight(settings, manifest)
                if problems:
                    raise RestoreRefused(problems)
                _extract_and_load(
                    settings,
                    tar,
                    members,
                    stream,
                    manifest,
                    target,
                    Path(work_dir) if work_dir else archive.parent,
                )
        except BackupCryptoError as exc:
            raise RestoreRefused([str(exc)]) from None
        except (tarfile.TarError, EOFError, UnicodeDecodeError) as exc:
            raise _refuse_unreadable(str(exc) or type(exc).__name__) from None
        except DatabaseError as exc:
            raise BackupError(str(exc)) from None
        except OSError as exc:
            raise BackupError(
                f"Écriture impossible : {exc.strerror or exc} ({exc.filename or '?'}). "
                "Les fichiers déjà extraits ont été retirés."
            ) from None

    try:
        restored = inspect_target(settings.database_url)
    except DatabaseError as exc:
        raise BackupError(str(exc)) from None
    database = manifest["database"]
    differing = [
        name for name, count in database["tables"].items() if restored.tables.get(name) != count
    ]
    if differing:
        raise BackupError(
            "La base restaurée ne correspond pas au manifeste (tables : "
            f"{', '.join(differing)}) : vérifiez la base avant de démarrer Talento."
        )
    code_heads, _ = _code_revisions()
    return RestoreReport(
        backend=database["backend"],
        created_at=manifest.get("created_at", "?"),
        app_version=manifest.get("app_version", "?"),
        tables=restored.tables,
        files=manifest["uploads"]["count"],
        files_bytes=manifest["uploads"]["bytes"],
        archive_heads=database["migration_heads"],
        code_heads=code_heads,
        needs_upgrade=needs_upgrade,
        warnings=warnings,
    )
