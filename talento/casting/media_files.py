"""Casting files on disk: layout, encoding, and their tie to the transaction.

Layout under ``UPLOAD_DIR``::

    casting/photos/<token>.jpg        a casting photo, JPEG, at most 1600 px on its longest side
    casting/thumbs/<token>.webp|.jpg  its thumbnail for contact sheets, at most 240 × 300 px and
                                      under 30 KB (WebP; JPEG where Pillow has no WebP)
    casting/id/<token>.jpg            the photo of the identity document (admins and its owner)
    casting/voice/<token>.mp3|.ogg|.m4a   the voice reel, as sent (checked by content)

Every name is 22 random url-safe characters and the format's extension, so names say nothing
and the serving views match them against these exact shapes before any I/O.

Photos are decoded and checked by talento.profiles.uploads (signature, header dimensions
before decoding, reduced-scale decoding of huge phone JPEGs, EXIF orientation applied, sRGB)
and re-encoded from pixels: EXIF (the GPS position of phone photos), XMP, comments and any
payload appended to the file are gone. A contact sheet of 50 faces weighs 50 thumbnails:
under 1.5 MB, which a phone on a slow connection loads.

Files and the transaction (DESIGN "Layout": side effects after the commit): a new file is
written before the rows that name it are flushed; if the block that wrote it fails, it is
deleted at once, and if the transaction then rolls back, it is deleted too
(``after_rollback``). Files that the change replaces or removes are deleted only once the
transaction is committed (``after_commit``), so a failed commit leaves the rows pointing at
files that still exist. Nothing is orphaned either way.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from io import BytesIO
from pathlib import Path

from PIL import Image, features
from sqlalchemy.orm import Session

from talento.profiles.services import ACCOUNT_FILES
from talento.profiles.uploads import (
    TOKEN_BYTES,
    decode_photo,
    photo_too_large,
    read_limited,
    resized,
    unlink_quietly,
    write_atomic,
)
from talento.unit_of_work import after_commit, after_rollback

CASTING_DIR = Path("casting")
PHOTOS_DIR = CASTING_DIR / "photos"
THUMBS_DIR = CASTING_DIR / "thumbs"
ID_DIR = CASTING_DIR / "id"
VOICE_DIR = CASTING_DIR / "voice"

#: Generated names (see the module docstring); anything else is refused before any I/O.
PHOTO_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{22}\.(?:jpg|webp)$")
ID_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{22}\.jpg$")
VOICE_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{22}\.(?:mp3|ogg|m4a)$")

PHOTO_MAX_SIDE = 1600
ID_MAX_SIDE = 1600
JPEG_QUALITY = 85
#: The thumbnail box: portrait, as contact sheets show faces.
THUMB_BOX = (240, 300)
#: A thumbnail stays under this many bytes (30 KB, a little margin kept).
THUMB_MAX_BYTES = 28 * 1024
#: Qualities tried in turn until the thumbnail fits THUMB_MAX_BYTES.
THUMB_QUALITIES = (80, 70, 60, 50, 40, 30, 20)


def webp_available() -> bool:
    return bool(features.check("webp"))


@dataclass(frozen=True)
class EncodedPhoto:
    """A photo ready to be written: the JPEG, its thumbnail and the thumbnail's extension."""

    data: bytes
    thumb: bytes
    thumb_extension: str
    width: int
    height: int


def read_photo(data: bytes) -> Image.Image:
    """Decode an uploaded photo (talento.profiles.uploads' checks): UploadRejected("photo")."""
    return decode_photo(data, PHOTO_MAX_SIDE)


def encode_photo(image: Image.Image, *, webp: bool | None = None) -> EncodedPhoto:
    """The stored JPEG (≤ PHOTO_MAX_SIDE) and its thumbnail (≤ THUMB_BOX, < THUMB_MAX_BYTES).

    ``webp=False`` forces the JPEG thumbnail (what a Pillow without WebP gives)."""
    photo = resized(image, PHOTO_MAX_SIDE)
    use_webp = webp_available() if webp is None else webp
    thumb, extension = small_thumbnail(photo, use_webp)
    return EncodedPhoto(jpeg(photo), thumb, extension, photo.width, photo.height)


def jpeg(image: Image.Image, quality: int = JPEG_QUALITY) -> bytes:
    out = BytesIO()
    image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
    return out.getvalue()


