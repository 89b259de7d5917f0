"""The public talent directory: ``GET /talents`` with a GET filter form (no JavaScript needed)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import current_user

from talento.accounts.capabilities import may_filter_availability, may_save_searches
from talento.context import current_language
from talento.extensions import db, limiter
from talento.i18n import lazy_gettext as _l
from talento.profiles.languages import GROUP_MOROCCO, GROUP_OTHERS
from talento.profiles.saved_views import save_form_for
from talento.profiles.search.directory import (
    DEFAULT_PER_PAGE,
    ListedPlaces,
    directory_form,
    parse_filters,
    search_directory,
)
from talento.profiles.search.facets import ListedFacets, language_options, skill_options
from talento.profiles.search.saved import for_viewer

bp = Blueprint("directory", __name__)

LEVEL_FILTER_LABELS = {
    "conversational": _l("Au moins conversationnel"),
    "fluent": _l("Au moins courant"),
    "native": _l("Langue maternelle"),
}
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
    facets = current_app.extensions.setdefault("talento.listed_facets", ListedFacets())
    counts = facets.counts(db.session())
    return render_template(
        "profiles/directory.html",
        form=form,
        filters=form.filters,
        result=result,
        language_groups=language_options(
            form.filters, counts, str(GROUP_MOROCCO), str(GROUP_OTHERS)
        ),
        skill_groups=skill_options(form, counts),
        level_labels=LEVEL_FILTER_LABELS,
        sort_labels=SORT_LABELS,
        default_per_page=DEFAULT_PER_PAGE,
        availability_filter=recruiter,
        save_form=save_form_for(form.filters) if may_save_searches(current_user) else None,
    )
