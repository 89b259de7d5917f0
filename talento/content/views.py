"""The public legal pages, at French paths (/mentions-legales, /confidentialite, /conditions,
/cookies) in every language: the text is French, the page around it follows the visitor."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_babel import format_date

from talento.content.services import LEGAL_PAGES, SiteFacts, legal_text, render_legal_text
from talento.context import current_settings
from talento.extensions import db

bp = Blueprint("legal", __name__)


def site_facts() -> SiteFacts:
    settings = current_settings()
    return SiteFacts(
        site_url=settings.base_url,
        contact_email=settings.contact_email,
        cndp_number=settings.cndp_declaration_number,
    )


def _show(slug: str):
    text = legal_text(db.session(), slug)
    return render_template(
        "content/legal.html",
        text=text,
        html=render_legal_text(text, site_facts()),
        updated=format_date(text.updated_at, "long") if text.updated_at else None,
    )


def _register() -> None:
    for kind in LEGAL_PAGES:
        view_name = kind.endpoint.removeprefix("legal.")
        bp.add_url_rule(
            f"/{kind.slug}",
            endpoint=view_name,
            view_func=lambda slug=kind.slug: _show(slug),
            methods=["GET"],
        )


_register()
