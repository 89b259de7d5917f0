"""An admin session in a real browser: find a talent by phone number, open them, edit them,
then export the filtered list as XLSX and read the downloaded file back.

Runs on PostgreSQL; screenshots go to test-artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.browser.support import assert_no_horizontal_overflow
from tests.helpers import USER_PASSWORD

# A live server thread serves the app: its rows must be committed.
pytestmark = [pytest.mark.browser, pytest.mark.committed]

ADMIN = {"capabilities": ["admin"], "email": "chef@example.org", "code": "MAN0042RAB"}


@pytest.fixture
def talents(make_talent) -> dict[str, int]:
    return {
        "yasmine": make_talent(
            code="MAF0101CAS",
            first_name="Yasmine",
            last_name="Bennani",
            phone="+212612345678",
            date_of_birth=dt.date(1998, 3, 14),
            skills=["actor", "singer"],
        ),
        "omar": make_talent(
            code="MAM0102CAS", first_name="Omar", last_name="Alaoui", phone="+212600000002"
        ),
        "awa": make_talent(
            code="MAF0103CAS", first_name="Awa", last_name="Diop", skills=["dancer"]
        ),
    }


def test_admin_finds_by_phone_edits_and_exports_xlsx(
    make_user, talents, open_page, screenshot, tmp_path
):
    from openpyxl import load_workbook
    from playwright.sync_api import expect

    make_user(**ADMIN)
    watched = open_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = watched.page

    page.goto("/auth/login")
    page.get_by_label("E-mail ou code unique").fill(ADMIN["email"])
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/admin$"))
    screenshot(page, "dashboard", full_page=True)

    # Find a talent by phone number, typed as people type it.
    page.get_by_role("link", name="Comptes").first.click()
    page.get_by_label("Rechercher", exact=True).fill("06 12 34 56 78")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("heading", name="1 compte")).to_be_visible()
    screenshot(page, "found-by-phone")

    # Open them: the contact data is shown (and audited).
    page.get_by_role("link", name="MAF0101CAS").click()
    expect(page.get_by_role("heading", name=re.compile("Yasmine Bennani"))).to_be_visible()
    expect(page.get_by_text("+212612345678")).to_be_visible()
    screenshot(page, "detail", full_page=True)

    # Edit them.
    page.get_by_role("link", name="Modifier").click()
    page.get_by_label("Prénom").fill("Yasmina")
    page.get_by_label("Nationalité").select_option("MA")  # missing from the fixture's profile
    page.get_by_label("Présentation").fill("Comédienne, chanteuse, doublage.")
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.get_by_text("Le profil de MAF0101CAS est enregistré.")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Yasmina Bennani"))).to_be_visible()
    screenshot(page, "edited")

    # The filtered list (one skill), exported as XLSX with the phone column.
    page.goto("/admin/users?skill=actor&sort=code")
    codes = page.locator("td.code a").all_inner_texts()
    assert codes == ["MAF0101CAS", "MAM0102CAS"]  # make_talent gives "actor" by default
    page.get_by_role("link", name="Exporter cette liste").click()
    expect(page.locator("#export-count")).to_contain_text("2 comptes seront exportés.")
    page.get_by_label("XLSX").check()
    page.get_by_label("Téléphone").check()
    page.get_by_label("Inclure les données personnelles cochées ci-dessus").check()
    screenshot(page, "export-form", full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Télécharger").click()
    download = download_info.value
    assert re.fullmatch(r"talento-.*\d{4}-\d{2}-\d{2}\.xlsx", download.suggested_filename)
    path = tmp_path / download.suggested_filename
    download.save_as(path)

    sheet = load_workbook(path, read_only=True).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Code", "Prénom", "Nom"]
    assert "Téléphone" in header
    phone_at = header.index("Téléphone")
    by_code = {row[0]: row for row in body}
    assert sorted(by_code) == ["MAF0101CAS", "MAM0102CAS"]
    assert by_code["MAF0101CAS"][1] == "Yasmina"  # the edit is in the export
    assert by_code["MAF0101CAS"][phone_at] == "+212612345678"
    watched.assert_clean()


def test_admin_pages_fit_a_phone(make_user, talents, open_page, screenshot):
    from playwright.sync_api import expect

    make_user(**ADMIN)
    watched = open_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = watched.page
    page.goto("/auth/login")
    page.get_by_label("E-mail ou code unique").fill(ADMIN["code"])
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/admin$"))
    assert_no_horizontal_overflow(page)
    for path in ("/admin/users", f"/admin/users/{talents['yasmine']}", "/admin/audit"):
        page.goto(path)
        assert_no_horizontal_overflow(page)
        screenshot(page, path.strip("/").replace("/", "-"), full_page=True)
    watched.assert_clean()
