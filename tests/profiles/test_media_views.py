"""Serving uploads: public photos of active profiles, CVs for their owner and admins only."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from talento.profiles.uploads import store_cv, store_photo
from tests.helpers import login, make_settings


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def upload_dir(app) -> Path:
    return Path(app.extensions["talento.settings"].upload_dir)


@pytest.fixture
def photo_name(upload_dir) -> str:
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (30, 90, 160)).save(out, "PNG")
    return store_photo(io.BytesIO(out.getvalue()), upload_dir).name


PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
)


def minimal_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        archive.writestr(
            "word/document.xml",
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>',
        )
    return out.getvalue()


@pytest.fixture
def cv_name(upload_dir) -> str:
    return store_cv(io.BytesIO(PDF), upload_dir).name


def test_photo_of_an_active_talent_is_public(client, make_talent, photo_name, upload_dir):
    make_talent(photo_name=photo_name)

    for url, folder in (
        (f"/media/photos/{photo_name}", "photos"),
        (f"/media/photos/thumbs/{photo_name}", "photos/thumbs"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert response.mimetype == "image/jpeg"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "private, no-store"
        assert response.data == (upload_dir / folder / photo_name).read_bytes()
    with Image.open(io.BytesIO(client.get(f"/media/photos/thumbs/{photo_name}").data)) as thumb:
        assert max(thumb.size) == 256


def test_photo_of_an_inactive_account_is_not_found(client, make_talent, photo_name):
    make_talent(photo_name=photo_name, is_active_account=False)
    assert client.get(f"/media/photos/{photo_name}").status_code == 404
    assert client.get(f"/media/photos/thumbs/{photo_name}").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/media/photos/AAAAAAAAAAAAAAAAAAAAAA.jpg",  # well-formed, unknown
        "/media/photos/..%2F..%2Fsettings.py",
        "/media/photos/../../talento/settings.py",
        "/media/photos/%2e%2e",
        "/media/photos/thumbs/..",
        "/media/photos/thumbs/%2e%2e%2fphoto.jpg",
        "/media/photos/x.jpg",
        "/media/photos/AAAAAAAAAAAAAAAAAAAAAA.svg",
    ],
)
def test_unknown_or_crafted_photo_names_are_not_found(client, make_talent, photo_name, url):
    make_talent(photo_name=photo_name)
    assert client.get(url).status_code == 404


def test_stored_photo_not_linked_to_a_profile_is_not_found(client, make_talent, photo_name):
    make_talent()
    assert client.get(f"/media/photos/{photo_name}").status_code == 404


def test_cv_owner_downloads_it_as_an_attachment(client, make_talent, cv_name):
    make_talent(code="MAF0042CAS", email="owner@example.org", cv_name=cv_name)
    assert login(client, "owner@example.org").status_code == 302

    response = client.get(f"/media/cv/{cv_name}")
    assert response.status_code == 200
    assert response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename="cv-MAF0042CAS.pdf"'
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_docx_cv_keeps_its_type_and_extension(client, make_talent, upload_dir):
    name = store_cv(io.BytesIO(minimal_docx()), upload_dir).name
    make_talent(code="MAF0007RAB", email="owner@example.org", cv_name=name)
    login(client, "owner@example.org")

    response = client.get(f"/media/cv/{name}")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response.headers["Content-Disposition"] == 'attachment; filename="cv-MAF0007RAB.docx"'


def test_admin_downloads_any_cv(client, make_talent, make_user, cv_name):
    make_talent(code="MAF0042CAS", cv_name=cv_name)
    make_user(email="boss@example.org", capabilities=["admin"], code="MAN0001RAB")
    login(client, "boss@example.org")

    response = client.get(f"/media/cv/{cv_name}")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == 'attachment; filename="cv-MAF0042CAS.pdf"'


@pytest.mark.parametrize("capability", ["talent", "presence", "recruiter"])
def test_other_users_get_not_found(client, make_talent, make_user, cv_name, capability):
    make_talent(cv_name=cv_name)
    make_user(email="other@example.org", capabilities=[capability])
    login(client, "other@example.org")

    assert client.get(f"/media/cv/{cv_name}").status_code == 404
    # same answer as a CV that does not exist: existence is not revealed
    assert client.get("/media/cv/AAAAAAAAAAAAAAAAAAAAAA.pdf").status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, make_talent, cv_name):
    make_talent(cv_name=cv_name)
    response = client.get(f"/media/cv/{cv_name}")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "name", ["..%2F..%2F.env", "%2e%2e", "x.pdf", "AAAAAAAAAAAAAAAAAAAAAA.exe", "..", "cv.docx"]
)
def test_crafted_cv_names_are_not_found(client, make_talent, cv_name, name):
    make_talent(email="owner@example.org", cv_name=cv_name)
    login(client, "owner@example.org")
    assert client.get(f"/media/cv/{name}").status_code == 404


def test_missing_file_behind_a_known_name_is_not_found(client, make_talent, cv_name, upload_dir):
    make_talent(email="owner@example.org", cv_name=cv_name)
    (upload_dir / "cv" / cv_name).unlink()
    login(client, "owner@example.org")
    assert client.get(f"/media/cv/{cv_name}").status_code == 404
