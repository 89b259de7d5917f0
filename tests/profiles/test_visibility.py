"""« Ma visibilité »: public (directory + public page), link only (public page by code or QR, not
in the directory, not indexed), hidden (neither: 404 like an unknown code, QR codes and photo
included, except for the talent and admins, who see why); and the contact switch."""

from __future__ import annotations

import html as html_module
import io
import re
from pathlib import Path

import pytest
from PIL import Image

from talento.accounts.models import User
from talento.extensions import db
from talento.profiles.search.directory import DirectoryFilters, ListedPlaces, search_directory
from talento.profiles.uploads import store_photo
from tests.helpers import ADMIN_PASSWORD, _csrf_from, login, make_settings

CODE = "MAF0001CAS"


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def talent(app, make_talent) -> tuple[int, str]:
    """A verified talent with a real stored photo: (user id, photo name)."""
    image = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 160)).save(image, "PNG")
    upload_dir = Path(app.extensions["talento.settings"].upload_dir)
    photo = store_photo(io.BytesIO(image.getvalue()), upload_dir).name
    user_id = make_talent(code=CODE, email="seen@example.org", photo_name=photo)
    return user_id, photo


def _profile(app, user_id: int):
    with app.app_context():
        profile = db.session.get(User, user_id).profile
        found = (profile.visibility, profile.contact_enabled)
        db.session.remove()
    return found


def _set(app, user_id: int, visibility: str) -> None:
    with app.app_context():
        db.session.get(User, user_id).profile.visibility = visibility
        db.session.commit()
        db.session.remove()


def _choose(client, visibility: str, contact: bool = True):
    token = _csrf_from(client.get("/profile/visibility").get_data(as_text=True))
    data = {"visibility": visibility, "csrf_token": token}
    if contact:
        data["contact_enabled"] = "y"
    return client.post("/profile/visibility", data=data)


def _listed(app) -> tuple[set[str], int]:
    with app.app_context():
        page = search_directory(db.session, DirectoryFilters(), "fr")
        total = ListedPlaces(ttl=0).total(db.session)
        db.session.remove()
    return {card.code for card in page.items}, total


def _input(html: str, name: str, value: str | None = None) -> str:
    """The <input> tag of that name (and value)."""
    for tag in re.findall(r"<input[^>]*>", html):
        if f'name="{name}"' in tag and (value is None or f'value="{value}"' in tag):
            return tag
    raise AssertionError(f"no input {name}={value}")


def _public_paths(photo: str) -> list[str]:
    return [f"/p/{CODE}", f"/p/{CODE}/qr.svg", f"/p/{CODE}/qr.png", f"/media/photos/{photo}"]


def test_the_page_explains_the_three_choices_and_the_contact_switch(app, client, talent):
    assert login(client, "seen@example.org").status_code == 302
    me = client.get("/profile").get_data(as_text=True)
    assert 'href="/profile/visibility"' in me
    assert 'id="visibility-now">(Public)' in me
    html = client.get("/profile/visibility").get_data(as_text=True)
    for label in ("Public", "Lien seulement", "Masqué"):
        assert f"<strong>{label}</strong>" in html
    assert "n'apparaît pas dans l'annuaire" in html_module.unescape(html)
    assert "Recevoir des messages de recruteurs via Talento" in html
    assert "checked" in _input(html, "visibility", "public")
    assert "checked" not in _input(html, "visibility", "hidden")
    assert "checked" in _input(html, "contact_enabled")

    saved = _choose(client, "link", contact=False)
    assert saved.status_code == 302
    assert _profile(app, talent[0]) == ("link", False)
    page = client.get("/profile/visibility").get_data(as_text=True)
    assert "Vos choix de visibilité sont enregistrés." in page
    assert _choose(client, "public", contact=True).status_code == 302
    assert _profile(app, talent[0]) == ("public", True)


def test_an_unknown_choice_is_refused(app, client, talent):
    assert login(client, "seen@example.org").status_code == 302
    refused = _choose(client, "everyone")
    assert refused.status_code == 400
    assert _profile(app, talent[0]) == ("public", True)


def test_public_is_listed_and_indexable(app, client, talent):
    codes, total = _listed(app)
    assert CODE in codes
    assert total == 1
    page = client.get(f"/p/{CODE}").get_data(as_text=True)
    assert 'name="robots"' not in page
    for path in _public_paths(talent[1]):
        assert client.get(path).status_code == 200, path


def test_link_only_is_seen_by_code_but_not_listed(app, client, talent):
    _set(app, talent[0], "link")
    codes, total = _listed(app)
    assert CODE not in codes
    assert total == 0
    for path in _public_paths(talent[1]):
        assert client.get(path).status_code == 200, path
    page = client.get(f"/p/{CODE}").get_data(as_text=True)
    assert '<meta name="robots" content="noindex">' in page
    assert 'id="public-withheld"' not in page
    # A search by the exact code does not find it in the directory either.
    with app.app_context():
        found = search_directory(db.session, DirectoryFilters(q=CODE), "fr")
        db.session.remove()
    assert found.total == 0


def test_hidden_is_404_for_everyone_but_the_talent_and_admins(
    app, client, talent, make_talent, make_user
):
    _set(app, talent[0], "hidden")
    assert CODE not in _listed(app)[0]
    for path in _public_paths(talent[1]):
        assert client.get(path).status_code == 404, path
    unknown = client.get("/p/MAF9999CAS").get_data(as_text=True).replace("MAF9999CAS", CODE)
    assert client.get(f"/p/{CODE}").get_data(as_text=True) == unknown  # nothing to tell apart

    make_talent(email="other@example.org", code="MAF0002CAS")
    other = app.test_client()
    assert login(other, "other@example.org").status_code == 302
    for path in _public_paths(talent[1]):
        assert other.get(path).status_code == 404, path

    owner = app.test_client()
    assert login(owner, "seen@example.org").status_code == 302
    for path in _public_paths(talent[1]):
        assert owner.get(path).status_code == 200, path
    page = owner.get(f"/p/{CODE}").get_data(as_text=True)
    assert 'data-reason="hidden"' in page
    assert "« Masqué »" in page
    assert '<meta name="robots" content="noindex">' in page

    make_user(
        email="boss@example.org", code="MAA0001RAB", capabilities=["admin"], password=ADMIN_PASSWORD
    )
    admin = app.test_client()
    assert login(admin, "boss@example.org", ADMIN_PASSWORD).status_code == 302
    page = admin.get(f"/p/{CODE}")
    assert page.status_code == 200
    assert 'data-reason="hidden"' in page.get_data(as_text=True)
    detail = admin.get(f"/admin/users/{talent[0]}").get_data(as_text=True)
    assert 'id="profile-visibility">Masqué<' in detail


def test_accounts_without_a_talent_profile_are_sent_to_their_space(app, client, make_user):
    make_user(email="staff@example.org", code="MAP0001CAS", capabilities=["presence"])
    assert login(client, "staff@example.org").status_code == 302
    response = client.get("/profile/visibility")
    assert response.status_code == 302
    assert response.location.endswith("/profile")
