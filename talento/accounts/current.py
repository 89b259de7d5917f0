"""The signed-in account as a ``User`` row, for views that hand it to a service.

Flask-Login's ``current_user`` is a proxy; services and the ORM want the row itself. The
user loader already put the row in the session's identity map, so ``Session.get`` returns that
same object without a query, and nothing reaches into Flask-Login's private attributes.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from talento.accounts.models import User
from talento.extensions import db


def signed_in_user() -> User:
    """The signed-in user (views behind ``login_required``); 401 for an anonymous visitor."""
    user_id = current_user.id if current_user.is_authenticated else None
    user = db.session.get(User, user_id) if user_id is not None else None
    if user is None:
        abort(401)
    return user
