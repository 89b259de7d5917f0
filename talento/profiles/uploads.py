"""Profile photos and CVs: verified by content, re-encoded or scanned, stored under random names.

Nothing about an upload is trusted: not its name, not the client's MIME type, not its first
bytes alone. Photos are decoded with Pillow and re-encoded from pixels, so metadata (EXIF with
the GPS position of phone photos, XMP, comments) and any payload appended to or hidden in the
file are dropped. CVs cannot be re-encoded, so they are checked by signature and structure and
refused when they carry active content or automatic actions (PDF JavaScript, launch or open
actions; Word macros, DTDs and entities, remote templates): see talento.profiles.cv_checks,
which parses them in a child process with a time and memory budget.

Layout under ``upload_dir``::

    photos/<token>.jpg          the photo, at most 1024 px on its longest side
    photos/thumbs/<token>.jpg   its thumbnail, same name, at most 256 px
    cv/<token>.pdf|.docx        the CV as sent

The profile stores one name per file (``photo_name``, ``cv_name``); the thumbnail's name is
the photo's, so URLs for both derive from the one column and ``delete_stored`` finds both.

Stored photos are JPEG rather than WebP: every browser, e-mail client, office suite and the
PDF exports (fpdf2 embeds JPEG data as is) read JPEG, and portraits have no transparency to
keep. WebP would save about a quarter of the bytes on files that are small anyway at 1024 px.

Size limits. A phone photo straight from the camera weighs up to about 20 MB and counts 12 to
108 megapixels: it is accepted up to ``PHOTO_MAX_MB`` (a setting, 20 by default; the caller
passes it as ``max_bytes``). With JavaScript the browser downscales it before sending
(talento/static/js/photo_resize.js), so what usually arrives is a ~1600 px JPEG; without it the
full file arrives and is re-encoded here. Pixels are bounded before any decoding (decompression
bombs): a JPEG is decoded at a reduced scale (1/2 to 1/8, ``Image.draft``) when it is to be
shrunk anyway, so its header may announce up to ``MAX_JPEG_PIXELS``; the pixels actually
decoded never exceed ``MAX_PHOTO_PIXELS``, which is also the limit of PNG and WebP (decoded at
full size). Pillow's own warning threshold (``Image.MAX_IMAGE_PIXELS``, ~89 Mpx) is not used:
these two explicit caps, checked from the header, replace it; its hard error (twice that) stays
as a last guard.

This module takes plain streams and paths, never the Flask request, so forms, the admin and
the CLI share it.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import secrets
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageCms, ImageOps
from sqlalchemy.orm import Session

from talento.i18n import gettext as _
from talento.profiles.cv_checks import UploadRejected, check_docx, check_pdf, not_a_cv
from talento.settings import CV_MAX_MB, DEFAULT_PHOTO_MAX_MB
from talento.unit_of_work import after_commit, after_rollback

log = logging.getLogger(__name__)

MB = 1024 * 1024
#: The default photo limit (the PHOTO_MAX_MB setting); callers pass the configured one.
MAX_PHOTO_BYTES = DEFAULT_PHOTO_MAX_MB * MB
MAX_CV_BYTES = CV_MAX_MB * MB
#: Pixels decoded at most, checked before decoding: 40 Mpx already need ~160 MB of memory.
MAX_PHOTO_PIXELS = 40_000_000
#: Pixels a JPEG header may announce (a 108 Mpx phone photo): it is decoded at 1/8 scale at
#: most (``draft``), so what is decoded stays under MAX_PHOTO_PIXELS.
MAX_JPEG_PIXELS = 150_000_000
PHOTO_MAX_SIDE = 1024
THUMB_MAX_SIDE = 256
JPEG_QUALITY = 85
FILE_MODE = 0o640
DIR_MODE = 0o750

PHOTOS_DIR = "photos"
THUMBS_DIR = "thumbs"
CV_DIR = "cv"
TOKEN_BYTES = 16  # secrets.token_urlsafe(16) gives 22 characters

#: Names exactly as this module generates them; anything else is refused before any I/O.
PHOTO_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{22}\.jpg$")
CV_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{22}\.(?:pdf|docx)$")
#: A generated name in a sub-folder of UPLOAD_DIR kept by a higher layer ("casting/photos/…"):
#: lower-case folder names and a generated file name, so no path can leave the upload folder.
NESTED_NAME_RE = re.compile(r"^(?:[a-z]+/)+[A-Za-z0-9_-]{22}\.[a-z0-9]{3,4}$")

CV_MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

_IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
)


@dataclass(frozen=True)
class Upload:
    """A file as sent, before any check: its bytes (a binary stream) and what the sender said
    about it. Views build one from werkzeug's FileStorage; the CLI or tests from any stream.
    Only ``stream`` is trusted for anything: files are recognised by their content."""

    stream: BinaryIO
    filename: str = ""
    content_type: str | None = None


@dataclass(frozen=True)
class StoredFile:
    """A CV saved under ``upload_dir/cv/``."""

    name: str


@dataclass(frozen=True)
class StoredPhoto:
    """A photo saved under ``upload_dir/photos/``; its thumbnail has the same name under
    ``photos/thumbs/`` (``thumb_name`` is that name, kept explicit for callers)."""

    name: str
    thumb_name: str


# --- photos -----------------------------------------------------------------------------


def store_photo(
    stream: BinaryIO, upload_dir: str | Path, max_bytes: int = MAX_PHOTO_BYTES
) -> StoredPhoto:
    """Verify a PNG/JPEG/WebP photo of at most ``max_bytes`` and save a clean JPEG copy plus
    its thumbnail.

    Raises UploadRejected (``field="photo"``)."""
    try:
        return _store_photo(stream, upload_dir, max_bytes)
    except UploadRejected as rejected:
        rejected.field = "photo"
        raise


def photo_too_large(max_bytes: int) -> UploadRejected:
    """The refusal of a photo over the limit (the form says the same before any upload)."""
    return UploadRejected(
        _(
            "La photo dépasse %(limit)s Mo : choisissez une image plus légère ou réduisez-la, "
            "puis choisissez-la de nouveau.",
            limit=max_bytes // MB,
        ),
        "too_large",
    )


def cv_too_large(max_bytes: int = MAX_CV_BYTES) -> UploadRejected:
    return UploadRejected(
        _("Le CV dépasse %(limit)s Mo : envoyez un fichier plus léger.", limit=max_bytes // MB),
        "too_large",
    )


def _store_photo(stream: BinaryIO, upload_dir: str | Path, max_bytes: int) -> StoredPhoto:
    data = _read_limited(stream, max_bytes)
    if data is None:
        raise photo_too_large(max_bytes)
    return store_drawn_photo(_decode_image(data), upload_dir)


def store_drawn_photo(image: Image.Image, upload_dir: str | Path) -> StoredPhoto:
    """Save an image the server made itself (demo avatars: nothing to distrust, nothing to
    decode) exactly as an upload is saved: clean JPEG, thumbnail, random name."""
    photo = _resized(image, PHOTO_MAX_SIDE)
    thumb = _resized(photo, THUMB_MAX_SIDE)
    name = f"{secrets.token_urlsafe(TOKEN_BYTES)}.jpg"
    photos = Path(upload_dir) / PHOTOS_DIR
    _write_atomic(photos / name, _encode_jpeg(photo))
    try:
        _write_atomic(photos / THUMBS_DIR / name, _encode_jpeg(thumb))
    except BaseException:
        _unlink_quietly(photos / name)
        raise
    return StoredPhoto(name=name, thumb_name=name)


def _not_an_image() -> UploadRejected:
    return UploadRejected(
        _("Ce fichier n'est pas une image acceptée : envoyez une photo JPEG, PNG ou WebP."),
        "not_image",
    )


def _sniff_image(head: bytes) -> str | None:
    for signature, kind in _IMAGE_SIGNATURES:
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    return None


def _check_pixels(size: tuple[int, int], limit: int = MAX_PHOTO_PIXELS) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise _not_an_image()
    if width * height > limit:
        raise _too_many_pixels(limit)


def _too_many_pixels(limit: int = MAX_PHOTO_PIXELS) -> UploadRejected:
    return UploadRejected(
        _(
            "Cette image est trop grande (plus de %(mp)s mégapixels) : réduisez-la avant "
            "de l'envoyer.",
            mp=limit // 1_000_000,
        ),
        "too_many_pixels",
    )


def _decode_image(data: bytes, max_side: int = PHOTO_MAX_SIDE) -> Image.Image:
    """Decode with the one decoder the signature names, upright and in sRGB RGB.

    ``max_side`` is the longest side the caller will resize to: a JPEG is decoded at the
    smallest reduced scale that still covers it.

    Dimensions are checked from the header, before any pixel is decompressed (bombs): a JPEG's
    against MAX_JPEG_PIXELS, then what its reduced-scale decoding will produce against
    MAX_PHOTO_PIXELS; a PNG's or WebP's against MAX_PHOTO_PIXELS."""
    kind = _sniff_image(data[:16])
    if kind is None:
        raise _not_an_image()
    header_limit = MAX_JPEG_PIXELS if kind == "JPEG" else MAX_PHOTO_PIXELS
    try:
        with warnings.catch_warnings():
            # our explicit caps replace Pillow's warning; its DecompressionBombError remains
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data), formats=[kind]) as probe:
                _check_pixels(probe.size, header_limit)
                probe.verify()
            image = Image.open(BytesIO(data), formats=[kind])
            _check_pixels(image.size, header_limit)
            if kind == "JPEG":  # decode at a reduced scale when the result is resized anyway
                image.draft(None, (max_side, max_side))
                _check_pixels(image.size)  # what will really be decoded
            image.load()
            if image.format != kind:
                raise _not_an_image()
            icc = image.info.get("icc_profile")
            return _to_rgb(ImageOps.exif_transpose(image), icc)
    except UploadRejected:
        raise
    except Image.DecompressionBombError:
        raise _too_many_pixels(header_limit) from None
    except Exception:  # noqa: BLE001 - any decoder failure on untrusted bytes means "not an image"
        raise _not_an_image() from None


def _resized(image: Image.Image, max_side: int) -> Image.Image:
    """A new RGB image of at most ``max_side`` px that carries pixels only, no metadata."""
    copy = image.copy()
    copy.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    clean = Image.new("RGB", copy.size)
    clean.paste(copy)
    return clean


def _to_rgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    if image.mode in {"I;16", "I;16B", "I;16L", "I;16N", "I", "F"}:
        image = image.convert("I").point(lambda v: v * (1 / 256)).convert("L")
    if icc:
        converted = _icc_to_srgb(image, icc)
        if converted is not None:
            image = converted
    if image.mode in {"RGBA", "LA", "PA", "P", "RGBa", "La"} or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        background.alpha_composite(rgba)
        return background.convert("RGB")
    return image.convert("RGB")


def _icc_to_srgb(image: Image.Image, icc: bytes) -> Image.Image | None:
    """Convert colours to sRGB so that dropping the profile keeps them right."""
    if image.mode not in {"RGB", "CMYK", "L"}:
        return None
    try:
        source = ImageCms.ImageCmsProfile(BytesIO(icc))
        return ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode="RGB"
        )
    except Exception:  # noqa: BLE001 - a broken embedded profile: keep the raw colours
        return None


def _encode_jpeg(image: Image.Image) -> bytes:
    out = BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
    return out.getvalue()


def decode_photo(data: bytes, max_side: int = PHOTO_MAX_SIDE) -> Image.Image:
    """The checks and decoding of an uploaded photo, for other layouts (the casting photos):
    a clean upright sRGB RGB image, or UploadRejected (``field="photo"``)."""
    try:
        return _decode_image(data, max_side)
    except UploadRejected as rejected:
        rejected.field = "photo"
        raise


def resized(image: Image.Image, max_side: int) -> Image.Image:
    """A pixels-only RGB copy of at most ``max_side`` px (no metadata carried over)."""
    return _resized(image, max_side)


# --- CVs --------------------------------------------------------------------------------


def store_cv(stream: BinaryIO, upload_dir: str | Path) -> StoredFile:
    """Verify a PDF or DOCX by content and save it under a random name.

    Raises UploadRejected (``field="cv"``)."""
    try:
        return _store_cv(stream, upload_dir)
    except UploadRejected as rejected:
        rejected.field = "cv"
        raise


def _store_cv(stream: BinaryIO, upload_dir: str | Path) -> StoredFile:
    data = _read_limited(stream, MAX_CV_BYTES)
    if data is None:
        raise cv_too_large()
    if data.startswith(b"%PDF-"):
        check_pdf(data)
        extension = "pdf"
    elif data.startswith(b"PK\x03\x04"):
        check_docx(data)
        extension = "docx"
    else:
        raise not_a_cv()
    name = f"{secrets.token_urlsafe(TOKEN_BYTES)}.{extension}"
    _write_atomic(Path(upload_dir) / CV_DIR / name, data)
    return StoredFile(name=name)


# --- storage ----------------------------------------------------------------------------


def read_limited(stream: BinaryIO, limit: int) -> bytes | None:
    """At most ``limit`` bytes; None when the stream holds more; UploadRejected when empty."""
    return _read_limited(stream, limit)


def write_atomic(target: Path, data: bytes) -> None:
    """Write a file whole or not at all (StorageFailed on a disk or folder problem)."""
    _write_atomic(target, data)


def unlink_quietly(path: Path) -> None:
    """Remove a file; a missing one is fine and a failure is logged, never raised."""
    _unlink_quietly(path)


def _read_limited(stream: BinaryIO, limit: int) -> bytes | None:
    """At most ``limit`` bytes; None when the stream holds more (never reads past limit+1)."""
    chunks: list[bytes] = []
    remaining = limit + 1
    while remaining > 0:
        chunk = stream.read(min(remaining, MB))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    data = b"".join(chunks)
    if len(data) > limit:
        return None
    if not data:
        raise UploadRejected(_("Le fichier envoyé est vide."), "empty")
    return data


class StorageFailed(UploadRejected):
    """The server could not write the file: not the user's fault, and nothing was kept.

    ``reason`` is "storage" like every server-side failure; ``condition`` says which one
    ("disk_full", "not_writable" or "io_error") for the message, the log and the tests."""

    def __init__(self, message: str, condition: str):
        super().__init__(message, "storage")
        self.condition = condition


_DISK_FULL = frozenset({errno.ENOSPC, errno.EDQUOT})
#: A folder the app may not write to, read-only, or a file standing where a folder should be.
_NOT_WRITABLE = frozenset(
    {errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOTDIR, errno.EISDIR, errno.EEXIST}
)
_LOG_CONDITIONS = {
    "disk_full": "disque plein",
    "not_writable": "dossier non accessible en écriture",
    "io_error": "erreur d'écriture",
}


def _storage_failed(exc: OSError) -> StorageFailed:
    if exc.errno in _DISK_FULL:
        return StorageFailed(
            _(
                "Impossible d'enregistrer le fichier pour le moment : l'espace disque du "
                "serveur est insuffisant. Rien n'a été enregistré ; réessayez plus tard et, si "
                "le problème continue, prévenez l'équipe Talento."
            ),
            "disk_full",
        )
    if exc.errno in _NOT_WRITABLE:
        return StorageFailed(
            _(
                "Impossible d'enregistrer le fichier pour le moment : le dossier des fichiers "
                "du serveur n'est pas accessible en écriture. Rien n'a été enregistré ; "
                "prévenez l'équipe Talento."
            ),
            "not_writable",
        )
    return StorageFailed(
        _(
            "Impossible d'enregistrer le fichier pour le moment. Réessayez dans quelques "
            "minutes ; si le problème continue, prévenez l'équipe Talento."
        ),
        "io_error",
    )


def _write_atomic(target: Path, data: bytes) -> None:
    """Readers see the whole file or nothing: temp file in the same folder, then rename.

    Disk full or an unwritable folder becomes a StorageFailed (one log line naming the
    condition, never the file's owner); no partial or temporary file remains.
    """
    temp: str | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-", suffix=".part")
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), FILE_MODE)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except OSError as exc:
        if temp is not None:
            _unlink_quietly(Path(temp))
        failure = _storage_failed(exc)
        log.error(
            "Enregistrement d'un fichier envoyé impossible (%s, %s) dans %s",
            _LOG_CONDITIONS[failure.condition],
            errno.errorcode.get(exc.errno or 0, type(exc).__name__),
            target.parent,
        )
        raise failure from None


def _unlink_quietly(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("Suppression impossible de %s : %s", path.name, exc.strerror)


def stored_paths(upload_dir: str | Path, name: str) -> list[Path]:
    """Every file behind a stored name (a photo has its thumbnail); [] for a foreign name."""
    root = Path(upload_dir)
    if PHOTO_NAME_RE.match(name):
        return [root / PHOTOS_DIR / name, root / PHOTOS_DIR / THUMBS_DIR / name]
    if CV_NAME_RE.match(name):
        return [root / CV_DIR / name]
    if NESTED_NAME_RE.match(name):  # a higher layer's file (casting media), relative to root
        return [root / name]
    return []


def delete_stored(upload_dir: str | Path, *names: str | None) -> None:
    """Remove stored files (a photo with its thumbnail). Missing files, None and names this
    module never generates are ignored, so callers pass profile columns as they are."""
    for name in names:
        if not name:
            continue
        for path in stored_paths(upload_dir, name):
            _unlink_quietly(path)


def delete_after_commit(session: Session, upload_dir: str | Path, *names: str | None) -> None:
    """Remove these stored files once the transaction is committed (never if it rolls back:
    the rows that name them are still there)."""
    after_commit(session, partial(delete_stored, upload_dir, *names))


@dataclass
class UploadBatch:
    """Files saved during one unit of work; see ``uploaded_files``."""

    upload_dir: Path
    saved: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)

    def photo(self, stream: BinaryIO, max_bytes: int = MAX_PHOTO_BYTES) -> StoredPhoto:
        stored = store_photo(stream, self.upload_dir, max_bytes)
        self.saved.append(stored.name)
        return stored

    def cv(self, stream: BinaryIO) -> StoredFile:
        stored = store_cv(stream, self.upload_dir)
        self.saved.append(stored.name)
        return stored

    def delete_on_success(self, *names: str | None) -> None:
        """Old files the new ones replace: removed only once the transaction is committed,
        so a failed commit leaves the profile pointing at files that still exist."""
        self.replaced.extend(name for name in names if name)


@contextmanager
def uploaded_files(session: Session, upload_dir: str | Path) -> Iterator[UploadBatch]:
    """Tie saved files to the session's transaction (see talento.unit_of_work).

    ``with uploaded_files(session, dir) as batch: photo = batch.photo(stream); …`` — when the
    block raises (validation, a refused file…), the files it saved are deleted at once and the
    exception propagates. When it completes, the saved files are kept if the transaction is
    committed and deleted if it rolls back; files passed to ``delete_on_success`` are deleted
    only after the commit.
    """
    batch = UploadBatch(Path(upload_dir))
    try:
        yield batch
    except BaseException:
        delete_stored(batch.upload_dir, *batch.saved)
        raise
    after_rollback(session, partial(delete_stored, batch.upload_dir, *batch.saved))
    after_commit(session, partial(delete_stored, batch.upload_dir, *batch.replaced))
