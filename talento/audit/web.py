"""The bridge between a request and the audit service: who is acting, from which address."""

from __future__ import annotations

from flask import g, has_request_context, request
from flask_login import current_user

from talento.audit.services import Actor


def current_actor() -> Actor:
    if not has_request_context():
        return Actor()
    user_id = code = None
    if current_user and current_user.is_authenticated:
        user_id, code = current_user.id, current_user.code
    return Actor(id=user_id, code=code, ip=request.remote_addr, request_id=g.get("request_id"))
