"""Admin editing of the legal pages (/admin/pages): the list, and one page per text with its
Markdown form, a preview of what visitors see (shown after each save) and « restore the
default ». Access is checked once for the whole blueprint (`talento.admin.blueprint`); every
save is audited with the page's slug, never its text."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import format_datetime
from flask_wtf import FlaskForm
from wtforms import TextAreaField

from talento.accounts.models import User
from talento.admin.blueprint import bp
from talento.audit.web import current_actor
from talento.content.services import (
    BY_SLUG,
    MAX_BODY_LENGTH,
    PLACEHOLDERS,
    LegalText,
    legal_text,
    legal_texts,
    render_legal_text,
    restore_default,
    save_legal_text,
)
from talento.content.views import site_facts
from talento.extensions import db
from talento.i18n import gettext as _
from talento.i18n import lazy_gettext as _l
from talento.refusals import Refused


class LegalPageForm(FlaskForm):
    body = TextAreaField(_l("Texte (Markdown)"))


class RestoreForm(FlaskForm):
    pass


def _known(slug: str) -> str:
    if slug not in BY_SLUG:
        abort(404)
    return slug


def _editor_names(texts: list[LegalText]) -> dict[int, str]:
    ids = {text.updated_by_id for text in texts if text.updated_by_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(User.id, User.first_name, User.last_name, User.code).where(User.id.in_(ids))
    )
    return {uid: f"{first} {last} ({code})" for uid, first, last, code in rows}


def _when(text: LegalText) -> str | None:
    return format_datetime(text.updated_at, "medium") if text.updated_at else None


@bp.get("/pages")
def legal_pages():
    texts = legal_texts(db.session())
    return render_template(
        "admin/legal_pages.html", texts=texts, editors=_editor_names(texts), when=_when
    )


def _edit_page(slug: str, form: LegalPageForm, status: int = 200):
    text = legal_text(db.session(), slug)
    page = render_template(
        "admin/legal_page.html",
        text=text,
        form=form,
        restore_form=RestoreForm(),
        preview=render_legal_text(text, site_facts()),
        editors=_editor_names([text]),
        when=_when(text),
        placeholders=PLACEHOLDERS,
        max_length=MAX_BODY_LENGTH,
    )
    return page, status


@bp.get("/pages/<slug>")
def legal_page_edit(slug: str):
    text = legal_text(db.session(), _known(slug))
    return _edit_page(slug, LegalPageForm(formdata=None, data={"body": text.body}))


@bp.post("/pages/<slug>")
def legal_page_save(slug: str):
    _known(slug)
    form = LegalPageForm()
    if not form.validate():
        return _edit_page(slug, form, 400)
    try:
        save_legal_text(db.session(), slug, form.body.data or "", current_actor())
    except Refused as refused:
        db.session.rollback()
        form.body.errors = [*form.body.errors, refused.message]
        return _edit_page(slug, form, 422)
    flash(_("Texte enregistré : voici la page telle que les visiteurs la voient."), "success")
    return redirect(url_for("admin.legal_page_edit", slug=slug, _anchor="apercu"))


@bp.post("/pages/<slug>/restore")
def legal_page_restore(slug: str):
    _known(slug)
    form = RestoreForm()
    if not form.validate():
        abort(400)
    restore_default(db.session(), slug, current_actor())
    flash(_("Texte par défaut rétabli."), "success")
    return redirect(url_for("admin.legal_page_edit", slug=slug, _anchor="apercu"))
