"""The contact form's spam traps, which need no third-party service.

- A honeypot field people never see (hidden by CSS, ``aria-hidden``, out of the tab order,
  labelled « leave empty »): robots that fill every field fill it.
- A signed time stamp put in the form when it is shown (SECRET_KEY, a salt of its own, the
  talent's code): a submission without a valid one was not made from our form, one faster
  than :data:`MIN_FILL_SECONDS` was not typed by a person.

A trapped submission is answered like a sent one (talento.profiles.contact_views) and counted
by :func:`talento.profiles.contact.record_trapped`. A stamp older than
:data:`FORM_MAX_AGE_SECONDS` is no trap: its author is asked to send the form again.
"""

from __future__ import annotations

import time

from itsdangerous import BadSignature, URLSafeSerializer

#: A person needs more than this to read the form and write 20 characters.
MIN_FILL_SECONDS = 3
#: A form left open longer is sent again with a fresh stamp (nothing typed is lost).
FORM_MAX_AGE_SECONDS = 24 * 3600
FORM_SALT = "talento-contact-form"
MAX_STAMP_LENGTH = 512


def form_stamp(secret_key: str, code: str, now: float | None = None) -> str:
    """A signed (code, time) put in the form when it is shown."""
    moment = int(time.time() if now is None else now)
    return URLSafeSerializer(secret_key, salt=FORM_SALT).dumps({"c": code.upper(), "t": moment})


def stamp_age(secret_key: str, stamp: str, code: str, now: float | None = None) -> float | None:
    """Seconds since the form was shown, or None when the stamp is missing, forged or for
    another talent's form."""
    if not stamp or len(stamp) > MAX_STAMP_LENGTH:
        return None
    try:
        payload = URLSafeSerializer(secret_key, salt=FORM_SALT).loads(stamp)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("c") != (code or "").upper():
        return None
    moment = payload.get("t")
    if type(moment) is not int:
        return None
    return (time.time() if now is None else now) - moment


def trap_reason(
    secret_key: str, code: str, stamp: str, honeypot: str, now: float | None = None
) -> str | None:
    """Why a submission looks automated ("honeypot", "stamp", "too_fast"), or None."""
    if honeypot.strip():
        return "honeypot"
    age = stamp_age(secret_key, stamp, code, now)
    if age is None:
        return "stamp"
    if age < MIN_FILL_SECONDS:
        return "too_fast"
    return None


def stamp_expired(secret_key: str, stamp: str, code: str, now: float | None = None) -> bool:
    age = stamp_age(secret_key, stamp, code, now)
    return age is not None and age > FORM_MAX_AGE_SECONDS
