"""A full disk or an unwritable upload folder, for real, on every form that takes files.

The talent's own edit page, registration, and the admin's edit and creation pages each answer
a 503 with the form shown again (typed values kept) and a clear French message; the log has
one line naming the condition, without personal data; the database and the upload folder are
exactly as before. The full disk is a tiny tmpfs filled up (needs the right to mount, as
root in the test container); see Storage for the unwritable folder.
"""

from __future__ import annotations

import errno
import html as html_lib
import io
import logging
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image
from sqlalchemy import func, select

from talento.accounts.models import User
from talento.audit.models import AuditEvent
from talento.extensions import db
from talento.geo.models import City, Country
from talento.profiles.uploads import store_photo
from tests.helpers import _csrf_from, login, make_settings

DISK_FULL = "l'espace disque du serveur est insuffisant"
NOT_WRITABLE = "le dossier des fichiers du serveur n'est pas accessible en écriture"
EMAIL = "owner@example.org"
LAST_NAME = "Ouazzani-Disque"
BIO = "Danseuse contemporaine"


# --- a storage the test breaks for real --------------------------------------------------------


class Storage:
    """The upload folder lives on a tmpfs of its own, which the test fills; "not writable" is
    a read-only tmpfs over it for root (chmod does not stop root), chmod 500 otherwise. Every
    mount and mode is undone at the end. Without the right to mount, a full disk is skipped
    and root gets a file where the folder should be."""

    def __init__(self, root: Path):
        self.disk = root / "disk"
        self.disk.mkdir()
        self.uploads = self.disk / "uploads"
        self.mounted: list[Path] = []
        self.locked: list[Path] = []
        self.on_tmpfs = False

    def mount(self, path: Path, options: str) -> bool:
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
            capture_output=True,
            check=False,
        )
        if done.returncode == 0:
            self.mounted.append(path)
        return done.returncode == 0

    def start(self) -> None:
        """A 4 MB disk holding the upload folder and its sub-folders."""
        self.on_tmpfs = self.mount(self.disk, "size=4m,mode=0755")
        for sub in ("photos/thumbs", "cv"):
            (self.uploads / sub).mkdir(parents=True)

    def fill(self, keep: int = 0) -> None:
        """Fill the disk with a file outside the upload folder, leaving `keep` bytes free."""
        if not self.on_tmpfs:
            pytest.skip("a full disk needs a tmpfs, and mounting one is not allowed here")
        stats = os.statvfs(self.disk)
        room = max(stats.f_bavail * stats.f_frsize - keep, 0)
        with open(self.disk / "filler", "wb", buffering=0) as filler:
            try:
                filler.write(b"\0" * room)
                while not keep:  # to the last byte: until the kernel says ENOSPC
                    filler.write(b"\0" * 4096)
            except OSError as exc:
                if exc.errno != errno.ENOSPC:
                    raise

    def make_unwritable(self) -> None:
        if os.geteuid() != 0:
            self.locked = [self.uploads, *(p for p in self.uploads.rglob("*") if p.is_dir())]
            for folder in self.locked:
                folder.chmod(0o500)
        elif not self.mount(self.uploads, "ro,size=64k"):
            shutil.rmtree(self.uploads)
            self.uploads.write_text("a file where the upload folder should be")

    def files(self) -> list[Path]:
        if not self.uploads.is_dir():
            return []
        return sorted(p for p in self.uploads.rglob("*") if p.is_file())

    def undo(self) -> None:
        for folder in self.locked:
            folder.chmod(0o750)
        for path in reversed(self.mounted):
            subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)


@pytest.fixture
def storage(tmp_path_factory) -> Iterator[Storage]:
    storage = Storage(tmp_path_factory.mktemp("storage"))
    storage.start()
    yield storage
    storage.undo()


@pytest.fixture
def settings(database_url, storage, tmp_path_factory):
    return make_settings(
        database_url,
        upload_dir=str(storage.uploads),
        mail_outbox_dir=str(tmp_path_factory.mktemp("outbox")),
    )


@pytest.fixture(params=["disk_full", "not_writable"])
def broken(request) -> str:
    """Which failure a test meets; it breaks the storage itself, once its data exist."""
    return request.param


def break_storage(storage: Storage, condition: str) -> str:
    if condition == "disk_full":
        storage.fill()
        return DISK_FULL
    storage.make_unwritable()
    return NOT_WRITABLE


@pytest.fixture
def talent(make_talent):
    return make_talent(email=EMAIL, last_name=LAST_NAME, bio=BIO, phone="+212612345678")


# --- builders ----------------------------------------------------------------------------------


def jpeg(size=(300, 200)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (180, 60, 40)).save(out, "JPEG")
    return out.getvalue()


def big_pdf() -> bytes:
    """A real CV of about 1.5 MB: a page with a noise image, which nothing compresses."""
    noise = Image.frombytes("RGB", (720, 720), os.urandom(720 * 720 * 3))
    pdf = FPDF()
    pdf.add_page()
    pdf.image(noise, x=10, y=10, w=100)
    return bytes(pdf.output())


