"""French (then English) error pages. A 500 shows an incident id also written to the log.

A database that cannot be used (down, restarting, connection cut mid-request, pool exhausted)
is a 503 with Retry-After, never a 500: the pool reconnects by itself (pool_pre_ping), so the
next request after the database is back succeeds without restarting the app.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import uuid

from flask import Flask, g, has_request_context, jsonify, render_template, request
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine, ExceptionContext
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable
from werkzeug.wrappers import Response

from talento.settings import CV_MAX_MB

log = logging.getLogger("talento.errors")
PAGES = (400, 403, 404, 405, 413, 429, 500, 503)
#: Seconds a client (or a monitoring probe) should wait before retrying a 503.
RETRY_AFTER_SECONDS = 30

try:  # the PostgreSQL driver is optional for SQLite-only installs
    import psycopg

    _DRIVER_OUTAGES: tuple[type[BaseException], ...] = (
        psycopg.OperationalError,
        psycopg.InterfaceError,
        sqlite3.OperationalError,
    )
except ImportError:  # pragma: no cover
    _DRIVER_OUTAGES = (sqlite3.OperationalError,)


def _wants_json() -> bool:
    return request.path.startswith(("/readyz", "/healthz", "/api/"))


def database_outage(error: BaseException) -> BaseException | None:
    """The error that shows the database cannot be used now, looking through the chain of
    causes (an error raised while handling a lost connection counts too); None otherwise."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _is_outage(current):
            return current
        if isinstance(current, sa_exc.PendingRollbackError):
            cause = _failed_flush_cause()
            if cause is not None and _is_outage(cause):
                return cause
        current = current.__cause__ or current.__context__
    return None


def _is_outage(error: BaseException) -> bool:
    if isinstance(error, sa_exc.DBAPIError):
        # IntegrityError, DataError… are bugs or bad input, unless the connection died with them
        return error.connection_invalidated or isinstance(
            error, (sa_exc.OperationalError, sa_exc.InterfaceError)
        )
    # DisconnectionError: pool-level loss; TimeoutError: no pooled connection came free in time
    return isinstance(error, (sa_exc.DisconnectionError, sa_exc.TimeoutError, *_DRIVER_OUTAGES))


def _failed_flush_cause() -> BaseException | None:
    """What made the session's transaction fail (code that caught a flush error and went on):
    the last database error of this request, recorded by :func:`remember_database_errors`."""
    return g.get("last_database_error")


@event.listens_for(Engine, "handle_error")
def remember_database_errors(context: ExceptionContext) -> None:
    """Keep the request's last database error, to tell an outage from a bug when SQLAlchemy
    later raises only "this transaction was rolled back" (PendingRollbackError)."""
    if has_request_context():
        g.last_database_error = context.sqlalchemy_exception or context.original_exception


def _forget_database_state() -> None:
    """After a lost connection nothing loaded may be used again: roll back, and render the
    error page without the signed-in user (their rows are expired, and loading them again
    would hit the database that just failed): templates test ``database_down`` first."""
    from talento.extensions import db

    with contextlib.suppress(Exception):  # the connection is gone; remove() discards it
        db.session.rollback()
    g.database_down = True


def _retry_later(response):
    response.headers.setdefault("Retry-After", str(RETRY_AFTER_SECONDS))
    return response


#: The page's title (French, then English) when even the site's error page cannot be shown.
_BARE_TITLES = {
    400: ("Requête invalide", "Bad request"),
    403: ("Accès refusé", "Forbidden"),
    404: ("Page introuvable", "Page not found"),
    405: ("Méthode non autorisée", "Method not allowed"),
    413: ("Fichier trop volumineux", "File too large"),
    429: ("Trop de tentatives", "Too many attempts"),
    500: ("Erreur interne", "Internal error"),
    503: ("Service momentanément indisponible", "Service temporarily unavailable"),
}
_BARE_503 = (
    '<!doctype html><html lang="fr"><meta charset="utf-8">'
    "<title>Service momentanément indisponible · Talento</title>"
    "<h1>Service momentanément indisponible (503)</h1>"
    "<p>Le service est momentanément indisponible. Réessayez dans quelques instants.</p>"
    '<p lang="en">The service is temporarily unavailable. Please try again shortly.</p></html>'
)


def _bare_page(status: int, incident: str | None = None) -> str:
    """A page that needs nothing: no template, no database, no translation catalogue."""
    if status == 503:
        return _BARE_503
    french, english = _BARE_TITLES.get(status, _BARE_TITLES[400])
    number = f"<p>Numéro d'incident : <code>{incident}</code></p>" if incident else ""
    return (
        f'<!doctype html><html lang="fr"><meta charset="utf-8"><title>{french} · Talento</title>'
        f'<h1>{french} ({status})</h1>{number}<p lang="en">{english}.</p>'
        '<p><a href="/">Retour à l\'accueil</a></p></html>'
    )


