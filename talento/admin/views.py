"""Admin dashboard. Other admin pages live in the *_views modules of this package."""

from __future__ import annotations

import threading
import time
from typing import cast

from flask import current_app, render_template, request, url_for
from flask_babel import format_date, format_number
from markupsafe import Markup

from talento.admin.blueprint import bp
from talento.admin.charts import Bar, bar_list_chart, column_chart
from talento.admin.cinema import cinema_labels
from talento.admin.cinema_figures import cinema_figures
from talento.admin.services import PERIODS, Bucket, Period, Ranked, dashboard_figures
from talento.context import current_language
from talento.extensions import db, utctoday
from talento.i18n import gettext as _
from talento.i18n import lazy_gettext as _l
from talento.keys.reentry import flagged_count
from talento.profiles.search.directory import local_changes
from talento.profiles.search.query_args import QueryArgs

#: Seconds the dashboard's figures are kept per process (the page says how old they are).
DASHBOARD_TTL = 60.0
_dashboard_lock = threading.Lock()

#: The admin pages, in menu order. A page whose endpoint is not registered (yet) is left out
#: of the menu rather than breaking the dashboard.
ADMIN_PAGES = (
    ("admin.users", _l("Comptes")),
    ("admin.cinema", _l("Profils casting")),
    ("admin.catalogs", _l("Catalogues")),
    ("admin.audit", _l("Journal d'audit")),
    ("admin.legal_pages", _l("Pages légales")),
)


def admin_menu() -> list[tuple[str, str]]:
    """(url, label) of the admin pages that exist in this application."""
    return [
        (url_for(endpoint), str(label))
        for endpoint, label in ADMIN_PAGES
        if endpoint in current_app.view_functions
    ]


def users_url(**filters) -> str | None:
    """The admin list of talents filtered by `filters`, or None while that page is missing."""
    if "admin.users" not in current_app.view_functions:
        return None
    return url_for("admin.users", capability="talent", **filters)


def _registration_bars(buckets: list[Bucket], period: str) -> list[Bar]:
    if period == "month":
        return [
            Bar(format_date(b.start, "MMM"), b.count, format_date(b.start, "MMMM y"))
            for b in buckets
        ]
    return [
        Bar(
            format_date(b.start, "d/M"),
            b.count,
            _("Semaine du %(date)s", date=format_date(b.start, "d MMMM y")),
        )
        for b in buckets
    ]


def _ranked_chart(items: list[Ranked], chart_id: str, title: str) -> Markup:
    bars = [
        Bar(item.label, item.count, f"{item.label}, {item.detail}" if item.detail else "")
        for item in items
    ]
    return bar_list_chart(bars, chart_id=chart_id, title=title, fmt=format_number)


@bp.get("")
def dashboard():
    # choice() returns one of PERIODS or the default, so a Period
    period = cast(Period, QueryArgs(request.args).choice("period", PERIODS, "week"))
    lang = current_language()
    (figures, cinema), age = _cached_figures(lang, period)
    registration_title = (
        _("Inscriptions de talents par mois, 12 derniers mois")
        if period == "month"
        else _("Inscriptions de talents par semaine, 12 dernières semaines")
    )
    registration_bars = _registration_bars(figures.registrations, period)
    charts = {
        "registrations": column_chart(
            registration_bars,
            chart_id="chart-registrations",
            title=registration_title,
            fmt=format_number,
        ),
        "countries": _ranked_chart(
            figures.top_countries, "chart-countries", _("Pays comptant le plus de talents")
        ),
        "cities": _ranked_chart(
            figures.top_cities, "chart-cities", _("Villes comptant le plus de talents")
        ),
        "skills": _ranked_chart(
            figures.top_skills, "chart-skills", _("Compétences les plus répandues")
        ),
    }
    return render_template(
        "admin/dashboard.html",
        figures=figures,
        totals=figures.totals,
        charts=charts,
        registration_title=registration_title,
        registration_labels=[bar.title for bar in registration_bars],
        admin_menu=admin_menu(),
        users_url=users_url,
        lost_data_total=flagged_count(db.session()),
        figures_age=age,
        cinema=cinema,
        cinema_url=cinema_url,
        **cinema_labels(),
    )


def cinema_url(**filters) -> str:
    """The admin list of casting profiles filtered by `filters`."""
    return url_for("admin.cinema", **filters)


def _cached_figures(lang: str, period: Period):
    """The figures (the talents', then CINEMA's) and their age in seconds. At 100,000
    talents they cost about a second to compute, so they are kept DASHBOARD_TTL seconds per
    process; a change to talents made by this process drops them at once (another process's
    change shows within the TTL)."""
    kept = current_app.extensions.setdefault("talento.dashboard_figures", {})
    key = (lang, period)
    with _dashboard_lock:
        entry = kept.get(key)
    now = time.monotonic()
    if entry is not None:
        figures, at, generation = entry
        if now - at < DASHBOARD_TTL and generation == local_changes():
            return figures, int(now - at)
    generation = local_changes()
    figures = (
        dashboard_figures(db.session(), lang=lang, period=period),
        cinema_figures(db.session(), lang, utctoday()),
    )
    with _dashboard_lock:
        kept[key] = (figures, time.monotonic(), generation)
    return figures, 0
