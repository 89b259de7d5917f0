"""Reference data for forms: the cities of a country (used by the registration page's script)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from talento.extensions import db, limiter
from talento.geo.services import cities_of

bp = Blueprint("geo", __name__, url_prefix="/geo")


@bp.get("/cities")
@limiter.exempt
def cities():
    iso2 = request.args.get("country", "").strip().upper()[:2]
    rows = cities_of(db.session(), iso2)
    return jsonify([{"id": city.id, "name": city.name} for city in rows])