def _error_page(app: Flask, status: int, **context) -> tuple[str, int]:
    """The error page and the status it shows, rendered without touching the database.

    The page never loads the signed-in user: it shows one the request already loaded (the
    gates load them for every page but static files and health checks), else a visitor. While
    the database is down it is rendered without the context processors (whose values may
    query it). If rendering needs the database after all (a lazy load, a context processor)
    and it fails, the database is down: the 503 page is shown instead. If the page cannot be
    rendered at all, a bare page with the same status; never an exception."""
    try:
        if not g.get("database_down") and not g.get("error_page_without_database"):
            _leave_the_user_unloaded()
            try:
                return render_template("errors/error.html", status=status, **context), status
            except Exception as exc:
                if database_outage(exc) is None:
                    raise
                _forget_database_state()
                log.error(
                    "Page d'erreur %s : base de données injoignable (%s), page 503",
                    status,
                    type(exc).__name__,
                )
                status, context = 503, {}
        return _page_without_database(app, status, **context), status
    except Exception as exc:  # noqa: BLE001 - the error page must never become a 500 itself
        log.error("Page d'erreur %s impossible à afficher : %s", status, type(exc).__name__)
        return _bare_page(status, context.get("incident")), status


def _leave_the_user_unloaded() -> None:
    """Flask-Login loads the user on first use of ``current_user``: an error page must not be
    that first use (a query, during an outage a wait). g._login_user is where Flask-Login
    keeps the user of the request (flask_login.utils._get_user)."""
    if "_login_user" not in g:
        from talento.extensions import login_manager

        g._login_user = login_manager.anonymous_user()


def _page_without_database(app: Flask, status: int, **context) -> str:
    """The error page rendered without the context processors (the signed-in user's among
    them): for a visitor, in the request's language."""
    from flask import session
    from flask_login import AnonymousUserMixin

    from talento.context import current_language

    values = {
        "request": request,
        "session": session,
        "g": g,
        "config": app.config,
        "current_user": AnonymousUserMixin(),
        "current_lang": current_language(),
        "database_down": True,
        "status": status,
        **context,
    }
    return app.jinja_env.get_template("errors/error.html").render(values)


def _too_large_message(app: Flask) -> str | None:
    """What a 413 says: the limits, and how to get back to the form with what was typed.

    Up to REQUEST_MAX_MB the profile forms parse and refuse an oversize photo on their own
    page, everything typed kept; only a request over that hard cap (nginx refuses the same
    size with its own readable page, deploy/nginx.conf) ends here, its body unread."""
    try:
        from talento.i18n import gettext as _

        settings = app.extensions["talento.settings"]
        return _(
            "L'envoi dépasse %(limit)s Mo au total : une photo peut peser jusqu'à %(photo)s Mo "
            "et un CV jusqu'à %(cv)s Mo. Revenez à la page précédente avec le bouton Retour de "
            "votre navigateur (ce que vous aviez saisi y est en général conservé) et choisissez "
            "un fichier plus léger.",
            limit=settings.request_max_mb,
            photo=settings.photo_max_mb,
            cv=CV_MAX_MB,
        )
    except Exception:  # noqa: BLE001 - the page's generic text is shown instead
        return None


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        response: Response
        if _wants_json():
            response = jsonify(error=error.name, status=status)
            response.status_code = status
        else:
            message = getattr(error, "page_message", None)  # a refusal that says what was wrong
            if status == 413 and message is None:
                message = _too_large_message(app)
            html, shown = _error_page(app, status if status in PAGES else 400, message=message)
            if shown == 503 and status != 503:  # the page needed the database, which is down
                return _retry_later(app.response_class(html, status=503, mimetype="text/html"))
            response = error.get_response()
            response.set_data(html)
            response.content_type = "text/html; charset=utf-8"
        return _retry_later(response) if status == 503 else response

    def database_unavailable(error: BaseException, cause: BaseException):
        _forget_database_state()
        original = getattr(cause, "orig", None) or cause
        # class names only: messages may quote SQL parameters (personal data)
        log.error(
            "Base de données injoignable (%s, %s) : %s %s répond 503",
            type(cause).__name__,
            f"{type(original).__module__}.{type(original).__name__}",
            request.method,
            request.endpoint or "-",
        )
        try:
            return http_error(ServiceUnavailable())
        except Exception:  # noqa: BLE001 - the page itself must not turn into a 500
            log.error("Page d'erreur 503 impossible à afficher : %s", type(error).__name__)
            return _retry_later(app.response_class(_BARE_503, status=503))

    @app.errorhandler(sa_exc.SQLAlchemyError)
    def database_error(error: sa_exc.SQLAlchemyError):
        cause = database_outage(error)
        if cause is not None:
            return database_unavailable(error, cause)
        return unexpected(error)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        cause = database_outage(error)
        if cause is not None:
            return database_unavailable(error, cause)
        from talento.logging import describe_exception, format_exception_safely

        incident = uuid.uuid4().hex[:12]
        # The class, the route and the frames; never the message, the URL or the parameters:
        # a database error's message quotes the values it was given (personal data).
        rule = request.url_rule.rule if request.url_rule is not None else "-"
        log.error(
            "Erreur interne — incident %s (requête %s) : %s sur %s %s (%s)\n%s",
            incident,
            g.get("request_id", "-"),
            describe_exception(error),
            request.method,
            rule,
            request.endpoint or "-",
            format_exception_safely(error),
        )
        if _wants_json():
            return jsonify(error="Internal Server Error", incident=incident), 500
        html, shown = _error_page(app, InternalServerError.code, incident=incident)
        response = app.response_class(html, status=shown, mimetype="text/html")
        return _retry_later(response) if shown == 503 else response
