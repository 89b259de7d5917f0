"""Casting photos: upload, EXIF, thumbnails, the limit of 8, primary, kinds, order, removal,
the registration's « photos » step, and who sees the thumbnails."""

from __future__ import annotations

import html
import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PIL import Image
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from talento.casting import media
from talento.casting.media_files import (
    PHOTOS_DIR,
    THUMB_BOX,
    THUMBS_DIR,
    encode_photo,
)
from talento.casting.models import CastingPhoto, CastingProfile
from talento.extensions import db
from tests.casting.conftest import signed_in, token_of
from tests.casting.media_samples import gps_jpeg, image_bytes, noisy_jpeg

OWNER = "casting-owner@example.org"
THIRTY_KB = 30 * 1024


def _text(response) -> str:
    """The page's text, entities decoded (an apostrophe may be &#39;)."""
    return html.unescape(response.get_data(as_text=True))


def _upload_dir(app) -> Path:
    return Path(app.extensions["talento.settings"].upload_dir)


def _post_photo(client, token, data: bytes, kind="headshot", back="manage", name="photo.jpg"):
    return client.post(
        "/cinema/media/photos",
        data={"csrf_token": token, "back": back, "kind": kind, "photo": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def _action(client, token, photo_id: int, action: str, kind="other", back="manage"):
    return client.post(
        f"/cinema/media/photos/{photo_id}",
        data={"csrf_token": token, "back": back, "kind": kind, "action": action},
    )


def _photos(app, user_id: int) -> list[CastingPhoto]:
    with app.app_context():
        photos = list(
            db.session.scalars(
                select(CastingPhoto)
                .where(CastingPhoto.user_id == user_id)
                .order_by(CastingPhoto.position, CastingPhoto.id)
            )
        )
        db.session.expunge_all()
        db.session.remove()
    return photos


@pytest.fixture
def owner(make_casting) -> int:
    return make_casting(email=OWNER)


@pytest.fixture
def client_owner(app, owner):
    client = signed_in(app, OWNER)
    return client, token_of(client)


def test_an_upload_loses_its_exif_and_gps(app, owner, client_owner):
    client, token = client_owner
    original = gps_jpeg()
    assert b"TalentoPhone" in original
    assert Image.open(io.BytesIO(original)).getexif()
    response = _post_photo(client, token, original)
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/cinema/me/media"
    [photo] = _photos(app, owner)
    assert photo.is_primary
    assert photo.kind == "headshot"
    assert photo.position == 0
    stored = (_upload_dir(app) / PHOTOS_DIR / photo.name).read_bytes()
    assert b"TalentoPhone" not in stored
    assert b"secret-comment" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert not image.getexif()
        assert not image.getexif().get_ifd(0x8825)  # no GPS IFD
        assert (image.width, image.height) == (photo.width, photo.height)
    served = client.get(f"/cinema/media/photos/{photo.name}")
    assert served.status_code == 200
    assert served.data == stored
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_a_big_noisy_photo_gets_a_thumbnail_under_30_kb(app, owner, client_owner):
    client, token = client_owner
    response = _post_photo(client, token, noisy_jpeg(), kind="full_length")
    assert response.status_code == 302, _text(response)[:500]
    [photo] = _photos(app, owner)
    assert max(photo.width, photo.height) == 1600  # 2400 × 3200 shrunk to 1200 × 1600
    thumb = (_upload_dir(app) / THUMBS_DIR / photo.thumb_name).read_bytes()
    assert len(thumb) < THIRTY_KB
    with Image.open(io.BytesIO(thumb)) as image:
        assert image.format == "WEBP"
        assert photo.thumb_name.endswith(".webp")
        assert image.width <= THUMB_BOX[0]
        assert image.height <= THUMB_BOX[1]
        assert image.size == (225, 300)
    served = client.get(f"/cinema/media/thumbs/{photo.thumb_name}")
    assert served.status_code == 200
    assert served.mimetype == "image/webp"


def test_without_webp_the_thumbnail_is_a_jpeg_under_30_kb():
    with Image.open(io.BytesIO(noisy_jpeg(size=(1600, 1200)))) as image:
        encoded = encode_photo(image.convert("RGB"), webp=False)
    assert encoded.thumb_extension == "jpg"
    assert len(encoded.thumb) < THIRTY_KB
    with Image.open(io.BytesIO(encoded.thumb)) as thumb:
        assert thumb.format == "JPEG"
        assert thumb.size == (240, 180)


def test_the_ninth_photo_is_refused_with_a_clear_message(app, owner, client_owner):
    client, token = client_owner
    for number in range(media.MAX_PHOTOS):
        response = _post_photo(client, token, image_bytes(color=(number * 20, 50, 50)), "other")
        assert response.status_code == 302, number
    page = _text(client.get("/cinema/me/media"))
    assert "Vous avez 8 photos, le maximum" in page
    assert 'id="photo"' not in page
    response = _post_photo(client, token, image_bytes(), "other")
    assert response.status_code == 409
    assert "Vous avez déjà 8 photos, le maximum" in _text(response)
    photos = _photos(app, owner)
    assert len(photos) == media.MAX_PHOTOS
    assert [p.is_primary for p in photos] == [True] + [False] * 7
    # nothing of the refused photo stays on disk
    assert len(list((_upload_dir(app) / PHOTOS_DIR).iterdir())) == media.MAX_PHOTOS
    assert len(list((_upload_dir(app) / THUMBS_DIR).iterdir())) == media.MAX_PHOTOS


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_kept(app, owner, client_owner):
    client, token = client_owner
    response = _post_photo(client, token, b"%PDF-1.4 not a photo", name="photo.jpg")
    assert response.status_code == 400
    assert "n'est pas une image acceptée" in _text(response)
    assert _photos(app, owner) == []
    assert not (_upload_dir(app) / PHOTOS_DIR).exists() or not any(
        (_upload_dir(app) / PHOTOS_DIR).iterdir()
    )


def test_files_written_for_a_rolled_back_upload_are_deleted(app, owner):
    """The unit of work fails after the photo was stored: its files go with the rollback."""
    with app.app_context():
        profile = db.session.get(CastingProfile, owner)
        upload = media.PhotoUpload(io.BytesIO(image_bytes()), "headshot", 5 * 1024 * 1024)
        photo = media.add_photo(db.session(), profile, upload, _upload_dir(app))
        files = [
            _upload_dir(app) / PHOTOS_DIR / photo.name,
            _upload_dir(app) / THUMBS_DIR / photo.thumb_name,
        ]
        assert all(path.exists() for path in files)
        db.session.rollback()
        assert not any(path.exists() for path in files)
        db.session.remove()


@pytest.mark.both_backends
def test_primary_switching_keeps_exactly_one_primary(app, owner, client_owner):
    client, token = client_owner
    for kind in ("headshot", "full_length", "other"):
        assert _post_photo(client, token, image_bytes(), kind).status_code == 302
    first, second, third = _photos(app, owner)
    assert (first.is_primary, second.is_primary, third.is_primary) == (True, False, False)
    page = _text(client.get("/cinema/me/media"))
    assert page.count("Choisir comme photo principale") == 2
    # the newer photo (a higher id) becomes primary, then an older one again
    for chosen in (third, second, first, third):
        assert _action(client, token, chosen.id, "primary").status_code == 302
        photos = _photos(app, owner)
        assert [p.id for p in photos if p.is_primary] == [chosen.id]


@pytest.mark.both_backends
def test_the_database_allows_one_primary_photo_per_profile(app, owner):
    with app.app_context():
        profile = db.session.get(CastingProfile, owner)
        profile.photos.append(CastingPhoto(name="1.jpg", thumb_name="1.webp", is_primary=True))
        db.session.flush()
        profile.photos.append(CastingPhoto(name="2.jpg", thumb_name="2.webp", is_primary=True))
        with pytest.raises(IntegrityError):  # uq_casting_photos_primary
            db.session.flush()
        db.session.rollback()
        db.session.remove()


def test_kinds_order_and_removal(app, owner, client_owner):
    client, token = client_owner
    for kind in ("headshot", "other", "other"):
        assert _post_photo(client, token, image_bytes(), kind).status_code == 302
    a, b, c = _photos(app, owner)
    page = _text(client.get("/cinema/me/media"))
    assert "Aucune photo n'est marquée « en pied »" in page
    assert _action(client, token, c.id, "kind", kind="full_length").status_code == 302
    page = _text(client.get("/cinema/me/media"))
    assert "est marquée « en pied »" not in page
    assert _action(client, token, c.id, "up").status_code == 302
    assert [p.id for p in _photos(app, owner)] == [a.id, c.id, b.id]
    assert _action(client, token, a.id, "down").status_code == 302
    assert [p.id for p in _photos(app, owner)] == [c.id, a.id, b.id]
    assert _action(client, token, c.id, "up").status_code == 302  # already first: stays
    assert [p.position for p in _photos(app, owner)] == [0, 1, 2]
    # removing the primary photo promotes the first remaining one, and its files go
    assert _action(client, token, a.id, "remove").status_code == 302
    photos = _photos(app, owner)
    assert [p.id for p in photos] == [c.id, b.id]
    assert [p.is_primary for p in photos] == [True, False]
    assert [p.position for p in photos] == [0, 1]
    assert not (_upload_dir(app) / PHOTOS_DIR / a.name).exists()
    assert not (_upload_dir(app) / THUMBS_DIR / a.thumb_name).exists()
    # an unknown kind, an unknown action
    response = _action(client, token, b.id, "kind", kind="selfie")
    assert response.status_code == 422
    assert "Choisissez ce que montre la photo" in _text(response)
    assert _action(client, token, b.id, "explode").status_code == 400


def test_another_profiles_photo_cannot_be_touched(app, owner, make_casting, client_owner):
    other = make_casting(email="other-casting@example.org")
    other_client = signed_in(app, "other-casting@example.org")
    assert _post_photo(other_client, token_of(other_client), image_bytes()).status_code == 302
    [theirs] = _photos(app, other)
    client, token = client_owner
    for action in ("primary", "remove", "up", "kind"):
        response = _action(client, token, theirs.id, action)
        assert response.status_code == 404, action
        assert "Cette photo n'existe pas ou plus" in _text(response)
    assert _photos(app, other)[0].id == theirs.id


def test_the_registration_step(app, owner, client_owner):
    client, token = client_owner
    page = client.get("/cinema/register/photos")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Étape 9 sur 10" in body
    assert 'href="/cinema/register/experience"' in body  # « Précédent »
    assert "js/photo_resize.js" in body
    assert 'id="photo"' in body
    assert "<iframe" not in body
    # « Continuer » without a portrait
    response = client.post("/cinema/register/photos", data={"csrf_token": token})
    assert response.status_code == 422
    assert "Ajoutez au moins un portrait" in _text(response)
    # a full-length photo alone is not enough
    assert _post_photo(client, token, image_bytes(), "full_length", back="register").location
    assert client.post("/cinema/register/photos", data={"csrf_token": token}).status_code == 422
    response = _post_photo(client, token, image_bytes(), "headshot", back="register")
    assert urlsplit(response.location).path == "/cinema/register/photos"
    body = client.get("/cinema/register/photos").get_data(as_text=True)
    for photo in _photos(app, owner):
        assert f"/cinema/media/thumbs/{photo.thumb_name}" in body
    response = client.post("/cinema/register/photos", data={"csrf_token": token})
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/cinema/register/visibility"
    with app.app_context():
        assert db.session.get(CastingProfile, owner).registration_step == "visibility"
        db.session.remove()


def test_the_step_waits_for_the_earlier_ones(app, make_casting):
    make_casting(email="early@example.org", registration_step="appearance")
    client = signed_in(app, "early@example.org")
    response = client.get("/cinema/register/photos")
    assert response.status_code == 302
    assert urlsplit(response.location).path == "/cinema/register/appearance"
    assert client.get("/cinema/me/media").status_code == 200


def test_without_a_casting_profile_the_pages_send_to_the_registration(app, make_talent):
    make_talent(email="plain-talent@example.org")
    client = signed_in(app, "plain-talent@example.org")
    for page in ("/cinema/register/photos", "/cinema/me/media"):
        response = client.get(page)
        assert response.status_code == 302
        assert urlsplit(response.location).path == ("/cinema/register")


def test_thumbnails_of_a_staff_only_profile(app, owner, client_owner, make_user):
    client, token = client_owner
    assert _post_photo(client, token, image_bytes()).status_code == 302
    [photo] = _photos(app, owner)
    url = f"/cinema/media/thumbs/{photo.thumb_name}"
    assert client.get(url).status_code == 200  # its owner
    assert app.test_client().get(url).status_code == 404  # anonymous
    make_user(email="staff@example.org", capabilities=["casting"])
    make_user(email="someone@example.org")
    assert signed_in(app, "staff@example.org").get(url).status_code == 200
    assert signed_in(app, "someone@example.org").get(url).status_code == 404


def test_the_media_page_stays_light(app, owner, client_owner):
    """HTML + CSS + JS of the page with 8 photos under 100 KB (DESIGN "Pages"); the 8
    thumbnails a phone then loads weigh under 30 KB each."""
    client, token = client_owner
    for number in range(media.MAX_PHOTOS):
        assert (
            _post_photo(client, token, image_bytes(color=(number * 30, 90, 60))).status_code == 302
        )
    static = Path(app.static_folder)
    for page in ("/cinema/me/media", "/cinema/register/photos"):
        body = client.get(page).get_data()
        assert b"<iframe" not in body
        weight = len(body) + sum(
            (static / name).stat().st_size
            for name in ("css/talento.css", "css/cinema.css", "js/photo_resize.js")
        )
        assert weight < 100 * 1024, (page, weight)
    for photo in _photos(app, owner):
        assert (_upload_dir(app) / THUMBS_DIR / photo.thumb_name).stat().st_size < THIRTY_KB
