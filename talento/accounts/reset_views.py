"""Password reset: a signed, single-use link valid one hour."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("reset", __name__)
