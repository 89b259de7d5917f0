"""Registration and profile editing called with plain data: no WTForms object, no request.

The services take dataclasses and upload streams, raise ``Refused`` with the field and the
French message the pages show, and leave nothing behind when they refuse (no row, no file,
no change to the stored profile).
"""

from __future__ import annotations

import ast
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from flask import has_request_context
from fpdf import FPDF
from PIL import Image
from sqlalchemy import func, select

from talento.accounts.models import User
from talento.geo.models import City, Country
from talento.profiles.editing import create_talent, save_profile
from talento.profiles.models import TalentProfile
from talento.profiles.services import (
    AccountChanges,
    AccountInput,
    EmailTaken,
    InvalidResidence,
    ProfileFiles,
    ProfileInput,
)
from talento.profiles.uploads import Upload, UploadRejected
from talento.refusals import Refused
from tests.helpers import make_settings

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "Casablanca-Scene-2026"


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def upload_dir(settings) -> Path:
    return Path(settings.upload_dir)


@pytest.fixture
def passwords(app):
    return app.extensions["talento.passwords"]


def _city(session, iso2: str = "MA", code: str = "CAS") -> int:
    country = session.scalars(select(Country).where(Country.iso2 == iso2)).one()
    return session.scalars(
        select(City.id).where(City.country_id == country.id, City.code == code)
    ).one()


def _profile(session, **overrides) -> ProfileInput:
    values = dict(
        first_name="Yasmine",
        last_name="El Amrani",
        gender="F",
        date_of_birth=dt.date(1998, 3, 14),
        nationality_iso2="MA",
        phone="+212612345678",
        country_iso2="MA",
        city_id=_city(session),
        address="12 rue des Orangers, Casablanca",
        skills=["actor", "singer"],
        bio="Comédienne et chanteuse.",
        languages=["ar", "fr"],
        links={"instagram": "https://instagram.com/yasmine"},
        public_links=["instagram"],
    )
    values.update(overrides)
    return ProfileInput(**values)


def _photo() -> Upload:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(out, "PNG")
    out.seek(0)
    return Upload(out, "portrait.png", "image/png")


def _cv() -> Upload:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="CV")
    return Upload(io.BytesIO(bytes(pdf.output())), "cv.pdf", "application/pdf")


def _html_as_photo() -> Upload:
    return Upload(io.BytesIO(b"<html><script>alert(1)</script></html>"), "photo.jpg", "image/jpeg")


def _files(upload_dir: Path) -> list[Path]:
    return sorted(p for p in upload_dir.rglob("*") if p.is_file())


def _users(session) -> int:
    return session.scalar(select(func.count()).select_from(User))


# --- the service modules themselves ------------------------------------------------------

SERVICE_MODULES = ("services.py", "editing.py", "uploads.py", "cv_checks.py")
FORBIDDEN = ("flask", "flask_wtf", "wtforms", "talento.web", "talento.profiles.forms")


