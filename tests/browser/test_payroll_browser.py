"""Payroll on a phone (390 px): casting staff export a week of hours from the project page
(a GET form, no JavaScript needed), read the XLSX back, and open a talent's history, whose
table scrolls inside the page instead of widening it.

Runs on PostgreSQL; screenshots go to test-artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.attendance.payroll_fixtures import STAFF_EMAIL, day_on_set
from tests.browser.support import assert_no_horizontal_overflow
from tests.helpers import USER_PASSWORD, make_settings

pytestmark = [pytest.mark.browser, pytest.mark.committed]


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


def test_a_week_exported_from_the_project_page_and_a_history_on_a_phone(
    app, make_user, open_page, screenshot
):
    from playwright.sync_api import expect

    payroll = day_on_set(app)
    make_user(email=STAFF_EMAIL, capabilities=["casting"], first_name="Salma")
    watched = open_page(viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = watched.page
    page.goto("/auth/login")
    page.get_by_label("E-mail ou code unique").fill(STAFF_EMAIL)
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/cinema/talents$"))

    page.goto(f"/projects/{payroll.project_id}")
    form = page.locator("#payroll-period")
    form.get_by_label("Période").select_option("week")
    form.get_by_label("Contenant le jour").fill("2025-06-18")
    assert_no_horizontal_overflow(page)
    screenshot(page, "project-payroll-390", full_page=True)
    with page.expect_download() as download:
        form.get_by_role("button", name="Exporter en XLSX").click()
    assert download.value.suggested_filename == (
        f"paie-projet-{payroll.project_id}-2025-06-16_2025-06-22.xlsx"
    )
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    amounts = [row[16] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert sum(amounts) == pytest.approx(2092.92)

    _booking, talent_id, _code = payroll.people["Basma Repas"]
    page.goto(f"/attendance/{payroll.project_id}/talents/{talent_id}")
    expect(page.locator("h1")).to_have_text("Présences de Basma Repas")
    expect(page.locator("#days-worked")).to_have_text("1")
    expect(page.locator("#hours-worked")).to_have_text("10,75")
    assert_no_horizontal_overflow(page)
    screenshot(page, "history-390", full_page=True)
    watched.assert_clean()
