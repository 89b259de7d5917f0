"""Application assembly: configuration, extensions, blueprints, request hooks. No I/O here."""

from __future__ import annotations

import logging

from flask import Flask, g, request
from werkzeug.middleware.proxy_fix import ProxyFix

from talento import models  # noqa: F401  (complete metadata before mappers configure)
from talento.accounts import login_limits
from talento.accounts.passwords import PasswordService
from talento.crypto import KeyRing, install_keyring
from talento.extensions import babel, csrf, db, limiter, login_manager, migrate
from talento.i18n import compiled_translations, remember_language, select_locale
from talento.logging import setup_logging
from talento.settings import INSTANCE_DIR, MIGRATIONS_DIR, Settings
from talento.web import db_guard
from talento.web.input_guard import install_id_converter

log = logging.getLogger(__name__)


def build_app(settings: Settings) -> Flask:
    setup_logging(settings)
    for warning in settings.warnings:
        log.warning(warning)

    app = TalentoFlask("talento", instance_path=str(INSTANCE_DIR), instance_relative_config=True)
    install_id_converter(app)  # before any route: <int:…> ids stay within PostgreSQL integer
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings),
        SESSION_COOKIE_NAME="talento_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.production,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.production,
        PREFERRED_URL_SCHEME="https" if settings.production else "http",
        MAX_CONTENT_LENGTH=settings.request_max_mb * 1024 * 1024,
        BABEL_DEFAULT_LOCALE="fr",
        BABEL_TRANSLATION_DIRECTORIES=str(compiled_translations()),
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        RATELIMIT_HEADERS_ENABLED=True,
        RATELIMIT_KEY_PREFIX=settings.ratelimit_key_prefix,
        WTF_CSRF_TIME_LIMIT=None,
        TESTING=settings.flask_env == "testing",
    )
    app.extensions["talento.settings"] = settings
    app.extensions["talento.passwords"] = PasswordService(
        settings.argon2_memory_kib, settings.argon2_time_cost, settings.argon2_parallelism
    )
    login_limits.install(app.extensions, settings)
    keyring = KeyRing.from_keys(settings.encryption_key, settings.encryption_keys_previous)
    app.extensions["talento.keyring"] = keyring
    install_keyring(keyring)

    if settings.proxy_hops:
        hops = settings.proxy_hops
        # Flask's documented way to add WSGI middleware; mypy sees wsgi_app only as a method.
        app.wsgi_app = TrustedProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, hops, settings.trusted_proxies
        )

    db.init_app(app)
    with app.app_context():
        app.extensions["talento.db_breaker"] = db_guard.guard_engine(db.engine, settings)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)

    _register_blueprints(app)
    _register_hooks(app)
    from talento.web.errors import register_error_handlers

    register_error_handlers(app)
    return app


class TalentoFlask(Flask):
    """Flask, whose own "Exception on <path>" line (an error handler or an after-request hook
    that failed) would write the real path: a reset token, a talent's slug. The route instead;
    the formatters of talento.logging already drop exception messages."""

    def log_exception(self, exc_info) -> None:
        rule = request.url_rule.rule if request.url_rule is not None else "-"
        self.logger.error("Exception non gérée sur %s %s", request.method, rule, exc_info=exc_info)


