"""Reference data for forms (cities of a country)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("geo", __name__)
