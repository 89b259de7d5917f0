"""Casting photos, served after the permission check of casting/access.py (never from static/).

Files live under ``UPLOAD_DIR/casting/`` (:data:`PHOTOS_DIR`, :data:`THUMBS_DIR`); a name that
is not of the exact generated shape, unknown, or not viewable by the requester gets the same
404, so an answer never tells whether a photo exists. Every answer is ``private, no-store``
(talento/web/caching.py): no shared cache keeps a copy after a profile goes private.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Response, abort, send_from_directory
from flask_login import current_user
from sqlalchemy import select

from talento.accounts.models import User
from talento.casting.access import can_view
from talento.casting.models import CastingPhoto, CastingProfile
from talento.context import current_settings
from talento.extensions import db, utctoday

bp = Blueprint("casting_media", __name__, url_prefix="/cinema/media")

PHOTOS_DIR = Path("casting") / "photos"
THUMBS_DIR = Path("casting") / "thumbs"
#: Generated names: 22 url-safe random characters and the format's extension.
PHOTO_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{22}\.(?:jpg|webp)$")
MIMETYPES = {"jpg": "image/jpeg", "webp": "image/webp"}


def upload_root() -> Path:
    """Absolute, so send_from_directory never resolves it against the package folder."""
    return Path(current_settings().upload_dir).resolve()


def _viewable(name: str, column) -> bool:
    row = db.session.execute(
        select(CastingProfile, User)
        .join(CastingPhoto, CastingPhoto.user_id == CastingProfile.user_id)
        .join(User, User.id == CastingProfile.user_id)
        .where(column == name)
        .limit(1)
    ).first()
    return row is not None and can_view(current_user, row[0], row[1], utctoday())


def _serve(name: str, folder: Path, column) -> Response:
    if not PHOTO_NAME_RE.match(name) or not _viewable(name, column):
        abort(404)
    mimetype = MIMETYPES[name.rsplit(".", 1)[1]]
    response = send_from_directory(upload_root() / folder, name, mimetype=mimetype, max_age=None)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/photos/<name>")
def photo(name: str) -> Response:
    """A casting photo at full display size."""
    return _serve(name, PHOTOS_DIR, CastingPhoto.name)


@bp.get("/thumbs/<name>")
def thumb(name: str) -> Response:
    """A casting photo's small thumbnail (contact sheets, search results)."""
    return _serve(name, THUMBS_DIR, CastingPhoto.thumb_name)
