"""Casting files, served after a permission check (never from static/).

- Photos and thumbnails, and the voice reel: whoever may see the casting profile
  (casting/access.py: its owner, casting staff and admins, everyone when its page is public).
- The photo of the identity document: admins (each view audited as a personal data view) and
  its owner; anyone else, casting staff included, gets the 404 of a profile without one.

Files live under ``UPLOAD_DIR/casting/`` (talento.casting.media_files); a name that is not of
the exact generated shape, unknown, or not viewable by the requester gets the same 404, so an
answer never tells whether a file exists. Every answer is ``private, no-store``
(talento/web/caching.py): no shared cache keeps a copy after a profile goes private; and
``X-Content-Type-Options: nosniff``, so a browser never reads a file as anything but its type.

The pages of the media panel (uploads, order, primary photo…) are in media_pages, registered
on the same blueprint by the import below.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, abort, send_from_directory
from flask_login import current_user
from sqlalchemy import select

from talento.accounts.models import User
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.audit.web import current_actor
from talento.casting import media_pages as _media_pages  # noqa: F401  (routes onto bp)
from talento.casting.access import can_view
from talento.casting.audio import AUDIO_MIMETYPES
from talento.casting.media_blueprint import bp, upload_root
from talento.casting.media_files import (
    ID_DIR,
    ID_NAME_RE,
    PHOTO_NAME_RE,
    PHOTOS_DIR,
    THUMBS_DIR,
    VOICE_DIR,
    VOICE_NAME_RE,
)
from talento.casting.models import CastingPhoto, CastingProfile
from talento.extensions import db, utctoday

__all__ = ["PHOTOS_DIR", "PHOTO_NAME_RE", "THUMBS_DIR", "bp", "upload_root"]

MIMETYPES = {"jpg": "image/jpeg", "webp": "image/webp", **AUDIO_MIMETYPES}


def _viewable(query) -> bool:
    row = db.session.execute(query.join(User, User.id == CastingProfile.user_id).limit(1)).first()
    return row is not None and can_view(current_user, row[0], row[1], utctoday())


def _photo_viewable(name: str, column) -> bool:
    return _viewable(
        select(CastingProfile, User)
        .join(CastingPhoto, CastingPhoto.user_id == CastingProfile.user_id)
        .where(column == name)
    )


def _send(folder: Path, name: str) -> Response:
    mimetype = MIMETYPES[name.rsplit(".", 1)[1]]
    response = send_from_directory(upload_root() / folder, name, mimetype=mimetype, max_age=None)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _serve(name: str, folder: Path, column) -> Response:
    if not PHOTO_NAME_RE.match(name) or not _photo_viewable(name, column):
        abort(404)
    return _send(folder, name)


@bp.get("/media/photos/<name>")
def photo(name: str) -> Response:
    """A casting photo at full display size."""
    return _serve(name, PHOTOS_DIR, CastingPhoto.name)


@bp.get("/media/thumbs/<name>")
def thumb(name: str) -> Response:
    """A casting photo's small thumbnail (contact sheets, search results)."""
    return _serve(name, THUMBS_DIR, CastingPhoto.thumb_name)


@bp.get("/media/voice/<name>")
def voice(name: str) -> Response:
    """A voice reel, to whoever may see the profile; byte ranges served (audio players)."""
    if not VOICE_NAME_RE.match(name) or not _viewable(
        select(CastingProfile, User).where(CastingProfile.voice_reel_name == name)
    ):
        abort(404)
    return _send(VOICE_DIR, name)


@bp.get("/media/id/<int:user_id>")
def id_photo(user_id: int) -> Response:
    """The photo of a talent's identity document: admins (audited) and its owner only."""
    if not current_user.is_authenticated:
        abort(404)
    own = current_user.id == user_id
    if not (own or current_user.is_admin):
        abort(404)
    row = db.session.execute(
        select(CastingProfile.id_photo_name, User.code)
        .join(User, User.id == CastingProfile.user_id)
        .where(CastingProfile.user_id == user_id)
    ).first()
    if row is None or not row.id_photo_name or not ID_NAME_RE.match(row.id_photo_name):
        abort(404)
    response = _send(ID_DIR, row.id_photo_name)
    response.headers["Content-Disposition"] = "inline"
    if not own:
        audit.record(
            db.session(),
            AuditAction.PERSONAL_DATA_VIEW,
            current_actor(),
            fields=["id_photo"],
            subject_id=user_id,
            subject_code=row.code,
        )
    return response
