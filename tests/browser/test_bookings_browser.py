"""Availability check and booking in a real browser (issue 14, points 6 and 10), phone first:
casting staff send the check (the wa.me button is there), the talent answers « certains
jours » from the e-mailed link without an account, staff book, the talent confirms from
« Mes engagements ». No JavaScript needed; no horizontal scrolling at 390 px; nothing leaves
127.0.0.1 (the wa.me link is checked, not followed).

Screenshots (test-artifacts/screenshots/): the compose and sent pages, the answer page and
« Mes engagements » at 390 px, the answer page and the booking page at 1280 px.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.browser.support import assert_no_horizontal_overflow
from tests.helpers import USER_PASSWORD
from tests.mail.smtp import text_and_html
from tests.projects.booking_fixtures import (  # noqa: F401  (fixtures)
    CASTING_EMAIL,
    casting_id_fixture,
    make_cast_fixture,
    production_fixture,
    settings_fixture,
    shortlist,
)

pytestmark = [pytest.mark.browser, pytest.mark.committed]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}
TALENT = "youssef.browser@example.org"


def _log_in(page, email: str) -> None:
    from playwright.sync_api import expect

    page.goto("/auth/login")
    page.get_by_label("E-mail ou code unique").fill(email)
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))


def _link(inbox, count: int, pattern: str) -> str:
    for message in reversed(inbox.wait_for(count)):
        found = re.findall(pattern, text_and_html(message)[0])
        if found:
            return urlsplit(found[0]).path
    raise AssertionError(f"no link {pattern} in the mails")


def test_check_answer_book_confirm_on_a_phone(
    app, open_page, screenshot, inbox, production, make_cast, casting_id
):
    from playwright.sync_api import expect

    talent = make_cast(TALENT, first_name="Youssef", whatsapp="+212612345678")
    (entry,) = shortlist(app, production.role_id, talent)
    second_day = production.days[1].isoformat()

    staff = open_page(**PHONE)
    page = staff.page
    _log_in(page, CASTING_EMAIL)
    page.goto(f"/projects/roles/{production.role_id}/availability?entry={entry}")
    expect(page.locator(f"#person-{entry}")).to_contain_text("WhatsApp : oui")
    assert_no_horizontal_overflow(page)
    screenshot(page, "compose-390", full_page=True)
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.locator(".flash-success")).to_contain_text("envoyée à 1 personne")
    whatsapp = page.get_by_role("link", name=re.compile("Envoyer sur WhatsApp"))
    assert whatsapp.get_attribute("href").startswith("https://wa.me/212612345678?text=Bonjour")
    assert_no_horizontal_overflow(page)
    screenshot(page, "sent-390", full_page=True)

    answer_path = _link(inbox, 1, r"http://localhost/availability/\S+")
    talent_phone = open_page(**PHONE)
    answer = talent_phone.page
    answer.goto(answer_path)
    expect(answer.get_by_role("heading", name="Êtes-vous disponible ?")).to_be_visible()
    assert_no_horizontal_overflow(answer)
    answer.get_by_label("Disponible certains jours").check()
    answer.locator(f"input[name=days][value='{second_day}']").check()
    answer.get_by_label("Un commentaire pour l'équipe casting (facultatif)").fill("Le matin")
    screenshot(answer, "answer-390", full_page=True)
    answer.get_by_role("button", name="Envoyer ma réponse").click()
    expect(answer.locator("#current-answer")).to_contain_text("Disponible certains jours")
    desk = open_page(**DESKTOP)
    desk.page.goto(answer_path)
    screenshot(desk.page, "answer-1280")

    page.goto(f"/projects/roles/{production.role_id}/bookings/new?entry={entry}")
    page.get_by_label("Heure de convocation").fill("07:30")
    page.get_by_label("Lieu de rendez-vous").fill("Studios Atlas, Ouarzazate")
    assert_no_horizontal_overflow(page)
    page.get_by_role("button", name="Engager et envoyer la confirmation").click()
    expect(page.locator("#booking-code")).to_have_text("CCAFM0010001")
    page.set_viewport_size(DESKTOP["viewport"])
    screenshot(page, "booking-1280", full_page=True)

    mine = open_page(**PHONE)
    _log_in(mine.page, TALENT)
    mine.page.goto("/cinema/me/bookings")
    card = mine.page.locator("#booking-CCAFM0010001")
    expect(card).to_contain_text("7h30")
    assert_no_horizontal_overflow(mine.page)
    card.get_by_role("button", name=re.compile("Je confirme")).click()
    expect(mine.page.locator(".flash-success")).to_contain_text("votre présence est confirmée")
    expect(mine.page.locator("#booking-CCAFM0010001")).to_contain_text("Confirmé")
    screenshot(mine.page, "mine-390", full_page=True)

    for watched in (staff, talent_phone, desk, mine):
        watched.assert_clean()
