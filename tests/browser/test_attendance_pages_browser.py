"""The set team's attendance pages in a real browser on a phone (issue 15 points 4 and 5), no
JavaScript needed: the day page (« Tous présents » for a role at a given time, the roster's
statuses and late flags, the no-show list), a person's record corrected with a reason and its
trail, and the talent's own history with « Je confirme mes heures ». No horizontal scrolling
at 390 px; nothing leaves 127.0.0.1. (The camera scanner's journey is its own test.)

Screenshots (test-artifacts/screenshots/): the day page, the record and « Mes présences » at
390 px."""

from __future__ import annotations

import re

import pytest

from tests.attendance.conftest import (  # noqa: F401  (fixtures)
    DAY,
    EMAILS,
    make_casting_talent,
    on_set,
)
from tests.browser.support import assert_no_horizontal_overflow
from tests.helpers import USER_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.committed]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def _log_in(page, email: str) -> None:
    from playwright.sync_api import expect

    page.goto("/auth/login")
    page.get_by_label("E-mail ou code unique").fill(email)
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))


def test_day_page_record_and_sign_off_on_a_phone(app, open_page, screenshot, on_set):  # noqa: F811
    from playwright.sync_api import expect

    watched = open_page(**PHONE)
    page = watched.page
    _log_in(page, EMAILS["presence"])
    page.goto(f"/attendance/{on_set.project_id}/{DAY.isoformat()}")
    page.get_by_label("Heure des actions groupées").fill("07:20")
    page.get_by_role("button", name="Tous présents : Nomades").click()
    expect(page.locator(".flash-success")).to_contain_text("3 personne(s)")
    fatima = page.locator(f"#booking-{on_set.codes[1]}")
    expect(fatima).to_contain_text("présent depuis 07:20")
    expect(fatima).to_contain_text("en retard de 20 min")
    expect(page.locator("#no-shows")).to_contain_text("Salma Douiri")
    assert_no_horizontal_overflow(page)
    screenshot(page, "day-390", full_page=True)

    page.get_by_label("Heure des actions groupées").fill("18:30")
    page.get_by_label("Fatima Benali").check()
    page.get_by_role("button", name="Cochés : partis").click()
    expect(page.locator(f"#booking-{on_set.codes[1]}")).to_contain_text("parti 18:30")

    page.get_by_role("link", name=on_set.codes[1]).click()
    page.get_by_label("Correction", exact=True).select_option("move")
    page.get_by_label("Pointage concerné").select_option(label="arrivée 07:20")
    page.get_by_label("Heure", exact=True).fill("06:55")
    page.get_by_label("Raison").fill("Arrivée avec le premier bus, badge scanné en retard")
    page.get_by_role("button", name="Enregistrer la correction").click()
    expect(page.locator("#arrival")).to_have_text("06:55")
    expect(page.locator("#trail")).to_contain_text("arrivée 07:20")
    expect(page.locator("#trail")).to_contain_text("arrivée 06:55")
    assert_no_horizontal_overflow(page)
    screenshot(page, "record-390", full_page=True)

    talent = open_page(**PHONE)
    _log_in(talent.page, "fatima.benali@example.org")
    talent.page.goto("/cinema/me/attendance")
    expect(talent.page.locator("main")).to_contain_text("11 h 35")
    expect(talent.page.locator("main")).to_contain_text("Arrivée avec le premier bus")
    talent.page.get_by_role("button", name=re.compile("Je confirme mes heures")).click()
    expect(talent.page.locator(".acknowledged")).to_contain_text("Heures confirmées le")
    assert_no_horizontal_overflow(talent.page)
    screenshot(talent.page, "talent-390", full_page=True)
    assert watched.foreign_requests() == []
    assert talent.foreign_requests() == []
