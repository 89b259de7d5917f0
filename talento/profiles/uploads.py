"""Profile photos and CVs: verified by content, re-encoded or scanned, stored under random names.

Nothing about an upload is trusted: not its name, not the client's MIME type, not its first
bytes alone. Photos are decoded with Pillow and re-encoded from pixels, so metadata (EXIF with
the GPS position of phone photos, XMP, comments) and any payload appended to or hidden in the
file are dropped. CVs cannot be re-encoded, so they are checked by signature and structure and
refused when they carry active content (PDF JavaScript or launch actions, Word macros).

Layout under ``upload_dir``::

    photos/<token>.jpg          the photo, at most 1024 px on its longest side
    photos/thumbs/<token>.jpg   its thumbnail, same name, at most 256 px
    cv/<token>.pdf|.docx        the CV as sent

The profile stores one name per file (``photo_name``, ``cv_name``); the thumbnail's name is
the photo's, so URLs for both derive from the one column and ``delete_stored`` finds both.

Stored photos are JPEG rather than WebP: every browser, e-mail client, office suite and the
PDF exports (fpdf2 embeds JPEG data as is) read JPEG, and portraits have no transparency to
keep. WebP would save about a quarter of the bytes on files that are small anyway at 1024 px.

This module takes plain streams and paths, never the Flask request, so forms, the admin and
the CLI share it.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import tempfile
import warnings
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from PIL import Image, ImageCms, ImageOps

from talento.i18n import gettext as _

log = logging.getLogger(__name__)

MB = 1024 * 1024
MAX_PHOTO_BYTES = 5 * MB
MAX_CV_BYTES = 10 * MB
#: Refused above this, before decoding: a 40 MP image already needs ~160 MB of memory.
MAX_PHOTO_PIXELS = 40_000_000
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

CV_MIMETYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}

_IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
)

# PDF scanning: a small lexer that skips comments, strings and stream bodies, so words in a
# CV's text ("HTML/JavaScript") never count; names may hide behind #xx escapes (/J#61vaScript).
_PDF_TOKEN = re.compile(
    rb"%[^\r\n]*"  # comment
    rb"|<<|>>"
    rb"|<[0-9A-Fa-f\s]*>"  # hex string
    rb"|\("  # literal string
    rb"|(?<![^\s()<>\[\]{}/%])stream(?:\r\n|\n|\r)"
    rb"|/[^\s()<>\[\]{}/%]*"  # name
)
_PDF_STRING_PART = re.compile(rb"[()\\]")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_DIRECT_LENGTH = re.compile(rb"\s*(\d+)(?:\s+(\d+)\s+R)?")
_PDF_ACTIVE_NAMES = frozenset({b"/JavaScript", b"/Launch"})
_PDF_OBJSTM_BUDGET = 32 * MB  # object streams hold dictionaries only; more is not a CV

_DOCX_MAIN_TYPE = b"wordprocessingml.document.main+xml"
_DOCX_MAX_ENTRIES = 5000
_DOCX_MAX_UNPACKED = 200 * MB


class UploadRejected(Exception):
    """An upload the user must fix or retry.

    ``message`` (also ``str(exc)``) is French, translated at raise time, shown as a form
    error; ``field`` ("photo" or "cv") says which form field it belongs to; ``reason`` is a
    stable code for logs and tests (no personal data)."""

    def __init__(self, message: str, reason: str = "invalid", field: str | None = None):
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.field = field


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


def store_photo(stream: BinaryIO, upload_dir: str | Path) -> StoredPhoto:
    """Verify a PNG/JPEG/WebP photo and save a clean JPEG copy plus its thumbnail.

    Raises UploadRejected (``field="photo"``)."""
    try:
        return _store_photo(stream, upload_dir)
    except UploadRejected as rejected:
        rejected.field = "photo"
        raise


def _store_photo(stream: BinaryIO, upload_dir: str | Path) -> StoredPhoto:
    data = _read_limited(stream, MAX_PHOTO_BYTES)
    if data is None:
        raise UploadRejected(
            _("La photo dépasse %(limit)s Mo : choisissez une image plus légère.", limit=5),
            "too_large",
        )
    photo = _resized(_decode_image(data), PHOTO_MAX_SIDE)
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


def _check_pixels(size: tuple[int, int]) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise _not_an_image()
    if width * height > MAX_PHOTO_PIXELS:
        raise _too_many_pixels()


def _too_many_pixels() -> UploadRejected:
    return UploadRejected(
        _(
            "Cette image est trop grande (plus de %(mp)s mégapixels) : réduisez-la avant "
            "de l'envoyer.",
            mp=MAX_PHOTO_PIXELS // 1_000_000,
        ),
        "too_many_pixels",
    )


def _decode_image(data: bytes) -> Image.Image:
    """Decode with the one decoder the signature names, upright and in sRGB RGB.

    Dimensions are checked from the header, before any pixel is decompressed (bombs)."""
    kind = _sniff_image(data[:16])
    if kind is None:
        raise _not_an_image()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(BytesIO(data), formats=[kind]) as probe:
                _check_pixels(probe.size)
                probe.verify()
            image = Image.open(BytesIO(data), formats=[kind])
            _check_pixels(image.size)
            if kind == "JPEG":  # decode at a reduced scale when the result is resized anyway
                image.draft(None, (PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
            image.load()
            if image.format != kind:
                raise _not_an_image()
            icc = image.info.get("icc_profile")
            return _to_rgb(ImageOps.exif_transpose(image), icc)
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels() from None
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
        raise UploadRejected(
            _("Le CV dépasse %(limit)s Mo : envoyez un fichier plus léger.", limit=10),
            "too_large",
        )
    if data.startswith(b"%PDF-"):
        _check_pdf(data)
        extension = "pdf"
    elif data.startswith(b"PK\x03\x04"):
        _check_docx(data)
        extension = "docx"
    else:
        raise _not_a_cv()
    name = f"{secrets.token_urlsafe(TOKEN_BYTES)}.{extension}"
    _write_atomic(Path(upload_dir) / CV_DIR / name, data)
    return StoredFile(name=name)


def _not_a_cv() -> UploadRejected:
    return UploadRejected(
        _("Le CV doit être un fichier PDF ou Word (.docx)."),
        "not_cv",
    )


def _check_pdf(data: bytes) -> None:
    """Refuse encrypted PDFs and JavaScript or launch actions, also inside the compressed
    object streams where modern PDFs keep their dictionaries."""
    _scan_pdf(data, _PDF_OBJSTM_BUDGET)


def _scan_pdf(data: bytes, budget: int, inflate: bool = True) -> int:
    """Walk the tokens outside strings and streams; returns the inflation budget left."""
    pos = 0
    objstm = False
    length: int | None = None
    while match := _PDF_TOKEN.search(data, pos):
        token, pos = match.group(), match.end()
        if token == b"(":
            pos = _skip_pdf_string(data, pos)
        elif token[:1] == b"/":
            name = _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), token)
            if name in _PDF_ACTIVE_NAMES:
                raise _pdf_active()
            if name == b"/Encrypt":
                raise UploadRejected(
                    _("Ce PDF est protégé ou chiffré : enregistrez-le sans mot de passe."),
                    "pdf_encrypted",
                )
            objstm = objstm or name == b"/ObjStm"
            if name == b"/Length":
                length = _pdf_length(data, pos)
        elif token.startswith(b"stream"):
            body_end = _pdf_stream_end(data, pos, length)
            if objstm and inflate:
                budget = _scan_object_stream(data[pos:body_end], budget)
            objstm, length = False, None
            pos = body_end + len(b"endstream")
    return budget


def _skip_pdf_string(data: bytes, pos: int) -> int:
    """Position after a literal string (balanced parentheses, backslash escapes)."""
    depth = 1
    while depth:
        part = _PDF_STRING_PART.search(data, pos)
        if part is None:  # never closed: a reader and this scan would disagree
            raise _pdf_unverifiable()
        if part.group() == b"\\":
            pos = part.end() + 1
            continue
        depth += 1 if part.group() == b"(" else -1
        pos = part.end()
    return pos


def _pdf_length(data: bytes, pos: int) -> int | None:
    """A stream's /Length, direct or as a reference to a plain `n g obj <int> endobj`."""
    match = _PDF_DIRECT_LENGTH.match(data, pos)
    if match is None:
        return None
    if match.group(2) is None:
        return int(match.group(1))
    target = re.search(
        rb"(?<!\d)%s\s+%s\s+obj\s*(\d+)\s*endobj" % (match.group(1), match.group(2)), data
    )
    return int(target.group(1)) if target else None


