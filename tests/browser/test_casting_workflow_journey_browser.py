"""Issue 14's casting workflow from end to end in real browsers (Chromium through Playwright),
with real mail (aiosmtpd) and PostgreSQL (point 10).

A casting user on a desk creates a company, its project and a role with criteria; « Trouver
des talents » opens the casting search pre-filled (the one face too short for the role is not
listed); five faces are ticked and added to the role's shortlist in one click. A review link
is created and opened by a second browser without an account (a phone), which marks two faces
(« Intéressé », « Question » with a comment); the shortlist shows both. The five ticked faces
get an availability check; one talent opens the answer link of the e-mail the SMTP server
received, without an account, and answers « Disponible »; a refresh of the shortlist shows it.
That talent is booked from the shortlist, and the role's badges PDF, downloaded from the
shortlist, holds one page whose QR code is decoded (zxing-cpp) and verified with the public
badge keys the app publishes.

Screenshots (test-artifacts/screenshots/, git-ignored) at 1280 and 390 px: the role, the
pre-filled search, the shortlist (with the clients' verdicts, then with the answer and the
booking), the review page, the availability answer page and the booking page. No page
scrolls sideways at 390 px; nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser.support import assert_no_horizontal_overflow, wait_for_images
from tests.helpers import USER_PASSWORD, smtp_settings
from tests.mail.smtp import text_and_html
from tests.projects.badge_helpers import embedded_qr_tokens, keys_from, page_texts
from tests.projects.conftest import crowd  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.committed]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
CASTING = "casting.journey@example.ma"
DAYS = (dt.date(2027, 3, 12), dt.date(2027, 3, 14))


@pytest.fixture
def settings(database_url, smtp, tmp_path_factory):
    """Mail to the test SMTP server; photos in a throw-away upload folder."""
    return smtp_settings(database_url, smtp, upload_dir=str(tmp_path_factory.mktemp("uploads")))


def _log_in(page, email: str) -> None:
    from playwright.sync_api import expect

    page.goto("/auth/login")
    page.get_by_label("E-mail ou code unique").fill(email)
    page.get_by_label("Mot de passe").fill(USER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).not_to_have_url(re.compile(r"/auth/login"))


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_company_to_badges_through_shortlist_review_availability_and_booking(
    app,
    make_user,
    crowd,  # noqa: F811
    inbox,
    open_page,
    screenshot,
):
    from playwright.sync_api import expect

    from talento.projects.badge_tokens import BadgeClaims, BadgeRefusal, verify_badge

    extras = {"photos": 1, "languages": ("ary",), "talent_types": ("extra",)}
    chosen = crowd(5, height=182, **extras)
    (too_short,) = crowd(1, height=160, **extras)
    make_user(email=CASTING, capabilities=["casting"], first_name="Salma")

    def both_widths(page, label: str) -> None:
        """The page at 1280 px, then at 390 px (no sideways scrolling), back to 1280 px."""
        screenshot(page, f"{label}-1280", full_page=True)
        page.set_viewport_size(PHONE)
        assert_no_horizontal_overflow(page)
        screenshot(page, f"{label}-390", full_page=True)
        page.set_viewport_size(DESKTOP)

    staff = open_page(viewport=DESKTOP)
    page = staff.page
    _log_in(page, CASTING)

    # -- company → project → role ---------------------------------------------------------
    page.goto("/projects/companies/new")
    page.get_by_label("Nom de la société").fill("Draa Films")
    page.locator("#save").click()
    expect(page.locator("h1")).to_have_text("Draa Films")
    page.locator("#new-project").click()
    page.get_by_label("Nom du projet").fill("Les Caravanes")
    page.get_by_label("Début du tournage").fill("2027-03-10")
    page.get_by_label("Fin du tournage").fill("2027-03-20")
    page.locator("#save").click()
    expect(page.locator("h1")).to_have_text("Les Caravanes")
    project_id = int(urlsplit(page.url).path.rsplit("/", 1)[1])
    page.locator("#new-role").click()
    page.get_by_label("Nom du rôle").fill("Caravaniers")
    page.get_by_label("Nombre de personnes").fill("40")
    page.get_by_label("Taille minimum (cm)").fill("170")
    page.locator("input[name=language][value=ary]").check()
    page.get_by_label("Jours de tournage").fill("12/03/2027 - 14/03/2027")
    page.get_by_label("Tarif par jour (MAD)").fill("450")
    page.locator("#save").click()
    expect(page.locator("h1")).to_have_text("Caravaniers")
    role_id = int(urlsplit(page.url).path.rsplit("/", 1)[1])
    expect(page.locator("#role-shortlist")).to_be_visible()
    expect(page.locator("#role-badges")).to_have_count(0)  # nobody booked yet
    both_widths(page, "role")

    # -- « Trouver des talents »: the search pre-filled; five faces to the shortlist ------
    page.locator("#find-talents").click()
    expect(page).to_have_url(re.compile(r"/cinema/talents\?"))
    args = parse_qs(urlsplit(page.url).query)
    assert (args["height_min"], args["language"], args["role"]) == (
        ["170"],
        ["ary"],
        [str(role_id)],
    )
    expect(page.locator("#search-target")).to_contain_text("Caravaniers")
    expect(page.locator("input[name=talent]")).to_have_count(5)
    expect(page.locator(f'input[name=talent][value="{too_short}"]')).to_have_count(0)
    both_widths(page, "search")
    for talent_id in chosen:
        page.locator(f'input[name=talent][value="{talent_id}"]').check()
    page.get_by_role("button", name="Ajouter à la shortlist de Caravaniers").click()
    expect(page.get_by_text("5 talents ajoutés à la shortlist « Caravaniers ».")).to_be_visible()

    page.goto(f"/projects/roles/{role_id}/shortlist")
    expect(page.locator(".sl-face")).to_have_count(5)
    assert wait_for_images(page, ".sl-photo img") == 5

    # -- a review link, opened by a phone without an account -----------------------------
    page.get_by_label("Pour qui (visible par l'équipe seulement)").fill("Réalisatrice")
    page.get_by_role("button", name="Créer le lien").click()
    review_path = _path(page.locator('input[id^="link-url-"]').first.input_value())
    client = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone = client.page
    phone.goto(review_path)
    expect(phone.locator(".rv-face")).to_have_count(5)
    for index, verdict, comment in (
        (0, "Intéressé", "Le regard qu'il faut"),
        (1, "Question", "Monte-t-il à cheval ?"),
    ):
        face = phone.locator(".rv-face").nth(index)
        face.get_by_label(verdict, exact=True).check()
        face.get_by_label("Commentaire (facultatif)").fill(comment)
        with phone.expect_navigation():
            face.get_by_role("button", name="Enregistrer").click()
        expect(phone.get_by_text("Avis enregistré. Merci !")).to_be_visible()
    assert_no_horizontal_overflow(phone)
    screenshot(phone, "review-390", full_page=True)
    phone.set_viewport_size(DESKTOP)
    screenshot(phone, "review-1280", full_page=True)

    page.reload()
    verdicts = page.locator(".sl-verdict")
    expect(verdicts).to_have_count(2)
    expect(page.locator(".sl-face").nth(0).locator(".sl-verdict")).to_contain_text(
        "Intéressé (Réalisatrice) : Le regard qu'il faut"
    )
    expect(page.locator(".sl-face").nth(1).locator(".sl-verdict")).to_contain_text(
        "Question (Réalisatrice) : Monte-t-il à cheval ?"
    )
    both_widths(page, "shortlist-verdicts")

    # -- availability checks for the five, answered from the e-mail ------------------------
    for box in page.locator('input[name=entry][form="bulk"]').all():
        box.check()
    page.locator("#ask-selection").click()
    expect(page).to_have_url(re.compile(rf"/projects/roles/{role_id}/availability\?entry="))
    expect(page.locator(".bk-person")).to_have_count(5)
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.locator(".flash-success")).to_contain_text("envoyée à 5 personnes")

    page.goto(f"/projects/roles/{role_id}/shortlist")
    first_face = page.locator(".sl-face").first
    entry_id = int(first_face.get_attribute("data-entry"))
    name = first_face.locator(".sl-name").inner_text()
    number = int(re.search(r"Figurant(\d+)", name).group(1))
    expect(page.locator(".sl-answer")).to_have_count(5)
    expect(first_face.locator(".sl-answer")).to_contain_text("en attente")

    mails = inbox.wait_for(5)
    (mail,) = [m for m in mails if m["To"].endswith(f"crowd{number}@example.org")]
    links = re.findall(r"http://localhost(/availability/[A-Za-z0-9._~-]+)", text_and_html(mail)[0])
    assert links, "no answer link in the mail"
    talent = open_page(viewport=PHONE, is_mobile=True, has_touch=True)
    answer = talent.page
    answer.goto(links[0])
    expect(answer.get_by_role("heading", name="Êtes-vous disponible ?")).to_be_visible()
    answer.get_by_label("Disponible", exact=True).check()
    answer.get_by_role("button", name="Envoyer ma réponse").click()
    expect(answer.locator("#current-answer")).to_contain_text("Disponible")
    assert_no_horizontal_overflow(answer)
    screenshot(answer, "answer-390", full_page=True)
    answer.set_viewport_size(DESKTOP)
    screenshot(answer, "answer-1280", full_page=True)

    page.reload()
    face = page.locator(f"#entry-{entry_id}")
    expect(face.locator(".sl-answer--available")).to_contain_text("Disponible")
    expect(page.locator(".sl-answer--waiting")).to_have_count(4)

    # -- book that person, then the role's badges ----------------------------------------
    face.locator("a.book-one").click()
    expect(page.locator(f"#person-{entry_id}")).to_be_visible()
    page.get_by_label("Heure de convocation").fill("07:30")
    page.get_by_label("Lieu de rendez-vous").fill("Parking des studios Atlas, Ouarzazate")
    page.get_by_role("button", name="Engager et envoyer la confirmation").click()
    code = "CCDF0010001"
    expect(page.locator("#booking-code")).to_have_text(code)
    expect(page.locator("#booking-badge")).to_be_visible()
    both_widths(page, "booking")

    page.get_by_role("link", name="Retour à la liste du rôle").click()
    face = page.locator(f"#entry-{entry_id}")
    expect(face.locator("a.sl-booking")).to_contain_text(code)
    both_widths(page, "shortlist-booked")
    with page.expect_download() as download:
        page.locator("#role-badges").click()
    pdf = Path(download.value.path()).read_bytes()
    assert download.value.suggested_filename == f"badges-role-{role_id}.pdf"

    (text,) = page_texts(pdf)
    assert text.count(code) == 4
    assert text.count("Les Caravanes") == 4
    (tokens,) = embedded_qr_tokens(pdf)
    assert len(tokens) == 1
    keys = keys_from(page.request.get("/projects/badge-keys.json").json())
    claims = verify_badge(keys, tokens[0])
    assert isinstance(claims, BadgeClaims), claims
    assert claims.booking_code == code
    assert claims.project_id == project_id
    assert (claims.valid_from, claims.valid_until) == DAYS
    payload, signature = tokens[0].split(".")
    forged = f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    assert verify_badge(keys, forged) is BadgeRefusal.BAD_SIGNATURE

    for watched in (staff, client, talent):
        watched.assert_clean()
