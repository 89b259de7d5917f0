"""Public profile pages, QR codes and the printable profile card."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("public", __name__)