def _pdf_stream_end(data: bytes, body_start: int, length: int | None) -> int:
    """Where `endstream` starts: trust /Length when it lands on it, else search for it."""
    if length is not None:
        end = body_start + length
        while data[end : end + 1] in (b"\r", b"\n", b" "):
            end += 1
        if data.startswith(b"endstream", end):
            return end
    end = data.find(b"endstream", body_start)
    if end < 0:
        raise _pdf_unverifiable()
    return end


def _scan_object_stream(body: bytes, budget: int) -> int:
    try:
        inflated = zlib.decompressobj().decompress(body, budget + 1)
    except zlib.error:
        raise _pdf_unverifiable() from None
    if len(inflated) > budget:
        raise _pdf_unverifiable()
    _scan_pdf(inflated, 0, inflate=False)
    return budget - len(inflated)


def _pdf_active() -> UploadRejected:
    return UploadRejected(
        _(
            "Ce PDF contient du contenu actif (JavaScript ou lancement de programme) : "
            "enregistrez-le de nouveau en PDF simple."
        ),
        "pdf_active",
    )


def _pdf_unverifiable() -> UploadRejected:
    return UploadRejected(
        _("Ce PDF ne peut pas être vérifié : enregistrez-le de nouveau en PDF simple."),
        "pdf_unverifiable",
    )


