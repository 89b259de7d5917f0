"""Fixtures of the CINEMA tests: upload folder, casting profiles and signed-in clients."""

from __future__ import annotations

import pytest

from tests.helpers import _csrf_from, login, make_settings


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def make_casting(app, make_talent):
    """A talent with a casting profile (keyword arguments go to the casting profile, ``email``
    and ``capabilities`` to the account); returns the user id."""
    from talento.casting.models import CastingProfile
    from talento.extensions import db

    def factory(email: str = "casting-owner@example.org", **fields) -> int:
        account = {k: fields.pop(k) for k in ("capabilities", "date_of_birth") if k in fields}
        user_id = make_talent(email=email, **account)
        fields.setdefault("registration_step", "photos")
        with app.app_context():
            db.session.add(CastingProfile(user_id=user_id, **fields))
            db.session.commit()
            db.session.remove()
        return user_id

    return factory


def signed_in(app, email: str):
    client = app.test_client()
    assert login(client, email).status_code == 302, f"cannot sign in as {email}"
    return client


def token_of(client, page: str = "/cinema/me/media") -> str:
    response = client.get(page)
    assert response.status_code == 200, response.status_code
    return _csrf_from(response.get_data(as_text=True))
