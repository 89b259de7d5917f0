"""The public talent directory: ``GET /talents`` with a GET filter form (no JavaScript needed)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from talento.accounts.capabilities import may_filter_availability, may_save_searches
from talento.context import current_language
from talento.extensions import db, limiter
from talento.i18n import lazy_gettext as _l
from talento.profiles.choices import LANGUAGES
from talento.profiles.saved_views import save_form_for
from talento.profiles.search.directory import (
    DEFAULT_PER_PAGE,
    ListedPlaces,
    directory_form,
    parse_filters,
    search_directory,
)
from talento.profiles.search.saved import for_viewer

bp = Blueprint("directory", __name__)

#: Languages offered as checkboxes (a language chosen through the URL is shown too).
FORM_LANGUAGES = ("fr", "ar", "ber", "en", "es")
SORT_LABELS = {
    "recent": _l("Inscriptions récentes"),
    "name": _l("Nom"),
    "updated": _l("Profils mis à jour récemment"),
}


@bp.get("/talents")
@limiter.limit("120 per minute")  # public search: slow down scraping, never a real visitor
def index():
    lang = current_language()
    listed = current_app.extensions.setdefault("talento.listed_places", ListedPlaces())
    recruiter = may_filter_availability(current_user)  # the availability filter is theirs
    asked = for_viewer(parse_filters(request.args), recruiter)
    form = directory_form(db.session(), asked, lang, listed)
    result = search_directory(db.session(), form.filters, lang, listed=listed)
    languages = FORM_LANGUAGES + tuple(c for c in form.filters.languages if c not in FORM_LANGUAGES)
    return render_template(
        "profiles/directory.html",
        form=form,
        filters=form.filters,
        result=result,
        language_choices=[(code, LANGUAGES[code]) for code in languages],
        sort_labels=SORT_LABELS,
        default_per_page=DEFAULT_PER_PAGE,
        availability_filter=recruiter,
        save_form=save_form_for(form.filters) if may_save_searches(current_user) else None,
    )
