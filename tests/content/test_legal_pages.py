"""The legal pages (issue 12 point 6): French defaults, admin editing in Markdown rendered
safely, the CNDP declaration number from the settings, audit of every save."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from talento.audit.models import AuditAction, AuditEvent
from talento.content.markdown import render_markdown
from talento.content.models import LegalPage
from talento.content.services import LEGAL_PAGES, default_body
from talento.extensions import db
from talento.settings import read_settings
from talento.web import build_app
from tests.helpers import _csrf_from, login, make_settings

PAGES = {
    "/mentions-legales": "Mentions légales",
    "/confidentialite": "Politique de confidentialité",
    "/conditions": "Conditions d'utilisation",
    "/cookies": "Cookies",
}
ADMIN_EMAIL = "admin-legal@example.org"


@pytest.fixture
def admin(client, make_user):
    make_user(code="MAA0001RAB", email=ADMIN_EMAIL, capabilities=["admin"])
    assert login(client, ADMIN_EMAIL).status_code == 302
    return client


def body_of(page: str) -> str:
    return re.search(r'<div class="legal__body" lang="fr">(.*?)</div>', page, re.S).group(1)


def save(client, slug: str, body: str):
    token = _csrf_from(client.get(f"/admin/pages/{slug}").get_data(as_text=True))
    return client.post(f"/admin/pages/{slug}", data={"body": body, "csrf_token": token})


# -- public pages, defaults --------------------------------------------------------------------


@pytest.mark.both_backends
def test_each_legal_page_shows_its_french_default(client):
    for path, title in PAGES.items():
        response = client.get(path)
        assert response.status_code == 200, path
        page = response.get_data(as_text=True)
        assert f"<h1>{title}</h1>" in page
        assert "<h2>" in body_of(page) or "<p>" in body_of(page)
        assert "{{" not in page  # every placeholder replaced
        assert "Dernière mise à jour" not in page  # never edited


def test_the_defaults_are_sensible_french_texts():
    for kind in LEGAL_PAGES:
        text = default_body(kind.slug)
        assert len(text) > 500, kind.slug
        assert "<" not in text.replace("<https://www.cndp.ma>", ""), kind.slug  # Markdown only
    privacy = default_body("confidentialite")
    assert "loi n° 09-08" in privacy
    assert "{{ cndp }}" in privacy
    for word in ("accès", "rectification", "opposition", "CNDP", "chiffrés"):
        assert word in privacy
    assert "talento_session" in default_body("cookies")
    assert "Hébergement" in default_body("mentions-legales")


def test_privacy_page_says_the_declaration_is_in_progress_without_a_number(client):
    body = body_of(client.get("/confidentialite").get_data(as_text=True))
    assert "loi n° 09-08" in body
    assert "Commission nationale de contrôle de la protection des données" in body
    assert "est en cours d&#39;instruction" in body or "est en cours d'instruction" in body
    assert "sous le numéro" not in body


def test_privacy_page_cites_the_cndp_declaration_number(database_url, cleanup):
    app = build_app(
        make_settings(
            database_url,
            cndp_declaration_number="D-GC-123/2026",
            contact_email="dpo@talento.ma",
            base_url="https://talento.ma",
        )
    )
    client = app.test_client()
    body = body_of(client.get("/confidentialite").get_data(as_text=True))
    assert "sous le numéro <strong>D-GC-123/2026</strong>" in body
    assert "en cours" not in body
    assert '<a href="mailto:dpo@talento.ma">dpo@talento.ma</a>' in body
    notice = body_of(client.get("/mentions-legales").get_data(as_text=True))
    assert '<a href="https://talento.ma">https://talento.ma</a>' in notice


def test_the_settings_check_the_contact_address_and_the_cndp_number():
    base = {
        "SECRET_KEY": "k" * 40,
        "ENCRYPTION_KEY": "A" * 43 + "=",
        "ADMIN_PASSWORD": "Correct-horse-battery-9",
    }
    good = read_settings({**base, "CONTACT_EMAIL": "a@b.ma", "CNDP_DECLARATION_NUMBER": "D-1/2026"})
    assert good.settings is not None
    assert good.settings.cndp_declaration_number == "D-1/2026"
    bad = read_settings({**base, "CONTACT_EMAIL": "nobody", "CNDP_DECLARATION_NUMBER": "<b>1</b>"})
    assert {p.variable for p in bad.problems} == {"CONTACT_EMAIL", "CNDP_DECLARATION_NUMBER"}


def test_english_visitors_get_the_french_text_in_an_english_page(client):
    page = client.get("/confidentialite?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in page
    assert '<div class="legal__body" lang="fr">' in page
    assert "loi n° 09-08" in page
    assert 'class="notice"' in page  # says the text exists in French only


def test_legal_pages_may_be_kept_by_caches_when_nobody_is_signed_in(client):
    client.get("/cookies")
    response = client.get("/cookies")
    assert "no-store" not in (response.headers.get("Cache-Control") or "")


# -- Markdown, safely --------------------------------------------------------------------------


def attribute_names(html: str) -> set[str]:
    names: set[str] = set()

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            names.update(name for name, _ in attrs)

    Collect().feed(html)
    return names


def test_markdown_escapes_raw_html_and_neutralises_dangerous_links():
    html = str(
        render_markdown(
            "<script>alert(1)</script>\n\n"
            '<img src=x onerror="alert(2)">\n\n'
            "[a](javascript:alert(3)) [b](JaVaScRiPt:alert(4)) [c](data:text/html,x) "
            "[d](vbscript:x) [e](java%0ascript:alert(5)) [f](//evil.example) "
            "<javascript:alert(6)>\n\n"
            "[ok](https://talento.ma) [mail](mailto:dpo@talento.ma) [here](/cookies) [top](#x)\n\n"
            '[t](https://x.ma "a\\" onmouseover=\\"alert(7)")\n\n'
            "![pic](https://tracker.example/p.png)"
        )
    )
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert hrefs == [
        "https://talento.ma",
        "mailto:dpo@talento.ma",
        "/cookies",
        "#x",
        "https://x.ma",
        "https://tracker.example/p.png",  # an image becomes a plain link, never loaded
    ]
    assert "[a](javascript:alert(3))" in html  # shown as typed, not a link
    assert attribute_names(html) == {"href", "title"}  # no handler slipped out of a title
    assert 'title="a&quot; onmouseover=&quot;alert(7)"' in html


def test_markdown_tables_and_headings():
    html = str(render_markdown("## Titre\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n"))
    assert "<h2>Titre</h2>" in html
    assert "<table>" in html
    assert "<td>2</td>" in html


# -- admin editing -----------------------------------------------------------------------------


def test_admin_lists_the_four_pages(admin):
    page = admin.get("/admin/pages").get_data(as_text=True)
    for path, title in PAGES.items():
        slug = path.lstrip("/")
        assert f'href="/admin/pages/{slug}"' in page
        assert title in page
    assert page.count("Texte par défaut") == 4
    assert 'href="/admin/pages"' in admin.get("/admin").get_data(as_text=True)  # admin menu


def test_admin_edits_a_page_and_sees_it_after_saving(app, admin):
    form = admin.get("/admin/pages/cookies").get_data(as_text=True)
    assert "talento_session" in form  # the default, ready to edit
    response = save(admin, "cookies", "## Nos cookies\r\n\r\nSeulement **deux**.\r\n")
    assert response.status_code == 302
    assert response.location.endswith("/admin/pages/cookies#apercu")
    page = admin.get(response.location).get_data(as_text=True)
    assert "Texte enregistré" in page
    preview = re.search(r'<section class="card legal" id="apercu".*?</section>', page, re.S)
    assert "<h2>Nos cookies</h2>" in preview.group(0)
    assert "<strong>deux</strong>" in preview.group(0)

    public = admin.get("/cookies").get_data(as_text=True)
    assert "<h2>Nos cookies</h2>" in body_of(public)
    assert "talento_session" not in public
    assert "Dernière mise à jour" in public

    with app.app_context():
        row = db.session.get(LegalPage, "cookies")
        assert row.body == "## Nos cookies\n\nSeulement **deux**.\n"
        assert row.updated_by_id is not None
        [event] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.LEGAL_PAGE_UPDATE.value)
        ).all()
        assert json.loads(event.detail) == {"slug": "cookies"}
        assert "Nos cookies" not in event.detail
        assert event.actor_code == "MAA0001RAB"
    listing = admin.get("/admin/pages").get_data(as_text=True)
    assert listing.count("Texte par défaut") == 3
    assert "Modifié le" in listing


def test_raw_html_typed_by_an_admin_is_shown_as_text(admin):
    save(admin, "conditions", "Bonjour <script>alert('x')</script> [clic](javascript:alert(1))")
    body = body_of(admin.get("/conditions").get_data(as_text=True))
    assert "<script" not in body
    assert "&lt;script&gt;" in body
    assert "<a " not in body  # the javascript: link stays text


def test_admin_restores_the_default(app, admin):
    save(admin, "conditions", "Texte provisoire.")
    assert "Texte provisoire." in admin.get("/conditions").get_data(as_text=True)
    page = admin.get("/admin/pages/conditions").get_data(as_text=True)
    token = _csrf_from(page)
    response = admin.post("/admin/pages/conditions/restore", data={"csrf_token": token})
    assert response.status_code == 302
    assert "Texte provisoire." not in admin.get("/conditions").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(LegalPage, "conditions") is None
        details = [
            json.loads(e.detail)
            for e in db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == AuditAction.LEGAL_PAGE_UPDATE.value)
                .order_by(AuditEvent.id)
            )
        ]
    assert details == [{"slug": "conditions"}, {"restored": True, "slug": "conditions"}]


def test_an_empty_or_huge_text_is_refused_on_the_form(app, admin):
    response = save(admin, "cookies", "   \r\n ")
    assert response.status_code == 422
    assert "Le texte est vide" in response.get_data(as_text=True)
    response = save(admin, "cookies", "x" * 100_001)
    assert response.status_code == 422
    assert "trop long" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(LegalPage, "cookies") is None
        saves = select(AuditEvent).where(AuditEvent.action == AuditAction.LEGAL_PAGE_UPDATE.value)
        assert db.session.scalars(saves).all() == []


def test_the_edit_page_warns_when_the_cndp_placeholder_is_gone(admin):
    save(admin, "confidentialite", "Politique sans le numéro.")
    page = admin.get("/admin/pages/confidentialite").get_data(as_text=True)
    assert "ne contient plus {{ cndp }}" in page
    assert "(sans le numéro de déclaration CNDP)" in admin.get("/admin/pages").get_data(
        as_text=True
    )


def test_unknown_pages_are_not_found(admin):
    assert admin.get("/admin/pages/inconnue").status_code == 404
    token = _csrf_from(admin.get("/admin/pages/cookies").get_data(as_text=True))
    response = admin.post("/admin/pages/inconnue", data={"body": "x", "csrf_token": token})
    assert response.status_code == 404


def test_only_admins_edit(client, make_talent):
    make_talent(email="talent-legal@example.org")
    login(client, "talent-legal@example.org")
    assert client.get("/admin/pages").status_code == 403
    assert client.get("/admin/pages/cookies").status_code == 403
