"""Health endpoints for nginx, systemd and monitoring.

`/healthz`: the process answers. `/readyz`: the database answers, migrations are at head and
the key canary matches; otherwise 503 with JSON naming the failed check.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from talento.extensions import db, limiter
from talento.ops.checks import readiness

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz():
    report = readiness(db.session(), current_app.extensions["talento.keyring"])
    db.session.remove()
    return jsonify(report.as_dict()), 200 if report.ok else 503
