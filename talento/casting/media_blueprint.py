"""The ``casting_media`` blueprint, shared by the media pages (media_pages) and the views that
serve the files (media_views), which registers both."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint

from talento.context import current_settings

bp = Blueprint("casting_media", __name__, url_prefix="/cinema")


def upload_root() -> Path:
    """Absolute, so send_from_directory never resolves it against the package folder."""
    return Path(current_settings().upload_dir).resolve()