def small_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="CV")
    return bytes(pdf.output())


def _city_id(app, iso2: str = "MA", code: str = "CAS") -> int:
    with app.app_context():
        country = db.session.scalars(select(Country).where(Country.iso2 == iso2)).one()
        return db.session.scalars(
            select(City.id).where(City.country_id == country.id, City.code == code)
        ).one()


def profile_data(app, **overrides) -> dict:
    data = {
        "first_name": "Amina",
        "last_name": "Nouveau-Nom",
        "gender": "F",
        "date_of_birth": "1990-01-02",
        "nationality": "MA",
        "phone": "0661000000",
        "address": "",
        "country": "MA",
        "city": str(_city_id(app)),
        "skills": ["dance-urban"],
        "bio": "Bio tapée pendant la panne",
        "availability": "soon",
        "work_mode": "remote",
        "languages": ["fr"],
    }
    data.update(overrides)
    return data


def registration_data(app) -> dict:
    return {
        **profile_data(app),
        "first_name": "Yasmine",
        "last_name": "Nouvelle-Inscrite",
        "email": "yasmine@example.ma",
        "password": "Casablanca-Scene-2026",
        "password_confirm": "Casablanca-Scene-2026",
        "consent": "y",
    }


def post_form(client, url: str, data: dict, **files: bytes):
    token = _csrf_from(client.get(url).get_data(as_text=True))
    uploads = {
        name: (io.BytesIO(body), "fichier.pdf" if name == "cv" else "moi.jpg")
        for name, body in files.items()
    }
    return client.post(
        url, data={**data, "csrf_token": token, **uploads}, content_type="multipart/form-data"
    )


def snapshot(app, user_id: int | None = None) -> dict:
    """What a half-saved form would change: the account's fields, the counts of rows."""
    with app.app_context():
        state = {
            "users": db.session.scalar(select(func.count()).select_from(User)),
            "audit": db.session.scalar(select(func.count()).select_from(AuditEvent)),
        }
        if user_id is not None:
            user = db.session.get(User, user_id)
            state.update(
                email=user.email,
                last_name=user.last_name,
                phone=user.phone,
                bio=user.profile.bio,
                availability=user.profile.availability,
                photo=user.profile.photo_name,
                cv=user.profile.cv_name,
                skills=sorted(s.slug for s in user.profile.skills),
            )
        db.session.remove()
        return state


def assert_refused(response, message: str, kept: str, field: str = "photo") -> str:
    page = html_lib.unescape(response.get_data(as_text=True))
    assert response.status_code == 503, page[:2000]
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    assert error
    assert message in error.group(1)
    assert "Rien n'a été enregistré" in error.group(1)
    assert kept in page  # the form is shown again with what was typed
    assert "Traceback" not in page
    assert "Errno" not in page
    return page


def assert_one_log_line(caplog, condition: str, *private: str) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    line = errors[0].getMessage()
    expected = {"disk_full": "(disque plein, ENOSPC)", "not_writable": "(dossier non accessible"}
    assert line.startswith("Enregistrement d'un fichier envoyé impossible " + expected[condition])
    for value in private:
        assert value not in caplog.text


# --- the talent's own page ------------------------------------------------------------------


def test_own_edit_page_with_a_photo(app, client, talent, storage, broken, caplog):
    login(client, EMAIL)
    before = snapshot(app, talent)
    message = break_storage(storage, broken)
    caplog.set_level(logging.INFO)

    response = post_form(client, "/profile/edit", profile_data(app), photo=jpeg())

    assert_refused(response, message, kept="Bio tapée pendant la panne")
    assert snapshot(app, talent) == before
    assert storage.files() == []
    assert_one_log_line(caplog, broken, EMAIL, LAST_NAME, "Nouveau-Nom", "Bio tapée")


def test_disk_filling_up_between_the_photo_and_the_cv(app, client, talent, storage, caplog):
    """The new photo fits, the CV does not: the new photo goes, the old one stays in use."""
    old = store_photo(io.BytesIO(jpeg((120, 90))), storage.uploads)
    with app.app_context():
        user = db.session.get(User, talent)
        user.profile.photo_name = old.name
        db.session.commit()
        db.session.remove()
    login(client, EMAIL)
    before = snapshot(app, talent)
    kept_files = storage.files()
    storage.fill(keep=512 * 1024)
    caplog.set_level(logging.INFO)

    response = post_form(client, "/profile/edit", profile_data(app), photo=jpeg(), cv=big_pdf())

    assert_refused(response, DISK_FULL, kept="Bio tapée pendant la panne", field="cv")
    assert snapshot(app, talent) == before
    assert before["photo"] == old.name
    assert storage.files() == kept_files  # the old photo and thumbnail, nothing else
    assert_one_log_line(caplog, "disk_full", EMAIL, LAST_NAME)