def _check_docx(data: bytes) -> None:
    """A real Word document: the OOXML parts of a .docx, and no macros or ActiveX."""
    try:
        with zipfile.ZipFile(BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > _DOCX_MAX_ENTRIES or (
                sum(info.file_size for info in infos) > _DOCX_MAX_UNPACKED
            ):
                raise _not_a_cv()
            names = {info.filename for info in infos}
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                raise _not_a_cv()
            lowered = [name.lower() for name in names]
            if any(
                name.rsplit("/", 1)[-1] == "vbaproject.bin" or name.startswith("word/activex/")
                for name in lowered
            ):
                raise _docx_macros()
            with archive.open("[Content_Types].xml") as member:
                content_types = member.read(MB + 1)
    except UploadRejected:
        raise
    except Exception:  # noqa: BLE001 - any archive error on untrusted bytes means "not a CV"
        raise _not_a_cv() from None
    if b"macroenabled" in content_types.lower() or b"vbaproject" in content_types.lower():
        raise _docx_macros()
    if _DOCX_MAIN_TYPE not in content_types:
        raise _not_a_cv()


def _docx_macros() -> UploadRejected:
    return UploadRejected(
        _(
            "Ce document Word contient des macros : enregistrez-le au format .docx "
            "(document Word sans macros)."
        ),
        "docx_macros",
    )


# --- storage ----------------------------------------------------------------------------


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


def _storage_failed() -> UploadRejected:
    return UploadRejected(
        _(
            "Impossible d'enregistrer le fichier pour le moment. Réessayez dans quelques "
            "minutes ; si le problème continue, prévenez l'équipe Talento."
        ),
        "storage",
    )


def _write_atomic(target: Path, data: bytes) -> None:
    """Readers see the whole file or nothing: temp file in the same folder, then rename.

    Disk full or an unwritable folder becomes an UploadRejected; no partial file remains.
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
        log.error(
            "Enregistrement d'un fichier envoyé impossible dans %s : %s",
            target.parent,
            exc.strerror or type(exc).__name__,
        )
        raise _storage_failed() from None


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
    return []


def delete_stored(upload_dir: str | Path, *names: str | None) -> None:
    """Remove stored files (a photo with its thumbnail). Missing files, None and names this
    module never generates are ignored, so callers pass profile columns as they are."""
    for name in names:
        if not name:
            continue
        for path in stored_paths(upload_dir, name):
            _unlink_quietly(path)


@dataclass
class UploadBatch:
    """Files saved during one unit of work; see ``uploaded_files``."""

    upload_dir: Path
    saved: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)

    def photo(self, stream: BinaryIO) -> StoredPhoto:
        stored = store_photo(stream, self.upload_dir)
        self.saved.append(stored.name)
        return stored

    def cv(self, stream: BinaryIO) -> StoredFile:
        stored = store_cv(stream, self.upload_dir)
        self.saved.append(stored.name)
        return stored

    def delete_on_success(self, *names: str | None) -> None:
        """Old files the new ones replace: removed only once the whole block succeeded,
        so a failed commit leaves the profile pointing at files that still exist."""
        self.replaced.extend(name for name in names if name)


@contextmanager
def uploaded_files(upload_dir: str | Path) -> Iterator[UploadBatch]:
    """Tie saved files to the surrounding unit of work.

    ``with uploaded_files(dir) as batch: photo = batch.photo(stream); …; db.session.commit()``
    — when the block raises (validation, commit failure…), the files it saved are deleted and
    the exception propagates; when it completes, files passed to ``delete_on_success`` go.
    """
    batch = UploadBatch(Path(upload_dir))
    try:
        yield batch
    except BaseException:
        delete_stored(batch.upload_dir, *batch.saved)
        raise
    delete_stored(batch.upload_dir, *batch.replaced)
