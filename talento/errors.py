"""French (then English) error pages. A 500 shows an incident id also written to the log."""

from __future__ import annotations

import logging
import uuid

from flask import Flask, g, jsonify, render_template, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

log = logging.getLogger("talento.errors")
PAGES = (400, 403, 404, 405, 413, 429, 500, 503)


def _wants_json() -> bool:
    return request.path.startswith(("/readyz", "/healthz", "/api/"))


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if _wants_json():
            return jsonify(error=error.name, status=status), status
        response = error.get_response()
        page = render_template("errors/error.html", status=status if status in PAGES else 400)
        response.set_data(page)
        response.content_type = "text/html; charset=utf-8"
        return response

    @app.errorhandler(OperationalError)
    def database_unreachable(error: OperationalError):
        from talento.extensions import db

        db.session.rollback()
        log.error("Base de données injoignable : %s", type(error.orig).__name__)
        return http_error(ServiceUnavailable())

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        incident = uuid.uuid4().hex[:12]
        log.exception("Erreur interne — incident %s (requête %s)", incident, g.get("request_id"))
        if _wants_json():
            return jsonify(error="Internal Server Error", incident=incident), 500
        return (
            render_template("errors/error.html", status=500, incident=incident),
            InternalServerError.code,
        )
