"""A role's shortlist in a real browser: faces ticked in the casting search opened from the
role, added in one click, reordered by drag and drop (the JavaScript enhancement), and shared
through a review link that a second browser without an account opens on a phone to give its
verdicts, which staff then read on the shortlist. Screenshots at 390 and 1280 px."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.browser.support import assert_no_horizontal_overflow
from tests.helpers import USER_PASSWORD
from tests.projects.conftest import crowd, production, settings  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.committed]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
#: Tall enough for the three faces at once: a drag and drop does not scroll the page.
DESKTOP = {"viewport": {"width": 1280, "height": 1400}}


def _log_in(page, email: str) -> None:
    page.goto("/auth/login")
    page.get_by_label("E-mail ou code unique").fill(email)
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def _order(app, role_id: int) -> list[int]:
    from talento.extensions import db
    from talento.projects.models import ShortlistEntry

    with app.app_context():
        ids = list(
            db.session.scalars(
                select(ShortlistEntry.talent_id)
                .where(ShortlistEntry.role_id == role_id)
                .order_by(ShortlistEntry.position, ShortlistEntry.id)
            )
        )
        db.session.remove()
    return ids


def test_shortlist_from_the_search_drag_to_reorder_and_share_for_review(
    app,
    make_user,
    production,  # noqa: F811
    crowd,  # noqa: F811
    open_page,
    screenshot,
):
    from playwright.sync_api import expect

    ids = crowd(4, photos=1)
    make_user(email="casting@example.org", capabilities=["casting"], first_name="Salma")
    role_id = production["role_id"]
    watched = open_page(**DESKTOP)
    page = watched.page
    _log_in(page, "casting@example.org")

    page.goto(f"/cinema/talents?role={role_id}&sort=newest")
    expect(page.locator("#search-target")).to_contain_text("Nomades")
    for talent_id in ids[:3]:
        page.locator(f'input[name="talent"][value="{talent_id}"]').check()
    page.get_by_role("button", name="Ajouter à la shortlist de Nomades").click()
    expect(page.get_by_text("3 talents ajoutés à la shortlist « Nomades ».")).to_be_visible()
    expect(page.get_by_text("Dans la shortlist")).to_have_count(3)
    first, second, third = ids[2], ids[1], ids[0]  # newest first, as the search listed them
    assert _order(app, role_id) == [first, second, third]

    page.goto(f"/projects/roles/{role_id}/shortlist")
    expect(page.locator(".sl-face")).to_have_count(3)
    items = page.locator("li[data-entry]")
    with page.expect_navigation():
        # Held by its name, as a person would (the middle of a face is its buttons).
        items.nth(2).drag_to(
            items.nth(0), source_position={"x": 200, "y": 12}, target_position={"x": 20, "y": 5}
        )
    expect(page.get_by_text("Nouvel ordre enregistré.")).to_be_visible()
    assert _order(app, role_id) == [third, first, second]
    screenshot(page, "shortlist-1280", full_page=True)

    page.get_by_label("Pour qui (visible par l'équipe seulement)").fill("Réalisatrice")
    page.get_by_role("button", name="Créer le lien").click()
    url = page.locator('input[id^="link-url-"]').first.input_value()
    path = re.sub(r"^https?://[^/]+", "", url)

    client = open_page(**PHONE)
    phone = client.page
    phone.goto(path)
    expect(phone.locator(".rv-face")).to_have_count(3)
    assert_no_horizontal_overflow(phone)
    screenshot(phone, "review-390", full_page=True)
    face = phone.locator(".rv-face").first
    face.get_by_label("Intéressé", exact=True).check()
    face.get_by_label("Commentaire (facultatif)").fill("Le regard qu'il faut")
    with phone.expect_navigation():
        face.get_by_role("button", name="Enregistrer").click()
    expect(phone.get_by_text("Avis enregistré. Merci !")).to_be_visible()

    page.reload()
    expect(page.locator(".sl-verdict").first).to_contain_text("Intéressé")
    expect(page.locator(".sl-verdict").first).to_contain_text("Le regard qu'il faut")
    small = open_page(**PHONE).page
    _log_in(small, "casting@example.org")
    small.goto(f"/projects/roles/{role_id}/shortlist")
    assert_no_horizontal_overflow(small)
    screenshot(small, "shortlist-390", full_page=True)
    watched.assert_clean()
    client.assert_clean()
