"""The scanning page of a shooting day, and what makes it work offline (blueprint ``scanner``;
issue 15 points 2 and 3).

- ``scanner.page``     GET /attendance/<project_id>/<day>/scanner      the phone's page
- ``scanner.roster``   GET /attendance/<project_id>/<day>/roster.json  « la liste du jour »
- ``scanner.manifest`` GET /attendance/manifest.webmanifest            installable scanner
- ``scanner.worker``   GET /attendance/sw.js                           its service worker

Who scans: admins and casting staff on every live project, presence accounts on the projects
and days they are assigned to (projects.access.assigned_days). Anyone else signed in gets 403
(a company member reads the day page, but does not scan), a presence account on a project or
day not theirs the 404 of a project that does not exist; anonymous visitors the login page.
The scans themselves go to the ``attendance`` blueprint's sync endpoint, which checks again.

The manifest and the service worker are the same for everyone and name nobody: public. The
worker is served from /attendance/ (its scope) with ``no-cache``, so a new version reaches
the phones at their next visit; it caches the page, its scripts and styles (the roster lives
in IndexedDB, stored by the page).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, url_for
from flask_babel import format_date
from flask_login import current_user, login_required

from talento.accounts.models import Capability
from talento.attendance.roster import day_roster
from talento.audit.web import current_actor
from talento.context import current_settings
from talento.extensions import db, limiter, utcnow
from talento.projects.access import assigned_days, is_casting_staff, live_projects
from talento.projects.models import Project

bp = Blueprint("scanner", __name__, url_prefix="/attendance")

#: A roster reads every photo of the day: a phone downloads it a few times a day.
ROSTER_LIMIT = "30 per minute"
#: What the service worker keeps for offline use, besides the page itself (static files).
OFFLINE_ASSETS = (
    "css/talento.css",
    "css/scanner.css",
    "js/scanner-db.js",
    "js/scanner-verify.js",
    "js/scanner.js",
    "vendor/jsqr/jsQR.js",
    "icons/icon-192.png",
    "icons/icon-32.png",
    "icons/apple-touch-icon.png",
)
DEFAULT_TIMEZONE = "Africa/Casablanca"


def _timezone() -> str:
    # TIMEZONE arrives with the attendance core (helper G); until then the site's default.
    return getattr(current_settings(), "timezone", DEFAULT_TIMEZONE)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else abort(404)
    except ValueError:
        abort(404)


def _scanning_project(project_id: int, day: dt.date) -> Project:
    """The live project `current_user` may scan on `day`, or the refusal (see the module)."""
    can = current_user.can
    if not (is_casting_staff(current_user) or can(Capability.PRESENCE)):
        abort(403)
    project = db.session.scalar(live_projects().where(Project.id == project_id))
    if project is None:
        abort(404)
    if is_casting_staff(current_user):
        return project
    days = assigned_days(db.session(), current_user.id, project.id)
    if days is None or (days and day not in days):
        abort(404)
    return project


@bp.get("/<int:project_id>/<day>/scanner")
@login_required
def page(project_id: int, day: str):
    when = _day(day)
    project = _scanning_project(project_id, when)
    return render_template(
        "attendance/scanner.html",
        project=project,
        day=when,
        day_label=format_date(when, "EEEE d MMMM y"),
        day_page=url_for("attendance.day_page", project_id=project.id, day=when.isoformat()),
        timezone=_timezone(),
    )


@bp.get("/<int:project_id>/<day>/roster.json")
@login_required
@limiter.limit(ROSTER_LIMIT)
def roster(project_id: int, day: str) -> Response:
    when = _day(day)
    project = _scanning_project(project_id, when)
    settings = current_settings()
    document = day_roster(
        db.session(),
        project_id=project.id,
        project_name=project.name,
        day=when,
        secret_key=settings.secret_key,
        upload_dir=settings.upload_dir,
        timezone=_timezone(),
        actor=current_actor(),
        now=utcnow(),
    )
    return jsonify(document)  # private, no-store: web/caching.py


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """The scanner as an app on the phone's home screen: it opens the attendance list (which
    the service worker answers with the last scanner page when there is no network)."""
    response = jsonify(
        name="Talento — Pointage",
        short_name="Pointage",
        description="Pointage des figurants et talents sur le plateau, même sans réseau",
        lang="fr",
        id="/attendance/",
        start_url="/attendance/",
        scope="/attendance/",
        display="standalone",
        orientation="portrait",
        background_color="#000000",
        theme_color="#000000",
        icons=[
            {
                "src": url_for("static", filename=f"icons/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
            }
            for size in (192, 512)
        ],
    )
    response.mimetype = "application/manifest+json"
    return response


@lru_cache(maxsize=8)
def _assets_version(static_folder: str) -> str:
    """A digest of the offline files: a new deployment gives a new worker, whose install
    replaces the cached copies."""
    digest = hashlib.sha256()
    for name in OFFLINE_ASSETS:
        path = Path(static_folder) / name
        digest.update(name.encode())
        digest.update(path.read_bytes() if path.is_file() else b"-")
    return digest.hexdigest()[:12]


@bp.get("/sw.js")
def worker() -> Response:
    static_folder = str(current_app.static_folder)
    body = render_template(
        "attendance/sw.js",
        version=_assets_version(static_folder),
        assets=[url_for("static", filename=name) for name in OFFLINE_ASSETS]
        + [url_for("pages.favicon")],
    )
    response = Response(body, mimetype="text/javascript")
    response.headers["Service-Worker-Allowed"] = "/attendance/"
    return response
