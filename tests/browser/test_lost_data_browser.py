"""After a lost key was adopted (`talento keys adopt`), a talent logs in with a real browser,
is held on the re-entry page until the lost fields are typed again, then reaches the profile;
an admin sees who is concerned. Screenshots at 1280 and 390 px in test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from talento.extensions import db
from talento.keys.adoption import adopt
from talento.keys.canary import verify_keys_or_raise
from talento.web import build_app
from tests.browser.support import assert_no_horizontal_overflow, serving
from tests.helpers import USER_PASSWORD, make_settings, new_key

# A live server thread serves the app: its rows must be committed.
pytestmark = [pytest.mark.browser, pytest.mark.committed]

TALENT = {"email": "salma@example.org", "code": "MAF0201CAS", "first_name": "Salma"}
ADMIN = {"capabilities": ["admin"], "email": "chef@example.org", "code": "MAN0042RAB"}


@pytest.fixture
def adopted_app(app, database_url, make_talent, make_user):
    """The talent's contact data was written under a key that is now lost; the operator ran
    `talento keys adopt --accept-data-loss` with the new key. Returns the app on the new key."""
    make_talent(
        phone="+212612345678",
        address="3 rue de Fès",
        links={"website": "https://salma.ma"},
        **TALENT,
    )
    make_user(**ADMIN)
    with app.app_context():
        verify_keys_or_raise(db.session, app.extensions["talento.keyring"])
        db.session.remove()
    adopted = build_app(make_settings(database_url, encryption_key=new_key()))
    with adopted.app_context():
        report = adopt(db.session, adopted.extensions["talento.keyring"])
        db.session.remove()
    assert report.flagged_users == 1
    yield adopted
    with adopted.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def live_server(adopted_app) -> Iterator[str]:
    """The app with the adopted key (overrides conftest's live_server)."""
    with serving(adopted_app) as url:
        yield url


def _log_in(page, identifier: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("E-mail ou code unique").fill(identifier)
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


@pytest.mark.parametrize("width", [1280, 390])
def test_talent_re_enters_lost_data_before_continuing(open_page, screenshot, width):
    from playwright.sync_api import expect

    watched = open_page(viewport={"width": width, "height": 900})
    page = watched.page
    _log_in(page, TALENT["email"])
    expect(page).to_have_url(re.compile(r"/profile/lost-data$"))
    expect(page.get_by_role("heading", name="Informations à ressaisir")).to_be_visible()
    expect(page.get_by_text("Téléphone, Adresse, Liens")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, f"form-{width}", full_page=True)

    # Nothing else is reachable until the form is saved.
    page.goto("/profile/edit")
    expect(page).to_have_url(re.compile(r"/profile/lost-data$"))

    page.get_by_label("Téléphone").fill("06 1")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page.get_by_text("Numéro invalide pour le pays choisi")).to_be_visible()
    screenshot(page, f"error-{width}", full_page=True)

    page.get_by_label("Téléphone").fill("06 12 34 56 99")
    page.get_by_label("Adresse").fill("12 avenue Mohammed V")
    page.get_by_label("Site web").fill("https://salma-nouveau.ma")
    page.get_by_role("button", name="Enregistrer et continuer").click()
    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.get_by_text("Merci, vos informations sont à jour.")).to_be_visible()
    expect(
        page.get_by_text("+212 6 12 34 56 99").or_(page.get_by_text("+212612345699"))
    ).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, f"profile-{width}", full_page=True)
    watched.assert_clean(expected_statuses=((400, "/profile/lost-data"),))


def test_admin_sees_who_must_re_enter(open_page, screenshot):
    from playwright.sync_api import expect

    watched = open_page(viewport={"width": 390, "height": 900})
    page = watched.page
    _log_in(page, ADMIN["email"])
    expect(page).to_have_url(re.compile(r"/admin$"))
    page.get_by_role("link", name="Voir la liste et les prévenir").click()
    expect(page.get_by_role("heading", name="Données à ressaisir", level=1)).to_be_visible()
    expect(page.get_by_role("cell", name=TALENT["code"])).to_be_visible()
    expect(page.get_by_role("button", name="Envoyer l'e-mail à 1 personne")).to_be_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "admin-list", full_page=True)
    watched.assert_clean()