def test_once_the_disk_has_room_again_the_same_form_saves(app, client, talent, storage):
    login(client, EMAIL)
    storage.fill()
    refused = post_form(client, "/profile/edit", profile_data(app), photo=jpeg())
    assert refused.status_code == 503
    (storage.disk / "filler").unlink()
    saved = post_form(client, "/profile/edit", profile_data(app), photo=jpeg(), cv=small_pdf())
    assert saved.status_code == 302
    after = snapshot(app, talent)
    assert after["bio"] == "Bio tapée pendant la panne"
    assert after["photo"]
    assert after["cv"]
    assert len(storage.files()) == 3  # photo, thumbnail, CV


# --- registration -----------------------------------------------------------------------------


def test_registration_creates_no_account(app, client, storage, broken, caplog):
    before = snapshot(app)
    message = break_storage(storage, broken)
    caplog.set_level(logging.INFO)

    response = post_form(
        client, "/auth/register", registration_data(app), photo=jpeg(), cv=small_pdf()
    )

    page = assert_refused(response, message, kept='value="yasmine@example.ma"')
    assert 'value="Nouvelle-Inscrite"' in page
    assert snapshot(app) == before
    with app.app_context():
        assert db.session.scalars(select(User).where(User.code.like("MAF%"))).all() == []
    assert storage.files() == []
    assert client.get("/profile").status_code == 302  # not signed in
    assert_one_log_line(caplog, broken, "yasmine@example.ma", "Nouvelle-Inscrite")


# --- the admin's pages -----------------------------------------------------------------------


@pytest.fixture
def admin(client, make_user):
    make_user(email="boss@example.org", capabilities=["admin"], code="MAN0009RAB")
    assert login(client, "boss@example.org").status_code == 302
    return client


def test_admin_edit_with_a_cv(app, admin, talent, storage, broken, caplog):
    url = f"/admin/users/{talent}/edit"
    admin.get(url)  # the form's display is audited: take it before the snapshot
    before = snapshot(app, talent)
    message = break_storage(storage, broken)
    caplog.set_level(logging.INFO)
    token = _csrf_from(admin.get(url).get_data(as_text=True))
    before["audit"] += 1  # that display again

    data = profile_data(app, email="changed@example.ma", language="fr")
    response = admin.post(
        url,
        data={**data, "csrf_token": token, "cv": (io.BytesIO(small_pdf()), "cv.pdf")},
        content_type="multipart/form-data",
    )

    assert_refused(response, message, kept='value="changed@example.ma"', field="cv")
    assert snapshot(app, talent) == before  # no field changed, no update recorded
    assert storage.files() == []
    assert_one_log_line(caplog, broken, EMAIL, LAST_NAME, "changed@example.ma")


def test_admin_creation_creates_no_account_and_sends_no_mail(
    app, admin, settings, storage, broken, caplog
):
    before = snapshot(app)
    message = break_storage(storage, broken)
    caplog.set_level(logging.INFO)

    data = profile_data(app, email="recrue@example.ma", language="fr", last_name="Recrue")
    response = post_form(admin, "/admin/users/new", data, photo=jpeg())

    assert_refused(response, message, kept='value="recrue@example.ma"')
    assert snapshot(app) == before
    assert storage.files() == []
    assert list(Path(settings.mail_outbox_dir).iterdir()) == []  # no set-password link
    assert_one_log_line(caplog, broken, "recrue@example.ma", "Recrue")


# --- talento doctor ----------------------------------------------------------------------------


def doctor_says(database_url: str, upload_dir: Path) -> str:
    from talento.ops.doctor import run_doctor

    env = {"DATABASE_URL": database_url, "UPLOAD_DIR": str(upload_dir)}
    [line] = [f.render() for f in run_doctor(env, None) if f.label.startswith("UPLOAD_DIR")]
    return line


def test_doctor_reports_the_upload_folder(database_url, tmp_path):
    writable = tmp_path / "uploads"
    writable.mkdir()
    ok = doctor_says(database_url, writable)
    assert ok == f"✔ UPLOAD_DIR accessible en écriture ({writable})"
    assert doctor_says(database_url, tmp_path / "later").startswith("✔ UPLOAD_DIR absent")
    assert list(tmp_path.iterdir()) == [writable]
    assert list(writable.iterdir()) == []

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    assert doctor_says(database_url, blocker / "uploads").startswith(
        f"✖ UPLOAD_DIR n'est pas un dossier ({blocker})"
    )


def test_doctor_reports_a_full_disk_and_an_unwritable_folder(database_url, storage):
    if not storage.on_tmpfs:
        pytest.skip("needs the right to mount a tmpfs")
    assert doctor_says(database_url, storage.uploads).startswith("⚠ UPLOAD_DIR : peu d'espace")
    storage.fill()
    assert doctor_says(database_url, storage.uploads).startswith(
        f"✖ UPLOAD_DIR : disque plein, photos et CV refusés ({storage.uploads})"
    )
    (storage.disk / "filler").unlink()
    storage.make_unwritable()
    line = doctor_says(database_url, storage.uploads)
    assert line.startswith(f"✖ UPLOAD_DIR non accessible en écriture ({storage.uploads} : ")
    assert "chown" in line
