"""Deleting an account that has a casting profile: the casting rows go with it (no 500 from the
ORM blanking a primary key) and its casting files are removed once the deletion is committed."""

from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import text

from talento.casting.media_views import PHOTOS_DIR, THUMBS_DIR
from talento.casting.models import CastingPhoto, CastingProfile, CastingSkill
from talento.extensions import db
from tests.helpers import USER_PASSWORD, _csrf_from, login, make_settings


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


def _casting_with_files(app, user_id: int) -> list[Path]:
    root = Path(app.extensions["talento.settings"].upload_dir)
    photos = [
        CastingPhoto(kind="headshot", name="A" * 22 + ".jpg", thumb_name="B" * 22 + ".webp"),
        CastingPhoto(kind="full_length", name="C" * 22 + ".jpg", thumb_name="D" * 22 + ".webp"),
    ]
    photos[0].is_primary = True
    paths = []
    for photo in photos:
        for folder, name in ((PHOTOS_DIR, photo.name), (THUMBS_DIR, photo.thumb_name)):
            (root / folder).mkdir(parents=True, exist_ok=True)
            Image.new("RGB", (8, 8)).save(root / folder / name, "WEBP")
            paths.append(root / folder / name)
    with app.app_context():
        db.session.add(
            CastingProfile(
                user_id=user_id,
                registration_step="done",
                code="MACAS0042F",
                photos=photos,
                skill_rows=[CastingSkill(code="riding_camel"), CastingSkill(code="swimming")],
            )
        )
        db.session.commit()
        db.session.remove()
    return paths


@pytest.mark.both_backends
def test_deleting_an_account_deletes_its_casting_profile_and_files(app, client, make_talent):
    user_id = make_talent(email="actrice@example.org")
    paths = _casting_with_files(app, user_id)
    assert all(path.exists() for path in paths)

    login(client, "actrice@example.org")
    token = _csrf_from(client.get("/profile/delete").get_data(as_text=True))
    done = client.post(
        "/profile/delete", data={"csrf_token": token, "password": USER_PASSWORD, "confirm": "y"}
    )

    assert done.status_code == 302
    with app.app_context():
        for table in ("casting_profiles", "casting_photos", "casting_skills"):
            assert db.session.scalar(text(f"SELECT count(*) FROM {table}")) == 0  # noqa: S608
        db.session.remove()
    assert not any(path.exists() for path in paths)
