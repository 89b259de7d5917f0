"""The voice reel (checked by content), the identity document photo (admins and its owner),
and the showreel link (YouTube or Vimeo, shown as a link)."""

from __future__ import annotations

import html
import io
from pathlib import Path

import pytest
from sqlalchemy import select

from talento.audit.models import AuditEvent
from talento.casting.audio import audio_format
from talento.casting.media import VOICE_MAX_BYTES
from talento.casting.media_files import ID_DIR, VOICE_DIR
from talento.casting.models import CastingProfile
from talento.casting.showreel import normalise_showreel
from talento.extensions import db
from talento.refusals import Refused
from tests.casting.conftest import signed_in, token_of
from tests.casting.media_samples import (
    MP3_FRAME_HEADER,
    gps_jpeg,
    m4a_bytes,
    mp3_bytes,
    ogg_bytes,
)

OWNER = "casting-owner@example.org"


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _profile(app, user_id: int) -> CastingProfile:
    with app.app_context():
        profile = db.session.get(CastingProfile, user_id)
        db.session.expunge(profile)
        db.session.remove()
    return profile


def _upload_dir(app) -> Path:
    return Path(app.extensions["talento.settings"].upload_dir)


@pytest.fixture
def owner(make_casting) -> int:
    return make_casting(email=OWNER)


@pytest.fixture
def client_owner(app, owner):
    client = signed_in(app, OWNER)
    return client, token_of(client)


def _send_voice(client, token, data: bytes, name="voix.mp3", mimetype="audio/mpeg"):
    return client.post(
        "/cinema/media/voice",
        data={
            "csrf_token": token,
            "back": "manage",
            "action": "upload",
            "voice_reel": (io.BytesIO(data), name, mimetype),
        },
        content_type="multipart/form-data",
    )


# --- recognising audio ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (mp3_bytes(), "mp3"),
        (mp3_bytes(id3=False), "mp3"),
        (ogg_bytes(), "ogg"),
        (m4a_bytes(), "m4a"),
        (m4a_bytes(brand=b"mp42"), "m4a"),  # what Android recorders write
        (b"Ceci est un texte, pas un enregistrement.\n" * 50, None),
        (b"ID3\x03\x00\x00\x00\x00\x00\x0aabcdefghij" + b"texte" * 100, None),
        (MP3_FRAME_HEADER + b"texte" * 200, None),  # one header, then no frame
        (b"OggS\x00\x02" + bytes(40), None),  # no Vorbis or Opus header
        (m4a_bytes(handler=b"vide"), None),  # a video
        (m4a_bytes()[:-10], None),  # cut short: the boxes do not tile the file
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", None),
    ],
    ids=[
        "mp3",
        "mp3-no-id3",
        "ogg",
        "m4a",
        "m4a-mp42",
        "text",
        "id3-then-text",
        "lone-frame",
        "ogg-no-codec",
        "mp4-video",
        "m4a-truncated",
        "wav",
    ],
)
def test_audio_is_recognised_by_content(data, expected):
    assert audio_format(data) == expected


# --- the voice reel -------------------------------------------------------------------------


def test_a_text_renamed_mp3_is_refused(app, owner, client_owner):
    client, token = client_owner
    response = _send_voice(client, token, b"Bonjour, je suis une voix.\n" * 40)
    assert response.status_code == 400
    assert "n'est pas un enregistrement accepté" in _text(response)
    assert _profile(app, owner).voice_reel_name is None
    assert not (_upload_dir(app) / VOICE_DIR).exists()


@pytest.mark.parametrize(
    ("data", "extension", "mimetype"),
    [
        (mp3_bytes(), "mp3", "audio/mpeg"),
        (ogg_bytes(), "ogg", "audio/ogg"),
        (m4a_bytes(), "m4a", "audio/mp4"),
    ],
    ids=["mp3", "ogg", "m4a"],
)
def test_a_real_voice_reel_is_stored_and_served(
    app, owner, client_owner, make_user, data, extension, mimetype
):
    client, token = client_owner
    # the name and MIME type the browser sends are not what decides
    response = _send_voice(client, token, data, name="voix.bin", mimetype="text/plain")
    assert response.status_code == 302, _text(response)[:500]
    name = _profile(app, owner).voice_reel_name
    assert name is not None
    assert name.endswith(f".{extension}")
    assert (_upload_dir(app) / VOICE_DIR / name).read_bytes() == data
    url = f"/cinema/media/voice/{name}"
    assert url in _text(client.get("/cinema/me/media"))
    for viewer in (client, signed_in(app, make_staff(make_user))):
        served = viewer.get(url)
        assert served.status_code == 200
        assert served.data == data
        assert served.mimetype == mimetype
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert served.headers["Cache-Control"] == "private, no-store"
    part = client.get(url, headers={"Range": "bytes=0-9"})  # audio players ask for ranges
    assert part.status_code == 206
    assert part.data == data[:10]
    assert app.test_client().get(url).status_code == 404  # a staff-only profile


