"""« Mes recherches »: a recruiter's saved directory searches (list, save, run, delete).

Every route needs the recruiter capability (``User.can("recruiter")``): others get 403, visitors
the login page. Running a search is a link to the directory with the stored query, which the
directory parses like any URL. Thin: parse, check, call a service in search/saved.py, render.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import Length

from talento.accounts.capabilities import may_save_searches
from talento.context import current_language
from talento.extensions import db
from talento.i18n import gettext as _
from talento.i18n import lazy_gettext as _l
from talento.profiles.search.saved import (
    MAX_NAME,
    MAX_QUERY,
    MAX_SAVED,
    SavedSearchInput,
    filters_of,
    list_searches,
    query_of,
    save_search,
)
from talento.profiles.search.saved import delete_search as remove_search
from talento.refusals import Refused

bp = Blueprint("saved_searches", __name__)


class SaveSearchForm(FlaskForm):
    """The directory's « save this search »: a name and the query of the search on screen."""

    name = StringField(
        _l("Nom de la recherche"),
        [Length(max=MAX_NAME * 4)],  # cut to MAX_NAME by the service, after cleaning
        render_kw={"maxlength": MAX_NAME, "autocomplete": "off", "required": True},
    )
    query = HiddenField(validators=[Length(max=MAX_QUERY * 4)])


class DeleteSearchForm(FlaskForm):
    """A delete button: the CSRF token is the whole form."""


def _recruiter_only() -> None:
    if not may_save_searches(current_user):
        abort(403)


def _directory(query: str) -> str:
    return url_for("directory.index") + (f"?{query}" if query else "")


@bp.get("/talents/saved")
@login_required
def index():
    _recruiter_only()
    searches = list_searches(db.session(), current_user.id, current_language())
    return render_template(
        "profiles/saved_searches.html",
        searches=searches,
        most=MAX_SAVED,
        delete_form=DeleteSearchForm(),
        directory_url=_directory,
    )


@bp.post("/talents/saved")
@login_required
def create():
    _recruiter_only()
    form = SaveSearchForm()
    if not form.validate_on_submit():
        abort(400)
    data = SavedSearchInput(name=form.name.data or "", query=form.query.data or "")
    try:
        saved = save_search(db.session(), current_user.id, data)
    except Refused as refused:
        flash(refused.message, "error")
        return redirect(_directory(query_of(filters_of(data.query)))), 303
    flash(_("Recherche « %(name)s » enregistrée.", name=saved.name), "success")
    return redirect(_directory(saved.query))


@bp.post("/talents/saved/<int:search_id>/delete")
@login_required
def delete(search_id: int):
    _recruiter_only()
    if not DeleteSearchForm().validate_on_submit():
        abort(400)
    name = remove_search(db.session(), current_user.id, search_id)
    if name is None:
        abort(404)
    flash(_("Recherche « %(name)s » supprimée.", name=name), "success")
    return redirect(url_for("saved_searches.index"))


def save_form_for(filters) -> SaveSearchForm:
    """The « save this search » form pre-filled with the search on screen (for the directory
    page; the page decides whether to show it with :func:`may_save_searches`)."""
    return SaveSearchForm(query=urlencode(filters.query_args(page=1)), formdata=None)
