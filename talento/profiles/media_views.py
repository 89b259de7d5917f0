"""Uploaded photos and CVs, served after a permission check (never from static/).

Photos are public while their profile's public page is (an active account, a verified address,
visibility public or link); otherwise only its owner and admins get it, and anyone else the 404
of an unknown name, and no cache has a copy to
serve after deactivation (talento.web.caching makes every media answer ``private, no-store``).
CVs go only to their owner and to admins; anyone else gets the same 404 as for a name that does
not exist, so the answer never tells whether a CV exists. Names are checked against the exact
shape ``uploads`` generates before the database or the filesystem is touched, which also rules
out path traversal.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Blueprint, Response, abort, send_from_directory
from flask_login import current_user, login_required
from sqlalchemy import select

from talento.accounts.models import Capability, User
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.audit.web import current_actor
from talento.context import current_settings
from talento.extensions import db
from talento.profiles.models import TalentProfile, Visibility
from talento.profiles.uploads import (
    CV_DIR,
    CV_MIMETYPES,
    CV_NAME_RE,
    PHOTO_NAME_RE,
    PHOTOS_DIR,
    THUMBS_DIR,
)

bp = Blueprint("media", __name__, url_prefix="/media")


def _upload_root() -> Path:
    """Absolute, so send_from_directory never resolves it against the package folder."""
    return Path(current_settings().upload_dir).resolve()


def _photo_is_public(name: str) -> bool:
    """Shown wherever its public page is (a verified address, visibility public or link); a
    withheld page's photo only to its owner and admins (profiles/public.py)."""
    query = (
        select(TalentProfile.user_id, TalentProfile.visibility, User.email_verified_at)
        .join(User, User.id == TalentProfile.user_id)
        .where(TalentProfile.photo_name == name, User.is_active_account.is_(True))
    )
    row = db.session.execute(query.limit(1)).first()
    if row is None:
        return False
    user_id, visibility, verified_at = row
    if verified_at is not None and visibility in (Visibility.PUBLIC.value, Visibility.LINK.value):
        return True
    return current_user.is_authenticated and (
        current_user.id == user_id or current_user.can(Capability.ADMIN)
    )


def _serve_photo(name: str, folder: Path) -> Response:
    if not PHOTO_NAME_RE.match(name) or not _photo_is_public(name):
        abort(404)
    response = send_from_directory(folder, name, mimetype="image/jpeg", max_age=None)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/photos/<name>")
def photo(name: str) -> Response:
    """A profile photo (at most 1024 px), public while the account is active."""
    return _serve_photo(name, _upload_root() / PHOTOS_DIR)


@bp.get("/photos/thumbs/<name>")
def photo_thumb(name: str) -> Response:
    """The 256 px thumbnail; same name and same rule as the photo."""
    return _serve_photo(name, _upload_root() / PHOTOS_DIR / THUMBS_DIR)


@bp.get("/cv/<name>")
@login_required
def cv(name: str) -> Response:
    """The CV as a download, for its owner and admins only."""
    if not CV_NAME_RE.match(name):
        abort(404)
    row = db.session.execute(
        select(TalentProfile.user_id, User.code)
        .join(User, User.id == TalentProfile.user_id)
        .where(TalentProfile.cv_name == name)
        .limit(1)
    ).first()
    if row is None or not (row.user_id == current_user.id or current_user.is_admin):
        abort(404)
    extension = name.rsplit(".", 1)[1]
    response = send_from_directory(
        _upload_root() / CV_DIR, name, mimetype=CV_MIMETYPES[extension], max_age=None
    )
    if row.user_id != current_user.id:  # an admin reads someone's CV: leave a trace
        audit.record(
            db.session(),
            AuditAction.PERSONAL_DATA_VIEW,
            current_actor(),
            fields=["cv"],
            subject_id=row.user_id,
            subject_code=row.code,
        )
    code = re.sub(r"[^A-Za-z0-9]", "", row.code)
    response.headers["Content-Disposition"] = f'attachment; filename="cv-{code}.{extension}"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