def make_staff(make_user) -> str:
    make_user(email="casting-staff@example.org", capabilities=["casting"])
    return "casting-staff@example.org"


def test_a_voice_reel_is_replaced_then_removed(app, owner, client_owner):
    client, token = client_owner
    assert _send_voice(client, token, mp3_bytes()).status_code == 302
    first = _profile(app, owner).voice_reel_name
    assert _send_voice(client, token, ogg_bytes(), name="voix.ogg").status_code == 302
    second = _profile(app, owner).voice_reel_name
    assert second != first
    assert not (_upload_dir(app) / VOICE_DIR / first).exists()
    response = client.post(
        "/cinema/media/voice", data={"csrf_token": token, "back": "manage", "action": "remove"}
    )
    assert response.status_code == 302
    assert _profile(app, owner).voice_reel_name is None
    assert not (_upload_dir(app) / VOICE_DIR / second).exists()
    assert client.get(f"/cinema/media/voice/{second}").status_code == 404


def test_a_voice_reel_over_10_mb_is_refused(app, owner, client_owner):
    client, token = client_owner
    frames = VOICE_MAX_BYTES // 417 + 2
    big = mp3_bytes(frames=frames, id3=False)
    assert len(big) > VOICE_MAX_BYTES
    assert audio_format(big) == "mp3"  # refused for its size, not its content
    response = _send_voice(client, token, big)
    assert response.status_code == 400
    assert "dépasse 10 Mo" in _text(response)
    assert _profile(app, owner).voice_reel_name is None