def small_thumbnail(photo: Image.Image, webp: bool) -> tuple[bytes, str]:
    """The thumbnail's bytes and extension: the whole picture inside THUMB_BOX (no crop: a
    full-length photo keeps its feet), at the best quality that stays under THUMB_MAX_BYTES.
    A picture too noisy even at the lowest quality is made smaller until it fits."""
    thumb = photo.copy()
    thumb.thumbnail(THUMB_BOX, Image.Resampling.LANCZOS)
    while True:
        for quality in THUMB_QUALITIES:
            out = BytesIO()
            if webp:
                thumb.save(out, "WEBP", quality=quality, method=4)
            else:
                thumb.save(out, "JPEG", quality=quality, optimize=True)
            if out.tell() <= THUMB_MAX_BYTES:
                return out.getvalue(), "webp" if webp else "jpg"
        thumb = thumb.resize((max(1, thumb.width * 3 // 4), max(1, thumb.height * 3 // 4)))


def thumb_size(photo) -> tuple[int, int]:
    """The thumbnail's width and height, from the photo's (pages reserve its place)."""
    width, height = photo.width or THUMB_BOX[0], photo.height or THUMB_BOX[1]
    scale = min(THUMB_BOX[0] / width, THUMB_BOX[1] / height, 1)
    return max(1, round(width * scale)), max(1, round(height * scale))


def new_name(extension: str) -> str:
    return f"{secrets.token_urlsafe(TOKEN_BYTES)}.{extension}"


def read_upload(stream, max_bytes: int, too_large) -> bytes:
    """The upload's bytes, at most ``max_bytes`` (``too_large()`` is raised beyond)."""
    data = read_limited(stream, max_bytes)
    if data is None:
        raise too_large()
    return data


def read_photo_upload(stream, max_bytes: int) -> bytes:
    return read_upload(stream, max_bytes, partial(photo_too_large, max_bytes))


# --- the transaction ------------------------------------------------------------------------


@dataclass
class CastingFiles:
    """Files written and files to drop during one unit of work (see :func:`casting_files`)."""

    root: Path
    written: list[Path] = field(default_factory=list)
    dropped: list[Path] = field(default_factory=list)

    def write(self, folder: Path, name: str, data: bytes) -> None:
        path = self.root / folder / name
        write_atomic(path, data)
        self.written.append(path)

    def drop(self, folder: Path, name: str | None) -> None:
        """Delete this file once the transaction is committed (never if it rolls back)."""
        if name:
            self.dropped.append(self.root / folder / name)


def delete_paths(paths: list[Path]) -> None:
    for path in paths:
        unlink_quietly(path)


@contextmanager
def casting_files(session: Session, upload_dir: str | Path) -> Iterator[CastingFiles]:
    """``with casting_files(session, dir) as files: files.write(...); files.drop(...)``.

    The block raises: what it wrote is deleted at once. It completes: what it wrote stays if
    the transaction commits and is deleted if it rolls back; what it dropped is deleted only
    after the commit."""
    files = CastingFiles(Path(upload_dir))
    try:
        yield files
    except BaseException:
        delete_paths(files.written)
        raise
    after_rollback(session, partial(delete_paths, list(files.written)))
    after_commit(session, partial(delete_paths, list(files.dropped)))


def files_of(upload_dir: str | Path, profile) -> list[Path]:
    """Every file of a casting profile (photos, thumbnails, ID photo, voice reel), for the
    deletion of an account or of its casting profile."""
    root = Path(upload_dir)
    paths = [root / PHOTOS_DIR / p.name for p in profile.photos]
    paths += [root / THUMBS_DIR / p.thumb_name for p in profile.photos]
    if profile.id_photo_name:
        paths.append(root / ID_DIR / profile.id_photo_name)
    if profile.voice_reel_name:
        paths.append(root / VOICE_DIR / profile.voice_reel_name)
    return paths


def delete_after_commit(session: Session, upload_dir: str | Path, profile) -> None:
    """Delete the profile's files once the transaction that deletes it is committed."""
    after_commit(session, partial(delete_paths, files_of(upload_dir, profile)))


def _account_files(user) -> list[str]:
    """The casting files of an account being deleted, relative to UPLOAD_DIR."""
    profile = user.profile.casting if user.profile is not None else None
    return [] if profile is None else [p.as_posix() for p in files_of(Path(), profile)]


ACCOUNT_FILES.append(_account_files)
