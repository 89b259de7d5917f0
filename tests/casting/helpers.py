"""Casting profiles made directly with the ORM, with real small photo files on disk."""

from __future__ import annotations

import secrets
from pathlib import Path

from PIL import Image


def _photo_name(ext: str) -> str:
    return secrets.token_urlsafe(16)[:22].ljust(22, "x") + "." + ext


def make_casting_profile(
    app,
    user_id: int,
    *,
    code: str = "MAOUZ0001F",
    visibility: str = "public",
    photos: int = 1,
    talent_types: tuple[str, ...] = ("extra",),
    skills: tuple[str, ...] = (),
    assets: tuple[str, ...] = (),
    accents: tuple[str, ...] = (),
    credits: tuple[dict, ...] = (),
    photo_size: tuple[int, int] = (400, 500),
    **fields,
) -> list[str]:
    """A complete ("done") casting profile for the talent `user_id`, with `photos` photos (the
    first one primary) as JPEG display files and WebP thumbnails under the app's
    ``UPLOAD_DIR/casting/``. Other columns go as keyword arguments. Returns the photo names."""
    from talento.casting.media_views import PHOTOS_DIR, THUMBS_DIR
    from talento.casting.models import (
        CastingAccent,
        CastingAsset,
        CastingCredit,
        CastingPhoto,
        CastingProfile,
        CastingSkill,
        CastingTalentType,
    )
    from talento.extensions import db

    upload_dir = Path(app.extensions["talento.settings"].upload_dir)
    rows, names = [], []
    for index in range(photos):
        photo = CastingPhoto(
            kind="headshot" if index == 0 else "other",
            name=_photo_name("jpg"),
            thumb_name=_photo_name("webp"),
            is_primary=index == 0,
            position=index,
        )
        colour = (40 * index % 255, 90, 160)
        for folder, name, fmt, size in (
            (PHOTOS_DIR, photo.name, "JPEG", photo_size),
            (THUMBS_DIR, photo.thumb_name, "WEBP", (160, 200)),
        ):
            (upload_dir / folder).mkdir(parents=True, exist_ok=True)
            Image.new("RGB", size, colour).save(upload_dir / folder / name, fmt)
        rows.append(photo)
        names.append(photo.name)
    fields.setdefault("registration_step", "done")
    with app.app_context():
        profile = CastingProfile(
            user_id=user_id,
            code=code,
            visibility=visibility,
            photos=rows,
            talent_type_rows=[CastingTalentType(code=c) for c in talent_types],
            skill_rows=[CastingSkill(code=c) for c in skills],
            asset_rows=[CastingAsset(code=c) for c in assets],
            accent_rows=[CastingAccent(code=c) for c in accents],
            credits=[CastingCredit(**credit) for credit in credits],
            **fields,
        )
        db.session.add(profile)
        db.session.commit()
        db.session.remove()
    return names