def test_the_service_refuses_a_voice_reel_over_10_mb_too(app, owner):
    """Whatever the form says, the service reads at most 10 MB + 1 byte and refuses."""
    from talento.casting import media
    from talento.profiles.uploads import UploadRejected

    with app.app_context():
        profile = db.session.get(CastingProfile, owner)
        big = io.BytesIO(mp3_bytes(frames=VOICE_MAX_BYTES // 417 + 2, id3=False))
        with pytest.raises(UploadRejected) as refused:
            media.set_voice_reel(db.session(), profile, big, _upload_dir(app))
        assert (refused.value.field, refused.value.reason) == ("voice_reel", "too_large")
        assert big.tell() == VOICE_MAX_BYTES + 1
        db.session.remove()


# --- the identity document photo ------------------------------------------------------------


def _send_id_photo(client, token, data: bytes):
    return client.post(
        "/cinema/media/id-photo",
        data={
            "csrf_token": token,
            "back": "manage",
            "action": "upload",
            "id_photo": (io.BytesIO(data), "cin.jpg"),
        },
        content_type="multipart/form-data",
    )


def _audit_rows(app) -> list[AuditEvent]:
    """The personal data views recorded (logins leave rows of their own)."""
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.action == "personal_data.view")
        rows = list(db.session.scalars(query.order_by(AuditEvent.id)))
        db.session.expunge_all()
        db.session.remove()
    return rows


def test_the_id_photo_is_for_admins_and_its_owner_only(app, owner, client_owner, make_user):
    client, token = client_owner
    assert _send_id_photo(client, token, gps_jpeg()).status_code == 302
    name = _profile(app, owner).id_photo_name
    stored = (_upload_dir(app) / ID_DIR / name).read_bytes()
    assert b"TalentoPhone" not in stored  # re-encoded, EXIF gone
    url = f"/cinema/media/id/{owner}"
    before = len(_audit_rows(app))
    assert before == 0
    # its owner sees it, without an audit row (their own data)
    own = client.get(url)
    assert own.status_code == 200
    assert own.data == stored
    assert own.headers["X-Content-Type-Options"] == "nosniff"
    assert own.headers["Cache-Control"] == "private, no-store"
    assert len(_audit_rows(app)) == before
    # casting staff, a recruiter, another talent, a visitor: the 404 of nothing there
    make_user(email="staff@example.org", capabilities=["casting"])
    make_user(email="recruiter@example.org", capabilities=["recruiter"])
    make_user(email="talent@example.org")
    for email in ("staff@example.org", "recruiter@example.org", "talent@example.org"):
        assert signed_in(app, email).get(url).status_code == 404, email
    assert app.test_client().get(url).status_code == 404
    assert len(_audit_rows(app)) == before
    # an admin sees it, and the view is audited
    admin_id = make_user(email="admin@example.org", capabilities=["admin"])
    response = signed_in(app, "admin@example.org").get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    [row] = _audit_rows(app)
    assert (row.actor_id, row.subject_id) == (admin_id, owner)
    assert "id_photo" in row.fields
    # replaced, then removed: the old files go
    assert _send_id_photo(client, token, gps_jpeg()).status_code == 302
    assert not (_upload_dir(app) / ID_DIR / name).exists()
    response = client.post(
        "/cinema/media/id-photo", data={"csrf_token": token, "back": "manage", "action": "remove"}
    )
    assert response.status_code == 302
    assert _profile(app, owner).id_photo_name is None
    assert client.get(url).status_code == 404


def test_an_id_photo_that_is_not_an_image_is_refused(app, owner, client_owner):
    client, token = client_owner
    response = _send_id_photo(client, token, b"not an image at all")
    assert response.status_code == 400
    assert "n'est pas une image acceptée" in _text(response)
    assert _profile(app, owner).id_photo_name is None


# --- the showreel ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pasted", "stored"),
    [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        ),
        ("https://youtu.be/dQw4w9WgXcQ?si=abc", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("youtube.com/shorts/dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        (
            "https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=42",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        ),
        ("http://www.youtube.com/embed/dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("https://vimeo.com/76979871", "https://vimeo.com/76979871"),
        ("https://vimeo.com/76979871/abcdef1234", "https://vimeo.com/76979871/abcdef1234"),
        ("https://player.vimeo.com/video/76979871", "https://vimeo.com/76979871"),
        ("https://vimeo.com/channels/staffpicks/76979871", "https://vimeo.com/76979871"),
        ("  ", None),
    ],
)
def test_showreel_links_are_normalised(pasted, stored):
    assert normalise_showreel(pasted) == stored


@pytest.mark.parametrize(
    "pasted",
    [
        '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>',
        "javascript:alert(1)//youtube.com/watch?v=dQw4w9WgXcQ",
        "data:text/html,<script>alert(1)</script>",
        "https://evil.example/watch?v=dQw4w9WgXcQ",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com@evil.example/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com:8443/watch?v=dQw4w9WgXcQ",
        "https://www.dailymotion.com/video/x7tgad0",
        "https://www.youtube.com/watch?v=short",
        "https://www.youtube.com/channel/UC123",
        "https://vimeo.com/about",
        "ftp://vimeo.com/76979871",
        "https://vimeo.com/" + "1" * 400,
    ],
)
def test_other_showreel_links_are_refused(pasted):
    with pytest.raises(Refused) as refused:
        normalise_showreel(pasted)
    assert refused.value.field == "showreel_url"
    assert "YouTube ou Vimeo" in refused.value.message


def test_the_showreel_is_shown_as_a_link_never_embedded(app, owner, client_owner):
    client, token = client_owner

    def save(url: str, action: str = "save"):
        data = {"csrf_token": token, "back": "manage", "showreel_url": url, "action": action}
        return client.post("/cinema/media/showreel", data=data)

    response = save('<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>')
    assert response.status_code == 422
    assert "YouTube ou Vimeo" in _text(response)
    assert "<iframe" not in response.get_data(as_text=True)
    assert _profile(app, owner).showreel_url is None
    assert save("https://youtu.be/dQw4w9WgXcQ").status_code == 302
    assert _profile(app, owner).showreel_url == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    page = client.get("/cinema/me/media").get_data(as_text=True)
    assert (
        '<a href="https://www.youtube.com/watch?v=dQw4w9WgXcQ" '
        'rel="noopener noreferrer nofollow"' in page
    )
    assert "<iframe" not in page
    assert save("", action="remove").status_code == 302
    assert _profile(app, owner).showreel_url is None
