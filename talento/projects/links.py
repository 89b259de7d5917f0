"""Links handed to people without an account: a client's review link, a talent's
availability answer and booking confirmation.

A token is an itsdangerous signature with SECRET_KEY under a salt per kind (as the e-mail
verification links): it names a row id, cannot be guessed or forged, and is never stored, so
a copy of the database opens nothing and staff can show a review link again. Whether it still
works is the row's business (expiry, revocation, cancellation), checked by the services: a
token only proves which row it was made for. Changing SECRET_KEY invalidates every link (the
operator guide says so).
"""

from __future__ import annotations

from itsdangerous import BadSignature, URLSafeSerializer

#: One salt per kind of link: a review token cannot be replayed as a booking token.
KINDS = ("review", "availability", "booking")


def _serializer(secret_key: str, kind: str) -> URLSafeSerializer:
    if kind not in KINDS:
        raise ValueError(f"unknown link kind: {kind}")
    return URLSafeSerializer(secret_key, salt=f"talento.projects.{kind}")


def make_token(secret_key: str, kind: str, row_id: int) -> str:
    return _serializer(secret_key, kind).dumps(row_id)


def read_token(secret_key: str, kind: str, token: str) -> int | None:
    """The row id a token was made for, or None for anything forged, altered or of another
    kind (the caller answers 404, the same as for a row that does not exist)."""
    try:
        value = _serializer(secret_key, kind).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