@pytest.mark.parametrize("name", SERVICE_MODULES)
def test_service_modules_import_no_form_no_request_no_app(name):
    tree = ast.parse((ROOT / "talento" / "profiles" / name).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    bad = {m for m in imported if any(m == f or m.startswith(f + ".") for f in FORBIDDEN)}
    assert not bad, f"{name} imports {bad}"
    # nor the registration views (the old editing <-> registration cycle)
    assert "talento.profiles.registration_views" not in imported


# --- registration ------------------------------------------------------------------------


def test_a_talent_registers_from_plain_data_with_files(session, passwords, upload_dir):
    assert not has_request_context()
    user = create_talent(
        session,
        passwords,
        AccountInput(email="yasmine@example.ma", password=PASSWORD, consent=True, language="en"),
        _profile(session),
        ProfileFiles(photo=_photo(), cv=_cv()),
        upload_dir,
    )
    user_id = user.id
    session.commit()  # the caller's unit of work commits
    session.remove()
    stored = session.scalars(select(User).where(User.email == "yasmine@example.ma")).one()
    assert stored.id == user_id
    assert stored.code == "MAF0002CAS"
    assert stored.language == "en"
    assert stored.phone == "+212612345678"
    assert passwords.verify(stored.password_hash, PASSWORD).ok
    profile = stored.profile
    assert profile.consent_at is not None
    assert json.loads(profile.links) == {"instagram": "https://instagram.com/yasmine"}
    assert sorted(s.slug for s in profile.skills) == ["actor", "singer"]
    assert (upload_dir / "photos" / profile.photo_name).is_file()
    assert (upload_dir / "photos" / "thumbs" / profile.photo_name).is_file()
    assert (upload_dir / "cv" / profile.cv_name).is_file()
    assert profile.cv_name.endswith(".pdf")


def test_an_admin_creates_an_account_without_password_nor_consent(session, passwords, upload_dir):
    user = create_talent(
        session,
        passwords,
        AccountInput(email="awa@example.sn"),
        _profile(session, country_iso2="SN", city_id=_city(session, "SN", "DAK")),
        ProfileFiles(),
        upload_dir,
    )
    assert user.code == "SNF0001DAK"
    assert user.password_hash == ""
    assert user.profile.consent_at is None


def test_a_taken_email_is_refused_and_nothing_is_kept(session, passwords, upload_dir, make_user):
    make_user(email="Yasmine@Example.ma")
    before = _users(session)
    with pytest.raises(EmailTaken) as caught:
        create_talent(
            session,
            passwords,
            AccountInput(email="yasmine@example.ma", password=PASSWORD, consent=True),
            _profile(session),
            ProfileFiles(photo=_photo(), cv=_cv()),  # saved before the e-mail is checked
            upload_dir,
        )
    refusal = caught.value
    assert isinstance(refusal, Refused)
    assert refusal.field == "email"
    assert refusal.status == 400
    assert refusal.message == (
        "Un compte existe déjà avec cette adresse e-mail. Connectez-vous ou réinitialisez "
        "votre mot de passe."
    )
    assert _users(session) == before
    assert _files(upload_dir) == []


def test_a_taken_email_for_an_admin_says_only_that(session, passwords, upload_dir, make_user):
    make_user(email="awa@example.sn")
    with pytest.raises(Refused) as caught:
        create_talent(
            session, passwords, AccountInput(email="AWA@example.sn"), _profile(session),
            ProfileFiles(), upload_dir,
        )  # fmt: skip
    assert (caught.value.field, caught.value.message) == (
        "email",
        "Un compte existe déjà avec cette adresse e-mail.",
    )


def test_a_city_of_another_country_is_refused_and_nothing_is_kept(session, passwords, upload_dir):
    dakar = _city(session, "SN", "DAK")
    with pytest.raises(InvalidResidence) as caught:
        create_talent(
            session,
            passwords,
            AccountInput(email="yasmine@example.ma", password=PASSWORD, consent=True),
            _profile(session, city_id=dakar),
            ProfileFiles(photo=_photo()),
            upload_dir,
        )
    assert caught.value.field == "city"
    assert caught.value.status == 400
    assert caught.value.message == "Choisissez votre ville dans la liste."
    assert _users(session) == 0
    assert _files(upload_dir) == []


def test_an_html_file_as_photo_is_refused_and_nothing_is_kept(session, passwords, upload_dir):
    with pytest.raises(UploadRejected) as caught:
        create_talent(
            session,
            passwords,
            AccountInput(email="yasmine@example.ma", password=PASSWORD, consent=True),
            _profile(session),
            ProfileFiles(photo=_html_as_photo(), cv=_cv()),
            upload_dir,
        )
    refusal = caught.value
    assert isinstance(refusal, Refused)
    assert (refusal.field, refusal.status, refusal.reason) == ("photo", 400, "not_image")
    assert "JPEG, PNG ou WebP" in refusal.message
    assert _users(session) == 0
    assert _files(upload_dir) == []


def test_registering_oneself_needs_consent(session, passwords, upload_dir):
    with pytest.raises(Refused) as caught:
        create_talent(
            session,
            passwords,
            AccountInput(email="yasmine@example.ma", password=PASSWORD, consent=False),
            _profile(session),
            ProfileFiles(photo=_photo()),
            upload_dir,
        )
    assert caught.value.field == "consent"
    assert caught.value.message == "Votre consentement est nécessaire pour créer un profil."
    assert _users(session) == 0
    assert _files(upload_dir) == []


def test_a_folder_the_server_cannot_write_gives_a_503_refusal(session, passwords, tmp_path):
    blocked = tmp_path / "uploads"
    blocked.write_text("a file where the upload folder should be")
    with pytest.raises(UploadRejected) as caught:
        create_talent(
            session,
            passwords,
            AccountInput(email="yasmine@example.ma", password=PASSWORD, consent=True),
            _profile(session),
            ProfileFiles(photo=_photo()),
            blocked,
        )
    assert (caught.value.field, caught.value.status, caught.value.reason) == (
        "photo",
        503,
        "storage",
    )
    assert caught.value.message.startswith("Impossible d'enregistrer le fichier pour le moment")
    assert _users(session) == 0


# --- profile editing ---------------------------------------------------------------------


def _stored_profile(session, user_id: int) -> TalentProfile:
    session.commit()  # the caller's unit of work commits; the old files go then
    session.remove()
    return session.get(User, user_id).profile


def test_a_profile_is_edited_from_plain_data_and_the_old_photo_goes(
    session, make_talent, upload_dir
):
    from talento.profiles.uploads import store_photo

    old = store_photo(_photo().stream, upload_dir).name
    user_id = make_talent(bio="Avant.", photo_name=old)
    user = session.get(User, user_id)
    save_profile(
        session,
        user,
        user.profile,
        _profile(session, bio="Après.", skills=["dj"], years_experience=7),
        ProfileFiles(photo=_photo(), cv=_cv()),
        upload_dir,
    )
    profile = _stored_profile(session, user_id)
    assert profile.bio == "Après."
    assert profile.years_experience == 7
    assert [s.slug for s in profile.skills] == ["dj"]
    assert profile.photo_name != old
    assert profile.cv_name
    assert {p.name for p in _files(upload_dir)} == {profile.photo_name, profile.cv_name}


def test_removing_files_without_sending_new_ones(session, make_talent, upload_dir):
    from talento.profiles.uploads import store_cv

    cv = store_cv(_cv().stream, upload_dir).name
    user_id = make_talent(cv_name=cv)
    user = session.get(User, user_id)
    save_profile(
        session, user, user.profile, _profile(session), ProfileFiles(remove_cv=True), upload_dir
    )
    assert _stored_profile(session, user_id).cv_name is None
    assert _files(upload_dir) == []


def test_an_account_without_profile_gets_one(session, make_user, upload_dir):
    user_id = make_user()
    user = session.get(User, user_id)
    save_profile(session, user, TalentProfile(), _profile(session), ProfileFiles(), upload_dir)
    assert _stored_profile(session, user_id).bio == "Comédienne et chanteuse."


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (
            {"data": {"city_id": "dakar"}},
            "city",
            "Choisissez votre ville dans la liste.",
        ),
        (
            {"files": lambda: ProfileFiles(cv=Upload(io.BytesIO(b"just text"), "cv.pdf"))},
            "cv",
            "Le CV doit être un fichier PDF ou Word (.docx).",
        ),
        (
            {"account": AccountChanges(email="taken@example.org", language="en")},
            "email",
            "Un compte existe déjà avec cette adresse e-mail.",
        ),
    ],
    ids=["residence", "cv", "email"],
)
def test_a_refused_edit_writes_nothing(
    session, make_user, make_talent, upload_dir, change, field, message
):
    from talento.profiles.uploads import store_photo

    make_user(email="Taken@example.org")
    photo = store_photo(_photo().stream, upload_dir).name
    user_id = make_talent(bio="Avant.", photo_name=photo, email="amina@example.ma")
    overrides = dict(change.get("data", {}))
    if overrides.get("city_id") == "dakar":
        overrides["city_id"] = _city(session, "SN", "DAK")
    user = session.get(User, user_id)
    with pytest.raises(Refused) as caught:
        save_profile(
            session,
            user,
            user.profile,
            _profile(session, bio="Après.", **overrides),
            change.get("files", lambda: ProfileFiles(photo=_photo()))(),
            upload_dir,
            account=change.get("account"),
        )
    assert (caught.value.field, caught.value.message, caught.value.status) == (
        field,
        message,
        400,
    )
    profile = _stored_profile(session, user_id)
    assert profile.bio == "Avant."
    assert profile.photo_name == photo
    assert profile.user.email == "amina@example.ma"
    assert profile.user.language == "fr"
    assert [p.name for p in _files(upload_dir)] == [photo, photo]  # the photo and its thumb


def test_an_admin_changes_the_email_and_language(session, make_talent, upload_dir):
    user_id = make_talent(email="amina@example.ma")
    user = session.get(User, user_id)
    save_profile(
        session,
        user,
        user.profile,
        _profile(session),
        ProfileFiles(),
        upload_dir,
        account=AccountChanges(email="amina.new@example.ma", language="en"),
    )
    session.commit()
    session.remove()
    stored = session.get(User, user_id)
    assert (stored.email, stored.language) == ("amina.new@example.ma", "en")
