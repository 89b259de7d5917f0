"""A signed-in account asked for its password (or a code) again: disabling two-factor
authentication, new recovery codes, a password change. A stolen session must not be able to
guess the password behind it: these checks are limited per account like logins."""

from __future__ import annotations

import functools

from flask import make_response, request
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from talento.accounts import login_limits
from talento.context import current_settings


def confirmation_limited(view):
    """Disabling and new codes check a password and a code: limited per account like logins.
    The attempt is counted before the view checks them (parallel guesses cannot overtake the
    count) and given back unless it failed (401)."""

    @functools.wraps(view)
    def limited(*args, **kwargs):
        if request.method != "POST":
            return view(*args, **kwargs)
        with login_limits.answering() as limits:
            attempt = limits.reserve(
                limits.confirmation_buckets(current_settings(), current_user.id)
            )
        if isinstance(attempt, login_limits.Refusal):
            raise TooManyRequests(retry_after=attempt.retry_after)
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            attempt.release()
            raise
        if response.status_code != 401:
            attempt.release()
        return response

    return limited
