"""Codes are allocated from a per-country counter inside the registering transaction."""

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from talento.extensions import db
from talento.geo.models import City, Country
from talento.profiles.services import ProfileInput, register_talent

# Registrations race in threads, each on its own connection: committed rows.
pytestmark = pytest.mark.committed


def _input(session, iso2: str, gender: str = "F") -> ProfileInput:
    country = session.scalars(select(Country).where(Country.iso2 == iso2)).one()
    city = session.scalars(
        select(City).where(City.country_id == country.id).order_by(City.population.desc())
    ).first()
    return ProfileInput(
        first_name="Awa",
        last_name="Diop",
        gender=gender,
        date_of_birth=dt.date(1995, 5, 17),
        nationality_iso2=iso2,
        phone="+221771234567",
        country_iso2=iso2,
        city_id=city.id,
        skills=["actor"],
        languages=["fr", "wo"],
    )


def _register(app, n: int, iso2: str) -> str:
    with app.app_context():
        user = register_talent(
            db.session,
            app.extensions["talento.passwords"],
            f"concurrent{n}@example.org",
            "Un-mot-de-passe-solide-42",
            _input(db.session, iso2),
        )
        db.session.commit()
        code = user.code
        db.session.remove()
        return code


@pytest.mark.both_backends
def test_fifty_concurrent_registrations_get_fifty_consecutive_codes(app):
    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(lambda n: _register(app, n, "SN"), range(50)))
    assert len(set(codes)) == 50
    sequences = sorted(int(code[3:7]) for code in codes)
    assert sequences == list(range(1, 51))
    assert all(code.startswith("SNF") and len(code) == 10 for code in codes)


def test_morocco_starts_after_the_admin_code(app):
    code = _register(app, 1, "MA")
    assert code[:7] == "MAF0002"
    assert code != "MAN0001RAB"
