"""Spoken languages in a real browser at 390 px: the profile form's level selects with their
live filter box, the directory's checkbox lists (live with JavaScript, by submitting without),
and the public page with levels, link icons and its large photo."""

from __future__ import annotations

import pytest

from tests.browser.support import assert_no_horizontal_overflow

pytestmark = [pytest.mark.browser, pytest.mark.committed]

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 800}}


def _visible_items(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(
        selector,
        "items => items.filter(i => i.offsetParent !== null)"
        ".map(i => i.querySelector('label').textContent.trim())",
    )


def test_registration_language_filter_is_live(open_page, screenshot):
    watched = open_page(**PHONE)
    page = watched.page
    page.goto("/auth/register")
    page.evaluate("document.querySelectorAll('fieldset.step').forEach(s => s.hidden = false)")
    box = page.get_by_label("Chercher une langue")
    box.fill("tach")
    shown = _visible_items(page, "ul.language-levels li")
    assert shown == ["Tachelhit (chleuh)"]
    page.get_by_label("Tachelhit (chleuh)").select_option("native")
    box.fill("")
    assert len(_visible_items(page, "ul.language-levels li")) > 60
    box.fill("egy")
    assert _visible_items(page, "ul.language-levels li") == ["Tachelhit (chleuh)", "Arabe égyptien"]
    assert_no_horizontal_overflow(page)
    screenshot(page, "phone")
    watched.assert_clean()


def test_directory_lists_filter_live_and_without_javascript(
    browser, open_page, live_server, make_talent, screenshot
):
    make_talent(code="MAF0001CAS", skills=["actor", "singer"], languages={"shi": "native"})
    make_talent(code="MAF0002CAS", skills=["dj"], languages={"fr": "fluent", "ary": "native"})
    watched = open_page(**PHONE)
    page = watched.page
    page.goto("/talents?language=fr")  # a language chosen: « Plus de filtres » is open
    page.get_by_label("Chercher une langue").fill("TACH")
    # Live: Tachelhit matches, Français is ticked, Darija goes.
    assert _visible_items(page, "[data-filter-item]:has(input[name=language])") == [
        "Tachelhit (chleuh)",
        "Français",
    ]
    assert not page.get_by_role("button", name="Filtrer la liste").first.is_visible()
    assert_no_horizontal_overflow(page)
    screenshot(page, "phone-js")
    watched.assert_clean()

    # Without JavaScript: the same narrowing comes from the server once the form is sent.
    context = browser.new_context(
        base_url=live_server, java_script_enabled=False, locale="fr-FR", **PHONE
    )
    try:
        plain = context.new_page()
        plain.goto("/talents?language=fr")
        plain.get_by_label("Chercher une langue").fill("tach")
        plain.get_by_role("button", name="Filtrer la liste").first.click()
        plain.wait_for_url("**language_filter=tach**")
        items = "[data-filter-item]:has(input[name=language])"
        assert _visible_items(plain, items) == ["Tachelhit (chleuh)", "Français"]
        plain.get_by_label("Tachelhit (chleuh)").check()
        plain.get_by_label("Français").uncheck()
        plain.get_by_role("button", name="Rechercher").click()
        assert plain.locator("p.code").all_text_contents() == ["MAF0001CAS"]
        screenshot(plain, "phone-no-js")
    finally:
        context.close()


def test_public_page_at_phone_and_desktop_widths(open_page, make_talent, screenshot):
    make_talent(
        code="MAF0001CAS",
        availability="soon",
        years_experience=6,
        rate_min=900,
        languages={"ary": "native", "fr": "fluent", "en": "conversational"},
        links={"instagram": "https://instagram.com/a", "imdb": "https://imdb.com/name/a"},
        public_links="instagram,imdb",
    )
    for name, options in (("phone", PHONE), ("desktop", DESKTOP)):
        watched = open_page(**options)
        page = watched.page
        page.goto("/p/MAF0001CAS")
        assert page.get_by_role("link", name="Instagram").is_visible()
        assert page.locator("#public-languages li").count() == 3
        assert page.locator("#public-rate").inner_text() == "À partir de 900 MAD"
        assert_no_horizontal_overflow(page)
        screenshot(page, name, full_page=True)
        watched.assert_clean()
