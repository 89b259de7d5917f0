"""A casting profile's media: photos, identity document photo, voice reel, showreel link.

Form-free (DESIGN "Layout"): the views pass plain data (an :class:`~talento.profiles.uploads.
Upload`, a kind, a direction) with the session and the upload folder; a refusal is raised as
``Refused`` (an UploadRejected for a file) and the unit of work rolls back. Files are tied to
the transaction by :func:`talento.casting.media_files.casting_files`: nothing is orphaned.

Photos: up to :data:`MAX_PHOTOS` per profile, each with a kind (portrait « headshot », « en
pied » full-length, other), in an order the talent chooses (``position``, 0 first), exactly
one of them primary as soon as there is one (the first upload; the talent picks another with
« Choisir comme photo principale »; removing the primary one promotes the first remaining).
The database holds the same rule (a partial unique index: one primary per profile), so the
switch clears the old primary and flushes before setting the new one. The registration asks
for a portrait (:func:`has_headshot`) and, without requiring it, for a full-length photo.

The profile row is locked (``SELECT … FOR UPDATE`` on PostgreSQL) before photos are counted
or renumbered, so two uploads at once cannot make a ninth photo or two primaries.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from talento.casting import vocabulary as v
from talento.casting.audio import AUDIO_MIMETYPES, audio_format
from talento.casting.media_files import (
    ID_DIR,
    ID_MAX_SIDE,
    PHOTOS_DIR,
    THUMBS_DIR,
    VOICE_DIR,
    casting_files,
    encode_photo,
    jpeg,
    new_name,
    read_photo,
    read_photo_upload,
    read_upload,
)
from talento.casting.models import CastingPhoto, CastingProfile
from talento.casting.showreel import normalise_showreel
from talento.i18n import gettext as _
from talento.profiles.uploads import MB, UploadRejected, resized
from talento.refusals import Refused

MAX_PHOTOS = 8
VOICE_MAX_MB = 10
VOICE_MAX_BYTES = VOICE_MAX_MB * MB
MOVES = ("up", "down")


@dataclass(frozen=True)
class PhotoUpload:
    """An uploaded photo and what the talent says it shows."""

    stream: object
    kind: str
    max_bytes: int


def lock_profile(session: Session, profile: CastingProfile) -> None:
    """Serialise the changes of one profile's photos (a no-op on SQLite, which locks the
    whole database for a write anyway)."""
    session.execute(
        select(CastingProfile.user_id)
        .where(CastingProfile.user_id == profile.user_id)
        .with_for_update()
    )


def ordered(profile: CastingProfile) -> list[CastingPhoto]:
    """The photos in the talent's order (the relationship's order is that of loading)."""
    return sorted(profile.photos, key=lambda p: (p.position, p.id or 0))


def has_headshot(profile: CastingProfile) -> bool:
    return any(photo.kind == "headshot" for photo in profile.photos)


def has_full_length(profile: CastingProfile) -> bool:
    return any(photo.kind == "full_length" for photo in profile.photos)


def suggested_kind(profile: CastingProfile) -> str:
    """The kind the upload form proposes: a portrait first, then a full-length photo."""
    if not has_headshot(profile):
        return "headshot"
    if not has_full_length(profile):
        return "full_length"
    return "other"


def _kind(kind: str) -> str:
    if kind not in v.PHOTO_KINDS:
        raise Refused("kind", _("Choisissez ce que montre la photo dans la liste."))
    return kind


def _too_many() -> Refused:
    return Refused(
        "photo",
        _(
            "Vous avez déjà %(count)s photos, le maximum : supprimez-en une avant d'en "
            "ajouter une autre.",
            count=MAX_PHOTOS,
        ),
        status=409,
    )


def add_photo(
    session: Session, profile: CastingProfile, upload: PhotoUpload, upload_dir: Path
) -> CastingPhoto:
    """Check, re-encode and store a photo with its thumbnail, as the profile's last one
    (primary when it is the first). Refused: a ninth photo, an unknown kind, a file that is
    not an acceptable image (UploadRejected, field "photo")."""
    kind = _kind(upload.kind)
    lock_profile(session, profile)
    session.refresh(profile, ["photos"])
    if len(profile.photos) >= MAX_PHOTOS:
        raise _too_many()
    encoded = encode_photo(read_photo(read_photo_upload(upload.stream, upload.max_bytes)))
    with casting_files(session, upload_dir) as files:
        name, thumb_name = new_name("jpg"), new_name(encoded.thumb_extension)
        files.write(PHOTOS_DIR, name, encoded.data)
        files.write(THUMBS_DIR, thumb_name, encoded.thumb)
        photo = CastingPhoto(
            kind=kind,
            name=name,
            thumb_name=thumb_name,
            width=encoded.width,
            height=encoded.height,
            position=max((p.position for p in profile.photos), default=-1) + 1,
            is_primary=profile.primary_photo is None,
        )
        profile.photos.append(photo)
        session.flush()
    return photo


def _own_photo(profile: CastingProfile, photo_id: int) -> CastingPhoto:
    """The profile's photo of that id; another profile's or a missing one is "not found"."""
    for photo in profile.photos:
        if photo.id == photo_id:
            return photo
    raise Refused(None, _("Cette photo n'existe pas ou plus."), status=404)


def set_primary(session: Session, profile: CastingProfile, photo_id: int) -> None:
    """Make this photo the primary one (the only one)."""
    lock_profile(session, profile)
    chosen = _own_photo(profile, photo_id)
    for photo in profile.photos:
        if photo.is_primary and photo is not chosen:
            photo.is_primary = False
    session.flush()  # the old primary is cleared before the unique index sees the new one
    chosen.is_primary = True
    session.flush()


def set_kind(session: Session, profile: CastingProfile, photo_id: int, kind: str) -> None:
    _own_photo(profile, photo_id).kind = _kind(kind)
    session.flush()


def move_photo(session: Session, profile: CastingProfile, photo_id: int, direction: str) -> None:
    """Swap the photo with its neighbour above ("up") or below ("down"); the first photo
    moved up or the last moved down stays where it is. Positions are renumbered 0…n-1."""
    if direction not in MOVES:
        raise Refused(None, _("Ce déplacement n'existe pas."), status=400)
    lock_profile(session, profile)
    photos = ordered(profile)
    index = photos.index(_own_photo(profile, photo_id))
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(photos):
        photos[index], photos[other] = photos[other], photos[index]
    _renumber(photos)
    session.flush()


def _renumber(photos: list[CastingPhoto]) -> None:
    for position, photo in enumerate(photos):
        if photo.position != position:
            photo.position = position


def remove_photo(
    session: Session, profile: CastingProfile, photo_id: int, upload_dir: Path
) -> None:
    """Remove the photo and its files (after the commit); the first remaining photo becomes
    primary when the primary one goes."""
    lock_profile(session, profile)
    photo = _own_photo(profile, photo_id)
    with casting_files(session, upload_dir) as files:
        files.drop(PHOTOS_DIR, photo.name)
        files.drop(THUMBS_DIR, photo.thumb_name)
        was_primary = photo.is_primary
        profile.photos.remove(photo)  # delete-orphan: the row goes at the flush
        session.flush()
        remaining = ordered(profile)
        _renumber(remaining)
        if was_primary and remaining:
            remaining[0].is_primary = True
        session.flush()


# --- identity document --------------------------------------------------------------------


def set_id_photo(
    session: Session, profile: CastingProfile, stream, max_bytes: int, upload_dir: Path
) -> None:
    """Store the photo of the identity document (re-encoded JPEG, no EXIF), replacing the
    previous one. Refused as field "id_photo"."""
    try:
        image = read_photo(read_photo_upload(stream, max_bytes))
    except UploadRejected as rejected:
        rejected.field = "id_photo"
        raise
    with casting_files(session, upload_dir) as files:
        name = new_name("jpg")
        files.write(ID_DIR, name, jpeg(resized(image, ID_MAX_SIDE)))
        files.drop(ID_DIR, profile.id_photo_name)
        profile.id_photo_name = name
        session.flush()


def remove_id_photo(session: Session, profile: CastingProfile, upload_dir: Path) -> None:
    with casting_files(session, upload_dir) as files:
        files.drop(ID_DIR, profile.id_photo_name)
        profile.id_photo_name = None
        session.flush()


# --- voice reel -----------------------------------------------------------------------------


def voice_too_large() -> UploadRejected:
    return UploadRejected(
        _(
            "La bande démo vocale dépasse %(limit)s Mo : envoyez un extrait plus court ou plus "
            "compressé.",
            limit=VOICE_MAX_MB,
        ),
        "too_large",
        "voice_reel",
    )


def not_audio() -> UploadRejected:
    return UploadRejected(
        _("Ce fichier n'est pas un enregistrement accepté : envoyez un fichier MP3, OGG ou M4A."),
        "not_audio",
        "voice_reel",
    )


def set_voice_reel(session: Session, profile: CastingProfile, stream, upload_dir: Path) -> str:
    """Store the voice reel as sent once its content is recognised (MP3, Ogg, M4A), replacing
    the previous one. Returns its format. Refused as field "voice_reel"."""
    try:
        data = read_upload(stream, VOICE_MAX_BYTES, voice_too_large)
    except UploadRejected as rejected:
        rejected.field = "voice_reel"
        raise
    extension = audio_format(data)
    if extension is None or extension not in AUDIO_MIMETYPES:
        raise not_audio()
    with casting_files(session, upload_dir) as files:
        name = new_name(extension)
        files.write(VOICE_DIR, name, data)
        files.drop(VOICE_DIR, profile.voice_reel_name)
        profile.voice_reel_name = name
        session.flush()
    return extension


def remove_voice_reel(session: Session, profile: CastingProfile, upload_dir: Path) -> None:
    with casting_files(session, upload_dir) as files:
        files.drop(VOICE_DIR, profile.voice_reel_name)
        profile.voice_reel_name = None
        session.flush()


# --- showreel -------------------------------------------------------------------------------


def set_showreel(session: Session, profile: CastingProfile, url: str | None) -> str | None:
    """Store the showreel link normalised (None removes it); Refused("showreel_url")."""
    profile.showreel_url = normalise_showreel(url)
    session.flush()
    return profile.showreel_url
