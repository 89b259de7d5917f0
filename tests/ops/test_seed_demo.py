"""`talento seed-demo`, run as an operator runs it (a subprocess on PostgreSQL): complete,
listed demo talents with photos, consecutive codes, refused in production without --force."""

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from talento.accounts.models import User
from talento.extensions import db
from talento.profiles.demo import DEMO_DOMAIN
from talento.profiles.models import TalentLanguage, TalentProfile, talent_skills
from tests.helpers import TALENTO, make_settings, new_key, run_cli

# A subprocess writes the rows the test then reads: committed.
pytestmark = pytest.mark.committed

KEY = new_key()


@pytest.fixture
def upload_dir(tmp_path) -> Path:
    return tmp_path / "uploads"


@pytest.fixture
def settings(database_url, upload_dir):
    return make_settings(database_url, encryption_key=KEY, upload_dir=str(upload_dir))


def _seed(settings, *args, flask_env="development", **env):
    values = {
        "SECRET_KEY": "k" * 40,
        "ENCRYPTION_KEY": KEY,
        "ADMIN_PASSWORD": "Operator-chosen-pass-42",
        "DATABASE_URL": settings.database_url,
        "UPLOAD_DIR": settings.upload_dir,
        "FLASK_ENV": flask_env,
        **env,
    }
    return run_cli([TALENTO, "seed-demo", *args], values)


def _demo_count() -> int:
    return db.session.scalar(select(func.count()).where(User.email.like(f"%@{DEMO_DOMAIN}")))


def test_seed_demo_creates_listed_complete_profiles_with_photos(app, client, settings):
    result = _seed(settings, "--users", "300", "--seed", "12")
    assert result.returncode == 0, result.stderr
    assert "300 profil(s) de démonstration créé(s)" in result.stdout
    rate = re.search(r"\((\d+) profils/s\)", result.stdout)
    assert rate is not None
    print(f"\nseed-demo: {rate.group(1)} profiles/s for 300 ({result.stdout.strip()})")

    with app.app_context():
        users = db.session.scalars(select(User).where(User.email.like(f"%@{DEMO_DOMAIN}"))).all()
        assert len(users) == 300
        codes = [u.code for u in users]
        assert len(set(codes)) == 300
        assert all(re.fullmatch(r"MA[FM][0-9]{4}[A-Z]{3}", c) for c in codes)
        sequences = sorted(int(c[3:7]) for c in codes)
        assert sequences == list(range(sequences[0], sequences[0] + 300))  # consecutive
        assert all(u.password_hash.startswith("!demo:") for u in users)  # no usable password
        assert all(u.email_verified_at is not None for u in users)  # listed: verified
        assert {u.gender for u in users} == {"F", "M"}
        assert len({u.city_id for u in users}) > 3
        ages = [(u.created_at.date() - u.date_of_birth).days / 365.25 for u in users]
        assert min(ages) >= 18
        assert max(ages) < 61
        sample = users[0]
        assert sample.phone.startswith("+2126")  # encrypted column, decrypted
        assert sample.phone_index == app.extensions["talento.keyring"].blind_index(sample.phone)
        assert sample.profile.bio
        assert sample.profile.consent_at is not None
        assert sample.profile.skills
        assert sample.profile.languages
        for table in (TalentProfile.__table__, talent_skills):
            assert db.session.scalar(select(func.count()).select_from(table)) >= 300
        assert db.session.scalar(select(func.count(func.distinct(TalentLanguage.user_id)))) == 300
        photos = [u.profile.photo_name for u in users]
        assert None not in photos
        assert len(set(photos)) == 300
        named = {u.full_name for u in users}
        db.session.remove()

    page = client.get("/talents")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert any(name in html for name in named)
    thumbs = re.findall(r"/media/photos/thumbs/[A-Za-z0-9_-]{22}\.jpg", html)
    assert thumbs
    photo = client.get(thumbs[0])
    assert photo.status_code == 200
    assert photo.mimetype == "image/jpeg"
    assert photo.get_data()[:3] == b"\xff\xd8\xff"
    full = client.get(photos[-1].join(("/media/photos/", "")))
    assert full.status_code == 200

    removed = _seed(settings, "--remove")
    assert removed.returncode == 0, removed.stderr
    assert "300 profil(s) de démonstration supprimé(s)" in removed.stdout
    with app.app_context():
        assert _demo_count() == 0
        db.session.remove()
    assert not list((Path(settings.upload_dir) / "photos").glob("*.jpg"))
    assert not list((Path(settings.upload_dir) / "photos" / "thumbs").glob("*.jpg"))


def test_refused_in_production_unless_forced(app, settings):
    production = {"BASE_URL": "https://talento.example.org"}
    refused = _seed(settings, "--users", "5", flask_env="production", **production)
    assert refused.returncode != 0
    assert "FLASK_ENV=production" in refused.stderr
    assert "--force" in refused.stderr
    with app.app_context():
        assert _demo_count() == 0
        db.session.remove()

    forced = _seed(settings, "--users", "5", "--force", flask_env="production", **production)
    assert forced.returncode == 0, forced.stderr
    with app.app_context():
        assert _demo_count() == 5
        db.session.remove()


def test_unknown_country_is_refused(app, settings):
    result = _seed(settings, "--users", "3", "--country", "ZZ")
    assert result.returncode == 1
    assert "Pays inconnu" in result.stderr


@pytest.mark.sqlite_only
def test_seed_and_remove_on_sqlite(app, settings):
    """The same service without COPY (SQLite: a developer's quick database)."""
    from talento.profiles.demo import remove_demo, seed_demo

    with app.app_context():
        report = seed_demo(db.session, settings.upload_dir, 30, "MA", seed=3)
        db.session.commit()
        assert report.created == 30
        assert _demo_count() == 30
        user = db.session.scalars(select(User).where(User.code == report.last_code)).one()
        assert user.phone.startswith("+2126")
        assert user.profile.skills
        assert user.profile.languages
        assert remove_demo(db.session, settings.upload_dir) == 30
        db.session.commit()
        assert _demo_count() == 0
        assert db.session.scalar(select(func.count()).select_from(TalentProfile)) == 0
        db.session.remove()
    assert not list((Path(settings.upload_dir) / "photos").glob("*.jpg"))


def test_seed_demo_cinema_gives_casting_profiles_and_remove_takes_them(app, settings):
    from talento.casting.models import CastingProfile

    result = _seed(settings, "--users", "60", "--cinema", "40", "--seed", "4")
    assert result.returncode == 0, result.stderr
    assert "40 profil(s) CINEMA de démonstration créé(s)" in result.stdout
    again = _seed(settings, "--cinema", "100")  # only the 20 demo talents without one
    assert "20 profil(s) CINEMA de démonstration créé(s)" in again.stdout, again.stdout
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CastingProfile)) == 60
        db.session.remove()
    removed = _seed(settings, "--remove")
    assert removed.returncode == 0, removed.stderr
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CastingProfile)) == 0
        db.session.remove()
