"""Uploaded photos and CVs, served after a permission check (never from static/)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("media", __name__)