class TrustedProxyFix:
    """ProxyFix applied only to requests that come from a trusted proxy (nginx on loopback).

    The seed's command binds gunicorn on 0.0.0.0: a client reaching it directly must not be
    able to choose its own IP (rate limits) or scheme with X-Forwarded-* headers.
    """

    def __init__(self, wsgi_app, hops: int, trusted: tuple[str, ...]):
        self.direct = wsgi_app
        self.proxied = ProxyFix(wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
        self.trusted = frozenset(trusted)

    def __call__(self, environ, start_response):
        if environ.get("REMOTE_ADDR") in self.trusted:
            return self.proxied(environ, start_response)
        return self.direct(environ, start_response)


def _engine_options(settings: Settings) -> dict:
    """pool_pre_ping replaces connections that died while pooled (database restarted, cut):
    the first request after an outage reconnects by itself, no restart needed. Every wait is
    bounded by DATABASE_TIMEOUT (:mod:`talento.web.db_guard`); SQL parameters (personal data)
    never reach an error message or a log line."""
    if settings.is_sqlite:
        return {"hide_parameters": True}
    options = {
        "pool_pre_ping": True,
        "pool_size": 5,
        "max_overflow": 5,
        "pool_recycle": 1800,
        "connect_args": db_guard.connect_args(settings),
        "hide_parameters": True,
    }
    if settings.database_timeout > 0:
        options["pool_timeout"] = settings.database_timeout
    return options


def _register_blueprints(app: Flask) -> None:
    from talento.accounts.reset_views import bp as reset_bp
    from talento.accounts.session_views import bp as sessions_bp
    from talento.accounts.sign_in_link_views import bp as sign_in_link_bp
    from talento.accounts.two_factor_views import bp as two_factor_bp
    from talento.accounts.verification_views import bp as verification_bp
    from talento.accounts.views import bp as accounts_bp
    from talento.admin import audit_views as _audit_views  # noqa: F401
    from talento.admin import catalog_views as _catalog_views  # noqa: F401
    from talento.admin import cinema_views as _cinema_views  # noqa: F401
    from talento.admin import export_views as _export_views  # noqa: F401
    from talento.admin import legal_views as _legal_views  # noqa: F401
    from talento.admin import lost_data_views as _lost_data_views  # noqa: F401
    from talento.admin import user_views as _user_views  # noqa: F401
    from talento.admin import views as _admin_views  # noqa: F401  (routes onto admin_bp)
    from talento.admin.blueprint import bp as admin_bp
    from talento.attendance.scanner_views import bp as scanner_bp
    from talento.attendance.talent_views import bp as my_attendance_bp
    from talento.attendance.views import bp as attendance_bp
    from talento.casting.me_views import bp as casting_me_bp
    from talento.casting.media_views import bp as casting_media_bp
    from talento.casting.page_views import bp as casting_public_bp
    from talento.casting.registration_views import bp as casting_registration_bp
    from talento.casting.search.views import bp as casting_search_bp
    from talento.content.views import bp as legal_bp
    from talento.exports import shortlist_views as _shortlist_exports  # noqa: F401  (onto bp)
    from talento.exports.casting_views import bp as casting_exports_bp
    from talento.exports.payroll_views import bp as attendance_exports_bp
    from talento.geo.views import bp as geo_bp
    from talento.keys.reentry_views import bp as lost_data_bp
    from talento.ops.health import bp as health_bp
    from talento.pages import bp as pages_bp
    from talento.profiles.contact_views import bp as contact_bp
    from talento.profiles.directory_views import bp as directory_bp
    from talento.profiles.media_views import bp as media_bp
    from talento.profiles.presence_views import bp as presence_bp
    from talento.profiles.public_views import bp as public_bp
    from talento.profiles.registration_views import bp as registration_bp
    from talento.profiles.saved_views import bp as saved_searches_bp
    from talento.profiles.views import bp as profiles_bp
    from talento.projects import availability_views as _availability_views  # noqa: F401
    from talento.projects import role_views as _role_views  # noqa: F401  (routes onto projects)
    from talento.projects.answer_views import bp as answers_bp
    from talento.projects.badge_views import bp as badges_bp
    from talento.projects.booking_views import bp as bookings_bp
    from talento.projects.company_views import bp as companies_bp
    from talento.projects.my_bookings_views import bp as my_bookings_bp
    from talento.projects.project_views import bp as projects_bp
    from talento.projects.review_views import bp as review_bp
    from talento.projects.shortlist_views import bp as shortlists_bp

    for blueprint in (
        pages_bp,
        legal_bp,
        accounts_bp,
        reset_bp,
        sign_in_link_bp,
        two_factor_bp,
        sessions_bp,
        verification_bp,
        registration_bp,
        profiles_bp,
        presence_bp,
        lost_data_bp,
        public_bp,
        contact_bp,
        directory_bp,
        saved_searches_bp,
        media_bp,
        casting_media_bp,
        casting_public_bp,
        casting_registration_bp,
        casting_me_bp,
        casting_search_bp,
        casting_exports_bp,
        bookings_bp,
        answers_bp,
        my_bookings_bp,
        companies_bp,
        projects_bp,
        badges_bp,
        shortlists_bp,
        review_bp,
        attendance_exports_bp,
        scanner_bp,
        attendance_bp,
        my_attendance_bp,
        geo_bp,
        admin_bp,
        health_bp,
    ):
        app.register_blueprint(blueprint)
    csrf.exempt(health_bp)


def _register_hooks(app: Flask) -> None:
    from talento.web.context import register_template_context
    from talento.web.gates import register_gates
    from talento.web.security import add_security_headers
    from talento.web.unit_of_work import register_unit_of_work

    settings = app.extensions["talento.settings"]
    register_gates(app)
    register_template_context(app)

    @app.after_request
    def finish(response):
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        add_security_headers(response, settings.production)
        return remember_language(response)

    register_unit_of_work(app)
