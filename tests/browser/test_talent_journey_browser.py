"""Issue 12's journey in two real browsers (Chromium through Playwright), with real mail.

A talent registers on a phone (390 px) with a ~18 MB camera photo (reduced in the browser),
is listed nowhere until the address is confirmed, confirms it with the link of the mail that a
real SMTP server (aiosmtpd) received, chooses « Lien seulement » then « Public » on « Ma
visibilité »; a recruiter on a desktop (1280 px, a second browser context: other cookies)
finds the talent in the directory and writes through « Contacter ». The talent's mail carries
the message with Reply-To set to the recruiter, the recruiter gets a copy, and no page the
recruiter saw shows the talent's address or phone.

Screenshots of the home page, the directory, the public profile and every registration step,
at 390 px and 1280 px, land in test-artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.browser.support import assert_no_horizontal_overflow
from tests.browser.test_register_browser import (
    DESKTOP,
    PHONE,
    SENEGALESE_PHONE,
    STEPS,
    SUBMIT,
    TALENT,
    _choose_senegal_with_script,
    _expect_step,
    _fill_account,
    _fill_contact,
    _fill_identity,
    _fill_links,
    _fill_professional,
    _next,
    _phone_photo,
)
from tests.helpers import smtp_settings

pytestmark = [pytest.mark.browser, pytest.mark.committed]

VERIFY_LINK = re.compile(r"http://localhost(/auth/verify/[A-Za-z0-9._-]+)")
RECRUITER = {
    "name": "Karim Benali",
    "organisation": "Atlas Casting",
    "email": "karim@atlas-casting.ma",
    "message": "Bonjour Yasmine, nous préparons un long métrage à Ouarzazate en mars. "
    "Seriez-vous disponible pour un essai ?",
}


@pytest.fixture
def settings(database_url, smtp, tmp_path_factory):
    return smtp_settings(database_url, smtp, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def shot(screenshot) -> Callable[..., Path]:
    return functools.partial(screenshot, full_page=True)


def _mail_to(inbox, address: str, count: int) -> list:
    messages = inbox.wait_for(count, timeout=10)
    return [m for m in messages if address in str(m["To"])]


def _body(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def _register_on_a_phone(page, photo: Path, shot) -> None:
    """Every step at 390 px, with a screenshot of each, and the big photo reduced on the way."""
    from playwright.sync_api import expect

    page.goto("/auth/register")
    _expect_step(page, 1)
    shot(page, f"register-phone-1-{STEPS[0]}")
    _fill_identity(page)
    _next(page, 2)
    _choose_senegal_with_script(page)
    shot(page, f"register-phone-2-{STEPS[1]}")
    _next(page, 3)
    _fill_contact(page, SENEGALESE_PHONE)
    shot(page, f"register-phone-3-{STEPS[2]}")
    _next(page, 4)
    _fill_professional(page)
    shot(page, f"register-phone-4-{STEPS[3]}")
    _next(page, 5)
    _fill_links(page)
    shot(page, f"register-phone-5-{STEPS[4]}")
    _next(page, 6)
    page.locator("#photo").set_input_files(photo)
    expect(page.locator("#photo")).to_have_attribute("data-resized", re.compile(r"^\d+$"))
    size = page.evaluate("document.getElementById('photo').files[0].size")
    assert size < 2 * 1024 * 1024, size
    shot(page, f"register-phone-6-{STEPS[5]}")
    _next(page, 7)
    _fill_account(page)
    assert_no_horizontal_overflow(page)
    shot(page, f"register-phone-7-{STEPS[6]}")
    page.get_by_role("button", name=SUBMIT).click()
    expect(page).to_have_url(re.compile(r"/profile$"))


def _registration_steps_on_a_desktop(page, shot) -> None:
    """The same steps at 1280 px, filled in but not sent (screenshots only)."""
    page.goto("/auth/register")
    fill = {3: lambda: _fill_contact(page, SENEGALESE_PHONE), 4: lambda: _fill_professional(page)}
    _expect_step(page, 1)
    _fill_identity(page)
    shot(page, f"register-desktop-1-{STEPS[0]}")
    _next(page, 2)
    _choose_senegal_with_script(page)
    shot(page, f"register-desktop-2-{STEPS[1]}")
    for number in range(3, len(STEPS) + 1):
        _next(page, number)
        if number in fill:
            fill[number]()
        shot(page, f"register-desktop-{number}-{STEPS[number - 1]}")


def test_register_verify_choose_visibility_and_be_contacted(
    open_page, shot, tmp_path, inbox, live_server
):
    from playwright.sync_api import expect

    talent_email = TALENT["email"]
    full_name = f"{TALENT['first_name']} {TALENT['last_name']}"

    # -- the talent, on a phone ------------------------------------------------------------
    phone = open_page(**PHONE)
    talent = phone.page
    talent.goto("/")
    shot(talent, "home-phone")
    _register_on_a_phone(talent, _phone_photo(tmp_path / "IMG_20261205_071500.jpg"), shot)
    code = talent.locator("#user-code").inner_text().strip()
    assert re.fullmatch(r"SNF\d{4}[A-Z]{3}", code), code

    # -- a recruiter, on a desktop (its own cookies) ------------------------------------------
    desk = open_page(**DESKTOP)
    recruiter = desk.page
    # Not verified yet: not in the directory, and the public page is « not found ».
    recruiter.goto(f"/talents?q={TALENT['last_name'].split()[-1]}")
    expect(recruiter.locator(".directory__cards")).to_have_count(0)
    response = recruiter.goto(f"/p/{code}")
    assert response is not None
    assert response.status == 404

    # -- the talent confirms the address from the mail --------------------------------------
    (welcome,) = _mail_to(inbox, talent_email, 1)
    match = VERIFY_LINK.search(_body(welcome))
    assert match, _body(welcome)[:500]
    talent.goto(match.group(1))
    expect(talent.get_by_role("main")).to_contain_text("vérifiée")

    # -- « Lien seulement »: the page opens by code, the directory does not list it --------
    talent.goto("/profile/visibility")
    talent.get_by_role("radio", name="Lien seulement").check()
    shot(talent, "visibility-phone")
    talent.get_by_role("button", name="Enregistrer").click()
    expect(talent.get_by_role("radio", name="Lien seulement")).to_be_checked()
    response = recruiter.goto(f"/p/{code}")
    assert response is not None
    assert response.status == 200
    recruiter.goto(f"/talents?q={TALENT['last_name'].split()[-1]}")
    expect(recruiter.locator(".directory__cards")).to_have_count(0)

    # -- « Public »: listed ------------------------------------------------------------------
    talent.goto("/profile/visibility")
    talent.get_by_role("radio", name="Public").check()
    talent.get_by_role("button", name="Enregistrer").click()
    expect(talent.get_by_role("radio", name="Public")).to_be_checked()
    talent.goto("/talents")
    shot(talent, "directory-phone")
    talent.goto(f"/p/{code}")
    expect(talent.locator("h1")).to_contain_text(full_name)
    assert_no_horizontal_overflow(talent)
    shot(talent, "public-profile-phone")

    recruiter.goto("/")
    shot(recruiter, "home-desktop")
    recruiter.goto("/talents")
    card = recruiter.locator(".directory__card", has_text=full_name)
    expect(card).to_have_count(1)
    shot(recruiter, "directory-desktop")
    card.get_by_role("link", name=full_name).click()
    expect(recruiter).to_have_url(re.compile(rf"/p/{code}$"))
    shot(recruiter, "public-profile-desktop")

    # -- the recruiter writes through the relay --------------------------------------------
    recruiter.get_by_role("link", name=re.compile("Contacter")).click()
    expect(recruiter).to_have_url(re.compile(rf"/p/{code}/contact$"))
    recruiter.get_by_label("Votre nom").fill(RECRUITER["name"])
    recruiter.get_by_label(re.compile("Organisation")).fill(RECRUITER["organisation"])
    recruiter.get_by_label(re.compile("Votre e-mail|Votre adresse e-mail")).fill(RECRUITER["email"])
    recruiter.get_by_label("Votre message").fill(RECRUITER["message"])
    time.sleep(3.2)  # a person takes more than the spam trap's 3 seconds to type that
    shot(recruiter, "contact-desktop")
    recruiter.get_by_role("button", name=re.compile("Envoyer")).click()
    expect(recruiter).to_have_url(re.compile(rf"/p/{code}/contact/sent$"))

    messages = inbox.wait_for(3, timeout=10)
    relayed = [m for m in messages if talent_email in str(m["To"])][1:]  # after the welcome
    copies = [m for m in messages if RECRUITER["email"] in str(m["To"])]
    assert len(relayed) == 1, [str(m["To"]) for m in messages]
    assert len(copies) == 1, [str(m["To"]) for m in messages]
    assert relayed[0]["Reply-To"].addresses[0].addr_spec == RECRUITER["email"]
    assert RECRUITER["message"] in _body(relayed[0])
    copy_text = copies[0].as_string()
    assert talent_email not in copy_text
    assert "77 123 45 67" not in copy_text
    assert "771234567" not in copy_text
    # Nothing the recruiter's browser received names the talent's address.
    for path in (f"/p/{code}", f"/p/{code}/contact", "/talents"):
        recruiter.goto(path)
        assert talent_email not in recruiter.content()
    assert live_server.startswith("http://127.0.0.1")

    # -- the registration steps at 1280 px, for the screenshots --------------------------------
    _registration_steps_on_a_desktop(recruiter, shot)

    phone.assert_clean()
    desk.assert_clean(expected_statuses=((404, f"/p/{code}"),))
