"""Site pages that belong to no domain: the home page and its search box, robots.txt, the
sitemap, the web app manifest and the favicon; and what every page's footer needs.

Signed-in people who open the home page are sent on to their space (the dashboard for admins,
their profile for everyone else), as before: the home page is the shop window for visitors.
"""

from __future__ import annotations

import datetime as dt
import math
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import format_number
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from talento.accounts.views import landing
from talento.content.services import LEGAL_PAGES
from talento.context import current_language, current_settings
from talento.extensions import db, limiter
from talento.profiles.search.directory import ListedPlaces
from talento.profiles.search.showcase import Showcase, ShowcaseCache, directory_args
from talento.profiles.search.sitemap import listed_pages

bp = Blueprint("pages", __name__)

#: The sitemap protocol's limit of URLs per file; past it, /sitemap.xml is an index.
SITEMAP_URLS = 50_000
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
ICONS = "icons"


# -- what every page's footer needs ------------------------------------------------------------


@bp.app_context_processor
def footer_context() -> dict:
    """No database here: the footer shows on error pages too (database down included)."""
    return {
        "legal_pages": LEGAL_PAGES,
        "contact_email": current_settings().contact_email,
        "current_year": dt.datetime.now(dt.UTC).year,
    }


# -- the home page -----------------------------------------------------------------------------


def listed_places() -> ListedPlaces:
    """The per-process kept listed places, shared with the directory's filter form."""
    return current_app.extensions.setdefault("talento.listed_places", ListedPlaces())


def showcase_cache() -> ShowcaseCache:
    return current_app.extensions.setdefault("talento.showcase", ShowcaseCache(listed_places()))


def _showcase() -> Showcase | None:
    """The home page's figures and profiles; None while the database cannot answer (the page
    still shows, with its search box and explanations)."""
    from talento.web.errors import database_outage

    try:
        return showcase_cache().get(db.session(), current_language())
    except SQLAlchemyError as error:
        if database_outage(error) is None:
            raise
        db.session.rollback()
        return None


@bp.get("/")
def home():
    if current_user.is_authenticated:
        return redirect(landing(current_user))
    showcase = _showcase()
    figures = None
    if showcase is not None:
        figures = {
            name: format_number(getattr(showcase.figures, name))
            for name in ("talents", "cities", "skills")
        }
    return render_template("home.html", showcase=showcase, figures=figures)


@bp.get("/recherche")
@limiter.limit("120 per minute")  # as the directory it leads to
def search():
    """The home page's search box: its text becomes the directory's own filters."""
    showcase = showcase_cache().get(db.session(), current_language())
    args = directory_args(request.args.get("q", ""), showcase.lookup)
    target = url_for("directory.index")
    return redirect(f"{target}?{urlencode(args)}" if args else target)


# -- robots, sitemap ---------------------------------------------------------------------------


@bp.get("/robots.txt")
def robots():
    base = current_settings().base_url
    lines = [
        "User-agent: *",
        "Allow: /",
        *(
            f"Disallow: {path}"
            for path in ("/admin", "/auth", "/account", "/profile", "/media/cv", "/recherche")
        ),
        "",
        f"Sitemap: {base}{url_for('pages.sitemap')}",
        "",
    ]
    return Response("\n".join(lines), mimetype="text/plain")


def _sitemap_size() -> int:
    return int(current_app.config.get("TALENTO_SITEMAP_URLS", SITEMAP_URLS))


def _fixed_pages() -> list[str]:
    """Pages that are not a talent's: home, directory, legal pages (paths)."""
    return [
        url_for("pages.home"),
        url_for("directory.index"),
        *(url_for(kind.endpoint) for kind in LEGAL_PAGES),
    ]


def _sitemap_files() -> int:
    total = len(_fixed_pages()) + listed_places().total(db.session())
    return max(1, math.ceil(total / _sitemap_size()))


def _xml(body: str) -> Response:
    return Response('<?xml version="1.0" encoding="UTF-8"?>\n' + body, mimetype="application/xml")


@bp.get("/sitemap.xml")
def sitemap():
    """The whole sitemap, or (past SITEMAP_URLS addresses) an index of its parts."""
    files = _sitemap_files()
    if files == 1:
        return _xml(_urlset(1))
    base = current_settings().base_url
    entries = "".join(
        f"<sitemap><loc>{escape(base + url_for('pages.sitemap_part', number=n))}</loc></sitemap>\n"
        for n in range(1, files + 1)
    )
    return _xml(f'<sitemapindex xmlns="{SITEMAP_NS}">\n{entries}</sitemapindex>\n')


@bp.get("/sitemap-<int:number>.xml")
def sitemap_part(number: int):
    if not 1 <= number <= _sitemap_files():
        abort(404)
    return _xml(_urlset(number))


def _urlset(number: int) -> str:
    """Part `number` of the sequence: the fixed pages, then every listed talent's public page
    (oldest account first, so a talent keeps their part as others register)."""
    base = current_settings().base_url
    size = _sitemap_size()
    fixed = _fixed_pages()
    start = (number - 1) * size
    entries = [f"<url><loc>{escape(base + path)}</loc></url>\n" for path in fixed[start:][:size]]
    offset = max(0, start - len(fixed))
    limit = size - len(entries)
    # One url_for, not one per talent: the code goes into the path's place.
    pattern = base + url_for("public.page", code="__CODE__")
    for code, updated in listed_pages(db.session(), offset, limit):
        loc = escape(pattern.replace("__CODE__", code))
        lastmod = f"<lastmod>{updated.date().isoformat()}</lastmod>" if updated else ""
        entries.append(f"<url><loc>{loc}</loc>{lastmod}</url>\n")
    return f'<urlset xmlns="{SITEMAP_NS}">\n{"".join(entries)}</urlset>\n'


# -- icons -------------------------------------------------------------------------------------


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever the page says."""
    return send_from_directory(
        current_app.static_folder or "", f"{ICONS}/favicon.ico", mimetype="image/x-icon"
    )


@bp.get("/manifest.webmanifest")
def manifest():
    """What a phone needs to add the site to its home screen: name, icons, colours. The same
    for every visitor (French, the site's first language), so it can be cached."""
    icons = [
        {
            "src": url_for("static", filename=f"{ICONS}/icon-{size}.png"),
            "sizes": f"{size}x{size}",
            "type": "image/png",
        }
        for size in (192, 512)
    ]
    response = jsonify(
        name="Talento",
        short_name="Talento",
        description="Les talents du Maroc et d'Afrique",
        lang="fr",
        start_url=url_for("pages.home"),
        display="minimal-ui",
        background_color="#f7f5f2",
        theme_color="#9b2c1f",
        icons=icons,
    )
    response.mimetype = "application/manifest+json"
    return response
